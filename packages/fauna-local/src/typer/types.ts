/**
 * The static types of FQL as Fauna's typer names them (core: typer/Type.scala, StdTypes.scala), how they print in
 * error messages, and the subtype relation with the core's failure messages (TypeConstraintFailure.scala).
 *
 * `Any` is the gradual type: it is accepted everywhere and accepts everything, and every field or call on it is `Any`
 * (core: TyperCoreSpec "type Any as Any"). `Never` is the type of `abort(...)`.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/typer/Type.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/typer/StdTypes.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/typer/TypeConstraintFailure.scala
 */

export type Type =
  | { k: 'any' }
  | { k: 'never' }
  /** Int, Long, Double, Number, String, Boolean, Null, Time, Date, Bytes, ID, Array<T>, Set<T>, Ref<Doc>, docs, modules… */
  | { k: 'named'; name: string; args: Type[] }
  /** A literal type: `"abc"`, `3`, `true`. bigint literals are Int (or Long), number literals Double. */
  | { k: 'lit'; value: string | bigint | number | boolean }
  | { k: 'tuple'; elems: Type[] }
  /** `{ a: Int, b: String? }` and `{ a: Int, *: Any }`. */
  | { k: 'record'; fields: Record<string, Type>; wildcard: Type | null }
  | { k: 'union'; types: Type[] }
  | { k: 'fn'; params: Type[]; variadic: Type | null; ret: Type; names?: string[] }
  /** An overloaded function: several signatures (core: an intersection of function types). */
  | { k: 'overload'; alts: FnType[] }
  /** A type parameter of a standard-library signature (A = the receiver's element type, B, C = the method's own). */
  | { k: 'param'; name: string };

export type FnType = Extract<Type, { k: 'fn' }>;

export const ANY: Type = { k: 'any' };
export const NEVER: Type = { k: 'never' };
export const named = (name: string, ...args: Type[]): Type => ({ k: 'named', name, args });
export const INT = named('Int');
export const LONG = named('Long');
export const DOUBLE = named('Double');
export const NUMBER = named('Number');
export const STRING = named('String');
export const BOOLEAN = named('Boolean');
export const NULL = named('Null');
export const TIME = named('Time');
export const DATE = named('Date');
export const BYTES = named('Bytes');
export const ID = named('ID');
export const arrayOf = (t: Type): Type => named('Array', t);
export const setOf = (t: Type): Type => named('Set', t);
export const refOf = (doc: string): Type => named('Ref', named(doc));
export const lit = (value: string | bigint | number | boolean): Type => ({ k: 'lit', value });
export const tuple = (...elems: Type[]): Type => ({ k: 'tuple', elems });
export const record = (fields: Record<string, Type>, wildcard: Type | null = null): Type => ({ k: 'record', fields, wildcard });
export const fn = (params: Type[], ret: Type, variadic: Type | null = null): FnType => ({ k: 'fn', params, variadic, ret });
export const overload = (...alts: FnType[]): Type => (alts.length === 1 ? alts[0]! : { k: 'overload', alts });
export const param = (name: string): Type => ({ k: 'param', name });
export const A = param('A');
export const B = param('B');
export const C = param('C');
/** `{ *: Any }`: any object (core: tt.AnyStruct / AnyObject). */
export const ANY_OBJECT: Type = record({}, ANY);

/** `T | Null`. */
export const optional = (t: Type): Type => union(t, NULL);

/** The union of `types`, flattened, without duplicates; `Never` disappears, `Any` absorbs nothing (the core keeps both). */
export function union(...types: Type[]): Type {
  if (types.length === 1 && types[0]!.k !== 'union') return types[0]!;
  const out: Type[] = [];
  const push = (t: Type) => {
    if (t.k === 'never') return;
    if (t.k === 'union') { t.types.forEach(push); return; }
    if (!out.some((o) => sameType(o, t))) out.push(t);
  };
  types.forEach(push);
  // A member another one includes adds nothing (`Int | Number` is `Number`, `"a" | String` is `String`).
  const kept = out.filter((m) => !out.some((o) => o !== m && subsumes(o, m)));
  out.length = 0;
  out.push(...kept);
  // `true | false` is `Boolean` (core: TyperCoreSpec `if (true) true else false`).
  const t = out.findIndex((m) => m.k === 'lit' && m.value === true);
  const f = out.findIndex((m) => m.k === 'lit' && m.value === false);
  if (t !== -1 && f !== -1) {
    out.splice(Math.max(t, f), 1);
    out.splice(Math.min(t, f), 1, BOOLEAN);
  }
  if (out.length === 0) return NEVER;
  return out.length === 1 ? out[0]! : { k: 'union', types: out };
}

