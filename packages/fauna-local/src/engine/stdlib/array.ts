/**
 * Array methods (core: Arrays.scala): eager versions of the Set methods plus indexing helpers.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Arrays.scala
 */
import type { Span } from '../../fql/ast.ts';
import { valueKey } from '../../values/keys.ts';
import type { Ctx } from '../context.ts';
import { QueryFailure } from '../errors.ts';
import { fqlEquals } from '../equality.ts';
import { SetValue, typeName } from '../../values/values.ts';
import type { Value } from '../../values/values.ts';
import { arity, arr, count, fn, int } from './args.ts';
import type { Method } from './args.ts';
import { orderValues, readingMethods } from './set.ts';

/** Largest array `Array.sequence` builds (CORE: ArrayPrototype.MaxSize). */
const MAX_ARRAY_SIZE = 16_000;

/** The `Array` module: `Array.sequence(from, until)`. */
export const arrayModule: Record<string, Method<null>> = {
  sequence(_ctx, _self, args, span) {
    arity('sequence', args, 2, 2, span);
    const from = int(args, 0, 'from', span);
    const until = int(args, 1, 'until', span);
    const size = until > from ? until - from : 0n;
    if (size > BigInt(MAX_ARRAY_SIZE)) throw new QueryFailure('value_too_large', `range size ${size} exceeds limit ${MAX_ARRAY_SIZE}`, { span });
    const out: Value[] = [];
    for (let i = from; i < until; i++) out.push(i);
    return out;
  },
};

function predicate(ctx: Ctx, f: Value, item: Value, span: Span): boolean {
  const result = ctx.callFunction(f, [item], span);
  if (typeof result === 'boolean') return result;
  if (result === null) return false;
  throw new QueryFailure('type_mismatch', `expected type: Boolean, received ${typeName(result)}`, { span });
}

function checkedIndex(index: bigint, length: number, span: Span): number {
  if (index < 0n || index >= BigInt(length)) {
    throw new QueryFailure('index_out_of_bounds', `index ${index} out of bounds for length ${length}`, { span });
  }
  return Number(index);
}

function clampIndex(index: bigint, length: number): number {
  const n = index < 0n ? 0n : index;
  return Number(n > BigInt(length) ? BigInt(length) : n);
}

