/**
 * Set methods (core: Sets.scala and ValueSet.scala): lazy where possible, paginated with cursors.
 * Array methods that behave the same way reuse the helpers exported here.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Sets.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/ValueSet.scala
 */
import type { Span } from '../../fql/ast.ts';
import { compareValues, valueKey } from '../../values/keys.ts';
import type { Ctx } from '../context.ts';
import { tick } from '../context.ts';
import { meterCompute } from '../metering.ts';
import { QueryFailure } from '../errors.ts';
import { fqlEquals } from '../equality.ts';
import { isFunction, isPlainObject, SetValue, typeName } from '../../values/values.ts';
import type { FqlObject, FunctionValue, Value } from '../../values/values.ts';
import { arity, count, fn, int, str } from './args.ts';
import type { Method } from './args.ts';

/** Default page size of a set returned to the client (core: ValueSet.scala, linked above). */
export const DEFAULT_PAGE_SIZE = 16;
/** Upper bound of `paginate(n)` / `pageSize(n)`. */
export const MAX_PAGE_SIZE = 16_000;
/** `toArray()` materialises at most this many elements. */
export const MAX_MATERIALIZED = 16_000;


export function iterate(ctx: Ctx, set: SetValue): Iterable<Value> {
  return set.produce(ctx);
}

function call1(ctx: Ctx, f: FunctionValue, value: Value, span: Span): Value {
  return ctx.callFunction(f, [value], span);
}

function predicateResult(value: Value, span: Span): boolean {
  if (typeof value === 'boolean') return value;
  if (value === null) return false;
  throw new QueryFailure('type_mismatch', `expected type: Boolean, received ${typeName(value)}`, { span });
}

