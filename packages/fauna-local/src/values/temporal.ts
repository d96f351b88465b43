/**
 * Parsing of ISO times and dates, and Fauna's time units (core: `MidstUnit`).
 *
 * Fauna core sources:
 * - https://github.com/search?type=code&q=repo%3Afauna%2Ffaunadb+%22class+MidstUnit%22
 */
import { FqlDate, FqlTime } from './values.ts';

const TIME_PATTERN = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses an ISO-8601 instant with a zone (`Z` or an offset); null when the text is not one. */
export function parseIsoTime(text: string): FqlTime | null {
  const m = TIME_PATTERN.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const millis = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  if (Number.isNaN(millis) || new Date(millis).getUTCDate() !== day) return null;
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    const digits = zone!.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  const nanos = BigInt(millis - offsetMinutes * 60_000) * 1_000_000n + BigInt(frac.padEnd(9, '0') || '0');
  return new FqlTime(nanos);
}

/** Parses `YYYY-MM-DD`; null when invalid. */
export function parseIsoDate(text: string): FqlDate | null {
  const m = DATE_PATTERN.exec(text);
  if (!m) return null;
  const millis = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(millis) || new Date(millis).toISOString().slice(0, 10) !== text) return null;
  return new FqlDate(text);
}

/** Nanoseconds per Fauna time unit, by singular and plural name. */
const UNIT_NANOS: Record<string, bigint> = {};
for (const [names, nanos] of [
  [['day', 'days'], 86_400_000_000_000n],
  [['half day', 'half days'], 43_200_000_000_000n],
  [['hour', 'hours'], 3_600_000_000_000n],
  [['minute', 'minutes'], 60_000_000_000n],
  [['second', 'seconds'], 1_000_000_000n],
  [['millisecond', 'milliseconds'], 1_000_000n],
  [['microsecond', 'microseconds'], 1000n],
  [['nanosecond', 'nanoseconds'], 1n],
] as const) {
  for (const name of names) UNIT_NANOS[name] = nanos;
}

/** Nanoseconds in one `unit`, or undefined for a name Fauna does not know. */
export function unitNanos(unit: string): bigint | undefined {
  return Object.hasOwn(UNIT_NANOS, unit) ? UNIT_NANOS[unit] : undefined;
}

/** `amount` units in nanoseconds; doubles are rounded to the nanosecond. */
export function durationNanos(amount: bigint | number, perUnit: bigint): bigint {
  if (typeof amount === 'bigint') return amount * perUnit;
  return BigInt(Math.round(amount * Number(perUnit)));
}
