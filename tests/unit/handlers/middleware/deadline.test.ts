/** The deadline middleware both functions use, run through a real Middy chain. */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from '@jest/globals';
import { deadlineMiddleware, type InvocationContext, type InvocationStart } from '../../../../handlers/common/middleware/deadline.ts';
import { Deadline } from '../../../../lib/common/deadline.ts';

function chain() {
  const starts: InvocationStart[] = [];
  const handler = middy<unknown, number | undefined, Error, InvocationContext>(async (_event: unknown, context: InvocationContext) => context.deadline?.endsAt)
    .use(deadlineMiddleware((start) => {
      starts.push(start);
      return new Deadline(start.invokedAt + 1000);
    }));
  return { handler, starts };
}

describe('deadlineMiddleware', () => {
  it('sets context.deadline before the handler, from Lambda\'s remaining time, and marks only the first invocation cold', async () => {
    const { handler, starts } = chain();
    const context = { getRemainingTimeInMillis: () => 4200 } as unknown as Context;
    const before = performance.now();
    const first = await handler({}, context);
    await handler({}, context);
    expect(starts.map((start) => [start.lambdaRemainingMs, start.coldStart])).toEqual([[4200, true], [4200, false]]);
    expect(starts[0]!.invokedAt).toBeGreaterThanOrEqual(before);
    expect(first).toBe(starts[0]!.invokedAt + 1000);
  });

  it('passes no remaining time when the caller gave no full Lambda context (local tools)', async () => {
    const { handler, starts } = chain();
    await handler({}, {} as Context);
    expect(starts[0]!.lambdaRemainingMs).toBeUndefined();
  });
});
