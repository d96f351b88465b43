/**
 * Concurrent sign-ins of one user under contention (local Fauna in contention mode, packages/fauna-local/DESIGN.md
 * "Contention"; real handler and Middy chain; SSM stubbed with aws-sdk-client-mock). Devices of one user refreshing at
 * once all read and trim the same identity's token set (fauna/functions.fsl signIn, fauna/tokens.fsl trimTokens), so
 * their transactions conflict: Fauna retries them itself (up to 4 times) and answers 409 `contended_transaction`
 * when that is not enough; the handler then runs the query again within the deadline (lib/sign-in/sign-in-query.ts
 * CONCURRENT_SIGN_IN_RETRY). What is shown: no sign-in fails that a retry inside the deadline could have saved, every
 * retry is logged and counted, and a sign-in no retry can save fails on its 409 within the answer budget. The figures
 * (attempts per sign-in, Fauna's own retries, p50/p99) are printed; only counts are asserted (docs/reliability.md,
 * "Concurrent sign-ins of one user").
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEvidenceFauna, type EvidenceFauna } from '../helpers/local-fauna.ts';
import { CONCURRENT_SIGN_IN_RETRY } from '../../lib/sign-in/sign-in-query.ts';
import { ANSWER_BUDGET_MS } from './helpers/answer-budget.ts';
import {
  grantedClaims,
  signInEvent,
  stageEnvironment,
  startService,
  stubSsmWithSecret,
  type ServiceUnderTest,
  type SsmStub,
} from './helpers/service.ts';

const RETRY_LOG = 'Sign-in query run again: a concurrent sign-in of the same user got in the way';
/** Where the figures go for `npm run bench` to print (its own file: other suites write bench-results/latest.json). */
const FIGURES_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench-results', 'contention.json');

