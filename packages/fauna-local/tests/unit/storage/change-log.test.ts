/**
 * The change log streams and feeds read (storage/change-log.ts): one entry per document a transaction changed, with
 * its version before and after, dated by the transaction, in commit order; positions (ts, ord) for resumption; the
 * history bounded, with a horizon before which replay is refused.
 */
import { describe, expect, it } from '@jest/globals';
import { CHANGE_HISTORY_LIMIT, ChangeLog } from '../../../src/storage/change-log.ts';
import { Store } from '../../../src/storage/store.ts';
import type { StoredDoc } from '../../../src/storage/store.ts';

function doc(id: string, ts: bigint, value: number): StoredDoc {
  return { id, ts, ttl: null, data: { value: BigInt(value) } };
}

describe('the change log of a store', () => {
  it('records each committed transaction once, with the first version before it and the last after it', () => {
    const store = new Store();
    store.configure([{ name: 'C', indexes: {}, uniques: [] }]);
    store.begin();
    store.put('C', '1', doc('1', 10n, 1));
    store.commit(10n);
    store.begin();
    store.put('C', '1', doc('1', 20n, 2));
    store.put('C', '1', doc('1', 20n, 3));
    store.put('C', '2', doc('2', 20n, 9));
    store.commit(20n);

    const changes = store.changes.since(0n, -1);

    expect(changes.map((c) => [c.id, c.ts, c.ord, c.before?.data.value ?? null, c.after?.data.value ?? null])).toEqual([
      ['1', 10n, 0, null, 1n],
      ['1', 20n, 0, 1n, 3n],
      ['2', 20n, 1, null, 9n],
    ]);
    expect(store.changes.since(20n, 0).map((c) => c.id)).toEqual(['2']);
  });

  it('records nothing for a rolled-back transaction, nor for a document created and deleted in one', () => {
    const store = new Store();
    store.configure([{ name: 'C', indexes: {}, uniques: [] }]);
    store.begin();
    store.put('C', '1', doc('1', 10n, 1));
    store.rollback();
    store.begin();
    store.put('C', '2', doc('2', 11n, 1));
    store.put('C', '2', null);
    store.commit(11n);

    expect(store.changes.since(0n, -1)).toEqual([]);
  });

  it('tells listeners after the commit, when no transaction is open any more', () => {
    const store = new Store();
    store.configure([{ name: 'C', indexes: {}, uniques: [] }]);
    const seen: string[] = [];
    store.changes.subscribe((batch) => {
      store.begin();
      store.rollback();
      seen.push(...batch.map((c) => c.id));
    });
    store.begin();
    store.put('C', '1', doc('1', 10n, 1));
    store.commit(10n);

    expect(seen).toEqual(['1']);
  });

  it('keeps a bounded history and refuses replay from before what it dropped', () => {
    const log = new ChangeLog<StoredDoc>();
    const total = CHANGE_HISTORY_LIMIT + 2_000;
    for (let i = 1; i <= total; i++) log.publish(new Map([[`C/${i}`, null]]), new Map([[`C/${i}`, { collection: 'C', doc: doc(String(i), BigInt(i), i) }]]), BigInt(i));

    const kept = log.since(0n, -1);

    expect(kept.length).toBeLessThanOrEqual(CHANGE_HISTORY_LIMIT + 1_000);
    expect(kept.at(-1)!.ts).toBe(BigInt(total));
    expect(log.covers(1n)).toBe(false);
    expect(log.covers(kept[0]!.ts)).toBe(true);
  });
});