export const arrayMethods: Record<string, Method<Value[]>> = {
  ...readingMethods,
  last(_ctx, items, args, span) {
    arity('last', args, 0, 0, span);
    return items.length > 0 ? items[items.length - 1]! : null;
  },
  lastWhere(ctx, items, args, span) {
    arity('lastWhere', args, 1, 1, span);
    const pred = fn(args, 0, 'pred', span);
    for (let i = items.length - 1; i >= 0; i--) if (predicate(ctx, pred, items[i]!, span)) return items[i]!;
    return null;
  },
  at(_ctx, items, args, span) {
    arity('at', args, 1, 1, span);
    return items[checkedIndex(int(args, 0, 'index', span), items.length, span)]!;
  },
  entries(_ctx, items, args, span) {
    arity('entries', args, 0, 0, span);
    return items.map((item, i) => [BigInt(i), item]);
  },
  flatten(_ctx, items, args, span) {
    arity('flatten', args, 0, 0, span);
    return items.flatMap((item) => {
      if (!Array.isArray(item)) throw new QueryFailure('type_mismatch', `expected type: Array<Any>, received ${typeName(item)}`, { span });
      return item;
    });
  },
  lastIndexWhere(ctx, items, args, span) {
    arity('lastIndexWhere', args, 1, 2, span);
    const pred = fn(args, 0, 'predicate', span);
    const end = args.length > 1 ? checkedIndex(int(args, 1, 'end', span), items.length, span) : items.length - 1;
    for (let i = end; i >= 0; i--) if (predicate(ctx, pred, items[i]!, span)) return BigInt(i);
    return null;
  },
  toSet(_ctx, items, args, span) {
    arity('toSet', args, 0, 0, span);
    const copy = [...items];
    return new SetValue(() => copy);
  },
  where(ctx, items, args, span) {
    arity('where', args, 1, 1, span);
    const pred = fn(args, 0, 'pred', span);
    return items.filter((item) => predicate(ctx, pred, item, span));
  },
  filter(ctx, items, args, span) {
    arity('filter', args, 1, 1, span);
    const pred = fn(args, 0, 'predicate', span);
    return items.filter((item) => predicate(ctx, pred, item, span));
  },
  map(ctx, items, args, span) {
    arity('map', args, 1, 1, span);
    const f = fn(args, 0, 'mapper', span);
    return items.map((item) => ctx.callFunction(f, [item], span));
  },
  flatMap(ctx, items, args, span) {
    arity('flatMap', args, 1, 1, span);
    const f = fn(args, 0, 'mapper', span);
    const out: Value[] = [];
    for (const item of items) {
      const inner = ctx.callFunction(f, [item], span);
      if (Array.isArray(inner)) out.push(...inner);
      else if (inner instanceof SetValue) out.push(...inner.produce(ctx));
      else throw new QueryFailure('invalid_argument', 'expected `flatMap` function to return an Array', { span });
    }
    return out;
  },
  take(_ctx, items, args, span) {
    arity('take', args, 1, 1, span);
    return items.slice(0, count(args, 0, 'limit', span));
  },
  drop(_ctx, items, args, span) {
    arity('drop', args, 1, 1, span);
    return items.slice(count(args, 0, 'amount', span));
  },
  distinct(_ctx, items, args, span) {
    arity('distinct', args, 0, 0, span);
    const seen = new Set<string>();
    return items.filter((item) => {
      const key = valueKey(item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
  reverse(_ctx, items, args, span) {
    arity('reverse', args, 0, 0, span);
    return [...items].reverse();
  },
  order(ctx, items, args, span) {
    return orderValues(ctx, [...items], args, span);
  },
  concat(_ctx, items, args, span) {
    arity('concat', args, 1, 1, span);
    return [...items, ...arr(args, 0, 'other', span)];
  },
  append(_ctx, items, args, span) {
    arity('append', args, 1, 1, span);
    return [...items, args[0]!];
  },
  prepend(_ctx, items, args, span) {
    arity('prepend', args, 1, 1, span);
    return [args[0]!, ...items];
  },
  indexOf(ctx, items, args, span) {
    arity('indexOf', args, 1, 2, span);
    const start = args.length > 1 ? checkedIndex(int(args, 1, 'start', span), items.length, span) : 0;
    for (let i = start; i < items.length; i++) if (fqlEquals(ctx, items[i]!, args[0]!)) return BigInt(i);
    return null;
  },
  lastIndexOf(ctx, items, args, span) {
    arity('lastIndexOf', args, 1, 2, span);
    const end = args.length > 1 ? checkedIndex(int(args, 1, 'end', span), items.length, span) : items.length - 1;
    for (let i = end; i >= 0; i--) if (fqlEquals(ctx, items[i]!, args[0]!)) return BigInt(i);
    return null;
  },
  indexWhere(ctx, items, args, span) {
    arity('indexWhere', args, 1, 2, span);
    const pred = fn(args, 0, 'predicate', span);
    const start = args.length > 1 ? checkedIndex(int(args, 1, 'start', span), items.length, span) : 0;
    for (let i = start; i < items.length; i++) if (predicate(ctx, pred, items[i]!, span)) return BigInt(i);
    return null;
  },
  slice(_ctx, items, args, span) {
    arity('slice', args, 1, 2, span);
    const from = clampIndex(int(args, 0, 'from', span), items.length);
    const until = args.length > 1 ? clampIndex(int(args, 1, 'until', span), items.length) : items.length;
    return items.slice(from, Math.max(from, until));
  },
  isEmpty(_ctx, items, args, span) {
    arity('isEmpty', args, 0, 0, span);
    return items.length === 0;
  },
  nonEmpty(_ctx, items, args, span) {
    arity('nonEmpty', args, 0, 0, span);
    return items.length > 0;
  },
};
