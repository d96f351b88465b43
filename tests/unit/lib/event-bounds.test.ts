import { describe, expect, it } from '@jest/globals';
import { eventBoundsProblem, MAX_EVENT_DEPTH, MAX_EVENT_TEXT, MAX_EVENT_VALUES } from '../../../lib/sign-in/event-bounds.ts';

/** An object nested `levels` deep ({} is 1 level), built without recursion. */
function nested(levels: number, leaf: unknown = {}): unknown {
  let value = leaf;
  for (let i = 1; i < levels; i++) value = { n: value };
  return value;
}

describe('eventBoundsProblem (depth, values and text of the whole event)', () => {
  it('accepts an event at every bound', () => {
    expect(eventBoundsProblem(nested(MAX_EVENT_DEPTH))).toBeNull();
    expect(eventBoundsProblem(Array(MAX_EVENT_VALUES - 1).fill(1))).toBeNull();
    expect(eventBoundsProblem({ k: 'x'.repeat(MAX_EVENT_TEXT - 1) })).toBeNull();
  });

  it.each([
    ['one level too deep (objects)', nested(MAX_EVENT_DEPTH + 1), /nests deeper than 10 levels/],
    ['one level too deep (arrays)', JSON.parse(`${'['.repeat(MAX_EVENT_DEPTH + 1)}${']'.repeat(MAX_EVENT_DEPTH + 1)}`), /nests deeper/],
    ['100,000 levels deep (no stack overflow)', nested(100_000), /nests deeper/],
    ['one value too many', Array(MAX_EVENT_VALUES).fill(1), /more than 5000 values/],
    ['one character too many, in a value', { k: 'x'.repeat(MAX_EVENT_TEXT) }, /characters of text/],
    ['one character too many, in the keys', { ['k'.repeat(MAX_EVENT_TEXT / 2 + 1)]: 1, ['j'.repeat(MAX_EVENT_TEXT / 2)]: 1 }, /characters of text/],
  ])('names the bound passed: %s', (_label, event, problem) => {
    expect(eventBoundsProblem(event)).toMatch(problem);
  });

  it('leaves anything that is not an object to the schema', () => {
    for (const value of [null, undefined, 'event', 42, true]) expect(eventBoundsProblem(value)).toBeNull();
  });
});
