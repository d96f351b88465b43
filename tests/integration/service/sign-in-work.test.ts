/**
 * Fauna work per sign-in, through the real handler (Middy chain included) and the real `fauna` driver against the local
 * Fauna, whose `stats` follow the core's counting rules (packages/fauna-local/PROTOCOL.md §13). The driver's own HTTP client is
 * wrapped only to read each answer's `stats` (nothing is changed or stubbed in Fauna's path); SSM is stubbed with
 * aws-sdk-client-mock, as in every handler suite.
 *
 * The figures follow from the rules and from what `signIn` (fauna/functions.fsl) and `trimTokens` (fauna/tokens.fsl)
 * read and write; docs/reliability.md, "Fauna work per sign-in", explains each one. None depends on how many live
 * tokens the identity holds (issue 22): trimTokens takes the oldest tokens from the tokens index's own order (document
 * id, which begins with the creation time), so it reads the index page, never each token:
 * - first sign-in (new identity): reads bySub (1 index page) + byEmail (1) + the identity's tokens (1) = 3 read ops;
 *   writes the identity and its token = 2 write ops;
 * - steady state (identity with k live tokens, groups and attributes unchanged): bySub (1) + the identity document (1)
 *   + the tokens index (1) = 3 read ops, whatever k; writes the new token = 1 write op (the identity is not written);
 * - at the cap (k = MAX_TOKENS_PER_IDENTITY): the same 3 + the oldest token, read to delete it (1) = 4 read ops;
 *   deletes the oldest token and writes the new one = 2 write ops;
 * - a sign-in whose groups or attributes changed also writes the identity: one more write op.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, type HTTPClient } from 'fauna';
import { DEFAULT_MAX_TOKENS_PER_IDENTITY } from '../../../lib/common/config.ts';
import { type LocalFauna, startFauna, triggerKey } from '../../helpers/local-fauna.ts';
import { holdSecret, idTokenClaims, SERVED_POOL_ID, type ServiceUnderTest, signInEvent, startService, stubSsm } from '../../helpers/service.ts';

const PARAMETER = '/cognito-fauna/dev/fauna-secret';
/** A small cap, so the test reaches it in a few sign-ins. */
const MAX_TOKENS = 4;

interface Stats {
  read_ops: number;
  write_ops: number;
  compute_ops: number;
  storage_bytes_read: number;
  storage_bytes_write: number;
  contention_retries: number;
}

const ssm = stubSsm();
let fauna: LocalFauna;
let service: ServiceUnderTest;
/** The `stats` of every query answer the handler's driver received, in order. */
const answers: Stats[] = [];

/** The driver's HTTP client, passed through; each answer's `stats` is copied out. */
function recording(inner: HTTPClient): HTTPClient {
  return {
    async request(request) {
      const response = await inner.request(request);
      const body = JSON.parse(response.body) as { stats?: Stats };
      if (body.stats) answers.push(body.stats);
      return response;
    },
    close: () => inner.close(),
  };
}

/** Signs `sub` in through the handler and returns the stats of the one Fauna query it made. */
async function signInWork(sub: string, email: string): Promise<Stats> {
  const before = answers.length;
  const claims = idTokenClaims(await service.invoke(signInEvent(sub, email, 'pretoken-refresh.json')));
  expect(typeof claims.fauna_token_secret).toBe('string');
  expect(answers.length - before).toBe(1);
  return answers[answers.length - 1]!;
}

/** The byte figures agree with the op figures: ops are at least the bytes' share (and bytes exist where ops do). */
function expectBytesConsistent(stats: Stats): void {
  expect(stats.read_ops).toBeGreaterThanOrEqual(Math.ceil(stats.storage_bytes_read / 4096));
  expect(stats.write_ops).toBeGreaterThanOrEqual(Math.ceil(stats.storage_bytes_write / 1024));
  expect(stats.storage_bytes_write).toBeGreaterThan(0);
}

beforeAll(async () => {
  fauna = await startFauna();
  holdSecret(ssm, PARAMETER, (await triggerKey(fauna)).secret);
  service = startService(
    { STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: PARAMETER, USER_POOL_IDS: SERVED_POOL_ID, MAX_TOKENS_PER_IDENTITY: String(MAX_TOKENS) },
    { createFaunaClient: (configuration, httpClient) => new Client(configuration, recording(httpClient)) },
  );
});

afterAll(async () => {
  service.dispose();
  ssm.restore();
  await fauna.stop();
});

