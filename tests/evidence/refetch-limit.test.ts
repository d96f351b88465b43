/**
 * With a wrong or deleted key in SSM, every sign-in gets 401 from Fauna. The key store refetches the key at most once
 * per container per SSM_REFETCH_INTERVAL_SECONDS (default 30 s), so an incident does not become SSM throttling for the
 * fleet. Real local Fauna; SSM stubbed with aws-sdk-client-mock (it counts the calls); the key store's monotonic clock
 * moved forward by the test instead of waiting.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { DEFAULT_SSM_REFETCH_INTERVAL_SECONDS } from '../../lib/common/config.ts';
import { startEvidenceFauna, type EvidenceFauna } from '../helpers/local-fauna.ts';
import { grantedClaims, holdSecret, SECRET_PARAMETER, signInEvent, ssmCalls, stageEnvironment, startService, stubSsm, stubSsmWithSecret, type ServiceUnderTest, type SsmStub } from './helpers/service.ts';

const WRONG_KEY = `fnWRONGKEYrefetch${'x'.repeat(30)}`;
const SIGN_INS = 20;

const throttled = (): Error => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

describe('SSM refetch limit after unauthorized answers (local Fauna; SSM stubbed with aws-sdk-client-mock)', () => {
  let fauna: EvidenceFauna;
  let ssm: SsmStub;
  let service: ServiceUnderTest;
  let clockOffsetMs = 0;

  beforeAll(async () => {
    fauna = await startEvidenceFauna();
  });
  afterAll(async () => {
    await fauna?.stop();
  });
  afterEach(() => {
    service?.dispose();
    ssm?.restore();
  });

  it(`${SIGN_INS} sign-ins with a bad key: the cold-start fetch plus at most one refetch per interval, then one more after the interval`, async () => {
    // Arrange
    ssm = stubSsmWithSecret(WRONG_KEY);
    service = startService(stageEnvironment(fauna.url, { FAIL_POLICY: 'closed' }), { monotonicClock: () => performance.now() + clockOffsetMs });

    // Act: N sign-ins inside one interval
    const failures: unknown[] = [];
    for (let i = 0; i < SIGN_INS; i++) failures.push(await service.invoke(signInEvent(`0a1b2c3d-0000-4000-8000-${String(i).padStart(12, '0')}`, `refetch${i}@example.com`)).catch((error: unknown) => error));
    const callsWithinInterval = ssmCalls(ssm);
    clockOffsetMs += DEFAULT_SSM_REFETCH_INTERVAL_SECONDS * 1000;
    await service.invoke(signInEvent('0a1b2c3d-0000-4000-8000-0000000000ff', 'refetch-late@example.com')).catch(() => undefined);

    // Assert
    expect(failures.every((failure) => (failure as Error).name === 'SignInRejectedError')).toBe(true);
    expect(callsWithinInterval).toBe(2);
    expect(ssmCalls(ssm)).toBe(3);
    expect(service.logs.records('Fauna rejected the cached key; not refetched (the key store was asked recently)')).toHaveLength(SIGN_INS - 1);
  });

  it('stale-while-error: after the cache expired and SSM throttles, the cached key Fauna still accepts keeps working, bounded by SSM_STALE_MAX_SECONDS', async () => {
    // Arrange: a 60 s cache that may be used 120 s past its expiry while SSM fails
    ssm = stubSsmWithSecret(fauna.triggerKey);
    service = startService(
      stageEnvironment(fauna.url, { FAIL_POLICY: 'closed', SSM_CACHE_TTL_SECONDS: '60', SSM_STALE_MAX_SECONDS: '120' }),
      { monotonicClock: () => performance.now() + clockOffsetMs },
    );
    await service.invoke(signInEvent('0a1b2c3d-0000-4000-8000-00000000a001', 'stale1@example.com'));
    ssm.on(GetParametersCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));

    // Act: past the cache's expiry, then past expiry plus the stale bound
    clockOffsetMs += 90_000;
    const stale = await service.invoke(signInEvent('0a1b2c3d-0000-4000-8000-00000000a002', 'stale2@example.com'));
    clockOffsetMs += 120_000;
    const tooOld = await service.invoke(signInEvent('0a1b2c3d-0000-4000-8000-00000000a003', 'stale3@example.com')).then(() => undefined, (error: unknown) => error);

    // Assert
    expect(grantedClaims(stale).secret).toBeDefined();
    expect(service.logs.records('SSM failed after the key cache expired; using the cached key (stale-while-error)')).toEqual([
      expect.objectContaining({ error: expect.objectContaining({ name: 'ThrottlingException' }) }),
    ]);
    expect(tooOld).toMatchObject({ name: 'SignInRejectedError', message: expect.stringContaining('key store') });
    expect(ssmCalls(ssm)).toBe(3);
  });

  it('a throttled cold start: at most one SSM call per container per interval (no call per invocation), and recovery after the interval', async () => {
    // Arrange: SSM throttles the cold-start read and every read after it, until it recovers
    ssm = stubSsm();
    ssm.on(GetParametersCommand).rejects(throttled());
    service = startService(stageEnvironment(fauna.url, { FAIL_POLICY: 'closed' }), { monotonicClock: () => performance.now() + clockOffsetMs });
    const signIn = (i: number) => service.invoke(signInEvent(`0a1b2c3d-0000-4000-8000-00000000c${String(i).padStart(3, '0')}`, `cold${i}@example.com`));

    // Act: six sign-ins in the first interval, six in the second, then SSM recovers and a third interval begins
    const firstInterval: unknown[] = [];
    for (let i = 0; i < 6; i++) firstInterval.push(await signIn(i).catch((error: unknown) => error));
    const callsInFirst = ssmCalls(ssm);
    clockOffsetMs += DEFAULT_SSM_REFETCH_INTERVAL_SECONDS * 1000;
    for (let i = 6; i < 12; i++) await signIn(i).catch(() => undefined);
    const callsInSecond = ssmCalls(ssm) - callsInFirst;
    ssm.reset();
    holdSecret(ssm, SECRET_PARAMETER, fauna.triggerKey);
    const stillLimited = await signIn(12).then(() => 'granted', (error: unknown) => (error as Error).name);
    clockOffsetMs += DEFAULT_SSM_REFETCH_INTERVAL_SECONDS * 1000;
    const recovered = await signIn(13);
    const afterRecovery = await signIn(14);

    // Assert
    expect(callsInFirst).toBe(1);
    expect(callsInSecond).toBe(1);
    expect(firstInterval.every((failure) => (failure as Error).name === 'SignInRejectedError')).toBe(true);
    expect(stillLimited).toBe('SignInRejectedError');
    expect(grantedClaims(recovered).secret).toBeDefined();
    expect(grantedClaims(afterRecovery).secret).toBeDefined();
    expect(ssmCalls(ssm)).toBe(1);
    const failures = service.logs.records('Sign-in failed') as { error: { name: string; cause?: string } }[];
    expect(failures.map((failure) => failure.error.cause)).toEqual([
      'ThrottlingException', ...Array(5).fill('KeyStoreReadLimited'), 'ThrottlingException', ...Array(5).fill('KeyStoreReadLimited'), 'KeyStoreReadLimited',
    ]);
  });
});
