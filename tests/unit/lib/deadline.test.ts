import { describe, expect, it } from '@jest/globals';
import { Deadline, LAMBDA_MARGIN_MS, Step, STEPS_END_BY_MS } from '../../../lib/common/deadline.ts';
import { DeadlineExceededError } from '../../../lib/common/errors.ts';
import { attemptOptions, CLIENT_TIMEOUT_BUFFER_MS, MIN_ATTEMPT_MS } from '../../../lib/common/fauna-client.ts';

describe('Deadline.forInvocation', () => {
  it('on a cold start counts Cognito\'s budget from the init\'s start, which Lambda\'s remaining time does not see', () => {
    const deadline = Deadline.forInvocation({ initStartedAt: 1000, invokedAt: 2500, lambdaRemainingMs: 5000, now: () => 2500 });
    expect(deadline.endsAt).toBe(1000 + STEPS_END_BY_MS);
    expect(deadline.remainingMs()).toBe(1000 + STEPS_END_BY_MS - 2500);
  });

  it('on a warm invocation counts from the invocation\'s start', () => {
    const deadline = Deadline.forInvocation({ invokedAt: 10_000, lambdaRemainingMs: 5000, now: () => 10_000 });
    expect(deadline.endsAt).toBe(10_000 + STEPS_END_BY_MS);
  });

  it('never ends after Lambda\'s remaining time less the margin (a function timeout set shorter than 5 s)', () => {
    const deadline = Deadline.forInvocation({ invokedAt: 0, lambdaRemainingMs: 3000, now: () => 0 });
    expect(deadline.endsAt).toBe(3000 - LAMBDA_MARGIN_MS);
  });
});

describe('Deadline.run', () => {
  it('skips a step that does not have its minimum left, without starting it', async () => {
    let started = false;
    const deadline = new Deadline(100, () => 80);
    const outcome = deadline.run(Step.ssmRefetch, 50, async () => {
      started = true;
    });
    await expect(outcome).rejects.toMatchObject({ name: 'DeadlineExceededError', step: 'SSM refetch', source: 'key store' });
    expect(started).toBe(false);
  });

  it('cuts off a step still running at the deadline and aborts its signal', async () => {
    const deadline = new Deadline(performance.now() + 30);
    let signal: AbortSignal | undefined;
    const outcome = deadline.run(Step.ssmFetch, 1, (_budget, abort) => {
      signal = abort;
      return new Promise<never>(() => undefined);
    });
    await expect(outcome).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(signal?.aborted).toBe(true);
  });

  it('gives the step the time left as its budget and returns its result', async () => {
    const deadline = new Deadline(performance.now() + 1000);
    const budget = await deadline.run(Step.ssmFetch, 1, async (budgetMs) => budgetMs);
    expect(budget).toBeGreaterThan(900);
    expect(budget).toBeLessThanOrEqual(1000);
  });
});

describe('attemptOptions (one Fauna attempt fitted to the time left)', () => {
  it('keeps the configured timeout when there is time', () => {
    expect(attemptOptions(1500, 3800)).toEqual({ query_timeout_ms: 1500 });
  });

  it('shortens the timeout so that the driver gives up (timeout + buffer) before the deadline', () => {
    expect(attemptOptions(1500, 1200)).toEqual({ query_timeout_ms: 1200 - CLIENT_TIMEOUT_BUFFER_MS });
  });

  it('skips the attempt when less than the minimum query time would be left', () => {
    expect(attemptOptions(1500, CLIENT_TIMEOUT_BUFFER_MS + MIN_ATTEMPT_MS - 1)).toBeUndefined();
  });
});
