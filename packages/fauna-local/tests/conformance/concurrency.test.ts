/**
 * Conformance: concurrent clients. Unique constraints hold under concurrent creates (exactly one wins, the others
 * get ConstraintFailureError), txn_ts only grows, and x-last-txn-ts is honoured as a lower bound.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConstraintFailureError, fql } from 'fauna';
import { TRANSPORTS, pushIdentitySchema, startTarget, uniqueEmail, type ConformanceTarget } from './helpers/target.ts';

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startTarget();
  await pushIdentitySchema(target);
});
afterAll(() => target.close());

describe.each([2, 50])('%i concurrent creates of the same unique email', (count) => {
  it.each(TRANSPORTS)('let exactly one win over %s; the others get ConstraintFailureError', async (transport) => {
    const email = uniqueEmail(`race${count}`);
    // Separate clients, as separate Lambda containers would be.
    const clients = Array.from({ length: count }, () => target.client({ transport }));

    const outcomes = await Promise.allSettled(clients.map((client, i) => client.query(fql`Customer.create({ email: ${email}, sub: ${`${email}-${i}`} })`)));
    const { data: stored } = await target.client().query(fql`Customer.byEmail(${email}).count()`);

    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(count - 1);
    for (const loser of losers) expect(loser).toBeInstanceOf(ConstraintFailureError);
    expect(stored).toBe(1);
  });
});

describe('transaction timestamps', () => {
  it('only grow across many writes and reads from concurrent clients', async () => {
    const clients = Array.from({ length: 4 }, (_, i) => target.client({ transport: TRANSPORTS[i % 2]! }));
    const stamps: number[] = [];

    for (let round = 0; round < 10; round += 1) {
      const results = await Promise.all(clients.map((client) => client.query(fql`Note.create({ round: ${round} })`)));
      stamps.push(Math.min(...results.map((r) => r.txn_ts!)));
      const distinct = new Set(results.map((r) => r.txn_ts));
      expect(distinct.size).toBe(results.length);
    }

    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
  });

  it('honours x-last-txn-ts: the answer is at least as recent as the timestamp the client saw', async () => {
    const client = target.client();
    const { txn_ts: seen } = await client.query(fql`Note.create({ seen: true })`);
    const ahead = seen! + 2_000_000;
    client.lastTxnTs = ahead;

    const { txn_ts: next } = await client.query(fql`Note.create({ after: true })`);

    expect(next).toBeGreaterThanOrEqual(ahead);
  });

  it('keeps the client-side lastTxnTs at the highest txn_ts seen', async () => {
    const client = target.client();

    const first = await client.query(fql`Note.create({})`);
    const second = await client.query(fql`Note.create({})`);

    expect(second.txn_ts!).toBeGreaterThan(first.txn_ts!);
    expect(client.lastTxnTs).toBe(second.txn_ts);
  });
});
