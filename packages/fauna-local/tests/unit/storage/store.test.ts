import { describe, expect, it } from '@jest/globals';
import { Store, UniqueViolationError } from '../../../src/storage/store.ts';
import type { StoredDoc } from '../../../src/storage/store.ts';
import { compareIds, compareValues, valueKey } from '../../../src/values/keys.ts';
import { DocRef, FqlTime } from '../../../src/values/values.ts';

const doc = (id: string, data: StoredDoc['data']): StoredDoc => ({ id, ts: 1n, ttl: null, data });

function makeStore(): Store {
  const store = new Store();
  store.configure([{ name: 'P', indexes: { byEmail: { terms: [{ path: ['email'], mva: false }] } }, uniques: [{ fields: [{ path: ['email'], mva: false }] }] }]);
  return store;
}

describe('document storage', () => {
  it('finds documents through a term index by hash lookup', () => {
    const store = makeStore();
    store.put('P', '1', doc('1', { email: 'a' }));
    store.put('P', '2', doc('2', { email: 'b' }));
    expect([...store.lookup('P', 'byEmail', ['a'])!]).toEqual(['1']);
    expect(store.lookup('P', 'nope', ['a'])).toBeUndefined();
  });

  it('throws UniqueViolationError with the constraint paths and leaves the store unchanged', () => {
    const store = makeStore();
    store.put('P', '1', doc('1', { email: 'a' }));
    expect(() => store.put('P', '2', doc('2', { email: 'a' }))).toThrow(UniqueViolationError);
    expect(store.get('P', '2')).toBeUndefined();
    expect([...store.lookup('P', 'byEmail', ['a'])!]).toEqual(['1']);
  });

  it('undoes every write of a rolled-back transaction, indexes and unique keys included', () => {
    const store = makeStore();
    store.put('P', '1', doc('1', { email: 'a' }));
    store.begin();
    store.put('P', '1', doc('1', { email: 'changed' }));
    store.put('P', '2', doc('2', { email: 'a' }));
    store.put('P', '3', doc('3', { email: 'c' }));
    store.put('P', '3', null);
    store.rollback();
    expect(store.get('P', '1')!.data).toEqual({ email: 'a' });
    expect(store.ids('P')).toEqual(['1']);
    expect([...store.lookup('P', 'byEmail', ['a'])!]).toEqual(['1']);
    expect(store.lookup('P', 'byEmail', ['changed'])!.size).toBe(0);
    expect(() => store.put('P', '9', doc('9', { email: 'a' }))).toThrow(UniqueViolationError);
  });

  it('keeps the writes of a committed transaction and counts them', () => {
    const store = makeStore();
    store.begin();
    store.put('P', '1', doc('1', { email: 'a' }));
    store.put('P', '2', doc('2', { email: 'b' }));
    expect(store.commit()).toBe(2);
    expect(store.ids('P')).toEqual(['1', '2']);
  });

  it('orders ids numerically and values across types', () => {
    expect(['10', '9', '100'].sort(compareIds)).toEqual(['9', '10', '100']);
    expect(compareValues(1n, 1.5)).toBeLessThan(0);
    expect(compareValues('a', 1n)).toBeGreaterThan(0);
    expect(compareValues(new FqlTime(1n), new FqlTime(2n))).toBeLessThan(0);
    expect(valueKey(1n)).toBe(valueKey(1));
    expect(valueKey(new DocRef('P', '1'))).not.toBe(valueKey(new DocRef('Q', '1')));
  });
});

describe('footprints (contention mode)', () => {
  it('a tracked transaction records what it read and wrote by storage key; an untracked one records nothing', () => {
    const store = makeStore();
    store.put('P', '1', doc('1', { email: 'a' }));
    store.begin(true);
    store.get('P', '1');
    store.lookup('P', 'byEmail', ['x']);
    store.ids('P');
    store.put('P', '2', doc('2', { email: 'b' }));
    const footprint = store.footprint!;
    store.commit();

    expect([...footprint.reads].map((key) => key.split('\u0000').slice(0, 2).join(' '))).toEqual(['d P', 'i P', 'a P', 'u P']);
    expect(footprint.writes).toEqual(new Set(['d\u0000P\u00002', 'a\u0000P', `i\u0000P\u0000byEmail\u0000${valueKey('b')}`, `u\u0000P\u00000\u0000${valueKey('b')}`]));
    expect(footprint.log.map((write) => write.id)).toEqual(['2']);
    store.begin();
    expect(store.footprint).toBeNull();
    store.rollback();
  });

  it('hold() undoes the writes but keeps their log; replay() applies them later, unique constraints checked again', () => {
    const store = makeStore();
    store.begin(true);
    store.put('P', '1', doc('1', { email: 'a' }));
    const held = store.hold();

    expect(store.get('P', '1')).toBeUndefined();
    store.put('P', '9', doc('9', { email: 'b' }));
    expect(store.replay(held.log)).toBe(1);
    expect([...store.lookup('P', 'byEmail', ['a'])!]).toEqual(['1']);

    store.begin(true);
    store.put('P', '2', doc('2', { email: 'c' }));
    const clashing = store.hold();
    store.put('P', '8', doc('8', { email: 'c' }));
    expect(() => store.replay(clashing.log)).toThrow(UniqueViolationError);
    expect(store.get('P', '2')).toBeUndefined();
  });

  it('a schema-like change (an undo step of its own) makes the transaction not replayable', () => {
    const store = makeStore();
    store.begin(true);
    store.onRollback(() => undefined);
    expect(store.footprint!.replayable).toBe(false);
    store.rollback();
  });
});
