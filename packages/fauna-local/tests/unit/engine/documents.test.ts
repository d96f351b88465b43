import { describe, expect, it } from '@jest/globals';
import { int, makeDb, SERVICE_FSL } from '../helpers/test-db.ts';

type Doc = { '@doc': Record<string, unknown> };

describe('documents, indexes and sets on the engine', () => {
  it('creates a document and returns it expanded with id, coll, ts and its fields', () => {
    const db = makeDb(SERVICE_FSL);
    const doc = db.data('Customer.create({ email: "a@b.co", sub: "s1" })') as Doc;
    expect(doc['@doc']).toMatchObject({ coll: { '@mod': 'Customer' }, email: 'a@b.co', sub: 's1' });
    expect(doc['@doc'].id).toMatch(/^\d{17,19}$/);
    expect((doc['@doc'].ts as { '@time': string })['@time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it('reads a document by id, and a missing id as a null doc that still is a reference', () => {
    const db = makeDb(SERVICE_FSL);
    const id = db.data('Customer.create({ email: "a@b.co", sub: "s1" }).id') as string;
    expect(db.data(`Customer.byId("${id}")!.email`)).toBe('a@b.co');
    expect(db.data('Customer.byId("1")')).toEqual({ '@ref': { id: '1', coll: { '@mod': 'Customer' }, exists: false, cause: 'not found' } });
    expect(db.data('Customer.byId("1")', { format: 'simple' })).toBeNull();
    expect(db.error('Customer.byId("1")!')).toMatchObject({ code: 'document_not_found', message: 'Collection `Customer` does not contain document with id 1.' });
    expect(db.error('Customer.byId("1").email').code).toBe('document_not_found');
    expect(db.data('Customer.byId("1")?.email')).toBeNull();
    expect(db.data('Customer.byId("1") ?? "fallback"')).toBe('fallback');
    expect(db.data('Customer.byId("1").exists()')).toBe(false);
  });

  it('updates by merging (null removes a field), replaces, and deletes to a null doc with cause deleted', () => {
    const db = makeDb('collection Thing { *: Any }');
    const id = db.data('Thing.create({ a: 1, b: { c: 2, d: 3 } }).id') as string;
    expect(db.data(`Thing.byId("${id}")!.update({ a: null, b: { c: 5 }, e: 6 }) { a, b, e }`)).toEqual({ a: null, b: { c: int(5), d: int(3) }, e: int(6) });
    expect(db.data(`Thing.byId("${id}")!.replace({ z: 1 }) { b, z }`)).toEqual({ b: null, z: int(1) });
    expect(db.data(`Thing.byId("${id}")!.delete()`)).toEqual({ '@ref': { id, coll: { '@mod': 'Thing' }, exists: false, cause: 'deleted' } });
    expect(db.data(`Thing.byId("${id}").exists()`)).toBe(false);
    expect(db.error(`Thing.byId("${id}").update({ a: 1 })`).code).toBe('document_not_found');
  });

  it('lists a document\'s fields with Object.keys and copies them with Object.assign', () => {
    const db = makeDb('collection Thing { *: Any }');
    expect(db.data('let d = Thing.create({ a: 1 })\n[Object.keys(d), Object.assign(d, { b: 2 }) { a, b }]')).toEqual([['id', 'coll', 'ts', 'a'], { a: int(1), b: int(2) }]);
    expect(db.error('Object.keys(Thing.byId("1"))')).toMatchObject({ code: 'invalid_argument', message: 'invalid argument `object`: collection `Thing` does not contain document with id 1.' });
  });

  it('rejects reserved fields with constraint_failure', () => {
    const db = makeDb('collection Thing { *: Any }');
    for (const field of ['ts', 'coll', 'update', 'replace', 'delete']) {
      const error = db.error(`Thing.create({ ${field}: 1 })`);
      expect(error.code).toBe('constraint_failure');
      expect(error.constraint_failures).toEqual([{ paths: [[field]], message: 'Is a reserved field and cannot be used' }]);
    }
  });

  it('accepts a caller-chosen id only with create_with_id (root has it)', () => {
    const db = makeDb('collection Thing { *: Any }');
    expect(db.data('Thing.create({ id: "12345", a: 1 }).id')).toBe('12345');
    expect(db.error('Thing.create({ id: "12345", a: 2 })').code).toBe('document_id_exists');
  });

  it('enforces field definitions: required fields, types, defaults and unknown fields', () => {
    const db = makeDb('collection Person {\n  name: String\n  age: Int?\n  status: String = "new"\n}');
    expect(db.data('Person.create({ name: "Ann" }) { name, age, status }')).toEqual({ name: 'Ann', age: null, status: 'new' });
    expect(db.error('Person.create({ age: 3 })')).toMatchObject({ code: 'constraint_failure', constraint_failures: [{ paths: [['name']], message: 'Missing required field of type String' }] });
    expect(db.error('Person.create({ name: 5 })').code).toBe('constraint_failure');
    expect(db.error('Person.create({ name: "x", other: 1 })').code).toBe('constraint_failure');
  });

  it('fails a duplicate on a unique field with Fauna\'s constraint_failure body', () => {
    const db = makeDb(SERVICE_FSL);
    db.data('Customer.create({ email: "a@b.co", sub: "s1" })');
    const error = db.error('Customer.create({ email: "a@b.co", sub: "s2" })');
    expect(error).toMatchObject({
      code: 'constraint_failure',
      message: 'Failed unique constraint.',
      constraint_failures: [{ paths: [['email']], message: 'Failed unique constraint' }],
      httpStatus: 400,
    });
    expect(error.summary).toContain('constraint failures:\n  email: Failed unique constraint');
  });

  it('fails two colliding creates within one query', () => {
    const db = makeDb(SERVICE_FSL);
    expect(db.error('Customer.create({ email: "x@b.co", sub: "1" })\nCustomer.create({ email: "x@b.co", sub: "2" })').code).toBe('constraint_failure');
    expect(db.data('Customer.all().count()')).toEqual(int(0));
  });

  it('frees a unique value when its document changes or is deleted', () => {
    const db = makeDb(SERVICE_FSL);
    db.data('Customer.create({ email: "a@b.co", sub: "s1" })');
    db.data('Customer.byEmail("a@b.co").first()!.update({ email: "c@b.co" })');
    expect(db.data('Customer.create({ email: "a@b.co", sub: "s2" }).email')).toBe('a@b.co');
    db.data('Customer.byEmail("a@b.co").first()!.delete()');
    expect(db.data('Customer.create({ email: "a@b.co", sub: "s3" }).sub')).toBe('s3');
  });

  it('leaves nothing behind when a query writes and then aborts', () => {
    const db = makeDb(SERVICE_FSL);
    const id = db.data('Customer.create({ email: "keep@b.co", sub: "k" }).id') as string;
    const error = db.error(`Customer.create({ email: "gone@b.co", sub: "g" })\nCustomer.byId("${id}")!.update({ email: "changed@b.co" })\nCustomer.byId("${id}")!.delete()\nabort("stop")`);
    expect(error.code).toBe('abort');
    expect(db.data('Customer.all().map(.email).toArray()')).toEqual(['keep@b.co']);
    expect(db.data('Customer.byEmail("gone@b.co").isEmpty()')).toBe(true);
    expect(db.data('Customer.create({ email: "gone@b.co", sub: "g" }).email')).toBe('gone@b.co');
  });

  it('finds documents through FSL indexes, ordered by the index values then id', () => {
    const db = makeDb(SERVICE_FSL);
    db.data('Product.create({ name: "pen", price: 1 })\nProduct.create({ name: "pen", price: 3 })\nProduct.create({ name: "cup", price: 2 })\nProduct.create({ name: "pen", price: 2 })');
    expect(db.data('Product.byName("pen").map(.price).toArray()')).toEqual([int(3), int(2), int(1)]);
    expect(db.data('Product.byName("none").first()')).toBeNull();
  });

  it('narrows an index set with a { from, to } range over its values, in index order', () => {
    const db = makeDb('collection Item {\n  *: Any\n  index byKind {\n    terms [.kind]\n    values [.price]\n  }\n  index byKindDesc {\n    terms [.kind]\n    values [desc(.price)]\n  }\n}');
    db.data('[1, 2, 3, 4, 5].forEach(p => Item.create({ kind: "a", price: p }))');
    expect(db.data('Item.byKind("a", { from: 2, to: 4 }).map(.price).toArray()')).toEqual([int(2), int(3), int(4)]);
    expect(db.data('Item.byKind("a", { from: 4 }).map(.price).toArray()')).toEqual([int(4), int(5)]);
    expect(db.data('Item.byKindDesc("a", { from: 4, to: 2 }).map(.price).toArray()')).toEqual([int(4), int(3), int(2)]);
    expect(db.error('Item.byKind("a", 3)').code).toBe('invalid_argument');
  });

  it('supports all(), where(), firstWhere() and Set methods', () => {
    const db = makeDb('collection N { *: Any }');
    db.data('[5, 3, 8, 1].forEach(n => N.create({ n: n }))');
    expect(db.data('N.all().map(.n).toArray()')).toEqual([int(5), int(3), int(8), int(1)]);
    expect(db.data('N.where(.n > 2).count()')).toEqual(int(3));
    expect(db.data('N.firstWhere(.n < 4)!.n')).toEqual(int(3));
    expect(db.data('let s = N.all().map(.n)\n{ f: s.first(), l: s.last(), t: s.take(2).toArray(), d: s.drop(3).toArray(), o: s.order().toArray(), r: s.reverse().toArray(), any: s.any(v => v > 7), every: s.every(v => v > 0), inc: s.includes(8), e: s.isEmpty(), ne: s.nonEmpty(), sum: s.reduce((a, b) => a + b), fm: s.take(2).flatMap(v => [v, v]).toArray(), c: s.take(1).concat(s.drop(3)).toArray(), dist: N.all().map(v => v.n > 2).distinct().toArray() }')).toEqual({
      f: int(5), l: int(1), t: [int(5), int(3)], d: [int(1)], o: [int(1), int(3), int(5), int(8)], r: [int(1), int(8), int(3), int(5)],
      any: true, every: true, inc: true, e: false, ne: true, sum: int(17), fm: [int(5), int(5), int(3), int(3)], c: [int(5), int(1)], dist: [true, false],
    });
  });

  it('returns a set as its first page with a cursor, and Set.paginate continues it to the end', () => {
    const db = makeDb('collection N { *: Any }');
    db.data('Set.sequence(0, 40).forEach(i => N.create({ i: i }))');
    const first = db.data('N.all().map(.i)') as { '@set': { data: unknown[]; after?: string } };
    expect(first['@set'].data).toHaveLength(16);
    const seen = [...first['@set'].data];
    let after = first['@set'].after;
    while (after) {
      const page = db.data({ fql: ['Set.paginate(', { value: after }, ')'] }) as { data: unknown[]; after?: string };
      seen.push(...page.data);
      after = page.after;
    }
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => int(i)));
  });

  it('honours paginate(n) and pageSize(n)', () => {
    const db = makeDb('collection N { *: Any }');
    db.data('Set.sequence(0, 5).forEach(i => N.create({ i: i }))');
    const page = db.data('N.all().map(.i).paginate(2)') as { data: unknown[]; after: string };
    expect(page.data).toEqual([int(0), int(1)]);
    expect(typeof page.after).toBe('string');
    expect(db.data('N.all().map(.i).pageSize(3)')).toMatchObject({ '@set': { data: [int(0), int(1), int(2)] } });
    expect(db.error('Set.paginate("bogus")').code).toBe('invalid_cursor');
  });

  it('encodes a set nested inside a page as a cursor', () => {
    const db = makeDb('collection N { *: Any }');
    db.data('N.create({ i: 1 })');
    const result = db.data('N.all().map(d => N.all())') as { '@set': { data: unknown[] } };
    expect(result['@set'].data[0]).toEqual({ '@set': expect.any(String) });
  });

  it('keeps refs stored in fields as @ref while expanding docs in the result', () => {
    const db = makeDb('collection A { *: Any }\ncollection B { *: Any }');
    const out = db.data('let a = A.create({ x: 1 })\nlet b = B.create({ a: a })\n[b, b.a]') as [Doc, Doc];
    expect(out[0]['@doc'].a).toEqual({ '@ref': { id: (out[1]['@doc'] as { id: string }).id, coll: { '@mod': 'A' } } });
    expect(out[1]['@doc']).toMatchObject({ x: int(1) });
  });

  it('hides documents whose ttl has passed and applies ttl_days', () => {
    const db = makeDb('collection Tmp { *: Any }\ncollection Daily {\n  *: Any\n  ttl_days 1\n}');
    const id = db.data('Tmp.create({ a: 1, ttl: Time.now().add(10, "seconds") }).id') as string;
    expect(db.data(`Tmp.byId("${id}").exists()`)).toBe(true);
    db.clock.advance(11_000);
    expect(db.data(`Tmp.byId("${id}").exists()`)).toBe(false);
    expect(db.data('Tmp.all().count()')).toEqual(int(0));
    const ttl = db.data('let d = Daily.create({ a: 1 })\nd.ttl.difference(d.ts, "hours")');
    expect(ttl).toEqual(int(24));
  });

  it('lists collection definitions', () => {
    const db = makeDb(SERVICE_FSL);
    expect(db.data('Collection.all().map(.name).toArray()')).toEqual(['Customer', 'Product', 'Note']);
    expect(db.data('Collection.byName("Customer")!.indexes.byEmail.terms')).toEqual([{ field: '.email', mva: false }]);
    expect(db.data('Collection.byName("Nope")')).toMatchObject({ '@ref': { name: 'Nope', exists: false } });
  });
});
