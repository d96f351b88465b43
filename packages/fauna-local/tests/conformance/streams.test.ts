/**
 * Conformance: event streams (`POST /stream/1`) through the real driver's `client.stream()`, on both transports.
 * Tokens from `Set.eventSource()` / `eventsOn()`, the start event (the driver shows it as `status`), add / update /
 * remove with the set's `where` and `map` applied per version, index sources, cursor resumption, the error events of
 * an `abort()` or a runtime failure inside the source's query, and the per-event read check: a customer token's
 * stream carries its own identity's changes and never another's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AbortError, Document, QueryRuntimeError, ServiceError, StreamToken, fql } from 'fauna';
import type { Client } from 'fauna';
import { IDENTITY_SCHEMA, TRANSPORTS, startTarget, uniqueEmail, type ConformanceTarget } from './helpers/target.ts';
import { eventsWithin, nextEvents, streamFailure, type StreamEvent } from './helpers/events.ts';

let target: ConformanceTarget;

/** A collection with an index, so each test watches its own group of documents. */
export const STREAM_ITEM_FSL = `collection StreamItem {
  index byGroup {
    terms [.group]
  }
}`;

beforeAll(async () => {
  target = await startTarget();
  // The identity schema (Customer, the customer role, signIn) and a collection of this suite's own, in one push.
  const pushed = await target.pushSchema({ ...IDENTITY_SCHEMA, 'streams.fsl': STREAM_ITEM_FSL });
  if (pushed.status !== 200) throw new Error(`schema push failed: ${pushed.status} ${JSON.stringify(pushed.body)}`);
}, 30_000);
afterAll(() => target.close());

type Item = { value: number; group?: string; note?: string };

async function tokenOf(client: Client, query: ReturnType<typeof fql>, typecheck = true): Promise<StreamToken> {
  return (await client.query<StreamToken>(query, { typecheck })).data;
}

function dataOf(events: StreamEvent<Item>[]): { type: string; value?: number }[] {
  return events.map((e) => (e.type === 'status' ? { type: e.type } : { type: e.type, value: (e.data as Item).value }));
}

