import { describe, expect, it } from '@jest/globals';
import { int, makeDb } from '../helpers/test-db.ts';

describe('collection schema features on the engine', () => {
  it('rejects a write that fails a check constraint, and accepts one that passes', () => {
    const db = makeDb('collection Order {\n  *: Any\n  check positive ((doc) => doc.qty > 0)\n}');
    expect(db.data('Order.create({ qty: 2 }).qty')).toEqual(int(2));
    const error = db.error('Order.create({ qty: 0 })');
    expect(error).toMatchObject({ code: 'constraint_failure', constraint_failures: [{ paths: [], message: 'Document failed check constraint `positive`' }] });
    expect(db.error('Order.all().first()!.update({ qty: -1 })').code).toBe('constraint_failure');
    expect(db.data('Order.all().map(.qty).toArray()')).toEqual([int(2)]);
  });

  it('computes computed fields on read', () => {
    const db = makeDb('collection Person {\n  *: Any\n  compute full: String = (doc) => doc.first + " " + doc.last\n}');
    expect(db.data('Person.create({ first: "Ann", last: "Lee" }).full')).toBe('Ann Lee');
  });

  it('enforces a unique constraint on every element of an mva field', () => {
    const db = makeDb('collection Tagged {\n  *: Any\n  unique [mva(.tags)]\n}');
    db.data('Tagged.create({ tags: ["a", "b"] })');
    expect(db.error('Tagged.create({ tags: ["c", "b"] })').code).toBe('constraint_failure');
    expect(db.data('Tagged.create({ tags: ["c", "d"] }).tags')).toEqual(['c', 'd']);
  });

  it('enforces a combined unique constraint over several fields', () => {
    const db = makeDb('collection Seat {\n  *: Any\n  unique [.row, .number]\n}');
    db.data('Seat.create({ row: "A", number: 1 })\nSeat.create({ row: "A", number: 2 })');
    const error = db.error('Seat.create({ row: "A", number: 1 })');
    expect(error.constraint_failures).toEqual([{ paths: [['row'], ['number']], message: 'Failed unique constraint' }]);
  });

  it('finds documents by an mva index term', () => {
    const db = makeDb('collection Post {\n  *: Any\n  index byTag {\n    terms [mva(.tags)]\n  }\n}');
    db.data('Post.create({ t: 1, tags: ["x", "y"] })\nPost.create({ t: 2, tags: ["y"] })');
    expect(db.data('Post.byTag("y").map(.t).toArray()')).toEqual([int(1), int(2)]);
    expect(db.data('Post.byTag("x").count()')).toEqual(int(1));
  });

  it('updates a token\'s data and document, keeps its secret readonly, and deletes it', () => {
    const db = makeDb('collection U { *: Any }');
    const ids = db.data('let a = U.create({})\nlet b = U.create({})\nlet t = Token.create({ document: a })\n[t.id, b.id]') as string[];
    expect(db.data(`Token.byId("${ids[0]}")!.update({ data: { n: 1 } }).data`)).toEqual({ n: int(1) });
    expect(db.error(`Token.byId("${ids[0]}")!.update({ secret: "fnX" })`).code).toBe('constraint_failure');
    expect(db.data(`Token.byId("${ids[0]}")!.update({ document: U.byId("${ids[1]}") }).document == U.byId("${ids[1]}")`)).toBe(true);
    expect(db.data(`Token.byId("${ids[0]}")!.delete().exists()`)).toBe(false);
  });

  it('denies a token from reading keys and the schema collections', () => {
    const db = makeDb('collection U { *: Any }\nrole r {\n  membership U\n}');
    const secret = db.data('Token.create({ document: U.create({}) }).secret') as string;
    const token = db.login(secret);
    expect(db.error('Collection.all()', { principal: token }).code).toBe('permission_denied');
    expect(db.data('Key.all().count()', { principal: token })).toEqual(int(0));
    expect(db.error('Token.create({ document: Query.identity() })', { principal: token }).code).toBe('permission_denied');
  });

  it('passes a user-defined function\'s result through, and checks call predicates', () => {
    const db = makeDb('collection U { *: Any }\nfunction double(x) { x * 2 }\nfunction greet(name) { "hi " + name }\nrole caller {\n  privileges double { call }\n  privileges greet {\n    call { predicate ((name) => name != "root") }\n  }\n}');
    const key = db.login(db.data('Key.create({ role: "caller" }).secret') as string);
    expect(db.data('double(21)', { principal: key })).toEqual(int(42));
    expect(db.data('greet("ann")', { principal: key })).toBe('hi ann');
    expect(db.error('greet("root")', { principal: key }).code).toBe('permission_denied');
    expect(db.error('double(1, 2)').code).toBe('invalid_function_invocation');
  });

  it('runs a function body with the caller\'s privileges when it has no @role', () => {
    const db = makeDb('collection U { *: Any }\nfunction count() { U.all().count() }\nrole caller {\n  privileges count { call }\n}');
    db.data('U.create({})');
    const key = db.login(db.data('Key.create({ role: "caller" }).secret') as string);
    expect(db.data('count()', { principal: key })).toEqual(int(0));
    expect(db.data('count()')).toEqual(int(1));
  });
});
