/**
 * The signatures of the standard library the emulator implements, restated from the core's stdlib declarations
 * (`defMethod("take" -> tt.Array(tt.A))("limit" -> tt.Int)` → `take: (limit: Int) => Array<A>`). Type parameter `A`
 * is the receiver's element type; `B`, `C` are bound by the arguments (a lambda's result, a seed).
 *
 * Note the facts that surprise: every arithmetic operator and `Math` function returns `Number` (never `Int`), and
 * `length`/`count()` are `Number`, while `take`, `drop`, `slice`, `at` and `paginate` want `Int`
 * (core: Numbers.scala, Math.scala, Arrays.scala, FQL2TypecheckSpec "typechecks math": `2 + 3` is `Number`).
 *
 * Fauna core sources (ext/model/src/main/scala/runtime/fql2/stdlib/):
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Arrays.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Sets.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Strings.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Math.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Numbers.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Time.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Date.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Objects.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Query.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/GlobalResolvers.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Tokens.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Keys.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/FieldTable.scala (==, <, toString on every value)
 */
import {
  A, ANY, ANY_OBJECT, B, BOOLEAN, BYTES, DATE, DOUBLE, ID, INT, LONG, NEVER, NULL, NUMBER, STRING, TIME,
  arrayOf, fn, named, optional, overload, record, setOf, tuple, union,
} from './types.ts';
import type { FnType, Type } from './types.ts';

/** A named-parameter function type, as the core prints it: `(x: Number) => Number`. */
function sig(params: [string, Type][], ret: Type, variadic: Type | null = null): FnType {
  return { ...fn(params.map((p) => p[1]), ret, variadic), names: params.map((p) => p[0]) };
}
const predicate = (t: Type): Type => fn([t], optional(BOOLEAN));

/** `{ data: Array<A>, after: String | Null }` (core: SetCompanion.pageType). */
export const pageOf = (t: Type): Type => record({ data: arrayOf(t), after: optional(STRING) });

/** Fields every value's type has through the base field table: the comparison operators and toString. */
export const UNIVERSAL_METHODS: Record<string, Type> = {
  toString: sig([], STRING),
};

export const STRING_FIELDS: Record<string, Type> = { length: NUMBER };

export const STRING_METHODS: Record<string, Type> = {
  at: sig([['index', INT]], STRING),
  concat: sig([['other', STRING]], STRING),
  endsWith: sig([['suffix', STRING]], BOOLEAN),
  includes: sig([['pattern', STRING]], BOOLEAN),
  includesRegex: sig([['regex', STRING]], BOOLEAN),
  insert: sig([['index', INT], ['other', STRING]], STRING),
  indexOf: overload(sig([['pattern', STRING]], optional(INT)), sig([['pattern', STRING], ['start', INT]], optional(INT))),
  indexOfRegex: overload(sig([['regex', STRING]], optional(INT)), sig([['regex', STRING], ['start', INT]], optional(INT))),
  lastIndexOf: overload(sig([['pattern', STRING]], optional(INT)), sig([['pattern', STRING], ['end', INT]], optional(INT))),
  matches: sig([['regex', STRING]], arrayOf(STRING)),
  matchIndexes: sig([['regex', STRING]], arrayOf(tuple(NUMBER, STRING))),
  replace: overload(sig([['pattern', STRING], ['replacement', STRING]], STRING), sig([['pattern', STRING], ['replacement', STRING], ['amount', INT]], STRING)),
  replaceRegex: overload(sig([['regex', STRING], ['replacement', STRING]], STRING), sig([['regex', STRING], ['replacement', STRING], ['amount', INT]], STRING)),
  replaceAll: sig([['pattern', STRING], ['replacement', STRING]], STRING),
  replaceAllRegex: sig([['pattern', STRING], ['replacement', STRING]], STRING),
  startsWith: sig([['prefix', STRING]], BOOLEAN),
  slice: overload(sig([['start', INT]], STRING), sig([['start', INT], ['end', INT]], STRING)),
  toLowerCase: sig([], STRING),
  toUpperCase: sig([], STRING),
  casefold: overload(sig([], STRING), sig([['format', STRING]], STRING)),
  // trim, trimStart, trimEnd: in Fauna's documentation and the emulator, not declared by the core snapshot.
  trim: sig([], STRING),
  trimStart: sig([], STRING),
  trimEnd: sig([], STRING),
  parseNumber: sig([], optional(NUMBER)),
  parseDouble: sig([], optional(DOUBLE)),
  parseLong: overload(sig([], optional(LONG)), sig([['radix', INT]], optional(LONG))),
  parseInt: overload(sig([], optional(INT)), sig([['radix', INT]], optional(INT))),
  split: sig([['separator', STRING]], arrayOf(STRING)),
  splitRegex: sig([['regex', STRING]], arrayOf(STRING)),
  splitAt: sig([['index', INT]], tuple(STRING, STRING)),
};

