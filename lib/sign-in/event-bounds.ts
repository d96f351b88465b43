/**
 * Bounds on the event as a whole, checked before the schema and before any Fauna call: how deep it nests, how many
 * values it holds and how much text. The schema (lib/sign-in/event-schema.ts) bounds each field Cognito documents (an attribute
 * value at most 2,048 characters, …); these catch what no field bound can: an object nested 5,000 levels deep in
 * `response`, `callerContext` or `request.groupConfiguration` (which passed the schema, ran the sign-in, and then could
 * not be serialised as the answer), or megabytes of text spread over many small values. docs/security.md, "Bad input",
 * gives the figures and their reasons.
 *
 * One iterative walk (no recursion, so no stack to exhaust), stopped at the first bound passed: a few microseconds for a
 * real event of a few dozen values.
 */

/** Levels of nesting, the event itself being level 1. A Cognito event has at most 5 (`response.…Generation.claimsToAddOrOverride.<claim>`). */
export const MAX_EVENT_DEPTH = 10;
/** Values (objects, arrays, strings, numbers, …) in the event. A real one has a few dozen; Cognito's quotas allow about 1,200. */
export const MAX_EVENT_VALUES = 5000;
/** Characters (UTF-16 units) in every key and string together: above the ~1.3 M that Cognito's field limits allow. */
export const MAX_EVENT_TEXT = 2 * 1024 * 1024;

/**
 * What makes `event` too big, or null when it is within every bound.
 *
 * @example eventBoundsProblem({ request: { a: { b: {} } } }) // null
 */
export function eventBoundsProblem(event: unknown): string | null {
  if (event === null || typeof event !== 'object') return null;
  const stack: unknown[] = [event];
  const depths: number[] = [1];
  let values = 0;
  let text = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    const depth = depths.pop()!;
    if (++values > MAX_EVENT_VALUES) return `/ holds more than ${MAX_EVENT_VALUES} values`;
    if (typeof value === 'string') {
      text += value.length;
    } else if (value !== null && typeof value === 'object') {
      if (depth > MAX_EVENT_DEPTH) return `/ nests deeper than ${MAX_EVENT_DEPTH} levels`;
      if (Array.isArray(value)) {
        for (const item of value) {
          stack.push(item);
          depths.push(depth + 1);
        }
      } else {
        for (const key of Object.keys(value)) {
          text += key.length;
          stack.push((value as Record<string, unknown>)[key]);
          depths.push(depth + 1);
        }
      }
    }
    if (text > MAX_EVENT_TEXT) return `/ holds more than ${MAX_EVENT_TEXT} characters of text`;
  }
  return null;
}
