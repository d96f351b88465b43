/**
 * Text forms of values for string interpolation, `log()` and `toString()`, without reading any document.
 */
import { javaDoubleString } from '../../wire/encode.ts';
import { DocRef, FqlBytes, FqlDate, FqlTime, LambdaFn, ModuleValue, NamedRef, NativeFn, NullDoc, SetValue, isPlainObject } from '../../values/values.ts';
import type { Value } from '../../values/values.ts';

/** The string a value becomes inside `"#{...}"`: strings as they are, everything else as FQL literal text. */
export function displayString(value: Value): string {
  return typeof value === 'string' ? value : literalText(value);
}

/** FQL literal text of a value (strings quoted). */
export function literalText(value: Value): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'boolean':
    case 'bigint': return String(value);
    case 'number': return javaDoubleString(value);
  }
  if (Array.isArray(value)) return `[${value.map(literalText).join(', ')}]`;
  if (value instanceof FqlTime) return `Time("${value.toString()}")`;
  if (value instanceof FqlDate) return `Date("${value.iso}")`;
  if (value instanceof FqlBytes) return `Bytes("${value.toBase64()}")`;
  if (value instanceof ModuleValue) return value.name;
  if (value instanceof DocRef) return `${value.coll}("${value.id}")`;
  if (value instanceof NamedRef) return `${value.coll}.byName("${value.name}")`;
  if (value instanceof NullDoc) return `${literalText(value.ref)} /* ${value.cause} */`;
  if (value instanceof SetValue) return '[set]';
  if (value instanceof LambdaFn) return '[function <lambda>]';
  if (value instanceof NativeFn) return `[function ${value.name}()]`;
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, v]) => `${/^[A-Za-z_]\w*$/.test(k) ? k : JSON.stringify(k)}: ${literalText(v)}`).join(', ')} }`;
  }
  return String(value);
}