export const ARRAY_FIELDS: Record<string, Type> = { length: NUMBER };

export const ARRAY_METHODS: Record<string, Type> = {
  at: sig([['index', INT]], A),
  aggregate: sig([['seed', A], ['combiner', fn([A, A], A)]], A),
  any: sig([['predicate', predicate(A)]], BOOLEAN),
  append: sig([['element', A]], arrayOf(A)),
  concat: sig([['other', arrayOf(B)]], arrayOf(union(A, B))),
  distinct: sig([], arrayOf(A)),
  drop: sig([['amount', INT]], arrayOf(A)),
  every: sig([['predicate', predicate(A)]], BOOLEAN),
  entries: sig([], arrayOf(tuple(NUMBER, A))),
  filter: sig([['predicate', predicate(A)]], arrayOf(A)),
  first: sig([], optional(A)),
  firstWhere: sig([['predicate', predicate(A)]], optional(A)),
  flatten: sig([], arrayOf(ANY)),
  flatMap: sig([['mapper', fn([A], arrayOf(B))]], arrayOf(B)),
  fold: sig([['seed', B], ['reducer', fn([B, A], B)]], B),
  foldRight: sig([['seed', B], ['reducer', fn([B, A], B)]], B),
  forEach: sig([['callback', fn([A], ANY)]], NULL),
  indexOf: overload(sig([['element', A]], optional(INT)), sig([['element', A], ['start', INT]], optional(INT))),
  indexWhere: overload(sig([['predicate', predicate(A)]], optional(INT)), sig([['predicate', predicate(A)], ['start', INT]], optional(INT))),
  isEmpty: sig([], BOOLEAN),
  includes: sig([['element', A]], BOOLEAN),
  last: sig([], optional(A)),
  lastIndexOf: overload(sig([['element', A]], optional(INT)), sig([['element', A], ['end', INT]], optional(INT))),
  lastIndexWhere: overload(sig([['predicate', predicate(A)]], optional(INT)), sig([['predicate', predicate(A)], ['end', INT]], optional(INT))),
  lastWhere: sig([['predicate', predicate(A)]], optional(A)),
  map: sig([['mapper', fn([A], B)]], arrayOf(B)),
  nonEmpty: sig([], BOOLEAN),
  order: sig([], arrayOf(A), ANY),
  prepend: sig([['element', A]], arrayOf(A)),
  reduce: sig([['reducer', fn([A, A], A)]], optional(A)),
  reduceRight: sig([['reducer', fn([A, A], A)]], optional(A)),
  reverse: sig([], arrayOf(A)),
  slice: overload(sig([['from', INT]], arrayOf(A)), sig([['from', INT], ['until', INT]], arrayOf(A))),
  take: sig([['limit', INT]], arrayOf(A)),
  toSet: sig([], setOf(A)),
  where: sig([['predicate', predicate(A)]], arrayOf(A)),
};

