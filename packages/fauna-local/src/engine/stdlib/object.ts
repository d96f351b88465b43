/**
 * The `Object` module (core: `ObjectCompanion`): keys, values, entries, assign, fromEntries.
 *
 * Fauna core sources:
 * - https://github.com/search?type=code&q=repo%3Afauna%2Ffaunadb+%22object+ObjectCompanion%22
 */
import type { Span } from '../../fql/ast.ts';
import type { Ctx } from '../context.ts';
import { docFields, requireDoc } from '../documents.ts';
import { QueryFailure } from '../errors.ts';
import { DocRef, isPlainObject } from '../../values/values.ts';
import type { FqlObject, Value } from '../../values/values.ts';
import { arity, arr, obj, str } from './args.ts';
import type { Method } from './args.ts';
import { displayString } from './display.ts';

/** An object argument, or all fields of a document argument (CORE: ObjectCompanion.materializeStructOrDoc). */
function objectOrDoc(ctx: Ctx, args: Value[], i: number, param: string, span: Span): FqlObject {
  const value = args[i] ?? null;
  if (isPlainObject(value)) return value;
  if (value instanceof DocRef) {
    try {
      return docFields(ctx, value, requireDoc(ctx, value, span));
    } catch (error) {
      // The core reports a null document here as an invalid argument carrying the null cause's message.
      if (!(error instanceof QueryFailure)) throw error;
      const reason = `${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}`;
      throw new QueryFailure('invalid_argument', `invalid argument \`${param}\`: ${reason}`, { span, cause: error });
    }
  }
  throw new QueryFailure('invalid_argument', `invalid argument \`${param}\`: expected either an object or a document`, { span });
}

export const objectModule: Record<string, Method<null>> = {
  keys: (ctx, _s, args, span) => (arity('keys', args, 1, 1, span), Object.keys(objectOrDoc(ctx, args, 0, 'object', span))),
  values: (ctx, _s, args, span) => (arity('values', args, 1, 1, span), Object.values(objectOrDoc(ctx, args, 0, 'object', span))),
  entries: (ctx, _s, args, span) => (arity('entries', args, 1, 1, span), Object.entries(objectOrDoc(ctx, args, 0, 'object', span)).map(([k, v]) => [k, v])),
  assign(ctx, _s, args, span) {
    arity('assign', args, 2, 2, span);
    return { ...objectOrDoc(ctx, args, 0, 'destination', span), ...objectOrDoc(ctx, args, 1, 'source', span) };
  },
  toString: ((_c, _s, args, span) => (arity('toString', args, 1, 1, span), displayString(args[0] ?? null))) as Method<null>,
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
