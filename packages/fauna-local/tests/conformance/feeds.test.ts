/**
 * Conformance: event feeds (`POST /feed/1`) through the real driver's `client.feed()`, on both transports: page size
 * and `has_next`, continuing from a page's cursor, `start_ts` (events after that transaction), an empty feed's cursor
 * (the next poll starts from then), the error event of an aborting source, the page size limit, and the per-event
 * read check (a customer token's feed holds only its own identity's changes).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AbortError, Document, InvalidRequestError, fql } from 'fauna';
import type { Client, EventSource, FeedPage, QueryValue, StreamToken } from 'fauna';
import { IDENTITY_SCHEMA, TRANSPORTS, startTarget, uniqueEmail, type ConformanceTarget } from './helpers/target.ts';

let target: ConformanceTarget;

const FEED_ITEM_FSL = `collection FeedItem {
  index byGroup {
    terms [.group]
  }
}`;

beforeAll(async () => {
  target = await startTarget();
  // The identity schema (Customer, the customer role, signIn) and a collection of this suite's own, in one push.
  const pushed = await target.pushSchema({ ...IDENTITY_SCHEMA, 'feeds.fsl': FEED_ITEM_FSL });
  if (pushed.status !== 200) throw new Error(`schema push failed: ${pushed.status} ${JSON.stringify(pushed.body)}`);
}, 30_000);
afterAll(() => target.close());

async function allPages<T extends QueryValue>(feed: AsyncIterable<FeedPage<T>>): Promise<{ values: T[]; hasNext: boolean; cursor: string }[]> {
  const pages = [];
  // Iterating a page's events throws on an error event (the driver's FeedPage), so only data events remain.
  for await (const page of feed) pages.push({ values: [...page.events].map((e) => e.data), hasNext: page.hasNext, cursor: page.cursor });
  return pages;
}

async function tokenFor(client: Client, group: string): Promise<StreamToken> {
  return (await client.query<StreamToken>(fql`FeedItem.byGroup(${group}).map(.value).eventSource()`)).data;
}

async function createValues(client: Client, group: string, values: number[]): Promise<void> {
  await client.query(fql`${values}.forEach(v => FeedItem.create({ value: v, group: ${group} }))`);
}

describe.each(TRANSPORTS)('event feeds over %s', (transport) => {
  it('pages by page_size, has_next true until the last page, each page continuing from the previous cursor', async () => {
    const client = target.client({ transport });
    const group = `g-${transport}-pages`;
    const token = await tokenFor(client, group);
    await createValues(client, group, [1, 2, 3]);

    const pages = await allPages<number>(client.feed(token, { page_size: 2 }));

    expect(pages.map((p) => [p.values, p.hasNext])).toEqual([[[1, 2], true], [[3], false]]);
  });

  it("a new feed from a page's cursor holds the events after it", async () => {
    const client = target.client({ transport });
    const group = `g-${transport}-cursor`;
    const token = await tokenFor(client, group);
    await createValues(client, group, [1, 2, 3]);
    const first = await client.feed(token, { page_size: 1 }).nextPage();

    const rest = await allPages<number>(client.feed(token, { cursor: first.cursor }));

    expect(rest.map((p) => p.values)).toEqual([[2, 3]]);
  });

  it('start_ts: the events of the transactions after it, not of the one at it', async () => {
    const client = target.client({ transport });
    const group = `g-${transport}-start`;
    const startAt = (await client.query(fql`FeedItem.create({ value: 0, group: ${group} })`)).txn_ts!;
    await client.query(fql`FeedItem.create({ value: 1, group: ${group} })`);
    const token = await tokenFor(client, group);

    const pages = await allPages<number>(client.feed(token, { start_ts: startAt }));

    expect(pages.map((p) => p.values)).toEqual([[1]]);
  });

  it('an empty feed answers one page without events, and its cursor sees what happens afterwards', async () => {
    const client = target.client({ transport });
    const group = `g-${transport}-empty`;
    const token = await tokenFor(client, group);

    const [empty] = await allPages<number>(client.feed(token));
    await createValues(client, group, [7]);
    const later = await allPages<number>(client.feed(token, { cursor: empty!.cursor }));

    expect([empty!.values, empty!.hasNext]).toEqual([[], false]);
    expect(later.map((p) => p.values)).toEqual([[7]]);
  });

  it('raises AbortError with the abort value when the source aborts on an event', async () => {
    const client = target.client({ transport });
    const group = `g-${transport}-abort`;
    const token = (await client.query<EventSource>(fql`FeedItem.byGroup(${group}).map(_ => abort("oops")).eventSource()`)).data;
    await createValues(client, group, [1]);

    const failure = await allPages(client.feed(token)).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AbortError);
    expect((failure as AbortError).abort).toBe('oops');
  });

  it('refuses a page size above 16000 as an invalid request', async () => {
    const client = target.client({ transport });
    const token = await tokenFor(client, `g-${transport}-limit`);

    const failure = await client.feed(token, { page_size: 16_001 }).nextPage().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(InvalidRequestError);
    expect((failure as InvalidRequestError).message).toBe('page size can not be greater than 16000.');
  });

  it("a customer token's feed holds its own identity's changes only", async () => {
    const signIn = async () => {
      const email = uniqueEmail('feed');
      return (await target.client().query<{ userId: string; secret: string }>(fql`signIn(${`sub-${email}`}, ${email}, 3600, {})`)).data;
    };
    const me = await signIn();
    const other = await signIn();
    const mine = target.client({ transport, secret: me.secret });
    const token = (await mine.query<StreamToken>(fql`Customer.all().eventSource()`)).data;
    const admin = target.client({ transport });
    await admin.query(fql`Customer.byId(${other.userId})!.update({ name: "other" })`);
    await admin.query(fql`Customer.byId(${me.userId})!.update({ name: "mine" })`);
    await admin.query(fql`Customer.byId(${other.userId})!.delete()`);

    const pages = await allPages<Document>(mine.feed(token));

    expect(pages.flatMap((p) => p.values.map((doc) => doc.id))).toEqual([me.userId]);
  });
});