export const SET_METHODS: Record<string, Type> = {
  aggregate: sig([['seed', A], ['combiner', fn([A, A], A)]], A),
  any: sig([['predicate', predicate(A)]], BOOLEAN),
  concat: sig([['other', setOf(B)]], setOf(union(A, B))),
  count: sig([], NUMBER),
  distinct: sig([], setOf(A)),
  drop: sig([['amount', INT]], setOf(A)),
  every: sig([['predicate', predicate(A)]], BOOLEAN),
  first: sig([], optional(A)),
  firstWhere: sig([['predicate', predicate(A)]], optional(A)),
  flatMap: sig([['mapper', fn([A], setOf(B))]], setOf(B)),
  fold: sig([['seed', B], ['reducer', fn([B, A], B)]], B),
  foldRight: sig([['seed', B], ['reducer', fn([B, A], B)]], B),
  forEach: sig([['callback', fn([A], ANY)]], NULL),
  includes: sig([['element', A]], BOOLEAN),
  isEmpty: sig([], BOOLEAN),
  last: sig([], optional(A)),
  lastWhere: sig([['predicate', predicate(A)]], optional(A)),
  map: sig([['mapper', fn([A], B)]], setOf(B)),
  nonEmpty: sig([], BOOLEAN),
  order: sig([], setOf(A), ANY),
  pageSize: sig([['size', INT]], setOf(A)),
  paginate: overload(sig([], pageOf(A)), sig([['size', INT]], pageOf(A))),
  reduce: sig([['reducer', fn([A, A], A)]], optional(A)),
  reduceRight: sig([['reducer', fn([A, A], A)]], optional(A)),
  reverse: sig([], setOf(A)),
  take: sig([['limit', INT]], setOf(A)),
  toArray: sig([], arrayOf(A)),
  toSet: sig([], setOf(A)),
  where: sig([['predicate', predicate(A)]], setOf(A)),
};

export const TIME_FIELDS: Record<string, Type> = {
  dayOfMonth: INT, dayOfWeek: INT, dayOfYear: INT, hour: INT, month: INT, minute: INT, second: INT, year: INT,
};
export const TIME_METHODS: Record<string, Type> = {
  toMicros: sig([], NUMBER),
  toMillis: sig([], NUMBER),
  toSeconds: sig([], NUMBER),
  add: sig([['amount', NUMBER], ['unit', STRING]], TIME),
  subtract: sig([['amount', NUMBER], ['unit', STRING]], TIME),
  difference: sig([['start', TIME], ['unit', STRING]], NUMBER),
};
export const DATE_FIELDS: Record<string, Type> = { dayOfMonth: INT, dayOfWeek: INT, dayOfYear: INT, month: INT, year: INT };
export const DATE_METHODS: Record<string, Type> = {
  add: sig([['amount', NUMBER], ['unit', STRING]], DATE),
  subtract: sig([['amount', NUMBER], ['unit', STRING]], DATE),
  difference: sig([['start', DATE]], LONG),
};
export const BYTES_METHODS: Record<string, Type> = { toBase64: sig([], STRING) };

const x = (ret: Type = NUMBER) => sig([['x', NUMBER]], ret);
const numbers = overload(sig([['numbers', arrayOf(NUMBER)]], NUMBER), sig([['numbers', setOf(NUMBER)]], NUMBER));

