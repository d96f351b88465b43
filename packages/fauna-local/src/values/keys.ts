/**
 * Canonical keys for values in hash-map indexes, and the comparison order of values (for index values and `order()`).
 * Kept free of engine imports apart from the value classes so storage and the evaluator agree on equality and order.
 */
import { DocRef, FqlBytes, FqlDate, FqlTime, ModuleValue, NamedRef, NullDoc, SetValue, isFunction, isPlainObject } from './values.ts';
import type { Value } from './values.ts';

/** A string that is equal for two values exactly when FQL `==` says they are equal (numbers compare by value). */
export function valueKey(value: Value): string {
  if (value === null) return 'n';
  switch (typeof value) {
    case 'boolean': return value ? 't' : 'f';
    case 'string': return `s${value}`;
    case 'bigint': return `d${value}`;
    case 'number': return Number.isInteger(value) && Number.isSafeInteger(value) ? `d${value}` : `x${value}`;
  }
  if (Array.isArray(value)) return `[${value.map(valueKey).join(',')}]`;
  if (value instanceof DocRef) return `r${value.coll}/${value.id}`;
  if (value instanceof NullDoc) return value.ref instanceof DocRef ? `r${value.ref.coll}/${value.ref.id}` : `N${value.ref.coll}/${value.ref.name}`;
  if (value instanceof NamedRef) return `N${value.coll}/${value.name}`;
  if (value instanceof FqlTime) return `T${value.epochNanos}`;
  if (value instanceof FqlDate) return `D${value.iso}`;
  if (value instanceof FqlBytes) return `B${value.toBase64()}`;
  if (value instanceof ModuleValue) return `M${value.name}`;
  if (value instanceof SetValue || isFunction(value)) return `?${Math.random()}`; // never equal to anything else
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${valueKey(value[k]!)}`).join(',')}}`;
  }
  return '?';
}

/** Rank of each type in Fauna's total order across types (numbers first, null last). */
function typeRank(value: Value): number {
  if (value === null) return 9;
  switch (typeof value) {
    case 'bigint':
    case 'number': return 0;
    case 'string': return 2;
    case 'boolean': return 7;
  }
  if (value instanceof FqlBytes) return 1;
  if (value instanceof DocRef || value instanceof NullDoc || value instanceof NamedRef) return 3;
  if (value instanceof FqlDate) return 4;
  if (value instanceof FqlTime) return 5;
  if (Array.isArray(value)) return 6;
  if (value instanceof ModuleValue) return 8;
  return 8;
}

function compareNumbers(a: bigint | number, b: bigint | number): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Total order over values, used for index values, `order()` and `<`/`>` across types. */
export function compareValues(a: Value, b: Value): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) return compareNumbers(a, b);
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof FqlTime && b instanceof FqlTime) return a.epochNanos < b.epochNanos ? -1 : a.epochNanos > b.epochNanos ? 1 : 0;
  if (a instanceof FqlDate && b instanceof FqlDate) return compareStrings(a.iso, b.iso);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i]!, b[i]!);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  const refA = refParts(a);
  const refB = refParts(b);
  if (refA && refB) {
    if (refA.coll !== refB.coll) return compareStrings(refA.coll, refB.coll);
    return compareIds(refA.id, refB.id);
  }
  return compareStrings(valueKey(a), valueKey(b));
}

function refParts(value: Value): { coll: string; id: string } | null {
  if (value instanceof DocRef) return value;
  if (value instanceof NullDoc && value.ref instanceof DocRef) return value.ref;
  if (value instanceof NamedRef) return { coll: value.coll, id: value.name };
  return null;
}

/** Document ids are digit strings: shorter is smaller. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
