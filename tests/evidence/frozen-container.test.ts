/**
 * Lambda freezes a container between invocations; a NAT or load balancer may drop its idle connection to Fauna
 * meanwhile without a word. Played with a TCP proxy (tests/evidence/helpers/freezing-proxy.ts) in front of the real
 * local Fauna that turns the open connection into a silent black hole while new connections still work, and with the
 * handler's wall clock moved forward as a freeze would (SSM stubbed with aws-sdk-client-mock; everything else real).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_REOPEN_AFTER_IDLE_MS } from '../../lib/common/fauna-client.ts';
import { startFreezingProxy, type FreezingProxy } from './helpers/freezing-proxy.ts';
import { startEvidenceFauna, type EvidenceFauna } from '../helpers/local-fauna.ts';
import { grantedClaims, signInEvent, stageEnvironment, startService, stubSsmWithSecret, type ServiceUnderTest, type SsmStub } from './helpers/service.ts';
import { ANSWER_BUDGET_MS } from './helpers/answer-budget.ts';

const EVENT = signInEvent('0a1b2c3d-0000-4000-8000-00000f40ze01', 'Frozen.Container@Example.com');

describe('a connection that died while the container was frozen (TCP black-hole proxy; local Fauna; SSM stubbed)', () => {
  let fauna: EvidenceFauna;
  let proxy: FreezingProxy;
  let ssm: SsmStub;
  let service: ServiceUnderTest;
  let wallClock: number;

  beforeAll(async () => {
    fauna = await startEvidenceFauna();
  });
  afterAll(async () => {
    await fauna?.stop();
  });
  afterEach(async () => {
    service?.dispose();
    ssm?.restore();
    await proxy?.stop();
  });

  async function warmContainer(): Promise<void> {
    proxy = await startFreezingProxy(new URL(fauna.url));
    ssm = stubSsmWithSecret(fauna.triggerKey);
    wallClock = Date.now();
    service = startService(stageEnvironment(proxy.url, { FAIL_POLICY: 'closed' }), { wallClock: () => wallClock });
    expect(grantedClaims(await service.invoke(EVENT)).secret).toBeDefined();
  }

  it('a sign-in after a long freeze re-opens the connection and SUCCEEDS within the budget', async () => {
    // Arrange: a warm container, then a freeze longer than the idle threshold during which the connection died
    await warmContainer();
    const connectionsBefore = proxy.connections();
    proxy.freezeExisting();
    wallClock += 10 * 60_000;

    // Act
    const started = performance.now();
    const response = await service.invoke(EVENT);
    const elapsedMs = performance.now() - started;

    // Assert
    expect(grantedClaims(response).secret).toBeDefined();
    expect(elapsedMs).toBeLessThan(ANSWER_BUDGET_MS);
    expect(proxy.connections()).toBe(connectionsBefore + 1);
    expect(service.logs.records('Re-opened the Fauna connection: it had been idle long enough to have died while the container was frozen')).toHaveLength(1);
  });

  it('the fault is real: the same dead connection used within the idle threshold fails (closed) rather than hanging past the budget', async () => {
    // Arrange: no time passes by the wall clock, so the connection is trusted and used
    await warmContainer();
    proxy.freezeExisting();
    wallClock += DEFAULT_REOPEN_AFTER_IDLE_MS / 2;

    // Act
    const started = performance.now();
    const failure = await service.invoke(EVENT).then(() => undefined, (error: unknown) => error);
    const elapsedMs = performance.now() - started;

    // Assert
    expect(failure).toMatchObject({ name: 'SignInRejectedError' });
    expect(elapsedMs).toBeLessThan(ANSWER_BUDGET_MS);
  });
});
