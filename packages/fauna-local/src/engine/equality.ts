/**
 * FQL equality, used by the evaluator (`==`, `!=`) and by the standard library (`includes`, `indexOf`, …).
 */
import { valueKey } from '../values/keys.ts';
import type { Value } from '../values/values.ts';
import type { Ctx } from './context.ts';
import { isNullish } from './documents.ts';

/** FQL `==`: structural on values, by reference on documents; a missing or unreadable doc equals null. */
export function fqlEquals(ctx: Ctx, a: Value, b: Value): boolean {
  if (a === null || b === null) {
    const other = a === null ? b : a;
    return other === null || isNullish(ctx, other);
  }
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return valueKey(a) === valueKey(b);
}
