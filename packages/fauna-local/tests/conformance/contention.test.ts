/**
 * Conformance: optimistic, serialisable transactions. Two read-modify-write transactions on one document conflict;
 * the core retries the loser on a fresh snapshot up to `x-max-contention-retries` times (default 4: five attempts) and
 * otherwise answers 409 `contended_transaction`, which the driver raises as `ContendedTransactionError`. Transactions on
 * different documents, and read-only ones, never conflict.
 *
 * Restates https://github.com/fauna/faunadb/blob/HEAD/ext/repo/src/main/scala/query/Query.scala (the retry loop),
 * https://github.com/fauna/faunadb/blob/HEAD/ext/api/src/main/scala/api/CoreApplication.scala (header value + 1 attempts)
 * and https://github.com/fauna/faunadb/blob/HEAD/ext/api/src/main/scala/api/fql2/FQL2Endpoint.scala (the messages).
 * Locally the suite runs the local Fauna in contention mode with a 100 ms in-flight window, so that requests sent
 * together really overlap; against a real Fauna, overlap is up to its own timing, so the exact retry counts are only
 * asserted locally (the effects are asserted everywhere).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ContendedTransactionError, fql, type Client, type QueryOptions, type QuerySuccess } from 'fauna';
import { failureOf, pushIdentitySchema, startTarget, type ConformanceTarget } from './helpers/target.ts';

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startTarget({ contention: { windowMs: 100, retryDelayMaxMs: 20 } });
  await pushIdentitySchema(target);
});
afterAll(() => target.close());

async function newCounter(client: Client): Promise<string> {
  return (await client.query<string>(fql`Note.create({ n: 0 }).id`)).data;
}

/** A read-modify-write: reads the counter, writes it back plus one (Fauna has no atomic increment). */
function increment(client: Client, id: string, options?: QueryOptions): Promise<QuerySuccess<number>> {
  return client.query<number>(fql`let note = Note.byId(${id})!; note.update({ n: note.n + 1 }).n`, options);
}

async function counterValue(client: Client, id: string): Promise<number> {
  return (await client.query<number>(fql`Note.byId(${id})!.n`)).data;
}

describe('two read-modify-write transactions on one document, sent together', () => {
  it('both take effect (serialisable): the loser is retried on a fresh snapshot, contention_retries counts it', async () => {
    const client = target.client();
    const id = await newCounter(client);

    const results = await Promise.all([increment(client, id), increment(target.client(), id)]);

    expect(results.map((r) => r.data).sort()).toEqual([1, 2]);
    expect(await counterValue(client, id)).toBe(2);
    const retries = results.map((r) => r.stats!.contention_retries);
    if (target.kind === 'local') expect(retries.sort()).toEqual([0, 1]);
  });

  it('with x-max-contention-retries: 0 the loser answers 409 contended_transaction naming the document, and writes nothing', async () => {
    const client = target.client();
    const id = await newCounter(client);

    const outcomes = await Promise.allSettled([increment(client, id, { max_contention_retries: 0 }), increment(target.client(), id, { max_contention_retries: 0 })]);

    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    if (target.kind === 'local') {
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
    }
    for (const error of lost) {
      expect(error).toBeInstanceOf(ContendedTransactionError);
      const failure = error as ContendedTransactionError;
      expect(failure.httpStatus).toBe(409);
      expect(failure.code).toBe('contended_transaction');
      expect(failure.message).toBe(`Transaction was aborted due to detection of concurrent modifications to Note(${id}).`);
    }
    expect(await counterValue(client, id)).toBe(won.length);
  });

  it('six at once with x-max-contention-retries: 7 all take effect, one commit per round', async () => {
    const client = target.client();
    const id = await newCounter(client);
    const clients = Array.from({ length: 6 }, () => target.client());

    const results = await Promise.all(clients.map((c) => increment(c, id, { max_contention_retries: 7 })));

    expect(results.map((r) => r.data).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await counterValue(client, id)).toBe(6);
    // Locally every loser is retried at least once (all six overlap in the first round).
    if (target.kind === 'local') expect(results.filter((r) => r.stats!.contention_retries >= 1)).toHaveLength(5);
  });
});

describe('transactions that do not overlap in what they read and write', () => {
  it('read-modify-writes of different documents never conflict, even with no retries allowed', async () => {
    const client = target.client();
    const ids = await Promise.all(Array.from({ length: 8 }, () => newCounter(client)));

    const results = await Promise.all(ids.map((id) => increment(target.client(), id, { max_contention_retries: 0 })));

    expect(results.map((r) => r.data)).toEqual(ids.map(() => 1));
    expect(results.map((r) => r.stats!.contention_retries)).toEqual(ids.map(() => 0));
  });

  it('creates in one collection never conflict (nobody read its membership)', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => target.client().query(fql`Note.create({ batch: ${i} }).id`, { max_contention_retries: 0 })));

    expect(new Set(results.map((r) => r.data)).size).toBe(8);
    expect(results.map((r) => r.stats!.contention_retries)).toEqual(results.map(() => 0));
  });

  it('a read-only query never contends, even while a write to what it reads is in flight', async () => {
    const client = target.client();
    const id = await newCounter(client);

    const [written, read] = await Promise.all([increment(client, id), target.client().query<number>(fql`Note.byId(${id})!.n`, { max_contention_retries: 0 })]);

    expect(written.data).toBe(1);
    // The read saw a snapshot: before the write committed (0) or after it (1), never an error.
    expect([0, 1]).toContain(read.data);
    expect(read.stats!.contention_retries).toBe(0);
  });

  // Restates https://github.com/fauna/faunadb/blob/HEAD/ext/api/src/test/scala/fql2/FQL2ProtocolSpec.scala:
  // "x-max-contention-retries" (-3 refused, 2 accepted).
  it('restates FQL2ProtocolSpec x-max-contention-retries: -3 is refused before the query runs, 2 is accepted', async () => {
    const failure = await failureOf(target.client().query(fql`1`, { max_contention_retries: -3 }));
    const accepted = await target.client().query<number>(fql`1`, { max_contention_retries: 2 });

    expect(failure.code).toBe('invalid_request');
    expect(failure.message).toBe("Invalid header 'x-max-contention-retries': Must be between 0 and 7.");
    expect(accepted.data).toBe(1);
  });
});

describe('an index read against a concurrent write to the same index term', () => {
  it('conflicts: reading Customer.byEmail(e) and creating a Customer with e cannot both commit unchanged', async () => {
    const client = target.client();
    const email = `contended-${Date.now()}@example.com`;
    const note = await newCounter(client);

    // The writer goes first and commits first; the reader starts while the writer is still in flight (its snapshot
    // has no such customer), counts the customers with the email and records the count (a read-write transaction).
    const writer = target.client().query(fql`Customer.create({ email: ${email}, sub: ${email} }).id`, { max_contention_retries: 0 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const reader = target.client().query<number>(fql`let c = Customer.byEmail(${email}).count(); Note.byId(${note})!.update({ n: c }).n`, { max_contention_retries: 0 });
    const [read, written] = await Promise.allSettled([reader, writer]);

    expect(written.status).toBe('fulfilled');
    if (target.kind === 'local') {
      expect(read.status).toBe('rejected');
      const error = (read as PromiseRejectedResult).reason as ContendedTransactionError;
      expect(error).toBeInstanceOf(ContendedTransactionError);
      expect(error.message).toBe('Transaction was aborted due to detection of concurrent modification.');
      expect(await counterValue(client, note)).toBe(0);
    }
  });
});