function subsumes(o: Type, m: Type): boolean {
  if (o.k !== 'named' || o.args.length > 0) return false;
  const base = m.k === 'lit' ? widen(m) : m;
  if (base.k !== 'named' || base.args.length > 0) return false;
  if (base.name === o.name) return m.k === 'lit';
  return o.name === 'Number' && (base.name === 'Int' || base.name === 'Long' || base.name === 'Double');
}

export function sameType(a: Type, b: Type): boolean {
  if (a === b) return true;
  if (a.k !== b.k) return false;
  if (a.k === 'named' && b.k === 'named' && a.args.length === 0 && b.args.length === 0) return a.name === b.name;
  if (a.k === 'lit' && b.k === 'lit') return a.value === b.value && typeof a.value === typeof b.value;
  if (a.k === 'any' || a.k === 'never') return true;
  return display(a) === display(b);
}

export function members(t: Type): Type[] {
  return t.k === 'union' ? t.types : [t];
}

/** The name a document type's "missing document" counterpart has (core: NullUser for User). */
export const nullDocName = (doc: string): string => `Null${doc}`;

/** Facts about document types the printer and the relation need; supplied by the environment (typer/env.ts). */
export interface DocTypes {
  /** Whether `name` is a document type (a user collection's, `Token`, `Key`, …). */
  isDoc(name: string): boolean;
  /** The document type a `NullX` name stands for, or null. */
  nullDocOf(name: string): string | null;
}

export const NO_DOCS: DocTypes = { isDoc: () => false, nullDocOf: () => null };

/** The base type of a literal: `3` → Int, `"a"` → String. */
export function widen(t: Type): Type {
  if (t.k !== 'lit') return t;
  switch (typeof t.value) {
    case 'string': return STRING;
    case 'boolean': return BOOLEAN;
    case 'number': return DOUBLE;
    default: return t.value >= -(2n ** 31n) && t.value < 2n ** 31n ? INT : LONG;
  }
}

function litText(value: string | bigint | number | boolean): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(1) : String(value);
  return String(value);
}

/** Prints a type as the core does in messages: `{ a: Int, *: Any }`, `Array<Number>`, `Int | Null`, `(x: Number) => Number`. */
export function display(t: Type): string {
  switch (t.k) {
    case 'any': return 'Any';
    case 'never': return 'Never';
    case 'param': return t.name;
    case 'lit': return litText(t.value);
    case 'named': return t.args.length === 0 ? t.name : `${t.name}<${t.args.map(display).join(', ')}>`;
    case 'tuple': return `[${t.elems.map(display).join(', ')}]`;
    case 'record': {
      const parts = Object.entries(t.fields).map(([k, v]) => `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k)}: ${display(v)}`);
      if (t.wildcard) parts.push(`*: ${display(t.wildcard)}`);
      return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
    }
    case 'union': return t.types.map((m) => (m.k === 'fn' || m.k === 'overload' ? `(${display(m)})` : display(m))).join(' | ');
    case 'fn': {
      const params = t.params.map((p, i) => (t.names?.[i] ? `${t.names[i]}: ${display(p)}` : display(p)));
      if (t.variadic) params.push(`...${display(t.variadic)}`);
      const ret = t.ret.k === 'fn' || t.ret.k === 'union' ? `(${display(t.ret)})` : display(t.ret);
      if (params.length === 1 && !t.variadic && !t.names?.[0] && t.params[0]!.k !== 'fn' && t.params[0]!.k !== 'union') return `${params[0]} => ${ret}`;
      return `(${params.join(', ')}) => ${ret}`;
    }
    case 'overload': return t.alts.map((a) => `(${display(a)})`).join(' & ');
  }
}