/** Sorts elements by orderings (`order()`, `order(.a)`, `order(desc(.a), .b)`). */
export function orderValues(ctx: Ctx, items: Value[], orderings: Value[], span: Span): Value[] {
  // An ordering is an accessor function or what `asc(f)` / `desc(f)` return: `{ asc: f }` / `{ desc: f }` (core: Sets.scala, linked above).
  const specs: { key: FunctionValue | null; desc: boolean }[] = orderings.map((o, i) => {
    if (isFunction(o)) return { key: o, desc: false };
    if (isPlainObject(o) && Object.keys(o).length === 1) {
      const [dir, key] = Object.entries(o)[0]!;
      if ((dir === 'asc' || dir === 'desc') && isFunction(key)) return { key, desc: dir === 'desc' };
    }
    throw new QueryFailure('invalid_argument', `expected value for \`ordering${i}\` of type Function | { asc: Function } | { desc: Function }, received ${typeName(o)}`, { span });
  });
  if (specs.length === 0) specs.push({ key: null, desc: false });
  const keyed = items.map((item) => ({ item, keys: specs.map((s) => (s.key ? call1(ctx, s.key, item, span) : item)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < specs.length; i++) {
      const c = compareValues(a.keys[i]!, b.keys[i]!);
      if (c !== 0) return specs[i]!.desc ? -c : c;
    }
    return 0;
  });
  return keyed.map((k) => k.item);
}

export function materialize(ctx: Ctx, source: Iterable<Value>, span: Span): Value[] {
  const out: Value[] = [];
  for (const item of source) {
    tick(ctx, span);
    out.push(item);
    if (out.length > MAX_MATERIALIZED) {
      throw new QueryFailure('invalid_argument', `Set is too large to materialize (more than ${MAX_MATERIALIZED} elements).`, { span });
    }
  }
  return out;
}

/** Reads one page of a set from `offset`; `after` is a cursor for the rest, or null on the last page. */
export function readPage(ctx: Ctx, set: SetValue, offset: number, size: number): { data: Value[]; after: string | null } {
  const data: Value[] = [];
  let index = 0;
  let more = false;
  for (const item of set.produce(ctx)) {
    tick(ctx);
    if (index++ < offset) continue;
    if (data.length === size) {
      more = true;
      break;
    }
    data.push(item);
  }
  const after = more ? ctx.db.cursors.put({ set, offset: offset + size, pageSize: size }) : null;
  return { data, after };
}

/** A page as FQL returns it from `paginate()`: `{ data, after? }`. */
export function pageObject(page: { data: Value[]; after: string | null }): FqlObject {
  return page.after === null ? { data: page.data } : { data: page.data, after: page.after };
}

function derived(set: SetValue, produce: (ctx: Ctx, source: Iterable<Value>) => Iterable<Value>): SetValue {
  return new SetValue((c) => produce(c as Ctx, set.produce(c)), set.pageSize);
}

function* filterIt(ctx: Ctx, source: Iterable<Value>, pred: FunctionValue, span: Span): Iterable<Value> {
  for (const item of source) if (predicateResult(call1(ctx, pred, item, span), span)) yield item;
}
function* mapIt(ctx: Ctx, source: Iterable<Value>, f: FunctionValue, span: Span): Iterable<Value> {
  for (const item of source) yield call1(ctx, f, item, span);
}
function* flatMapIt(ctx: Ctx, source: Iterable<Value>, f: FunctionValue, span: Span): Iterable<Value> {
  for (const item of source) {
    const inner = call1(ctx, f, item, span);
    if (inner instanceof SetValue) yield* inner.produce(ctx);
    else if (Array.isArray(inner)) yield* inner;
    else throw new QueryFailure('invalid_argument', 'expected `flatMap` function to return a Set or an Array', { span });
  }
}
function* takeIt(source: Iterable<Value>, n: number): Iterable<Value> {
  if (n <= 0) return;
  let i = 0;
  for (const item of source) {
    yield item;
    if (++i >= n) return;
  }
}
function* dropIt(source: Iterable<Value>, n: number): Iterable<Value> {
  let i = 0;
  for (const item of source) if (i++ >= n) yield item;
}
function* distinctIt(source: Iterable<Value>): Iterable<Value> {
  const seen = new Set<string>();
  for (const item of source) {
    const key = valueKey(item);
    if (!seen.has(key)) {
      seen.add(key);
      yield item;
    }
  }
}

/** Methods that answer from the elements without building a new collection (shared by Set and Array). */
export const readingMethods: Record<string, Method<Iterable<Value>>> = {
  first(_ctx, items, args, span) {
    arity('first', args, 0, 0, span);
    for (const item of items) return item;
    return null;
  },
  firstWhere(ctx, items, args, span) {
    arity('firstWhere', args, 1, 1, span);
    const pred = fn(args, 0, 'pred', span);
    for (const item of items) if (predicateResult(call1(ctx, pred, item, span), span)) return item;
    return null;
  },
  isEmpty(_ctx, items, args, span) {
    arity('isEmpty', args, 0, 0, span);
    for (const _ of items) return false;
    return true;
  },
  nonEmpty(_ctx, items, args, span) {
    arity('nonEmpty', args, 0, 0, span);
    for (const _ of items) return true;
    return false;
  },
  includes(ctx, items, args, span) {
    arity('includes', args, 1, 1, span);
    for (const item of items) if (fqlEquals(ctx, item, args[0]!)) return true;
    return false;
  },
  any(ctx, items, args, span) {
    arity('any', args, 1, 1, span);
    const pred = fn(args, 0, 'pred', span);
    for (const item of items) if (predicateResult(call1(ctx, pred, item, span), span)) return true;
    return false;
  },
  every(ctx, items, args, span) {
    arity('every', args, 1, 1, span);
    const pred = fn(args, 0, 'pred', span);
    for (const item of items) if (!predicateResult(call1(ctx, pred, item, span), span)) return false;
    return true;
  },
  fold(ctx, items, args, span) {
    arity('fold', args, 2, 2, span);
    const f = fn(args, 1, 'reducer', span);
    let acc: Value = args[0] ?? null;
    for (const item of items) acc = ctx.callFunction(f, [acc, item], span);
    return acc;
  },
  reduce(ctx, items, args, span) {
    arity('reduce', args, 1, 1, span);
    const f = fn(args, 0, 'reducer', span);
    let acc: Value | undefined;
    for (const item of items) acc = acc === undefined ? item : ctx.callFunction(f, [acc, item], span);
    return acc ?? null;
  },
  aggregate(ctx, items, args, span) {
    arity('aggregate', args, 2, 2, span);
    const f = fn(args, 1, 'combiner', span);
    let acc: Value = args[0] ?? null;
    for (const item of items) acc = ctx.callFunction(f, [acc, item], span);
    return acc;
  },
  foldRight(ctx, items, args, span) {
    arity('foldRight', args, 2, 2, span);
    const f = fn(args, 1, 'reducer', span);
    let acc: Value = args[0] ?? null;
    for (const item of [...items].reverse()) acc = ctx.callFunction(f, [acc, item], span);
    return acc;
  },
  reduceRight(ctx, items, args, span) {
    arity('reduceRight', args, 1, 1, span);
    const f = fn(args, 0, 'reducer', span);
    let acc: Value | undefined;
    for (const item of [...items].reverse()) acc = acc === undefined ? item : ctx.callFunction(f, [acc, item], span);
    return acc ?? null;
  },
  lastWhere(ctx, items, args, span) {
    arity('lastWhere', args, 1, 1, span);
    const pred = fn(args, 0, 'pred', span);
    let found: Value = null;
    for (const item of items) if (predicateResult(call1(ctx, pred, item, span), span)) found = item;
    return found;
  },
  forEach(ctx, items, args, span) {
    arity('forEach', args, 1, 1, span);
    const f = fn(args, 0, 'callback', span);
    for (const item of items) call1(ctx, f, item, span);
    return null;
  },
};

/** Set methods; `Set` values are lazy, so most return a derived set. */
export const setMethods: Record<string, Method<SetValue>> = {
  ...Object.fromEntries(Object.entries(readingMethods).map(([name, m]) => [name, (ctx: Ctx, set: SetValue, args: Value[], span: Span) => m(ctx, iterate(ctx, set), args, span)])),
  last(ctx, set, args, span) {
    arity('last', args, 0, 0, span);
    const all = materialize(ctx, iterate(ctx, set), span);
    return all.length > 0 ? all[all.length - 1]! : null;
  },
  count(ctx, set, args, span) {
    arity('count', args, 0, 0, span);
    let n = 0n;
    for (const _ of iterate(ctx, set)) {
      tick(ctx, span);
      n++;
    }
    // The core charges a unit of compute per element counted (CORE: stdlib/Sets.scala `count`).
    meterCompute(ctx.meter, Number(n));
    return n;
  },
  toArray(ctx, set, args, span) {
    arity('toArray', args, 0, 0, span);
    const items = materialize(ctx, iterate(ctx, set), span);
    // ...and per element materialised (CORE: ValueSet.scala `toArray`).
    meterCompute(ctx.meter, items.length);
    return items;
  },
  toSet(_ctx, set, args, span) {
    arity('toSet', args, 0, 0, span);
    return set;
  },
  where(_ctx, set, args, span) {
    arity('where', args, 1, 1, span);
    const pred = fn(args, 0, 'pred', span);
    return derived(set, (c, source) => filterIt(c, source, pred, span));
  },
  map(_ctx, set, args, span) {
    arity('map', args, 1, 1, span);
    const f = fn(args, 0, 'mapper', span);
    return derived(set, (c, source) => mapIt(c, source, f, span));
  },
  flatMap(_ctx, set, args, span) {
    arity('flatMap', args, 1, 1, span);
    const f = fn(args, 0, 'mapper', span);
    return derived(set, (c, source) => flatMapIt(c, source, f, span));
  },
  take(_ctx, set, args, span) {
    arity('take', args, 1, 1, span);
    const n = count(args, 0, 'limit', span);
    return derived(set, (_c, source) => takeIt(source, n));
  },
  drop(_ctx, set, args, span) {
    arity('drop', args, 1, 1, span);
    const n = count(args, 0, 'amount', span);
    return derived(set, (_c, source) => dropIt(source, n));
  },
  distinct(_ctx, set, args, span) {
    arity('distinct', args, 0, 0, span);
    return derived(set, (_c, source) => distinctIt(source));
  },
  reverse(_ctx, set, args, span) {
    arity('reverse', args, 0, 0, span);
    return derived(set, (c, source) => materialize(c, source, span).reverse());
  },
  order(_ctx, set, args, span) {
    return derived(set, (c, source) => orderValues(c, materialize(c, source, span), args, span));
  },
  concat(_ctx, set, args, span) {
    arity('concat', args, 1, 1, span);
    const other = args[0]!;
    if (!(other instanceof SetValue) && !Array.isArray(other)) {
      throw new QueryFailure('invalid_argument', 'expected value for `other` of type Set, received another type', { span });
    }
    return new SetValue(function* (c) {
      yield* set.produce(c);
      yield* (other instanceof SetValue ? other.produce(c) : (other as Value[]));
    }, set.pageSize);
  },
  pageSize(_ctx, set, args, span) {
    arity('pageSize', args, 1, 1, span);
    const n = pageSizeArg(args, 0, span);
    return new SetValue(set.produce, n);
  },
  ...Object.fromEntries(['eventSource', 'toStream', 'changesOn', 'eventsOn'].map((name) => [name, (_c: Ctx, _s: SetValue, _a: Value[], span: Span) => {
    throw new QueryFailure('invalid_query', `\`${name}()\`: event sources (streams and feeds) are not supported by the local Fauna emulator.`, { span });
  }])),
  paginate(ctx, set, args, span) {
    arity('paginate', args, 0, 1, span);
    const size = args.length === 0 ? set.pageSize ?? DEFAULT_PAGE_SIZE : pageSizeArg(args, 0, span);
    return pageObject(readPage(ctx, set, 0, size));
  },
};

function pageSizeArg(args: Value[], i: number, span: Span): number {
  const n = int(args, i, 'size', span);
  if (n < 1n || n > BigInt(MAX_PAGE_SIZE)) {
    throw new QueryFailure('invalid_bounds', `expected \`size\` to be between 1 and ${MAX_PAGE_SIZE} (inclusive), received ${n}`, { span });
  }
  return Number(n);
}

/** The `Set` module: `Set.paginate(cursor)` continues a set from its `after` cursor. */
export const setModule: Record<string, Method<null>> = {
  paginate(ctx, _self, args, span) {
    arity('paginate', args, 1, 2, span);
    const cursor = str(args, 0, 'cursor', span);
    const entry = ctx.db.cursors.get(cursor);
    if (!entry) throw new QueryFailure('invalid_cursor', 'Cursor cursor is invalid or expired.', { span });
    const size = args.length > 1 ? pageSizeArg(args, 1, span) : entry.pageSize;
    return pageObject(readPage(ctx, entry.set, entry.offset, size));
  },
  sequence(_ctx, _self, args, span) {
    arity('sequence', args, 2, 2, span);
    const from = args[0];
    const until = args[1];
    if (typeof from !== 'bigint' || typeof until !== 'bigint') throw new QueryFailure('invalid_argument', 'expected Int arguments for `Set.sequence`', { span });
    return new SetValue(function* () {
      for (let i = from; i < until; i++) yield i;
    });
  },
  single(_ctx, _self, args, span) {
    arity('single', args, 1, 1, span);
    const item = args[0]!;
    return new SetValue(() => [item]);
  },
};