describe.each(TRANSPORTS)('event streams over %s', (transport) => {
  it('opens with a start event (status in the driver) carrying txn_ts and a cursor', async () => {
    const client = target.client({ transport });
    const token = await tokenOf(client, fql`StreamItem.all().eventSource()`);

    const [first] = await nextEvents(client.stream(token, { status_events: true }), 1);

    expect(first!.type).toBe('status');
    expect(typeof first!.txn_ts).toBe('number');
    expect(typeof first!.cursor).toBe('string');
  });

  it('delivers add, update and remove for a document of the set, with the document as data', async () => {
    const client = target.client({ transport });
    const group = `g-${transport}-crud`;
    const token = await tokenOf(client, fql`StreamItem.byGroup(${group}).eventSource()`);
    const created = await client.query<Document>(fql`StreamItem.create({ value: 1, group: ${group} })`);
    await client.query(fql`StreamItem.byId(${created.data.id})!.update({ value: 2 })`);
    await client.query(fql`StreamItem.byId(${created.data.id})!.delete()`);

    const events = await nextEvents<Item>(client.stream(token), 3);

    expect(dataOf(events)).toEqual([{ type: 'add', value: 1 }, { type: 'update', value: 2 }, { type: 'remove', value: 2 }]);
    expect(events[0]!.type === 'add' && events[0]!.data).toBeInstanceOf(Document);
    expect(events.every((e) => e.type !== 'status' && e.txn_ts > 0 && typeof e.cursor === 'string')).toBe(true);
  });

  it("applies the source's where and map per version: entering is an add, leaving a remove, others never show", async () => {
    const client = target.client({ transport });
    const group = `g-${transport}-where`;
    const token = await tokenOf(client, fql`StreamItem.byGroup(${group}).where(.value > 10).map(.value).eventSource()`);
    const doc = await client.query<Document>(fql`StreamItem.create({ value: 5, group: ${group} })`);
    await client.query(fql`StreamItem.create({ value: 1, group: ${group} })`);
    await client.query(fql`StreamItem.byId(${doc.data.id})!.update({ value: 20 })`);
    await client.query(fql`StreamItem.byId(${doc.data.id})!.update({ value: 30 })`);
    await client.query(fql`StreamItem.byId(${doc.data.id})!.update({ value: 3 })`);

    const events = await nextEvents<number>(client.stream(token), 3);

    expect(events.map((e) => [e.type, e.type === 'status' ? null : e.data])).toEqual([['add', 20], ['update', 30], ['remove', 30]]);
  });

  it('eventsOn(.field) delivers only the updates that change that field', async () => {
    const client = target.client({ transport });
    const group = `g-${transport}-on`;
    const token = await tokenOf(client, fql`StreamItem.byGroup(${group}).eventsOn(.value)`);
    const doc = await client.query<Document>(fql`StreamItem.create({ value: 1, group: ${group} })`);
    await client.query(fql`StreamItem.byId(${doc.data.id})!.update({ note: "not watched" })`);
    await client.query(fql`StreamItem.byId(${doc.data.id})!.update({ value: 2 })`);

    const events = await nextEvents<Item>(client.stream(token), 2);

    expect(dataOf(events)).toEqual([{ type: 'add', value: 1 }, { type: 'update', value: 2 }]);
  });

  it("resumes after an event's cursor with the events after it", async () => {
    const client = target.client({ transport });
    const group = `g-${transport}-cursor`;
    const token = await tokenOf(client, fql`StreamItem.byGroup(${group}).eventSource()`);
    await client.query(fql`StreamItem.create({ value: 0, group: ${group} })`);
    await client.query(fql`StreamItem.create({ value: 1, group: ${group} })`);
    const [first] = await nextEvents<Item>(client.stream(token), 1);

    const [resumed] = await nextEvents<Item>(client.stream(token, { cursor: first!.cursor }), 1);

    expect(dataOf([first!, resumed!])).toEqual([{ type: 'add', value: 0 }, { type: 'add', value: 1 }]);
  });

  it('ends with AbortError carrying the abort value when the source aborts on an event', async () => {
    const client = target.client({ transport });
    const group = `g-${transport}-abort`;
    const token = await tokenOf(client, fql`StreamItem.byGroup(${group}).map((doc) => abort({ reason: "oops" })).eventSource()`);
    await client.query(fql`StreamItem.create({ value: 1, group: ${group} })`);

    const failure = await streamFailure(client.stream(token));

    expect(failure).toBeInstanceOf(AbortError);
    expect((failure as AbortError).abort).toEqual({ reason: 'oops' });
    expect((failure as AbortError).httpStatus).toBeUndefined();
  });

  it('ends with QueryRuntimeError when the source fails at run time on an event (untyped query)', async () => {
    const client = target.client({ transport });
    const group = `g-${transport}-runtime`;
    const token = await tokenOf(client, fql`StreamItem.byGroup(${group}).map((doc) => notARealFn(doc)).eventSource()`, false);
    await client.query(fql`StreamItem.create({ value: 1, group: ${group} })`);

    const failure = await streamFailure(client.stream(token));

    expect(failure).toBeInstanceOf(QueryRuntimeError);
    expect((failure as ServiceError).code).toBe('unbound_variable');
  });

  it('refuses a set that cannot be streamed (reversed) before any token exists', async () => {
    const client = target.client({ transport });

    const failure = await client.query(fql`StreamItem.all().reverse().eventSource()`).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(QueryRuntimeError);
    expect((failure as ServiceError).code).toBe('invalid_receiver');
  });
});

describe.each(TRANSPORTS)("a customer token's stream over %s (per-event read checks)", (transport) => {
  async function signIn(): Promise<{ userId: string; secret: string }> {
    const email = uniqueEmail('stream');
    const { data } = await target.client().query<{ userId: string; secret: string }>(fql`signIn(${`sub-${email}`}, ${email}, 3600, {})`);
    return data;
  }

  it("carries its own identity's changes and never another identity's", async () => {
    const me = await signIn();
    const other = await signIn();
    const mine = target.client({ transport, secret: me.secret });
    const token = await tokenOf(mine, fql`Customer.all().eventSource()`);
    const admin = target.client({ transport });
    // Another identity changes first and last, so its events would come before and after mine.
    await admin.query(fql`Customer.byId(${other.userId})!.update({ name: "other-1" })`);
    await admin.query(fql`Customer.byId(${me.userId})!.update({ name: "mine" })`);
    await admin.query(fql`Customer.byId(${other.userId})!.update({ name: "other-2" })`);
    await admin.query(fql`Customer.byId(${other.userId})!.delete()`);

    const events = await eventsWithin<Document>(mine.stream(token), 1_500);

    expect(events.map((e) => [e.type, e.type === 'status' ? null : (e.data as Document).id])).toEqual([['update', me.userId]]);
  });
});
