/**
 * Field types of collection schema, as the migration validator needs them: parsed from the type text of an FSL field
 * (`Int`, `String?`, `Int | Null`, `Ref<Address>`, `{ *: Any }?`, `Array<String>`, `"a" | "b"`), shown as the core
 * shows them (`Int | Null`), and compared with the core typer's subtyping (`Any` both ways, `Int <: Number`, literals
 * under their base types, records by their fields). A field written as a bare object (`address: { city: String }`) is
 * a nested schema object with its own fields and defaults (CORE: SchemaTypeExpr.Object), kept apart here.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/migration/CollectionShape.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/typer/Type.scala
 */
import type { Span } from '../fql/ast.ts';

export type FieldType =
  | { kind: 'any'; span?: Span | null }
  | { kind: 'never'; span?: Span | null }
  /** A scalar type: Int, Long, Double, Number, String, Boolean, Null, Time, Date, Bytes, ID, UUID. */
  | { kind: 'named'; name: string; span?: Span | null }
  /** A document of collection `coll`: `Ref<coll>` (ref) or the bare collection name. */
  | { kind: 'doc'; coll: string; ref: boolean; span?: Span | null }
  | { kind: 'literal'; value: string | bigint | number | boolean; text: string; span?: Span | null }
  | { kind: 'array'; elem: FieldType; span?: Span | null }
  | { kind: 'tuple'; elems: FieldType[]; span?: Span | null }
  | { kind: 'union'; types: FieldType[]; span?: Span | null }
  | { kind: 'record'; fields: RecordField[]; wildcard: FieldType | null; span?: Span | null };

export interface RecordField {
  name: string;
  type: FieldType;
  optional: boolean;
}

/** A field type as written in a collection: a plain type, or a nested schema object with its own fields. */
export type SchemaTypeExpr =
  | { kind: 'simple'; type: FieldType; span: Span }
  | { kind: 'object'; fields: ObjectFieldExpr[]; wildcard: { type: FieldType; span: Span } | null; span: Span };

export interface ObjectFieldExpr {
  name: string;
  nameSpan: Span;
  type: SchemaTypeExpr;
  /** The default's source text, when the nested field has one. */
  default: string | null;
}

/** Scalar type names the core knows (StdTypes), and other named types of its environment, compared by name here. */
const SCALARS: ReadonlySet<string> = new Set([
  'Int', 'Long', 'Double', 'Float', 'Number', 'String', 'Boolean', 'Null', 'Time', 'Date', 'Bytes', 'ID', 'UUID', 'TransactionTime',
  'Object', 'SetCursor',
]);

/** Documents of Fauna's own collections, always known. */
const BUILTIN_DOCUMENTS: ReadonlySet<string> = new Set(['Key', 'Token', 'Credential', 'Collection', 'Function', 'Role', 'Database', 'AccessProvider']);

export const ANY: FieldType = { kind: 'any' };
export const NULL: FieldType = { kind: 'named', name: 'Null' };

/** An unknown type name in the submitted schema (CORE: "Unknown type `X`"). */
export class UnknownTypeError extends Error {
  readonly span: Span;
  constructor(name: string, span: Span) {
    super(`Unknown type \`${name}\``);
    this.name = 'UnknownTypeError';
    this.span = span;
  }
}

/** Thrown when a type text does not parse (the FSL parser accepted it, so this names an emulator gap). */
export class FieldTypeSyntaxError extends Error {
  readonly span: Span;
  constructor(message: string, span: Span) {
    super(message);
    this.name = 'FieldTypeSyntaxError';
    this.span = span;
  }
}

export interface TypeNames {
  /** Collection names that are document types. */
  collections: ReadonlySet<string>;
  /** When true, an unknown name fails (submitted schema); when false it is kept as a document type (live schema). */
  checked: boolean;
}

/**
 * Parses a field's type text, which starts at `offset` of its file.
 * @throws UnknownTypeError for a name that is neither a scalar nor a collection (when `names.checked`).
 */