/** Built-in modules: their static fields and functions; `apply` is calling the module itself (`Time("…")`). */
export const MODULES: Record<string, { fields?: Record<string, Type>; methods: Record<string, Type> }> = {
  Math: {
    fields: { NaN: NUMBER, Infinity: NUMBER, E: NUMBER, PI: NUMBER },
    methods: {
      // cbrt: in Fauna's documentation and the emulator, not declared by the core snapshot (typed as its siblings).
      abs: x(), cbrt: x(), acos: x(), asin: x(), atan: x(), ceil: x(), cos: x(), cosh: x(), degrees: x(), exp: x(), floor: x(),
      hypot: sig([['x', NUMBER], ['y', NUMBER]], NUMBER), log: x(), log10: x(),
      max: sig([['x', NUMBER], ['y', NUMBER]], NUMBER), min: sig([['x', NUMBER], ['y', NUMBER]], NUMBER),
      mean: numbers, sum: numbers, pow: sig([['x', NUMBER], ['power', NUMBER]], NUMBER), radians: x(),
      round: sig([['x', NUMBER], ['precision', INT]], NUMBER), sign: x(INT), sin: x(), sinh: x(), sqrt: x(), tan: x(),
      tanh: x(), trunc: sig([['x', NUMBER], ['precision', INT]], NUMBER),
    },
  },
  Time: {
    methods: {
      apply: sig([['time', STRING]], TIME),
      fromString: sig([['time', STRING]], TIME),
      now: sig([], TIME),
      epoch: sig([['offset', NUMBER], ['unit', STRING]], TIME),
    },
  },
  Date: {
    methods: { apply: sig([['date', STRING]], DATE), fromString: sig([['date', STRING]], DATE), today: sig([], DATE) },
  },
  Object: {
    methods: {
      keys: sig([['object', ANY_OBJECT]], arrayOf(STRING)),
      values: sig([['object', record({}, A)]], arrayOf(A)),
      entries: sig([['object', record({}, A)]], arrayOf(tuple(STRING, A))),
      fromEntries: sig([['entries', arrayOf(tuple(STRING, A))]], record({}, A)),
      assign: sig([['destination', ANY_OBJECT], ['source', ANY_OBJECT]], ANY_OBJECT),
      select: sig([['object', ANY_OBJECT], ['path', ANY]], ANY),
      hasPath: sig([['object', ANY_OBJECT], ['path', ANY]], BOOLEAN),
      toString: sig([['object', ANY]], STRING),
    },
  },
  Query: {
    methods: {
      identity: sig([], optional(named('AnyDoc'))),
      token: sig([], optional(union(named('AnyDoc'), ANY_OBJECT))),
      isEnvTypechecked: sig([], BOOLEAN),
      isEnvProtected: sig([], BOOLEAN),
    },
  },
  Set: {
    methods: {
      single: sig([['element', A]], setOf(A)),
      sequence: sig([['from', INT], ['until', INT]], setOf(NUMBER)),
      paginate: overload(sig([['cursor', STRING]], pageOf(ANY)), sig([['cursor', STRING], ['size', INT]], pageOf(ANY))),
    },
  },
  Array: { methods: { sequence: sig([['from', INT], ['until', INT]], arrayOf(NUMBER)) } },
  Bytes: { methods: { apply: sig([['encoded', STRING]], BYTES), fromBase64: sig([['encoded', STRING]], BYTES) } },
  ID: { methods: { apply: overload(sig([['id', STRING]], ID), sig([['id', NUMBER]], ID)) } },
};

/** Global functions (core: GlobalResolvers.scala). */
export const GLOBAL_FUNCTIONS: Record<string, Type> = {
  abort: sig([['return', ANY]], NEVER),
  log: sig([], NULL, ANY),
  dbg: sig([['value', A]], A),
  newId: sig([], ID),
  asc: sig([['accessor', fn([A], ANY)]], record({ asc: fn([A], ANY) })),
  desc: sig([['accessor', fn([A], ANY)]], record({ desc: fn([A], ANY) })),
};

/** Operators on numbers: every arithmetic result is `Number` (core: BaseNumberPrototype `defOp("+" -> tt.Number)`). */
export const NUMBER_OPERATORS = new Set(['+', '-', '*', '/', '%', '**', '&', '|', '^']);
export const COMPARISONS = new Set(['==', '!=', '<', '>', '<=', '>=']);
export { sig, predicate };
