/**
 * `Time` and `Date` (core: Time.scala; time units: `MidstUnit`). `Time.now()` is the transaction's snapshot time.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Time.scala
 * - https://github.com/search?type=code&q=repo%3Afauna%2Ffaunadb+%22class+MidstUnit%22
 */
import type { Span } from '../../fql/ast.ts';
import { QueryFailure } from '../errors.ts';
import { durationNanos, parseIsoDate, parseIsoTime, unitNanos } from '../../values/temporal.ts';
import { FqlDate, FqlTime, floorDiv } from '../../values/values.ts';
import type { Value } from '../../values/values.ts';
import { arity, num, str } from './args.ts';
import type { Method } from './args.ts';

const NANOS_PER_DAY = 86_400_000_000_000n;

function unit(args: Value[], i: number, span: Span): bigint {
  const name = str(args, i, 'unit', span);
  const nanos = unitNanos(name);
  if (nanos === undefined) throw new QueryFailure('invalid_unit', `\`${name}\` is not a valid time unit.`, { span });
  return nanos;
}

export function parseTime(text: string, span: Span): FqlTime {
  const time = parseIsoTime(text);
  if (!time) throw new QueryFailure('invalid_time', `\`${text}\` is not a valid time.`, { span });
  return time;
}

export function parseDate(text: string, span: Span): FqlDate {
  const date = parseIsoDate(text);
  if (!date) throw new QueryFailure('invalid_date', `\`${text}\` is not a valid date.`, { span });
  return date;
}

export const timeModule: Record<string, Method<null>> = {
  now: (ctx, _s, args, span) => (arity('now', args, 0, 0, span), ctx.now),
  fromString: (_c, _s, args, span) => (arity('fromString', args, 1, 1, span), parseTime(str(args, 0, 'time', span), span)),
  epoch(_c, _s, args, span) {
    arity('epoch', args, 2, 2, span);
    return new FqlTime(durationNanos(num(args, 0, 'offset', span), unit(args, 1, span)));
  },
  apply: (_c, _s, args, span) => (arity('Time', args, 1, 1, span), parseTime(str(args, 0, 'time', span), span)),
};

function shift(sign: 1n | -1n): Method<FqlTime> {
  return (_ctx, t, args, span) => {
    arity(sign === 1n ? 'add' : 'subtract', args, 2, 2, span);
    return new FqlTime(t.epochNanos + sign * durationNanos(num(args, 0, 'amount', span), unit(args, 1, span)));
  };
}

export const timeMethods: Record<string, Method<FqlTime>> = {
  add: shift(1n),
  subtract: shift(-1n),
  difference(_ctx, t, args, span) {
    arity('difference', args, 2, 2, span);
    const start = args[0];
    if (!(start instanceof FqlTime)) throw new QueryFailure('invalid_argument', 'expected value for `start` of type Time', { span });
    return (t.epochNanos - start.epochNanos) / unit(args, 1, span);
  },
  toMillis: (_c, t, args, span) => (arity('toMillis', args, 0, 0, span), t.epochMillis),
  toMicros: (_c, t, args, span) => (arity('toMicros', args, 0, 0, span), t.epochMicros),
  toSeconds: (_c, t, args, span) => (arity('toSeconds', args, 0, 0, span), floorDiv(t.epochNanos, 1_000_000_000n)),
  toString: ((_c, t, args, span) => (arity('toString', args, 0, 0, span), t.toString())) as Method<FqlTime>,
};

/** Calendar properties of a time (`t.year`, `t.month`...). */
export function timeProperty(t: FqlTime, name: string): Value | undefined {
  const date = new Date(Number(t.epochMillis));
  switch (name) {
    case 'year': return BigInt(date.getUTCFullYear());
    case 'month': return BigInt(date.getUTCMonth() + 1);
    case 'dayOfMonth': return BigInt(date.getUTCDate());
    case 'dayOfWeek': return BigInt(date.getUTCDay() === 0 ? 7 : date.getUTCDay());
    case 'dayOfYear': return BigInt(Math.floor((Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1);
    case 'hour': return BigInt(date.getUTCHours());
    case 'minute': return BigInt(date.getUTCMinutes());
    case 'second': return BigInt(date.getUTCSeconds());
  }
  return undefined;
}

export const dateModule: Record<string, Method<null>> = {
  today: (ctx, _s, args, span) => (arity('today', args, 0, 0, span), new FqlDate(ctx.now.toString().slice(0, 10))),
  fromString: (_c, _s, args, span) => (arity('fromString', args, 1, 1, span), parseDate(str(args, 0, 'date', span), span)),
  apply: (_c, _s, args, span) => (arity('Date', args, 1, 1, span), parseDate(str(args, 0, 'date', span), span)),
};

function dateNanos(d: FqlDate): bigint {
  return BigInt(Date.parse(`${d.iso}T00:00:00Z`)) * 1_000_000n;
}

function dayUnit(args: Value[], span: Span): bigint {
  const name = str(args, 1, 'unit', span);
  if (name !== 'day' && name !== 'days') throw new QueryFailure('invalid_unit', `\`${name}\` is not a valid date unit.`, { span });
  return NANOS_PER_DAY;
}

export const dateMethods: Record<string, Method<FqlDate>> = {
  add(_c, d, args, span) {
    arity('add', args, 2, 2, span);
    return new FqlDate(new FqlTime(dateNanos(d) + durationNanos(num(args, 0, 'amount', span), dayUnit(args, span))).toString().slice(0, 10));
  },
  subtract(_c, d, args, span) {
    arity('subtract', args, 2, 2, span);
    return new FqlDate(new FqlTime(dateNanos(d) - durationNanos(num(args, 0, 'amount', span), dayUnit(args, span))).toString().slice(0, 10));
  },
  difference(_c, d, args, span) {
    arity('difference', args, 2, 2, span);
    const start = args[0];
    if (!(start instanceof FqlDate)) throw new QueryFailure('invalid_argument', 'expected value for `start` of type Date', { span });
    return (dateNanos(d) - dateNanos(start)) / dayUnit(args, span);
  },
  toString: ((_c, d, args, span) => (arity('toString', args, 0, 0, span), d.iso)) as Method<FqlDate>,
};