/** A failed subtype check: the core's message (the caller knows the span). */
export interface Mismatch {
  message: string;
}

const NUMERIC = new Set(['Int', 'Long', 'Double', 'Number']);

/** Whether a named type is a subtype of another named type, ignoring arguments. */
function namedSub(a: string, b: string, docs: DocTypes): boolean {
  if (a === b) return true;
  if (b === 'Number') return NUMERIC.has(a);
  // Document ids are written as strings or integers (core: tt.ID accepts both).
  if (b === 'ID') return a === 'String' || NUMERIC.has(a);
  if (b === 'AnyDoc') return docs.isDoc(a);
  if (b === 'AnyNullDoc') return docs.nullDocOf(a) !== null || a === 'NullDoc';
  return false;
}

/** `Ref<D>` is `D | NullD` (core: StdTypes Ref, "by type shape aliasing"). */
function expandRef(t: Type): Type {
  if (t.k === 'named' && t.name === 'Ref' && t.args[0]?.k === 'named') return union(t.args[0], named(nullDocName(t.args[0].name)));
  if (t.k === 'named' && t.name === 'Ref' && t.args[0]?.k === 'any') return union(named('AnyDoc'), named('AnyNullDoc'));
  return t;
}

/** Null when `a` is a subtype of `b`; otherwise the core's message for the first thing that fails. */
export function subtype(a: Type, b: Type, docs: DocTypes = NO_DOCS): Mismatch | null {
  if (a.k === 'any' || b.k === 'any' || a.k === 'never') return null;
  if (b.k === 'param' || a.k === 'param') return null;
  if (a.k === 'union') {
    // Every member must fit; the first that does not names the failure.
    for (const m of a.types) {
      const failure = subtype(m, b, docs);
      if (failure) return failure;
    }
    return null;
  }
  a = expandRef(a);
  b = expandRef(b);
  if (a.k === 'union') return subtype(a, b, docs);
  if (b.k === 'union') {
    let best: Mismatch | null = null;
    for (const m of b.types) {
      const failure = subtype(a, m, docs);
      if (!failure) return null;
      // A record against a union of records: the failure inside the record says more than "not a subtype".
      if (a.k === 'record' && m.k === 'record' && best === null) best = failure;
    }
    return best ?? notSub(a, b);
  }
  if (b.k === 'never') return notSub(a, b);
  switch (b.k) {
    case 'lit':
      return a.k === 'lit' && a.value === b.value ? null : { message: `\`${display(widenTop(a))}\` is not the value \`${display(b)}\`` };
    case 'named': {
      if (a.k === 'lit') return namedSub(display(widen(a)), b.name, docs) ? null : notSub(a, b);
      if (a.k === 'tuple' && b.name === 'Array') {
        for (const e of a.elems) {
          const failure = subtype(e, b.args[0] ?? ANY, docs);
          if (failure) return notSub(a, b);
        }
        return null;
      }
      if (a.k === 'named') {
        // (A document type fits its own Ref: expandRef made `Ref<D>` the union `D | NullD` above.)
        if (!namedSub(a.name, b.name, docs)) return notSub(a, b);
        if (a.name === b.name) {
          for (let i = 0; i < Math.min(a.args.length, b.args.length); i++) {
            const failure = subtype(a.args[i]!, b.args[i]!, docs);
            if (failure) return notSub(a, b);
          }
        }
        return null;
      }
      return notSub(a, b);
    }
    case 'tuple': {
      if (a.k !== 'tuple') return notSub(a, b);
      if (a.elems.length > b.elems.length) return { message: `Tuple contains too many elements. Expected ${b.elems.length}, received ${a.elems.length}` };
      if (a.elems.length < b.elems.length) return { message: `Tuple does not contain enough elements. Expected ${b.elems.length}, received ${a.elems.length}` };
      for (let i = 0; i < a.elems.length; i++) if (subtype(a.elems[i]!, b.elems[i]!, docs)) return notSub(a, b);
      return null;
    }
    case 'record': {
      // A document is an object with any fields where any object is wanted (`Object.keys(doc)`).
      if (a.k === 'named' && (docs.isDoc(a.name) || a.name === 'AnyDoc') && Object.keys(b.fields).length === 0 && b.wildcard?.k === 'any') return null;
      if (a.k !== 'record') return notSub(a, b);
      return recordSub(a, b, docs);
    }
    case 'fn':
    case 'overload': {
      if (a.k !== 'fn' && a.k !== 'overload') return notSub(a, b);
      const target = b.k === 'fn' ? b : b.alts[0]!;
      const alts = a.k === 'fn' ? [a] : a.alts;
      const ok = alts.some((alt) => subtype(alt.ret, target.ret, docs) === null);
      return ok ? null : notSub(a, b);
    }
  }
  return notSub(a, b);
}

