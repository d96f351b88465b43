/**
 * The type environment of one database: the document types of its collections (from their field definitions), the
 * methods of documents and collections, the system collections `Token` and `Key`, and the signatures of its
 * functions (declared, or inferred from the body with untyped parameters as `Any`; see checker.ts).
 *
 * A collection without field definitions accepts any field (core: an implicit `*: Any`); one with definitions and no
 * wildcard has exactly those fields, plus `id`, `ts`, `coll` and `ttl` (core: CollectionTypeInfo in
 * SchemaTypeValidator.scala). `Ref<C>` is `C | NullC`, the missing document answering only `id`, `coll` and `exists()`.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/env/SchemaTypeValidator.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Collections.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Docs.scala
 */
import type { CollectionDef, FunctionDef, SchemaItems } from '../schema/model.ts';
import { parseTypeAnnotation, TypeAnnotationError } from './annotations.ts';
import { predicate, sig } from './stdlib.ts';
import {
  ANY, ANY_OBJECT, ID, NULL, STRING, TIME, lit, named, nullDocName, optional, overload, record, refOf, setOf, union,
} from './types.ts';
import type { DocTypes, FnType, Type } from './types.ts';

/** Collections the engine provides; their documents have fixed fields (core: Tokens.scala, Keys.scala). */
const SYSTEM_DOCS: Record<string, { fields: Record<string, Type>; create: Type }> = {
  Token: {
    fields: { document: named('AnyDoc'), secret: optional(STRING), ttl: optional(TIME), data: optional(ANY_OBJECT) },
    create: record({ id: optional(ID), document: union(named('AnyDoc'), named('AnyNullDoc')), ttl: optional(TIME), data: optional(ANY_OBJECT) }),
  },
  Key: {
    fields: { role: STRING, database: optional(STRING), ttl: optional(TIME), secret: optional(STRING), data: optional(ANY_OBJECT) },
    create: record({ role: STRING, database: optional(STRING), ttl: optional(TIME), data: optional(ANY_OBJECT) }),
  },
};

export interface DocShape {
  /** Named fields with their types (id, ts, coll, ttl included). */
  fields: Record<string, Type>;
  /** Type of fields not named (`Any` for collections without definitions or with `*: Any`); null: none allowed. */
  wildcard: Type | null;
  /** `create`'s argument, `update`'s argument, `replace`'s argument. */
  create: Type;
  update: Type;
  replace: Type;
  /** Index names → their function types (user collections only). */
  indexes: Record<string, Type>;
}

/** A function of the schema: its declared signature, or the body to infer one from. */
export interface UserFunction {
  def: FunctionDef;
  /** Declared signature (all parameters typed and a return type), else null. */
  declared: FnType | null;
  /** The signature once inferred (filled lazily by the checker). */
  inferred?: FnType;
  /** True while its body is being inferred (a recursive call then sees `Any`). */
  inferring?: boolean;
}

export class TypeEnv implements DocTypes {
  readonly docs = new Map<string, DocShape>();
  readonly functions = new Map<string, UserFunction>();
  /** Collection names and aliases → the document type name. */
  readonly collections = new Map<string, string>();
  /** Annotation problems found while building (unknown types in field definitions and signatures). */
  readonly problems: { message: string; where: string }[] = [];

  readonly items: SchemaItems;

  constructor(items: SchemaItems) {
    this.items = items;
    for (const coll of items.collections) {
      this.collections.set(coll.name, coll.name);
      if (coll.alias) this.collections.set(coll.alias, coll.name);
    }
    for (const [name, system] of Object.entries(SYSTEM_DOCS)) {
      const fields = { id: ID, ts: TIME, coll: named(`${name}Collection`), ...system.fields };
      this.docs.set(name, { fields, wildcard: null, create: system.create, update: partial(system.create), replace: system.create, indexes: {} });
    }
    for (const coll of items.collections) this.docs.set(coll.name, this.docShape(coll));
    for (const def of items.functions) {
      const entry: UserFunction = { def, declared: this.declaredSignature(def) };
      this.functions.set(def.name, entry);
      if (def.alias) this.functions.set(def.alias, entry);
    }
  }

  isDoc(name: string): boolean {
    return this.docs.has(name) || name === 'AnyDoc';
  }

  nullDocOf(name: string): string | null {
    if (!name.startsWith('Null')) return null;
    const doc = name.slice(4);
    return this.docs.has(doc) || doc === 'Doc' ? doc : null;
  }

  /** Parses an annotation against this schema's collections; a bad one is recorded and typed `Any`. */
  annotation(source: string, where: string, options: { defaultsOptional?: boolean } = {}): Type {
    try {
      // Every collection of the schema is a document type, whatever the order it is declared in.
      return parseTypeAnnotation(source, (n) => this.docs.has(n) || this.collections.get(n) === n, options);
    } catch (error) {
      if (!(error instanceof TypeAnnotationError)) throw error;
      this.problems.push({ message: error.message, where });
      return ANY;
    }
  }