export function parseSchemaTypeExpr(text: string, offset: number, names: TypeNames): SchemaTypeExpr {
  const p = new TypeParser(text, offset, names);
  const out = p.schemaTypeExpr();
  p.skip();
  if (!p.done()) throw new FieldTypeSyntaxError(`Unexpected \`${text.slice(p.pos)}\` in type`, p.span(p.pos, text.length));
  return out;
}

/** The plain type of a schema type expression (a nested object as a record type). */
export function typeOfExpr(te: SchemaTypeExpr): FieldType {
  if (te.kind === 'simple') return te.type;
  return {
    kind: 'record',
    fields: te.fields.map((f) => ({ name: f.name, type: typeOfExpr(f.type), optional: f.default !== null })),
    wildcard: te.wildcard?.type ?? null,
    span: te.span,
  };
}

class TypeParser {
  pos = 0;
  private readonly text: string;
  private readonly offset: number;
  private readonly names: TypeNames;

  constructor(text: string, offset: number, names: TypeNames) {
    this.text = text;
    this.offset = offset;
    this.names = names;
  }

  span(start: number, end: number): Span {
    return { start: this.offset + start, end: this.offset + end };
  }

  skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  done(): boolean {
    return this.pos >= this.text.length;
  }

  private peek(s: string): boolean {
    this.skip();
    return this.text.startsWith(s, this.pos);
  }

  private accept(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }

  private expect(s: string): void {
    if (!this.accept(s)) throw new FieldTypeSyntaxError(`Expected \`${s}\` in type`, this.span(this.pos, this.pos + 1));
  }

  /** A bare object at the top (no `?`, no union) is a nested schema object. */
  schemaTypeExpr(): SchemaTypeExpr {
    this.skip();
    const start = this.pos;
    if (this.peek('{')) {
      const save = this.pos;
      const obj = this.objectExpr();
      this.skip();
      if (this.done() || !/^[|?&]/.test(this.text.slice(this.pos))) return obj;
      this.pos = save;
    }
    const type = this.union();
    return { kind: 'simple', type, span: this.span(start, this.pos) };
  }

  private objectExpr(): Extract<SchemaTypeExpr, { kind: 'object' }> {
    this.skip();
    const start = this.pos;
    this.expect('{');
    const fields: ObjectFieldExpr[] = [];
    let wildcard: { type: FieldType; span: Span } | null = null;
    while (!this.accept('}')) {
      this.skip();
      const nameStart = this.pos;
      const name = this.fieldName();
      const nameSpan = this.span(nameStart, this.pos);
      this.expect(':');
      if (name === '*') {
        const type = this.union();
        wildcard = { type, span: this.span(nameStart, this.pos) };
      } else {
        const type = this.schemaTypeExpr();
        let def: string | null = null;
        if (this.accept('=')) def = this.defaultText();
        fields.push({ name, nameSpan, type, default: def });
      }
      this.separator();
    }
    return { kind: 'object', fields, wildcard, span: this.span(start, this.pos) };
  }

