/**
 * Concurrency and Cognito's retries, through the real handler (Middy chain; SSM stubbed with aws-sdk-client-mock)
 * against the real local Fauna: however many sign-ins race, each user ends with exactly one identity, and every
 * granted secret authenticates as that identity (until the cap on live tokens per identity pushes it out).
 *
 * This suite runs the local Fauna's serial engine, not contention mode (the evidence suites' default): its bursts (200
 * invocations at once, in this one Node process with their handlers, a proxy and Fauna) saturate the process, so
 * every millisecond Fauna holds a transaction in flight is added to event-loop delays a real deployment does not have,
 * and the drivers' client timeouts fire although Fauna answered each query within its deadline (measured: all 200 of
 * the 50 × 4 burst answered within 1.4 s of arrival, several over 2 s from the driver's send). What the bursts show,
 * one identity per user, does not depend on it; sign-ins of one user under contention are contention.test.ts's job,
 * one container per device.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthenticationError } from 'fauna';
import type { PreTokenGenerationEvent } from '../../lib/sign-in/cognito-event.ts';
import { DEFAULT_MAX_TOKENS_PER_IDENTITY } from '../../lib/common/config.ts';
import { startEvidenceFauna, type EvidenceFauna } from '../helpers/local-fauna.ts';
import { recordSecret } from '../helpers/log-capture.ts';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.ts';
import {
  grantedClaims,
  signInEvent,
  ssmCalls,
  stageEnvironment,
  startService,
  stubSsmWithSecret,
  type ServiceUnderTest,
  type SsmStub,
} from './helpers/service.ts';

/** Lambda runs one invocation per container at a time, so a burst is spread over containers (handler instances). */
const CONTAINERS = 8;

function subOf(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** Invokes every event at once, round-robin over the containers; settles all of them. */
async function burst(services: ServiceUnderTest[], events: PreTokenGenerationEvent[]): Promise<PromiseSettledResult<PreTokenGenerationEvent>[]> {
  return Promise.allSettled(events.map((event, i) => services[i % services.length]!.invoke(event)));
}

function granted(results: PromiseSettledResult<PreTokenGenerationEvent>[]): { secret: string; userId: string }[] {
  return results.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    const { secret, userId } = grantedClaims(result.value);
    if (!secret || !userId) throw new Error('A sign-in succeeded without the Fauna claims');
    return { secret, userId };
  });
}

describe('concurrent and repeated sign-ins (real handler, SSM stubbed with aws-sdk-client-mock, local Fauna)', () => {
  let fauna: EvidenceFauna;
  let proxy: RecordingProxy;
  let ssm: SsmStub;
  let services: ServiceUnderTest[] = [];

  beforeAll(async () => {
    fauna = await startEvidenceFauna({ contention: false });
    proxy = await startRecordingProxy(fauna.url, { onSecret: recordSecret });
    ssm = stubSsmWithSecret(fauna.triggerKey);
    services = Array.from({ length: CONTAINERS }, () => startService(stageEnvironment(proxy.url)));
  });

  afterEach(() => proxy.reset());

  afterAll(async () => {
    for (const service of services) service.dispose();
    ssm?.restore();
    await proxy?.stop();
    await fauna?.stop();
  });

  it(`200 concurrent first sign-ins of one user end with one identity; the ${DEFAULT_MAX_TOKENS_PER_IDENTITY} live secrets (the cap) authenticate as it, the rest get 401`, async () => {
    // Arrange
    const sub = subOf(1);
    const events = Array.from({ length: 200 }, () => signInEvent(sub, 'Racing.User@Example.com'));

    // Act
    const grants = granted(await burst(services, events));

    // Assert
    const identities = (await fauna.customers()).filter((customer) => customer.sub === sub);
    expect(identities).toEqual([{ id: expect.any(String), sub, email: 'racing.user@example.com' }]);
    expect(new Set(grants.map((grant) => grant.userId))).toEqual(new Set([identities[0]!.id]));
    expect(new Set(grants.map((grant) => grant.secret)).size).toBe(200);
    const authenticatedAs = await Promise.all(
      grants.map((grant) => fauna.identityOf(grant.secret).catch((error: unknown) => (error instanceof AuthenticationError ? 'unauthorized' : Promise.reject(error)))),
    );
    expect(authenticatedAs.filter((id) => id === identities[0]!.id)).toHaveLength(DEFAULT_MAX_TOKENS_PER_IDENTITY);
    expect(authenticatedAs.filter((id) => id === 'unauthorized')).toHaveLength(200 - DEFAULT_MAX_TOKENS_PER_IDENTITY);
  });

  it('50 users signing in 4 times each, all at once and with differently cased emails, end with one identity each', async () => {
    // Arrange
    const users = Array.from({ length: 50 }, (_, i) => ({ sub: subOf(1000 + i), email: `user${i}@example.com` }));
    const casings = [(e: string) => e, (e: string) => e.toUpperCase(), (e: string) => ` ${e} `, (e: string) => e[0]!.toUpperCase() + e.slice(1)];
    const events = casings.flatMap((casing) => users.map((user) => signInEvent(user.sub, casing(user.email))));

    // Act
    const grants = granted(await burst(services, events));

    // Assert
    const customers = await fauna.customers();
    for (const user of users) {
      const identities = customers.filter((customer) => customer.sub === user.sub);
      expect(identities).toEqual([{ id: expect.any(String), sub: user.sub, email: user.email }]);
      const userGrants = grants.filter((_, i) => events[i]!.request.userAttributes.sub === user.sub);
      expect(userGrants).toHaveLength(4);
      expect(new Set(userGrants.map((grant) => grant.userId))).toEqual(new Set([identities[0]!.id]));
      expect(new Set(await Promise.all(userGrants.map((grant) => fauna.identityOf(grant.secret))))).toEqual(new Set([identities[0]!.id]));
    }
  });

  it("Cognito's retries of the same event (same request id, sequential and overlapping) never create a second identity", async () => {
    // Arrange: Cognito retries an invocation it gave up on while the first attempt may still be running
    const sub = subOf(2);
    const event = signInEvent(sub, 'retried@example.com');
    const service = services[0]!;

    // Act
    const first = await service.invoke(event, 'cognito-request-1');
    const overlapping = await Promise.all([service.invoke(event, 'cognito-request-1'), services[1]!.invoke(event, 'cognito-request-1')]);
    const later = await service.invoke(event, 'cognito-request-1');

    // Assert
    const identities = (await fauna.customers()).filter((customer) => customer.sub === sub);
    expect(identities).toHaveLength(1);
    for (const response of [first, ...overlapping, later]) {
      const { secret, userId } = grantedClaims(response);
      expect(userId).toBe(identities[0]!.id);
      expect(await fauna.identityOf(secret!)).toBe(identities[0]!.id);
    }
  });

  it('a sign-in sends exactly one request to Fauna and none to SSM once the container is warm', async () => {
    // Arrange: a fresh container, warmed by one sign-in
    const service = startService(stageEnvironment(proxy.url));
    try {
      await service.invoke(signInEvent(subOf(3), 'warm@example.com'));
      proxy.reset();
      const ssmBefore = ssmCalls(ssm);

      // Act
      for (let i = 0; i < 10; i++) await service.invoke(signInEvent(subOf(3), 'warm@example.com'));

      // Assert
      expect(proxy.exchanges().map((exchange) => exchange.path)).toEqual(Array(10).fill('/query/1'));
      expect(ssmCalls(ssm) - ssmBefore).toBe(0);
    } finally {
      service.dispose();
    }
  });
});