interface BurstFigures {
  granted: number;
  refused: number;
  /** Fauna queries the handlers sent: one per attempt. */
  attempts: number;
  /** Retries by the handler (its log lines), by conflict. */
  handlerRetries: Record<string, number>;
  /** Retries inside the local Fauna (its own, before a 409). */
  faunaRetries: number;
  /** 409s the handlers received. */
  contended: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function subOf(n: number): string {
  return `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;
}

describe('concurrent sign-ins of one user under contention (real handler, SSM stubbed with aws-sdk-client-mock, local Fauna in contention mode)', () => {
  let fauna: EvidenceFauna;
  let ssm: SsmStub;
  const services: ServiceUnderTest[] = [];

  beforeAll(async () => {
    fauna = await startEvidenceFauna();
    ssm = stubSsmWithSecret(fauna.triggerKey);
  });

  const recorded: Record<string, BurstFigures> = {};

  afterAll(async () => {
    if (Object.keys(recorded).length > 0) {
      mkdirSync(dirname(FIGURES_FILE), { recursive: true });
      writeFileSync(FIGURES_FILE, JSON.stringify({ measuredAt: new Date().toISOString(), bursts: recorded }, null, 2) + '\n');
    }
    for (const service of services) service.dispose();
    ssm?.restore();
    await fauna?.stop();
  });

  /** One container per device (Lambda runs one invocation per container at a time), each warmed by one sign-in. */
  async function containers(count: number, sub: string, email: string): Promise<ServiceUnderTest[]> {
    const fresh = Array.from({ length: count }, () => startService(stageEnvironment(fauna.url)));
    services.push(...fresh);
    for (const service of fresh) await service.invoke(signInEvent(sub, email));
    return fresh;
  }

  /** Every container signs the user in once, all at once; returns the figures and each answer. */
  async function burst(group: ServiceUnderTest[], sub: string, email: string) {
    const linesBefore = group.map((service) => service.logs.lines.length);
    const before = fauna.contentionCounts();
    const results = await Promise.allSettled(
      group.map(async (service) => {
        const started = performance.now();
        const response = await service.invoke(signInEvent(sub, email));
        return { response, ms: performance.now() - started };
      }),
    );
    const after = fauna.contentionCounts();
    // The retry log lines this burst added (each container's lines from before it are skipped).
    const retries = group.flatMap((service, i) =>
      service.logs.lines
        .slice(linesBefore[i])
        .flatMap((line) => line.split('\n'))
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((record) => record.message === RETRY_LOG),
    );
    const times = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.ms] : [])).sort((a, b) => a - b);
    const handlerRetries: Record<string, number> = {};
    for (const retry of retries) handlerRetries[String(retry.conflict)] = (handlerRetries[String(retry.conflict)] ?? 0) + 1;
    const figures: BurstFigures = {
      granted: results.filter((r) => r.status === 'fulfilled').length,
      refused: results.filter((r) => r.status === 'rejected').length,
      attempts: group.length + retries.length,
      handlerRetries,
      faunaRetries: after.retries - before.retries,
      contended: after.aborted - before.aborted,
      p50Ms: Math.round(times.length ? percentile(times, 50) : 0),
      p99Ms: Math.round(times.length ? percentile(times, 99) : 0),
      maxMs: Math.round(times.length ? times[times.length - 1]! : 0),
    };
    return { figures, results, retries };
  }

  function report(label: string, figures: BurstFigures): void {
    recorded[label] = figures;
    process.stdout.write(
      `contention evidence: ${label}: ${figures.granted} granted, ${figures.refused} refused; ${figures.attempts} Fauna attempts ` +
        `(handler retries ${JSON.stringify(figures.handlerRetries)}), Fauna's own retries ${figures.faunaRetries}, 409s ${figures.contended}; ` +
        `p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, max ${figures.maxMs} ms\n`,
    );
  }

  it.each([10, 20, 40])('%i devices of one user refreshing at once: every sign-in is granted the same identity, each 409 was retried by the handler', async (devices) => {
    // Arrange
    const sub = subOf(devices);
    const group = await containers(devices, sub, `devices${devices}@example.com`);

    // Act
    const { figures, results, retries } = await burst(group, sub, `devices${devices}@example.com`);
    report(`${devices} devices of one user at once`, figures);

    // Assert: no failed sign-in (each 409 that reached a handler was retried inside the deadline)
    expect(figures.refused).toBe(0);
    const userIds = new Set(results.map((r) => (r.status === 'fulfilled' ? grantedClaims(r.value.response).userId : 'refused')));
    expect(userIds.size).toBe(1);
    expect(figures.contended).toBe(retries.filter((r) => r.conflict === 'contended_transaction').length);
    expect(retries.every((r) => (r.attempt as number) < CONCURRENT_SIGN_IN_RETRY.contended_transaction.attempts)).toBe(true);
    expect((await fauna.customers()).filter((c) => c.sub === sub)).toHaveLength(1);
  });

  it("when Fauna's own retries run out (forced 409 on eight sign-ins' first attempts), the handler's retry saves every one", async () => {
    // Arrange
    const sub = subOf(100);
    const group = await containers(16, sub, 'forced@example.com');
    fauna.forceContention({ count: 8, keyId: fauna.triggerKeyId });

    // Act
    const { figures } = await burst(group, sub, 'forced@example.com');
    fauna.clearForcedContention();
    report('16 devices, 8 forced 409s', figures);

    // Assert
    expect(figures.refused).toBe(0);
    expect(figures.handlerRetries.contended_transaction ?? 0).toBeGreaterThanOrEqual(8);
    expect(figures.handlerRetries.contended_transaction).toBe(figures.contended);
    expect(figures.attempts).toBe(16 + figures.contended);
  });

  it('a sign-in no retry can save (every attempt forced to 409) fails on its 409 after the rule\'s attempts, within the answer budget', async () => {
    // Arrange
    const sub = subOf(200);
    const [service] = await containers(1, sub, 'hopeless@example.com');
    const before = fauna.contentionCounts();
    fauna.forceContention({ fraction: 1, keyId: fauna.triggerKeyId });

    // Act
    const started = performance.now();
    const outcome = await service!.invoke(signInEvent(sub, 'hopeless@example.com')).then(
      () => new Error('the sign-in was granted'),
      (error: unknown) => error as Error,
    );
    const elapsed = performance.now() - started;
    fauna.clearForcedContention();

    // Assert
    expect(outcome.name).toBe('SignInRejectedError');
    expect((outcome.cause as Error).name).toBe('ConcurrentSignInError');
    expect(fauna.contentionCounts().forced - before.forced).toBe(CONCURRENT_SIGN_IN_RETRY.contended_transaction.attempts);
    expect(service!.logs.records(RETRY_LOG)).toHaveLength(CONCURRENT_SIGN_IN_RETRY.contended_transaction.attempts - 1);
    expect(elapsed).toBeLessThan(ANSWER_BUDGET_MS);
  });
});
