/**
 * Just enough of EventBridge's event-pattern matching to check a packaged rule against sample events: arrays of
 * exact values, `{ exists: false }`, nested objects and `$or`. Anything else throws, so a test never passes on a
 * pattern feature this helper does not understand.
 */

export class UnsupportedPatternError extends Error {
  constructor(pattern: unknown) {
    super(`Unsupported event pattern element ${JSON.stringify(pattern)}`);
    this.name = 'UnsupportedPatternError';
  }
}

/** True when `event` matches `pattern` (EventBridge semantics for the supported subset). */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  const object = (event ?? {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') return (rule as Record<string, unknown>[]).some((branch) => matchesPattern(branch, event));
    const value = typeof object === 'object' ? object[key] : undefined;
    if (Array.isArray(rule)) return rule.some((allowed) => matchesValue(allowed, value));
    if (rule && typeof rule === 'object') return value !== null && typeof value === 'object' && matchesPattern(rule as Record<string, unknown>, value);
    throw new UnsupportedPatternError(rule);
  });
}

function matchesValue(allowed: unknown, value: unknown): boolean {
  if (allowed !== null && typeof allowed === 'object') {
    const keys = Object.keys(allowed);
    if (keys.length === 1 && keys[0] === 'exists') return (allowed as { exists: boolean }).exists === (value !== undefined);
    throw new UnsupportedPatternError(allowed);
  }
  const values = Array.isArray(value) ? value : [value];
  return values.some((candidate) => candidate === allowed);
}