  /** A nested field's default: everything up to `,`, a line break or the closing `}` at depth 0. */
  private defaultText(): string {
    this.skip();
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (depth === 0 && (c === ',' || c === '\n' || c === '}')) break;
      if ('{(['.includes(c)) depth++;
      if ('})]'.includes(c)) depth--;
      if (c === '"' || c === "'") {
        const close = this.text.indexOf(c, this.pos + 1);
        this.pos = close < 0 ? this.text.length : close;
      }
      this.pos++;
    }
    return this.text.slice(start, this.pos).trim();
  }

  private separator(): void {
    while (this.pos < this.text.length && /[\s,;]/.test(this.text[this.pos]!)) this.pos++;
  }

  private fieldName(): string {
    this.skip();
    if (this.accept('*')) return '*';
    const quote = this.text[this.pos];
    if (quote === '"' || quote === "'") {
      const close = this.text.indexOf(quote, this.pos + 1);
      const name = this.text.slice(this.pos + 1, close);
      this.pos = close + 1;
      return name;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) throw new FieldTypeSyntaxError('Expected a field name in type', this.span(this.pos, this.pos + 1));
    this.pos += m[0].length;
    return m[0];
  }

  union(): FieldType {
    this.skip();
    const start = this.pos;
    const types = [this.postfix()];
    while (this.accept('|')) types.push(this.postfix());
    if (types.length === 1) return types[0]!;
    return makeUnion(types, this.span(start, this.pos));
  }

  private postfix(): FieldType {
    this.skip();
    const start = this.pos;
    let type = this.primary();
    while (this.accept('?')) type = makeUnion([type, NULL], this.span(start, this.pos));
    return type;
  }

  private primary(): FieldType {
    this.skip();
    const start = this.pos;
    const rest = this.text.slice(this.pos);
    if (this.accept('(')) {
      const inner = this.union();
      this.expect(')');
      return inner;
    }
    if (this.peek('{')) return typeOfExpr(this.objectRecord());
    if (this.accept('[')) {
      const elems: FieldType[] = [];
      while (!this.accept(']')) {
        elems.push(this.union());
        this.accept(',');
      }
      return { kind: 'tuple', elems, span: this.span(start, this.pos) };
    }
    const str = /^("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/.exec(rest);
    if (str) {
      this.pos += str[0].length;
      return { kind: 'literal', value: str[0].slice(1, -1), text: `"${str[0].slice(1, -1)}"`, span: this.span(start, this.pos) };
    }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) {
      this.pos += num[0].length;
      return { kind: 'literal', value: num[1] ? Number(num[0]) : BigInt(num[0]), text: num[0], span: this.span(start, this.pos) };
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (!ident) throw new FieldTypeSyntaxError('Expected a type', this.span(this.pos, this.pos + 1));
    this.pos += ident[0].length;
    const name = ident[0];
    const span = this.span(start, this.pos);
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true', text: name, span };
    if (name === 'null') return { kind: 'named', name: 'Null', span };
    if (name === 'Any') return { kind: 'any', span };
    if (name === 'Never') return { kind: 'never', span };
    if (this.accept('<')) {
      const args: FieldType[] = [];
      const argStart = this.pos;
      do args.push(this.union()); while (this.accept(','));
      this.expect('>');
      const whole = this.span(start, this.pos);
      if (name === 'Array' && args.length === 1) return { kind: 'array', elem: args[0]!, span: whole };
      if (name === 'Ref' && args.length === 1 && args[0]!.kind === 'doc') return { kind: 'doc', coll: args[0].coll, ref: true, span: whole };
      if (name === 'Ref' && args.length === 1 && args[0]!.kind === 'any') return { kind: 'any', span: whole };
      if (name === 'Ref') throw new UnknownTypeError(this.text.slice(argStart, this.pos - 1).trim(), this.span(argStart, this.pos - 1));
      return { kind: 'named', name: `${name}<${args.map(displayType).join(', ')}>`, span: whole };
    }
    if (SCALARS.has(name)) return { kind: 'named', name, span };
    if (this.names.collections.has(name) || BUILTIN_DOCUMENTS.has(name) || !this.names.checked) return { kind: 'doc', coll: name, ref: false, span };
    throw new UnknownTypeError(name, span);
  }

  private objectRecord(): Extract<SchemaTypeExpr, { kind: 'object' }> {
    return this.objectExpr();
  }
}

/** A union with nested unions flattened (as the core displays them). */
export function makeUnion(types: FieldType[], span: Span | null = null): FieldType {
  const flat = types.flatMap((t) => (t.kind === 'union' ? t.types : [t]));
  return { kind: 'union', types: flat, span };
}

/** The core's display of a type: `Int | Null`, `{ *: Any }`, `Ref<Address>`, `Array<String>`. */
export function displayType(type: FieldType): string {
  switch (type.kind) {
    case 'any': return 'Any';
    case 'never': return 'Never';
    case 'named': return type.name;
    case 'doc': return type.ref ? `Ref<${type.coll}>` : type.coll;
    case 'literal': return type.text;
    case 'array': return `Array<${displayType(type.elem)}>`;
    case 'tuple': return `[${type.elems.map(displayType).join(', ')}]`;
    case 'union': return type.types.map(displayType).join(' | ');
    case 'record': {
      const parts = type.fields.map((f) => `${f.name}${f.optional ? '?' : ''}: ${displayType(f.type)}`);
      if (type.wildcard) parts.push(`*: ${displayType(type.wildcard)}`);
      return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
    }
  }
}

