/**
 * Encoding of query results in the `tagged`, `simple` and `decorated` formats (PROTOCOL.md §5,
 * core: MaterializedValue.scala). Documents are expanded wherever they appear in the result;
 * references stored inside a document's fields stay references.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/serialization/MaterializedValue.scala
 */
import {
  DocRef, FqlBytes, FqlDate, FqlTime, ModuleValue, NamedRef, NullDoc, SetValue, isFunction, isInt32, isPlainObject,
  LambdaFn,
} from '../values/values.ts';
import type { FqlObject, NullCause, Value } from '../values/values.ts';

/** The `x-format` of a query: how results (and arguments) are encoded. */
export type ValueFormat = 'tagged' | 'simple' | 'decorated';

/** What the encoder needs from the running query: document reads (with permissions) and set pages. */
export interface EncodeContext {
  /** The fields of a readable document (`id`/`name`, `coll`, `ts`, `ttl`?, user fields) or why it reads as null. */
  materialize(ref: DocRef | NamedRef): { fields: FqlObject } | { cause: NullCause };
  /** The first page of a set and the cursor for the rest (null on the last page). */
  firstPage(set: SetValue): { data: Value[]; after: string | null };
  /** A cursor for the whole set (a set nested in a page). */
  cursor(set: SetValue): string;
}

/** Java's `Double.toString`: "1.0", "1.5", "1.0E10", "1.0E-5". */
export function javaDoubleString(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e');
  const m = mantissa!.includes('.') ? mantissa! : `${mantissa}.0`;
  return `${m}E${exponent!.replace('+', '')}`;
}

function refBody(ref: DocRef | NamedRef): Record<string, unknown> {
  return ref instanceof DocRef ? { id: ref.id, coll: { '@mod': ref.coll } } : { name: ref.name, coll: { '@mod': ref.coll } };
}

function functionText(value: Value): string {
  return value instanceof LambdaFn ? '[function <lambda>]' : `[function ${(value as { name: string }).name}()]`;
}

/** Where a value sits: docs are expanded in the result, but not inside a document's own fields. */
const Position = { result: 0, docField: 1, page: 2 } as const;
type Position = (typeof Position)[keyof typeof Position];

/** Encodes a result value in the tagged format. */
export function encodeTagged(value: Value, ctx: EncodeContext, position: Position = Position.result): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return isInt32(value) ? { '@int': value.toString() } : { '@long': value.toString() };
  if (typeof value === 'number') return { '@double': javaDoubleString(value) };
  if (Array.isArray(value)) return value.map((item) => encodeTagged(item, ctx, position === Position.page ? Position.result : position));
  if (value instanceof FqlTime) return { '@time': value.toString() };
  if (value instanceof FqlDate) return { '@date': value.iso };
  if (value instanceof FqlBytes) return { '@bytes': value.toBase64() };
  if (value instanceof ModuleValue) return { '@mod': value.name };
  if (value instanceof NullDoc) return { '@ref': { ...refBody(value.ref), exists: false, cause: value.cause } };
  if (value instanceof DocRef || value instanceof NamedRef) {
    if (position === Position.docField) return { '@ref': refBody(value) };
    const doc = ctx.materialize(value);
    if ('cause' in doc) return { '@ref': { ...refBody(value), exists: false, cause: doc.cause } };
    return { '@doc': encodeFields(doc.fields, ctx, Position.docField) };
  }
  if (value instanceof SetValue) {
    if (position === Position.page || position === Position.docField) return { '@set': ctx.cursor(value) };
    const page = ctx.firstPage(value);
    const data = page.data.map((item) => encodeTagged(item, ctx, Position.page));
    return { '@set': page.after === null ? { data } : { data, after: page.after } };
  }
  if (isFunction(value)) return functionText(value);
  if (isPlainObject(value)) {
    const fields = encodeFields(value, ctx, position === Position.page ? Position.result : position);
    return Object.keys(value).some((k) => k.startsWith('@')) ? { '@object': fields } : fields;
  }
  return null;
}

function encodeFields(fields: FqlObject, ctx: EncodeContext, position: Position): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(fields)) {
    // Inside a document, `coll`/`ts`/`ttl` are metadata encoded like any value; nested refs stay refs.
    out[key] = encodeTagged(item, ctx, position);
  }
  return out;
}

