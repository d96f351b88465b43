/**
 * User collections (`Customer.create/byId/all/where/firstWhere/<index>`) and the `Collection` module
 * (core: Collections.scala). Index lookups use storage's hash-map indexes; results are ordered by the index
 * `values`, then by id.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Collections.scala
 */
import type { Span } from '../../fql/ast.ts';
import { mayEver } from '../../auth/permissions.ts';
import type { CollectionDef, IndexDef } from '../../schema/model.ts';
import { compareIds, compareValues } from '../../values/keys.ts';
import { readField } from '../../storage/store.ts';
import type { StoredDoc } from '../../storage/store.ts';
import { createSchemaItem } from './schema-writes.ts';
import type { Ctx } from '../context.ts';
import { allowed, createDocument, moduleFor, peekLiveDoc } from '../documents.ts';
import { indexEntryBytes, meterIndexRead, partitionsFor, TERMLESS_INDEX_PARTITIONS, valueBytes } from '../metering.ts';
import { QueryFailure } from '../errors.ts';
import { DocRef, NamedRef, NativeFn, NullDoc, SetValue, isPlainObject, typeName } from '../../values/values.ts';
import { callUdf } from './globals.ts';
import { namedFields } from './schema-items.ts';
import type { Value } from '../../values/values.ts';
import { arity, fn, NO_METHOD } from './args.ts';
import { setMethods } from './set.ts';

const DIGITS = /^\d+$/;

/** Parses a document id argument (a digit string or an Int). */
export function idArg(value: Value | undefined, span: Span): string {
  const text = typeof value === 'bigint' ? value.toString() : value;
  if (typeof text !== 'string' || !DIGITS.test(text) || BigInt(text) >= 2n ** 63n) {
    throw new QueryFailure('invalid_id', `\`${typeof text === 'string' ? text : String(value)}\` is not a valid ID.`, { span });
  }
  return text;
}

/** All live documents of a collection the caller may read, in id order. */
export function allDocs(coll: string): SetValue {
  return new SetValue(function* (c) {
    const ctx = c as Ctx;
    const ids = ctx.db.store.ids(coll);
    // The documents index holds one entry (the id) per document, in 8 partitions (metering.ts).
    meterIndexRead(ctx.meter, { coll, index: '', terms: [] }, TERMLESS_INDEX_PARTITIONS, ids.length * indexEntryBytes([]));
    for (const id of ids) {
      if (!peekLiveDoc(ctx, coll, id)) continue;
      const ref = new DocRef(coll, id);
      if (allowed(ctx, coll, 'read', [ref])) yield ref;
    }
  });
}

function requireCollectionRead(ctx: Ctx, coll: string, span: Span): void {
  if (!mayEver(ctx.access, coll, 'read')) {
    throw new QueryFailure('permission_denied', `Insufficient privileges to read from collection ${coll}.`, { span });
  }
}

interface IndexRange {
  from: Value[] | null;
  to: Value[] | null;
}

/** Reads the optional range argument `{ from?, to? }`; a bound is a value or an array (a prefix of the index values). */
function rangeArg(def: CollectionDef, name: string, index: IndexDef, arg: Value, span: Span): IndexRange {
  if (index.values.length === 0) {
    throw new QueryFailure('invalid_query', `Range arguments on an index without values (\`${def.name}.${name}\`) are not supported by the local Fauna emulator.`, { span });
  }
  if (!isPlainObject(arg) || Object.keys(arg).some((k) => k !== 'from' && k !== 'to')) {
    throw new QueryFailure('invalid_argument', 'expected value for `range` of type { from: Any, to: Any }', { span });
  }
  const bound = (v: Value | undefined): Value[] | null => (v === undefined || v === null ? null : Array.isArray(v) ? v : [v]);
  return { from: bound(arg.from), to: bound(arg.to) };
}

/** Compares index values with a bound prefix in the index's order (desc values reversed). */
function compareToBound(values: Value[], bound: Value[], index: IndexDef): number {
  for (let i = 0; i < Math.min(bound.length, values.length); i++) {
    const c = compareValues(values[i]!, bound[i] instanceof NullDoc ? (bound[i] as NullDoc).ref : bound[i]!);
    if (c !== 0) return index.values[i]!.order === 'desc' ? -c : c;
  }
  return 0;
}

/** The bytes an index entry spends on its values. */
function valuesBytes(doc: StoredDoc, index: IndexDef): number {
  let sum = 0;
  for (const v of index.values) sum += valueBytes(readField(doc, v.path));
  return sum;
}

/** The top-level fields an index entry holds: its terms and values with one-segment paths. */
function coveredFields(index: IndexDef, terms: Value[], values: Value[]): ReadonlyMap<string, Value> | undefined {
  const covered = new Map<string, Value>();
  index.terms.forEach((t, i) => {
    if (t.path.length === 1 && !t.mva) covered.set(t.path[0]!, terms[i] ?? null);
  });
  index.values.forEach((v, i) => {
    if (v.path.length === 1 && !v.mva) covered.set(v.path[0]!, values[i] ?? null);
  });
  return covered.size > 0 ? covered : undefined;
}

/**
 * `Coll.<index>(terms..., range?)`: documents whose terms match, ordered by the index values and then id; a range keeps
 * those whose values lie between `from` and `to` inclusive, in index order.
 */
