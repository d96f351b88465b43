/**
 * The engine's runtime value model (DESIGN.md "Values inside the engine").
 * Integers are bigint (Int/Long by range), doubles are number, strings/booleans/null are themselves, arrays and plain
 * objects are JS arrays and objects; everything else is one of the classes below.
 */
import type { Expr } from '../fql/ast.ts';

export type Value =
  | null
  | boolean
  | string
  | bigint
  | number
  | Value[]
  | FqlObject
  | FqlTime
  | FqlDate
  | FqlBytes
  | ModuleValue
  | DocRef
  | NamedRef
  | NullDoc
  | SetValue
  | FunctionValue;

export interface FqlObject {
  [key: string]: Value;
}

const NANOS_PER_SECOND = 1_000_000_000n;
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
export const LONG_MIN = -(2n ** 63n);
export const LONG_MAX = 2n ** 63n - 1n;

/** True for a bigint that Fauna would call an Int (32-bit); others are Longs. */
export function isInt32(value: bigint): boolean {
  return value >= INT32_MIN && value <= INT32_MAX;
}

/** An instant with nanosecond precision (epoch nanoseconds). */
export class FqlTime {
  readonly epochNanos: bigint;
  constructor(epochNanos: bigint) {
    this.epochNanos = epochNanos;
  }

  static fromMicros(micros: bigint): FqlTime {
    return new FqlTime(micros * 1000n);
  }

  get epochMillis(): bigint {
    return floorDiv(this.epochNanos, 1_000_000n);
  }

  get epochMicros(): bigint {
    return floorDiv(this.epochNanos, 1000n);
  }

  /** ISO-8601 in UTC the way Java's `Instant.toString` writes it: fraction in groups of 3 digits, omitted when zero. */
  toString(): string {
    const seconds = floorDiv(this.epochNanos, NANOS_PER_SECOND);
    const nanos = this.epochNanos - seconds * NANOS_PER_SECOND;
    const iso = new Date(Number(seconds) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
    const base = iso.slice(0, iso.indexOf('.'));
    return `${base}${formatFraction(nanos)}Z`;
  }
}

function formatFraction(nanos: bigint): string {
  if (nanos === 0n) return '';
  const digits = nanos.toString().padStart(9, '0');
  if (nanos % 1_000_000n === 0n) return `.${digits.slice(0, 3)}`;
  if (nanos % 1000n === 0n) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

/** Floor division for bigint (JS `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** A calendar date, kept as its ISO text (YYYY-MM-DD). */
export class FqlDate {
  readonly iso: string;
  constructor(iso: string) {
    this.iso = iso;
  }
  toString(): string {
    return this.iso;
  }
}

export class FqlBytes {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  toBase64(): string {
    return Buffer.from(this.bytes).toString('base64');
  }
}

/** A module: a user collection (`Customer`) or a built-in singleton (`Time`, `Token`, `Collection`, `Math`...). */
export class ModuleValue {
  readonly name: string;
  readonly isUserCollection: boolean;
  constructor(name: string, isUserCollection: boolean) {
    this.name = name;
    this.isUserCollection = isUserCollection;
  }
}

/** A reference to a document by collection and id; the document itself is read lazily (it may not exist). */
export class DocRef {
  readonly coll: string;
  readonly id: string;
  /**
   * Top-level fields an index entry carried along (its terms and values) when the reference came from an index:
   * reading them needs no document read (CORE: ValueSet `extractPartials`).
   */
  readonly covered: ReadonlyMap<string, Value> | undefined;
  constructor(coll: string, id: string, covered?: ReadonlyMap<string, Value>) {
    this.coll = coll;
    this.id = id;
    this.covered = covered;
  }
}

/** A reference to a named schema document (a collection, role or function definition). */
export class NamedRef {
  readonly coll: string;
  readonly name: string;
  constructor(coll: string, name: string) {
    this.coll = coll;
    this.name = name;
  }
}

export type NullCause = 'not found' | 'permission denied' | 'deleted' | 'collection deleted';

/** A document that reads as null, with the reason (Fauna's NullDoc). */
export class NullDoc {
  readonly ref: DocRef | NamedRef;
  readonly cause: NullCause;
  constructor(ref: DocRef | NamedRef, cause: NullCause) {
    this.ref = ref;
    this.cause = cause;
  }
}

/**
 * A lazy set: `produce` yields its elements under the evaluation context of whichever query iterates it,
 * so a set can be paginated in a later query (the cursor table keeps the SetValue).
 */
export class SetValue {
  readonly produce: (ctx: unknown) => Iterable<Value>;
  /** Page size for the first page when the set is returned (`pageSize(n)`). */
  readonly pageSize: number | null;
  constructor(produce: (ctx: unknown) => Iterable<Value>, pageSize: number | null = null) {
    this.produce = produce;
    this.pageSize = pageSize;
  }
}

export interface Scope {
  readonly vars: Map<string, Value>;
  readonly parent: Scope | null;
}

/** A callable: an FQL lambda (closure), a native function, or a user-defined function from the schema. */
export type FunctionValue = LambdaFn | NativeFn;

export class LambdaFn {
  readonly params: string[];
  readonly variadic: boolean;
  readonly body: Expr;
  readonly scope: Scope;
  readonly source: string;
  constructor(params: string[], variadic: boolean, body: Expr, scope: Scope, source = '<lambda>') {
    this.params = params;
    this.variadic = variadic;
    this.body = body;
    this.scope = scope;
    this.source = source;
  }
}

export class NativeFn {
  readonly name: string;
  readonly call: (ctx: unknown, args: Value[]) => Value;
  constructor(name: string, call: (ctx: unknown, args: Value[]) => Value) {
    this.name = name;
    this.call = call;
  }
}

export function isPlainObject(value: Value): value is FqlObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

export function isFunction(value: Value): value is FunctionValue {
  return value instanceof LambdaFn || value instanceof NativeFn;
}

/** The FQL type name of a value, as used in error messages. */
export function typeName(value: Value): string {
  if (value === null) return 'Null';
  switch (typeof value) {
    case 'boolean': return 'Boolean';
    case 'string': return 'String';
    case 'bigint': return isInt32(value) ? 'Int' : 'Long';
    case 'number': return 'Double';
  }
  if (Array.isArray(value)) return 'Array';
  if (value instanceof FqlTime) return 'Time';
  if (value instanceof FqlDate) return 'Date';
  if (value instanceof FqlBytes) return 'Bytes';
  if (value instanceof ModuleValue) return value.isUserCollection ? `${value.name}Collection` : value.name;
  if (value instanceof DocRef) return value.coll;
  if (value instanceof NamedRef) return `${value.coll}Def`;
  if (value instanceof NullDoc) return value.ref instanceof DocRef ? `Null${value.ref.coll}` : 'Null';
  if (value instanceof SetValue) return 'Set';
  if (isFunction(value)) return 'Function';
  return 'Object';
}