function recordSub(a: Extract<Type, { k: 'record' }>, b: Extract<Type, { k: 'record' }>, docs: DocTypes): Mismatch | null {
  if (a.wildcard && !b.wildcard) return { message: `Type \`${display(a)}\` cannot have a wildcard` };
  const missing: string[] = [];
  for (const [key, want] of Object.entries(b.fields)) {
    const have = a.fields[key] ?? (a.wildcard ? union(a.wildcard, NULL) : undefined);
    if (have === undefined) {
      if (subtype(NULL, want, docs) !== null) missing.push(key);
      continue;
    }
    const failure = subtype(have, want, docs);
    if (failure) return failure;
  }
  if (missing.length > 0) {
    return missing.length === 1
      ? { message: `Type \`${display(a)}\` does not have field \`${missing[0]}\`` }
      : notSub(a, b);
  }
  for (const [key, have] of Object.entries(a.fields)) {
    if (Object.hasOwn(b.fields, key)) continue;
    if (!b.wildcard) return { message: `Type \`${display(a)}\` contains extra field \`${key}\`` };
    const failure = subtype(have, b.wildcard, docs);
    if (failure) return failure;
  }
  if (a.wildcard && b.wildcard) return subtype(a.wildcard, b.wildcard, docs);
  return null;
}

/** A literal at the top of a message prints as its base type (core: `2 + "a"` → "Type `String` is not a subtype of `Number`"). */
function widenTop(t: Type): Type {
  return t.k === 'union' ? union(...t.types.map(widen)) : widen(t);
}

function notSub(a: Type, b: Type): Mismatch {
  return { message: `Type \`${display(widenTop(a))}\` is not a subtype of \`${display(nullFirst(b))}\`` };
}

/** The wanted type of a message lists `Null` first (core: "is not a subtype of `Null | Number`"). */
function nullFirst(t: Type): Type {
  if (t.k !== 'union') return t;
  const nulls = t.types.filter((m) => m.k === 'named' && m.name === 'Null');
  return nulls.length === 0 ? t : { k: 'union', types: [...nulls, ...t.types.filter((m) => !nulls.includes(m))] };
}

/** The type without `Null` (and missing-document types), as `x!` leaves it. */
export function nonNull(t: Type, docs: DocTypes = NO_DOCS): Type {
  if (t.k === 'named' && t.name === 'Ref') return t.args[0] ?? ANY;
  return union(...members(t).filter((m) => !isNullish(m, docs)).map((m) => (m.k === 'named' && m.name === 'Ref' ? m.args[0] ?? ANY : m)));
}

/** Null, or a missing document. */
export function isNullish(t: Type, docs: DocTypes = NO_DOCS): boolean {
  return (t.k === 'named' && (t.name === 'Null' || docs.nullDocOf(t.name) !== null || t.name === 'AnyNullDoc'));
}

export function mayBeNull(t: Type, docs: DocTypes = NO_DOCS): boolean {
  return members(t).some((m) => isNullish(m, docs) || (m.k === 'named' && m.name === 'Ref') || m.k === 'any');
}
