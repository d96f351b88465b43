/**
 * The `Object` module (CORE: stdlib/ObjectCompanion.scala): keys, values, entries, assign, fromEntries.
 */
import { QueryFailure } from '../errors.ts';
import { isPlainObject } from '../values.ts';
import type { FqlObject, Value } from '../values.ts';
import { arity, arr, obj, str } from './args.ts';
import type { Method } from './args.ts';

export const objectModule: Record<string, Method<null>> = {
  keys: (_c, _s, args, span) => (arity('keys', args, 1, 1, span), Object.keys(obj(args, 0, 'object', span))),
  values: (_c, _s, args, span) => (arity('values', args, 1, 1, span), Object.values(obj(args, 0, 'object', span))),
  entries: (_c, _s, args, span) => (arity('entries', args, 1, 1, span), Object.entries(obj(args, 0, 'object', span)).map(([k, v]) => [k, v])),
  assign(_c, _s, args, span) {
    arity('assign', args, 2, 2, span);
    return { ...obj(args, 0, 'destination', span), ...obj(args, 1, 'source', span) };
  },
  fromEntries(_c, _s, args, span) {
    arity('fromEntries', args, 1, 1, span);
    const out: FqlObject = {};
    for (const entry of arr(args, 0, 'entries', span)) {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') {
        throw new QueryFailure('invalid_argument', 'expected each entry to be a [String, Any] pair', { span });
      }
      out[entry[0]] = entry[1]!;
    }
    return out;
  },
  hasPath(_c, _s, args, span) {
    arity('hasPath', args, 2, 2, span);
    let current: Value = obj(args, 0, 'object', span);
    for (const segment of arr(args, 1, 'path', span)) {
      if (!isPlainObject(current) || typeof segment !== 'string' || !Object.hasOwn(current, segment)) return false;
      current = current[segment]!;
    }
    return true;
  },
  select(_c, _s, args, span) {
    arity('select', args, 2, 2, span);
    let current: Value = obj(args, 0, 'object', span);
    const path = arr(args, 1, 'path', span);
    for (let i = 0; i < path.length; i++) {
      const segment = str(path, i, 'path', span);
      if (!isPlainObject(current)) return null;
      current = current[segment] ?? null;
    }
    return current;
  },
};