/** Encodes a result value in the simple format (plain JSON; docs as objects, missing docs as null). */
export function encodeSimple(value: Value, ctx: EncodeContext, position: Position = Position.result): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : javaDoubleString(value);
  if (Array.isArray(value)) return value.map((item) => encodeSimple(item, ctx, position === Position.page ? Position.result : position));
  if (value instanceof FqlTime) return value.toString();
  if (value instanceof FqlDate) return value.iso;
  if (value instanceof FqlBytes) return value.toBase64();
  if (value instanceof ModuleValue) return value.name;
  if (value instanceof NullDoc) return null;
  if (value instanceof DocRef || value instanceof NamedRef) {
    if (position === Position.docField) return value instanceof DocRef ? { id: value.id, coll: value.coll } : { name: value.name, coll: value.coll };
    const doc = ctx.materialize(value);
    if ('cause' in doc) return null;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(doc.fields)) out[key] = encodeSimple(item, ctx, Position.docField);
    return out;
  }
  if (value instanceof SetValue) {
    if (position === Position.page || position === Position.docField) return ctx.cursor(value);
    const page = ctx.firstPage(value);
    const data = page.data.map((item) => encodeSimple(item, ctx, Position.page));
    return page.after === null ? { data } : { data, after: page.after };
  }
  if (isFunction(value)) return functionText(value);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = encodeSimple(item, ctx, position === Position.page ? Position.result : position);
    return out;
  }
  return null;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Encodes a result as FQL literal text (the `decorated` format the CLI uses). */
export function encodeDecorated(value: Value, ctx: EncodeContext, indent = ''): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return javaDoubleString(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${inner}${encodeDecorated(v, ctx, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (value instanceof FqlTime) return `Time("${value.toString()}")`;
  if (value instanceof FqlDate) return `Date("${value.iso}")`;
  if (value instanceof FqlBytes) return `Bytes("${value.toBase64()}")`;
  if (value instanceof ModuleValue) return value.name;
  if (value instanceof NullDoc) {
    const ref = value.ref;
    return ref instanceof DocRef ? `${ref.coll}("${ref.id}") /* ${value.cause} */` : `${ref.coll}.byName("${ref.name}") /* ${value.cause} */`;
  }
  if (value instanceof DocRef || value instanceof NamedRef) {
    const doc = ctx.materialize(value);
    if ('cause' in doc) return `${value instanceof DocRef ? `${value.coll}("${value.id}")` : value.name} /* ${doc.cause} */`;
    return decorateObject(doc.fields, ctx, indent);
  }
  if (value instanceof SetValue) {
    const page = ctx.firstPage(value);
    const data = page.data;
    return decorateObject(page.after === null ? { data } : { data, after: page.after }, ctx, indent);
  }
  if (isFunction(value)) return functionText(value);
  if (isPlainObject(value)) return decorateObject(value, ctx, indent);
  return 'null';
}

function decorateObject(fields: FqlObject, ctx: EncodeContext, indent: string): string {
  const entries = Object.entries(fields);
  if (entries.length === 0) return '{}';
  const inner = `${indent}  `;
  const body = entries.map(([k, v]) => `${inner}${IDENT.test(k) ? k : JSON.stringify(k)}: ${encodeDecorated(v, ctx, inner)}`);
  return `{\n${body.join(',\n')}\n${indent}}`;
}

/** Encodes a result value in the requested format. */
export function encodeResult(value: Value, format: ValueFormat, ctx: EncodeContext): unknown {
  if (format === 'tagged') return encodeTagged(value, ctx);
  if (format === 'simple') return encodeSimple(value, ctx);
  return encodeDecorated(value, ctx);
}

/** Encodes a storable value (no sets or functions) as tagged JSON without reading anything: for snapshots. */
export function encodeStored(value: Value): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return isInt32(value) ? { '@int': value.toString() } : { '@long': value.toString() };
  if (typeof value === 'number') return { '@double': javaDoubleString(value) };
  if (Array.isArray(value)) return value.map(encodeStored);
  if (value instanceof FqlTime) return { '@time': value.toString() };
  if (value instanceof FqlDate) return { '@date': value.iso };
  if (value instanceof FqlBytes) return { '@bytes': value.toBase64() };
  if (value instanceof ModuleValue) return { '@mod': value.name };
  if (value instanceof NullDoc) return { '@ref': refBody(value.ref) };
  if (value instanceof DocRef || value instanceof NamedRef) return { '@ref': refBody(value) };
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = encodeStored(item);
    return Object.keys(value).some((k) => k.startsWith('@')) ? { '@object': out } : out;
  }
  return null;
}
