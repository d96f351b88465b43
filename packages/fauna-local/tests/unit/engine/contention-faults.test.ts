/**
 * The contention fault switch (local Fauna only: a real Fauna has no such switch), through the real `fauna` driver:
 * forced 409 `contended_transaction` for the next N read-write queries or a fraction of them, optionally only in one
 * database or for one key; forced queries write nothing, read-only queries are never forced. It works with contention
 * mode off (the serial engine) and on.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, ContendedTransactionError, fql } from 'fauna';
import { startLocalFauna, type LocalFauna } from '../../../src/index.ts';
import { IDENTITY_FIXTURE } from '../../helpers/identity-fixture.ts';

async function pushFixture(fauna: LocalFauna): Promise<void> {
  const form = new FormData();
  for (const [name, content] of Object.entries(IDENTITY_FIXTURE)) form.set(name, new Blob([content]));
  const response = await fetch(`${fauna.url}/schema/1/update?force=true`, { method: 'POST', headers: { authorization: `Bearer ${fauna.rootSecret}` }, body: form });
  if (response.status !== 200) throw new Error(`schema push failed: ${response.status}`);
}

describe.each([
  ['contention mode off', undefined],
  ['contention mode on', { windowMs: 5, retryDelayMaxMs: 5 }],
] as const)('the fault switch (%s)', (_mode, contention) => {
  let fauna: LocalFauna;
  let client: Client;

  beforeAll(async () => {
    fauna = await startLocalFauna({ port: 0, ...(contention === undefined ? {} : { contention }) });
    await pushFixture(fauna);
    client = new Client({ endpoint: new URL(fauna.url), secret: fauna.rootSecret });
  });
  afterAll(async () => {
    client.close();
    await fauna.stop();
  });

  const notes = async () => (await client.query<number>(fql`Note.all().count()`)).data;

  it('count: the next N read-write queries answer 409 and write nothing; read-only queries pass; then writes work again', async () => {
    const before = await notes();
    fauna.forceContention({ count: 2 });

    const forced = await Promise.allSettled([client.query(fql`Note.create({ forced: 1 })`), client.query(fql`Note.create({ forced: 2 })`)]);
    const read = await client.query(fql`Note.all().count()`);
    const after = await client.query(fql`Note.create({ forced: false }).id`);

    for (const outcome of forced) {
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as ContendedTransactionError;
      expect(error).toBeInstanceOf(ContendedTransactionError);
      expect(error.httpStatus).toBe(409);
      expect(error.message).toBe('Transaction was aborted due to detection of concurrent modification.');
    }
    expect(read.data).toBe(before);
    expect(typeof after.data).toBe('string');
    expect(await notes()).toBe(before + 1);
    expect(fauna.contentionCounts()).toMatchObject({ forced: 2 });
  });

  it('database: only queries in that database are forced', async () => {
    await client.query(fql`Database.create({ name: ${`faulty${contention ? 'on' : 'off'}`} })`);
    const child = new Client({ endpoint: new URL(fauna.url), secret: `${fauna.rootSecret}:faulty${contention ? 'on' : 'off'}:admin` });
    try {
      fauna.forceContention({ count: 1, database: `faulty${contention ? 'on' : 'off'}` });

      const root = await client.query(fql`Note.create({ root: true }).id`);
      const forced = await child.query(fql`Key.create({ role: "server", data: { forced: true } })`).then(() => 'ok', (error: unknown) => error);

      expect(typeof root.data).toBe('string');
      expect(forced).toBeInstanceOf(ContendedTransactionError);
      expect((await child.query(fql`Key.all().count()`)).data).toBe(0);
    } finally {
      child.close();
      fauna.clearForcedContention();
    }
  });

  it('keyId: only queries authenticated with that key are forced', async () => {
    const { data: key } = await client.query<{ id: string; secret: string }>(fql`let k = Key.create({ role: "server" }); { id: k.id, secret: k.secret }`);
    const keyed = new Client({ endpoint: new URL(fauna.url), secret: key.secret });
    try {
      fauna.forceContention({ count: 1, keyId: key.id });

      const asRoot = await client.query(fql`Note.create({ by: "root" }).id`);
      const asKey = await keyed.query(fql`Note.create({ by: "key" })`).then(() => 'ok', (error: unknown) => error);
      const again = await keyed.query(fql`Note.create({ by: "key" }).id`);

      expect(typeof asRoot.data).toBe('string');
      expect(asKey).toBeInstanceOf(ContendedTransactionError);
      expect(typeof again.data).toBe('string');
    } finally {
      keyed.close();
    }
  });

  it('fraction: about that share of read-write queries is forced (seeded, so the same run gives the same share)', async () => {
    fauna.forceContention({ fraction: 0.5 });
    try {
      const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => client.query(fql`Note.create({ share: ${i} })`)));
      const refused = outcomes.filter((o) => o.status === 'rejected');

      for (const outcome of refused) expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(ContendedTransactionError);
      expect(refused.length).toBeGreaterThan(5);
      expect(refused.length).toBeLessThan(35);
    } finally {
      fauna.clearForcedContention();
    }
  });

  it('a 409 is a protocol error on the wire: {"error":{"code","message"}} and the query tags, no summary, txn_ts or stats', async () => {
    fauna.forceContention({ count: 1 });

    const response = await fetch(`${fauna.url}/query/1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fauna.rootSecret}`, 'x-query-tags': 'case=wire' },
      body: JSON.stringify({ query: 'Note.create({ wire: true })' }),
    });

    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: { code: 'contended_transaction', message: 'Transaction was aborted due to detection of concurrent modification.' },
      query_tags: 'case=wire',
    });
  });

  it('refuses a rule that is not usable, naming the field', () => {
    expect(() => fauna.forceContention({})).toThrow(/exactly one of count .* or fraction/);
    expect(() => fauna.forceContention({ count: 0 })).toThrow(/count must be a whole number of queries, 1 or more \(got 0\)/);
    expect(() => fauna.forceContention({ fraction: 1.5 })).toThrow(/fraction must be above 0 and at most 1 \(got 1.5\)/);
  });
});