/** Structural equality, ignoring spans (the core compares types with `==`, which ignores spans). */
export function sameType(a: FieldType, b: FieldType): boolean {
  return displayType(a) === displayType(b);
}

const NUMERIC: ReadonlySet<string> = new Set(['Int', 'Long', 'Double', 'Float', 'Number']);

/**
 * The core typer's subtyping, for the types above. `Any` is compatible both ways (gradual typing) unless `anyIsTop`,
 * which makes it the top type only (CORE: CollectionShape.isSchemaSubtype, used for schema constraints).
 */
export function isSubtype(a: FieldType, b: FieldType, anyIsTop = false): boolean {
  if (sameType(a, b)) return true;
  if (a.kind === 'union') return a.types.every((t) => isSubtype(t, b, anyIsTop));
  if (b.kind === 'union') return b.types.some((t) => isSubtype(a, t, anyIsTop));
  if (b.kind === 'any') return true;
  if (a.kind === 'any') return !anyIsTop;
  if (a.kind === 'never') return true;
  switch (a.kind) {
    case 'named':
      if (b.kind === 'named') return a.name === b.name || (b.name === 'Number' && NUMERIC.has(a.name));
      // A null document is nullish: Null fits a document type (the converter refuses a null backfill for it later).
      return a.name === 'Null' && b.kind === 'doc';
    case 'literal':
      if (b.kind === 'literal') return a.text === b.text;
      if (b.kind !== 'named') return false;
      if (typeof a.value === 'string') return b.name === 'String';
      if (typeof a.value === 'boolean') return b.name === 'Boolean';
      if (typeof a.value === 'bigint') return b.name === 'Int' || b.name === 'Long' || b.name === 'Number';
      return b.name === 'Double' || b.name === 'Number';
    case 'doc':
      return b.kind === 'doc' && a.coll === b.coll;
    case 'array':
      return b.kind === 'array' && isSubtype(a.elem, b.elem);
    case 'tuple':
      if (b.kind === 'array') return a.elems.every((t) => isSubtype(t, b.elem));
      return b.kind === 'tuple' && a.elems.length === b.elems.length && a.elems.every((t, i) => isSubtype(t, b.elems[i]!));
    case 'record':
      return b.kind === 'record' && recordSubtype(a, b);
  }
  return false;
}

function recordSubtype(a: Extract<FieldType, { kind: 'record' }>, b: Extract<FieldType, { kind: 'record' }>): boolean {
  for (const bf of b.fields) {
    const af = a.fields.find((f) => f.name === bf.name);
    if (af) {
      if (!isSubtype(af.type, bf.type)) return false;
      if (af.optional && !bf.optional && !isSubtype(NULL, bf.type)) return false;
    } else if (a.wildcard) {
      if (!isSubtype(makeUnion([a.wildcard, NULL]), bf.type)) return false;
    } else if (!bf.optional && !isSubtype(NULL, bf.type)) {
      return false;
    }
  }
  for (const af of a.fields) {
    if (b.fields.some((f) => f.name === af.name)) continue;
    if (b.wildcard && !isSubtype(af.type, b.wildcard)) return false;
  }
  if (a.wildcard) return b.wildcard !== null && isSubtype(a.wildcard, b.wildcard);
  return true;
}

/** True when a field of this type may hold null (CORE: `typer.isSubtype(Type.Null, ty)`). */
export function isNullable(type: FieldType): boolean {
  return isSubtype(NULL, type);
}

/** `{ *: w }`: a record holding only a wildcard. */
export function wildRecord(w: FieldType): FieldType {
  return { kind: 'record', fields: [], wildcard: w };
}