function indexSet(ctx: Ctx, def: CollectionDef, name: string, index: IndexDef, args: Value[], span: Span): SetValue {
  if (args.length !== index.terms.length && args.length !== index.terms.length + 1) {
    arity(name, args, index.terms.length, index.terms.length + 1, span);
  }
  const range = args.length > index.terms.length ? rangeArg(def, name, index, args[index.terms.length]!, span) : null;
  requireCollectionRead(ctx, def.name, span);
  const terms = args.slice(0, index.terms.length).map((a) => (a instanceof NullDoc ? a.ref : a));
  return new SetValue((c) => {
    const cx = c as Ctx;
    // A cursor followed by another query (`Set.paginate`) is checked again against that caller (CORE: FQL2ABACSpec).
    if (cx !== ctx) requireCollectionRead(cx, def.name, span);
    const ids = cx.db.store.lookup(def.name, name, terms);
    if (!ids) throw new QueryFailure('invalid_function_invocation', `The function \`${name}\` does not exist on \`${def.name}Collection\``, { span });
    const docs = [];
    let entryBytes = 0;
    for (const id of ids) {
      const doc = peekLiveDoc(cx, def.name, id);
      if (!doc) continue;
      entryBytes += indexEntryBytes(terms) + valuesBytes(doc, index);
      const values = index.values.map((v) => readField(doc, v.path));
      const ref = new DocRef(def.name, id, coveredFields(index, terms, values));
      if (!allowed(cx, def.name, 'read', [ref])) continue;
      if (range?.from && compareToBound(values, range.from, index) < 0) continue;
      if (range?.to && compareToBound(values, range.to, index) > 0) continue;
      docs.push({ ref, values });
    }
    meterIndexRead(cx.meter, { coll: def.name, index: name, terms }, partitionsFor(index.terms.length), entryBytes);
    docs.sort((a, b) => {
      for (let i = 0; i < index.values.length; i++) {
        const c2 = compareValues(a.values[i]!, b.values[i]!);
        if (c2 !== 0) return index.values[i]!.order === 'desc' ? -c2 : c2;
      }
      return compareIds(a.ref.id, b.ref.id);
    });
    return docs.map((d) => d.ref);
  });
}

/** Methods of a user collection module. */
export function userCollectionMethod(ctx: Ctx, def: CollectionDef, name: string, args: Value[], span: Span): Value | typeof NO_METHOD {
  switch (name) {
    case 'create':
      arity('create', args, 1, 1, span);
      return createDocument(ctx, def, args[0]!, span);
    case 'byId':
      arity('byId', args, 1, 1, span);
      return new DocRef(def.name, idArg(args[0], span));
    case 'all':
      arity('all', args, 0, 0, span);
      return allDocs(def.name);
    case 'where':
      arity('where', args, 1, 1, span);
      fn(args, 0, 'pred', span);
      return setMethods.where!(ctx, allDocs(def.name), args, span);
    case 'firstWhere':
      arity('firstWhere', args, 1, 1, span);
      return setMethods.firstWhere!(ctx, allDocs(def.name), args, span);
    case 'definition':
      arity('definition', args, 0, 0, span);
      return new NamedRef('Collection', def.name);
  }
  const index = Object.hasOwn(def.indexes, name) ? def.indexes[name] : undefined;
  if (index) return indexSet(ctx, def, name, index, args, span);
  return NO_METHOD;
}

/** `Collection`, `Role` and `Function` modules: `byName(name)` and `all()` over schema items. */
export function schemaModuleMethod(ctx: Ctx, module: 'Collection' | 'Role' | 'Function', name: string, args: Value[], span: Span): Value | typeof NO_METHOD {
  const names = (): string[] => {
    const items = ctx.db.schema.items;
    if (module === 'Collection') return items.collections.map((c) => c.name);
    if (module === 'Role') return items.roles.map((r) => r.name);
    return items.functions.map((f) => f.name);
  };
  const requireAdminRead = () => {
    if (ctx.access.kind !== 'admin' && ctx.access.kind !== 'server' && ctx.access.kind !== 'server-readonly') {
      throw new QueryFailure('permission_denied', 'Insufficient privileges to perform the action.', { span });
    }
  };
  switch (name) {
    case 'byName': {
      arity('byName', args, 1, 1, span);
      requireAdminRead();
      const target = args[0];
      if (typeof target !== 'string') throw new QueryFailure('invalid_argument', 'expected value for `name` of type String', { span });
      const ref = new NamedRef(module, target);
      return namedFields(ctx, ref) ? ref : new NullDoc(ref, 'not found');
    }
    case 'all':
      arity('all', args, 0, 0, span);
      requireAdminRead();
      return new SetValue(() => names().map((n) => new NamedRef(module, n)));
    case 'where':
    case 'firstWhere': {
      requireAdminRead();
      const all = new SetValue(() => names().map((n) => new NamedRef(module, n)));
      return setMethods[name]!(ctx, all, args, span);
    }
    case 'create':
      arity('create', args, 1, 1, span);
      return createSchemaItem(ctx, module, args[0], span);
    case 'apply': {
      // `Collection("Customer")` is the collection itself, `Function("f")` the function: names held in strings.
      arity(module, args, 1, 1, span);
      const target = args[0];
      if (typeof target !== 'string') throw new QueryFailure('invalid_argument', `expected value for \`name\` of type String, received ${typeName(target ?? null)}`, { span });
      if (module === 'Collection') {
        const def = ctx.db.schema.collections.get(target);
        if (def) return moduleFor(def.name, true);
      } else if (module === 'Function') {
        const udf = ctx.db.schema.functions.get(target);
        if (udf) return new NativeFn(udf.name, (c, callArgs) => callUdf(c as Ctx, udf, callArgs, span));
      } else {
        break;
      }
      // CORE: stdlib/Collections.scala and stdlib/Functions.scala (`apply`), FQL2CollectionsSpec "get collections by name".
      const noun = module === 'Collection' ? 'collection' : 'function';
      throw new QueryFailure('invalid_argument', `invalid argument \`${noun}\`: No such user ${noun} \`${target}\`.`, { span });
    }
  }
  return NO_METHOD;
}
