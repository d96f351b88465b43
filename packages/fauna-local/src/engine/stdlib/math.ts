/**
 * The `Math` module (core: Math.scala). Int stays Int where Fauna keeps it (abs, max, min); rounding
 * functions return Double for Double input.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Math.scala
 */
import type { Span } from '../../fql/ast.ts';
import { QueryFailure } from '../errors.ts';
import { SetValue } from '../../values/values.ts';
import type { Value } from '../../values/values.ts';
import type { Ctx } from '../context.ts';
import { materialize } from './set.ts';
import { arity, arr, num } from './args.ts';
import type { Method } from './args.ts';

function unary(name: string, onInt: (v: bigint) => Value, onDouble: (v: number) => Value): Method<null> {
  return (_ctx, _self, args, span) => {
    arity(name, args, 1, 1, span);
    const v = num(args, 0, 'x', span);
    return typeof v === 'bigint' ? onInt(v) : onDouble(v);
  };
}

function pick(name: string, better: (a: bigint | number, b: bigint | number) => boolean): Method<null> {
  return (_ctx, _self, args, span) => {
    arity(name, args, 2, 2, span);
    const a = num(args, 0, 'x', span);
    const b = num(args, 1, 'y', span);
    const result = better(a, b) ? a : b;
    return typeof a === 'number' || typeof b === 'number' ? Number(result) : result;
  };
}

function roundTo(value: number, precision: bigint, span: Span, mode: (x: number) => number): number {
  if (precision < 0n || precision > 15n) throw new QueryFailure('invalid_argument', 'invalid argument `precision`: must be between 0 and 15.', { span });
  const factor = 10 ** Number(precision);
  return mode(value * factor) / factor;
}

function rounding(name: string, mode: (x: number) => number): Method<null> {
  return (_ctx, _self, args, span) => {
    arity(name, args, 1, 2, span);
    const v = num(args, 0, 'x', span);
    if (typeof v === 'bigint') return v;
    const precision = args.length > 1 ? args[1] : 0n;
    if (typeof precision !== 'bigint') throw new QueryFailure('invalid_argument', 'expected value for `precision` of type Int', { span });
    return roundTo(v, precision, span, mode);
  };
}

/** Java's Math.round: half up toward positive infinity. */
const javaRound = (x: number) => Math.floor(x + 0.5);

export const mathModule: Record<string, Method<null>> = {
  abs: unary('abs', (v) => (v < 0n ? -v : v), Math.abs),
  max: pick('max', (a, b) => a >= b),
  min: pick('min', (a, b) => a <= b),
  floor: unary('floor', (v) => v, Math.floor),
  ceil: unary('ceil', (v) => v, Math.ceil),
  round: rounding('round', javaRound),
  trunc: rounding('trunc', Math.trunc),
  sqrt: unary('sqrt', (v) => Math.sqrt(Number(v)), Math.sqrt),
  cbrt: unary('cbrt', (v) => Math.cbrt(Number(v)), Math.cbrt),
  exp: unary('exp', (v) => Math.exp(Number(v)), Math.exp),
  log: unary('log', (v) => Math.log(Number(v)), Math.log),
  log10: unary('log10', (v) => Math.log10(Number(v)), Math.log10),
  sign: unary('sign', (v) => (v > 0n ? 1n : v < 0n ? -1n : 0n), Math.sign),
  pow(_ctx, _self, args, span) {
    arity('pow', args, 2, 2, span);
    return Number(num(args, 0, 'x', span)) ** Number(num(args, 1, 'exponent', span));
  },
  sum(ctx, _self, args, span) {
    arity('sum', args, 1, 1, span);
    const items = arr(setAsArray(ctx, args, span), 0, 'numbers', span);
    let total: bigint | number = 0n;
    for (let i = 0; i < items.length; i++) {
      const v = num(items, i, 'numbers', span);
      total = typeof total === 'bigint' && typeof v === 'bigint' ? total + v : Number(total) + Number(v);
    }
    return total;
  },
  mean(ctx, _self, args, span) {
    arity('mean', args, 1, 1, span);
    const items = arr(setAsArray(ctx, args, span), 0, 'numbers', span);
    if (items.length === 0) return null;
    let total = 0;
    for (let i = 0; i < items.length; i++) total += Number(num(items, i, 'numbers', span));
    return total / items.length;
  },
};

/** `sum` and `mean` take a Set as well as an Array (CORE: stdlib/Math.scala, overloads on `tt.Set(tt.Number)`). */
function setAsArray(ctx: Ctx, args: Value[], span: Span): Value[] {
  const first = args[0];
  return first instanceof SetValue ? [materialize(ctx, first.produce(ctx), span), ...args.slice(1)] : args;
}

export const MATH_CONSTANTS: Record<string, number> = { PI: Math.PI, E: Math.E, Infinity: Infinity, NaN: NaN };