describe('Fauna work per sign-in, counted by the core rules (local Fauna; SSM stubbed with aws-sdk-client-mock)', () => {
  it('first sign-in: 3 read ops (two empty index pages, the empty token index), 2 write ops (identity, token)', async () => {
    const stats = await signInWork('5d0a0000-0000-4000-8000-000000000001', 'work.first@example.com');

    expect(stats.read_ops).toBe(3);
    expect(stats.write_ops).toBe(2);
    expect(stats.contention_retries).toBe(0);
    expectBytesConsistent(stats);
  });

  it('steady state: 3 read ops whatever the number k of live tokens, 1 write op (the new token), up to the cap', async () => {
    const sub = '5d0a0000-0000-4000-8000-000000000002';
    const email = 'work.steady@example.com';
    await signInWork(sub, email); // creates the identity and its first token

    const reads: number[] = [];
    const writes: number[] = [];
    for (let k = 1; k < MAX_TOKENS; k++) {
      const stats = await signInWork(sub, email);
      reads.push(stats.read_ops);
      writes.push(stats.write_ops);
      expectBytesConsistent(stats);
    }

    expect(reads).toEqual([3, 3, 3]); // k = 1, 2, 3
    expect(writes).toEqual([1, 1, 1]);
  });

  it('at the cap: 4 read ops (the oldest token read to delete it), 2 write ops (it deleted, the new one written), every time', async () => {
    const sub = '5d0a0000-0000-4000-8000-000000000003';
    const email = 'work.cap@example.com';
    for (let i = 0; i < MAX_TOKENS; i++) await signInWork(sub, email);

    const atCap = [await signInWork(sub, email), await signInWork(sub, email)];

    expect(atCap.map((s) => s.read_ops)).toEqual([4, 4]);
    expect(atCap.map((s) => s.write_ops)).toEqual([2, 2]);
    for (const stats of atCap) expectBytesConsistent(stats);
  });

  it('with the default cap (DEFAULT_MAX_TOKENS_PER_IDENTITY = 10): the same 4 read ops and 2 write ops at the cap', async () => {
    const defaults = startService(
      { STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: PARAMETER, USER_POOL_IDS: SERVED_POOL_ID },
      { createFaunaClient: (configuration, httpClient) => new Client(configuration, recording(httpClient)) },
    );
    try {
      const event = signInEvent('5d0a0000-0000-4000-8000-000000000005', 'work.default@example.com', 'pretoken-refresh.json');
      for (let i = 0; i < DEFAULT_MAX_TOKENS_PER_IDENTITY; i++) idTokenClaims(await defaults.invoke(event));
      const before = answers.length;
      idTokenClaims(await defaults.invoke(event));

      expect(answers.length - before).toBe(1);
      expect(answers[answers.length - 1]).toMatchObject({ read_ops: 4, write_ops: 2 });
    } finally {
      defaults.dispose();
    }
  });

  it('groups and attributes: the identity is written only at a sign-in where they changed (one more write op)', async () => {
    const sub = '5d0a0000-0000-4000-8000-000000000006';
    const event = (groups: string[]) => {
      const e = signInEvent(sub, 'work.groups@example.com', 'pretoken-refresh.json');
      e.request.groupConfiguration = { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: null };
      return e;
    };
    const work = async (groups: string[]) => {
      const before = answers.length;
      idTokenClaims(await service.invoke(event(groups)));
      expect(answers.length - before).toBe(1);
      return answers[answers.length - 1]!;
    };

    const first = await work(['catalog-editors']);
    const same = await work(['catalog-editors']);
    const changed = await work(['catalog-editors', 'tenant-admins']);
    const sameAgain = await work(['catalog-editors', 'tenant-admins']);

    expect([first, same, changed, sameAgain].map((s) => [s.read_ops, s.write_ops])).toEqual([[3, 2], [3, 1], [3, 2], [3, 1]]);
  });

  it('compute: one op per 50 method calls and applications, so a sign-in stays at a few ops at any cap', async () => {
    const sub = '5d0a0000-0000-4000-8000-000000000004';
    const first = await signInWork(sub, 'work.compute@example.com');
    let last = first;
    for (let i = 0; i < MAX_TOKENS + 1; i++) last = await signInWork(sub, 'work.compute@example.com');

    // signIn's argument checks and branches are about 60 calls; ordering k tokens adds about 2 applications each.
    expect(first.compute_ops).toBeGreaterThanOrEqual(1);
    expect(first.compute_ops).toBeLessThanOrEqual(3);
    expect(last.compute_ops - first.compute_ops).toBeLessThanOrEqual(Math.ceil((3 * MAX_TOKENS) / 50));
  });
});
