/**
 * The sign-in query's one retry rule (lib/sign-in/sign-in-query.ts CONCURRENT_SIGN_IN_RETRY): a sign-in that lost a race with a
 * concurrent sign-in of the same user runs again, a constraint failure once and at once, a 409 contended_transaction
 * up to four attempts after a jittered backoff, and only while the deadline leaves room for a whole attempt. The Fauna
 * client is a stub answering with the driver's own error classes (no Fauna here: the evidence suite
 * tests/evidence/contention.test.ts runs the real thing).
 */
import { describe, expect, it } from '@jest/globals';
import { ConstraintFailureError, ContendedTransactionError, QueryTimeoutError, TimeStub, type QuerySuccess } from 'fauna';
import { Deadline } from '../../../lib/common/deadline.ts';
import { ConcurrentSignInError, DeadlineExceededError, FaunaUnavailableError } from '../../../lib/common/errors.ts';
import { CONCURRENT_SIGN_IN_RETRY, grantIdentity, type SignInRetry } from '../../../lib/sign-in/sign-in-query.ts';
import type { QueryClient } from '../../../lib/common/fauna-client.ts';

const REQUEST = {
  sub: 'sub-1',
  email: null,
  emailVerified: false,
  ttlSeconds: 3600,
  meta: { userPoolId: 'pool', clientId: 'client', triggerSource: 'TokenGeneration_RefreshTokens' },
  maxTokens: 10,
};
const GRANT = { userId: '1', secret: 'fn-secret', expiresAt: TimeStub.from('2030-01-01T00:00:00Z'), created: false, outcome: 'existing' };

const contended = () => new ContendedTransactionError({ error: { code: 'contended_transaction', message: 'Transaction was aborted due to detection of concurrent modification.' } }, 409);
const constraint = () =>
  new ConstraintFailureError({ error: { code: 'constraint_failure', message: 'Failed unique constraint.', constraint_failures: [{ paths: [['sub']], message: 'Failed unique constraint' }] } }, 400);

/** A client that throws the scripted errors in order, then answers with a grant. */
function scriptedClient(errors: Error[]): QueryClient & { calls: number } {
  const client = {
    calls: 0,
    async query() {
      const error = errors[client.calls++];
      if (error) throw error;
      return { data: GRANT } as unknown as QuerySuccess<never>;
    },
  };
  return client as unknown as QueryClient & { calls: number };
}

/** A deadline `leftMs` from a clock that the fake sleep advances. */
function fakeTime(leftMs: number) {
  let now = 0;
  const slept: number[] = [];
  return {
    deadline: new Deadline(leftMs, () => now),
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

describe('the concurrent sign-in retry rule', () => {
  it('a 409 is retried after a backoff below the rule\'s first step, and the retry is reported', async () => {
    const client = scriptedClient([contended()]);
    const time = fakeTime(3000);
    const retries: SignInRetry[] = [];

    const grant = await grantIdentity(client, REQUEST, time.deadline, 1500, { sleep: time.sleep, random: () => 0.5, onRetry: (r) => retries.push(r) });

    expect(grant.userId).toBe('1');
    expect(client.calls).toBe(2);
    expect(retries).toEqual([{ conflict: 'contended_transaction', attempt: 1, backoffMs: Math.floor(0.5 * CONCURRENT_SIGN_IN_RETRY.contended_transaction.baseMs) }]);
    expect(time.slept).toEqual([retries[0]!.backoffMs]);
  });

  it('409s are retried up to four attempts in all, the backoff doubling, then the ConcurrentSignInError is thrown', async () => {
    const client = scriptedClient([contended(), contended(), contended(), contended(), contended()]);
    const time = fakeTime(3000);

    const failure = await grantIdentity(client, REQUEST, time.deadline, 1500, { sleep: time.sleep, random: () => 0.999 }).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ConcurrentSignInError);
    expect((failure as ConcurrentSignInError).conflict).toBe('contended_transaction');
    expect(client.calls).toBe(CONCURRENT_SIGN_IN_RETRY.contended_transaction.attempts);
    expect(time.slept).toEqual([24, 49, 99]);
  });

  it('a constraint failure is retried once, at once (the winner has committed)', async () => {
    const client = scriptedClient([constraint(), constraint()]);
    const time = fakeTime(3000);

    const failure = await grantIdentity(client, REQUEST, time.deadline, 1500, { sleep: time.sleep, random: () => 0.9 }).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ConcurrentSignInError);
    expect((failure as ConcurrentSignInError).conflict).toBe('constraint_failure');
    expect(client.calls).toBe(2);
    expect(time.slept).toEqual([]);
  });

  it('no retry when the deadline would not leave a whole attempt after the backoff: skipped (DeadlineExceededError caused by the 409)', async () => {
    const client = scriptedClient([contended()]);
    // 610 ms left: an attempt needs 600 (100 ms of query time + the driver's 500 ms buffer); a 20 ms backoff leaves 590.
    const time = fakeTime(610);

    const failure = await grantIdentity(client, REQUEST, time.deadline, 1500, { sleep: time.sleep, random: () => 0.8 }).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(DeadlineExceededError);
    expect((failure as DeadlineExceededError).step).toBe('Fauna query');
    expect((failure as Error).cause).toBeInstanceOf(ConcurrentSignInError);
    expect(client.calls).toBe(1);
    expect(time.slept).toEqual([]);
  });

  it('other failures (a timeout) are not retried by this rule', async () => {
    const client = scriptedClient([new QueryTimeoutError({ error: { code: 'time_out', message: 'x' } }, 440)]);

    const failure = await grantIdentity(client, REQUEST, fakeTime(3000).deadline, 1500).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(FaunaUnavailableError);
    expect(client.calls).toBe(1);
  });
});
