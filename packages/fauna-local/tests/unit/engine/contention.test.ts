/**
 * Contention mode's engine rules beyond the conformance suite (local Fauna only), through the real `fauna` driver and
 * the schema API: a schema change while a transaction is in flight conflicts with it (the core's schema message, and a
 * retry at once), a deadline that passes while in flight writes nothing (440), and a synchronous `engine.query()`
 * write conflicts with transactions in flight. Restates the rules of
 * https://github.com/fauna/faunadb/blob/HEAD/ext/repo/src/main/scala/query/Query.scala and the schema message of
 * https://github.com/fauna/faunadb/blob/HEAD/ext/api/src/main/scala/api/fql2/FQL2Endpoint.scala.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, ContendedTransactionError, QueryTimeoutError, fql } from 'fauna';
import { startLocalFauna, type LocalFauna } from '../../../src/index.ts';

const WINDOW_MS = 150;

async function push(fauna: LocalFauna, fsl: string): Promise<void> {
  const form = new FormData();
  form.set('main.fsl', new Blob([fsl]));
  const response = await fetch(`${fauna.url}/schema/1/update?force=true`, { method: 'POST', headers: { authorization: `Bearer ${fauna.rootSecret}` }, body: form });
  if (response.status !== 200) throw new Error(`schema push failed: ${response.status} ${await response.text()}`);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`contention mode (${WINDOW_MS} ms in flight)`, () => {
  let fauna: LocalFauna;
  let client: Client;

  beforeAll(async () => {
    fauna = await startLocalFauna({ port: 0, contention: { windowMs: WINDOW_MS, retryDelayMaxMs: 10 } });
    await push(fauna, 'collection Note { *: Any }');
    client = new Client({ endpoint: new URL(fauna.url), secret: fauna.rootSecret });
  });
  afterAll(async () => {
    client.close();
    await fauna.stop();
  });

  it('a schema push while a write is in flight: 409 "concurrent modifications to schema" without retries, committed after a retry with them', async () => {
    const refused = client.query(fql`Note.create({ during: "push" })`, { max_contention_retries: 0 }).then(() => 'committed', (error: unknown) => error);
    const retried = client.query(fql`Note.create({ during: "push", retried: true }).retried`);
    await pause(30);
    await push(fauna, 'collection Note { *: Any }\ncollection Other {}');

    const error = (await refused) as ContendedTransactionError;
    expect(error).toBeInstanceOf(ContendedTransactionError);
    expect(error.message).toBe('Transaction was aborted due to detection of concurrent modifications to schema.');
    const success = await retried;
    expect(success.data).toBe(true);
    expect(success.stats!.contention_retries).toBe(1);
    expect((await client.query<number>(fql`Note.where(.during == "push").count()`)).data).toBe(1);
  });

  it('a deadline that passes while the transaction is in flight: 440 time_out, nothing written', async () => {
    const error = await client.query(fql`Note.create({ late: true })`, { query_timeout_ms: WINDOW_MS / 3 }).then(() => null, (e: unknown) => e);

    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect((await client.query<number>(fql`Note.where(.late == true).count()`)).data).toBe(0);
  });

  it('no lost update: 30 read-modify-writes over 3 counters at once, each counter ends at the number of increments that succeeded', async () => {
    const ids = await Promise.all([0, 1, 2].map(async () => (await client.query<string>(fql`Note.create({ n: 0 }).id`)).data));
    const clients = Array.from({ length: 6 }, () => new Client({ endpoint: new URL(fauna.url), secret: fauna.rootSecret }));
    try {
      const targets = Array.from({ length: 30 }, (_, i) => ids[i % 3]!);
      const outcomes = await Promise.allSettled(
        targets.map((id, i) => clients[i % clients.length]!.query(fql`let n = Note.byId(${id})!; n.update({ n: n.n + 1 }).n`, { max_contention_retries: i % 2 === 0 ? 1 : 7 })),
      );

      for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ContendedTransactionError);
      for (const id of ids) {
        const succeeded = outcomes.filter((o, i) => targets[i] === id && o.status === 'fulfilled').length;
        expect((await client.query<number>(fql`Note.byId(${id})!.n`)).data).toBe(succeeded);
      }
      // Each counter's successful increments saw distinct values 1..k: they ran one after the other.
      for (const id of ids) {
        const seen = outcomes.flatMap((o, i) => (targets[i] === id && o.status === 'fulfilled' ? [o.value.data as number] : [])).sort((a, b) => a - b);
        expect(seen).toEqual(seen.map((_, k) => k + 1));
      }
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('contentionCounts() counts commits through the window and retries; a retried query\'s stats count every attempt\'s reads', async () => {
    const before = fauna.contentionCounts();
    const id = (await client.query<string>(fql`Note.create({ n: 0 }).id`)).data;
    const bump = () => client.query(fql`let n = Note.byId(${id})!; n.update({ n: n.n + 1 })`);

    const [first, second] = await Promise.all([bump(), bump()]);

    const after = fauna.contentionCounts();
    expect(after.committed - before.committed).toBe(3);
    expect(after.retries - before.retries).toBe(1);
    expect(after.aborted - before.aborted).toBe(0);
    const [won, retried] = first.stats!.contention_retries === 0 ? [first, second] : [second, first];
    expect(retried.stats!.contention_retries).toBe(1);
    expect(retried.stats!.read_ops).toBeGreaterThan(won.stats!.read_ops);
  });
});