  private docShape(coll: CollectionDef): DocShape {
    const defined: Record<string, Type> = {};
    const createFields: Record<string, Type> = { id: optional(ID) };
    for (const field of coll.fields) {
      const where = `field \`${field.name}\` of collection ${coll.name}`;
      const t = this.annotation(field.type, where);
      defined[field.name] = t;
      // Nested fields with defaults may be left out when writing (the default fills them).
      const written = field.type.includes('=') ? this.annotation(field.type, where, { defaultsOptional: true }) : t;
      createFields[field.name] = field.default ? optional(written) : written;
    }
    const computed: Record<string, Type> = {};
    for (const c of coll.computed) computed[c.name] = c.type ? this.annotation(c.type, `computed field \`${c.name}\` of collection ${coll.name}`) : ANY;
    // No field definitions: any field, as before schema (core: the implicit `*: Any`).
    const wildcard = coll.fields.length === 0 || coll.wildcard !== null ? ANY : null;
    const ttls = coll.documentTtls ?? coll.fields.length === 0;
    if (ttls) createFields.ttl = optional(TIME);
    // `data` is reserved in a document written with a wildcard (core: FQL2CollectionSpec "disallows `data` in create,
    // update, and replace (with wildcard)": its type is `Null`).
    if (wildcard && !Object.hasOwn(createFields, 'data')) createFields.data = NULL;
    const fields = { id: ID, ts: TIME, coll: named(`${coll.name}Collection`), ttl: optional(TIME), ...defined, ...computed };
    const create = record(createFields, wildcard);
    const indexes: Record<string, Type> = {};
    for (const [name, index] of Object.entries(coll.indexes)) {
      const terms = index.terms.map((_, i) => [`term${i + 1}`, ANY] as [string, Type]);
      const range = union(record({ from: ANY }), record({ to: ANY }), record({ from: ANY, to: ANY }));
      indexes[name] = overload(sig(terms, setOf(named(coll.name))), sig([...terms, ['range', range]], setOf(named(coll.name))));
    }
    return { fields, wildcard, create, update: partial(create), replace: create, indexes };
  }

  private declaredSignature(def: FunctionDef): FnType | null {
    if (def.returnType === null || def.params.some((p) => p.type === null)) {
      if (def.returnType === null) return null;
    }
    const where = `function ${def.name}`;
    const params = def.params.filter((p) => !p.variadic).map((p) => (p.type ? this.annotation(p.type, where) : ANY));
    const rest = def.params.find((p) => p.variadic);
    const variadic = rest ? (rest.type ? elementOf(this.annotation(rest.type, where)) : ANY) : null;
    const ret = def.returnType ? this.annotation(def.returnType, where) : ANY;
    return { k: 'fn', params, variadic, ret, names: def.params.filter((p) => !p.variadic).map((p) => p.name) };
  }

  /** The members of a collection's module type (`CustomerCollection`). */
  collectionMember(doc: string, name: string): Type | undefined {
    const shape = this.docs.get(doc);
    if (!shape) return undefined;
    const docT = named(doc);
    const range = union(record({ from: ANY }), record({ to: ANY }), record({ from: ANY, to: ANY }));
    const common: Record<string, Type> = {
      all: overload(sig([], setOf(docT)), sig([['range', range]], setOf(docT))),
      where: sig([['pred', predicate(docT)]], setOf(docT)),
      firstWhere: sig([['pred', predicate(docT)]], optional(docT)),
      create: sig([['data', shape.create]], docT),
      byId: sig([['id', ID]], refOf(doc)),
      toString: sig([], STRING),
      definition: ANY,
    };
    if (doc === 'Token') common.byDocument = sig([['document', named('AnyDoc')]], setOf(docT));
    if (Object.hasOwn(common, name)) return common[name];
    return shape.indexes[name];
  }

  /** The members of a document type, or of its missing-document counterpart. */
  docMember(doc: string, name: string, missing: boolean): Type | undefined {
    const shape = this.docs.get(doc);
    if (!shape) return undefined;
    if (missing) {
      if (name === 'id') return ID;
      if (name === 'coll') return named(`${doc}Collection`);
      if (name === 'exists') return sig([], lit(false));
      if (name === 'toString') return sig([], STRING);
      return undefined;
    }
    switch (name) {
      case 'exists': return sig([], lit(true));
      case 'update': return sig([['data', shape.update]], named(doc));
      case 'replace': return sig([['data', shape.replace]], named(doc));
      case 'delete': return sig([], named(nullDocName(doc)));
    }
    if (Object.hasOwn(shape.fields, name)) return shape.fields[name];
    if (name === 'toString') return sig([], STRING);
    if (shape.wildcard) return shape.wildcard.k === 'any' ? ANY : optional(shape.wildcard);
    return undefined;
  }
}

function elementOf(t: Type): Type {
  return t.k === 'named' && t.name === 'Array' ? t.args[0] ?? ANY : ANY;
}

/** Every field optional: what `update` accepts. */
function partial(t: Type): Type {
  if (t.k !== 'record') return t;
  return record(Object.fromEntries(Object.entries(t.fields).map(([k, v]) => [k, optional(v)])), t.wildcard);
}

