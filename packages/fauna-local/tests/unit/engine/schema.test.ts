import { describe, expect, it } from '@jest/globals';
import { AdjustableClock } from '../../../src/clock.ts';
import { createEngine, loadSchemaFiles, SchemaLoadError } from '../../../src/engine/engine.ts';
import { int, makeDb, ROOT, ROOT_SECRET, SERVICE_FSL } from '../helpers/test-db.ts';

describe('the schema API of the engine', () => {
  it('stores the uploaded files and reports them with the schema version', () => {
    const db = makeDb({ 'a.fsl': 'collection A { *: Any }', 'b.fsl': 'collection B { *: Any }' });
    const listing = db.engine.schemaFiles(ROOT);
    expect(listing).toMatchObject({ files: [{ filename: 'a.fsl' }, { filename: 'b.fsl' }] });
    expect(db.engine.schemaFile(ROOT, 'a.fsl')).toMatchObject({ content: 'collection A { *: Any }' });
    expect(db.engine.schemaFile(ROOT, 'nope.fsl')).toMatchObject({ httpStatus: 404 });
    const outcome = db.run('1');
    expect(outcome.schema_version).toBe((listing as { version: number }).version);
  });

  it('sets schema_version to the txn_ts of the schema change', () => {
    const db = makeDb();
    expect(db.run('1').schema_version).toBe(0);
    const result = db.engine.schemaUpdate(ROOT, [{ filename: 'main.fsl', content: 'collection A { *: Any }' }], {});
    expect(result).toMatchObject({ version: expect.any(Number) });
    const outcome = db.run('A.all().count()');
    expect(outcome.schema_version).toBe((result as { version: number }).version);
    expect(outcome.txn_ts).toBeGreaterThan((result as { version: number }).version);
  });

  it('denies the schema API to non-admin secrets with 403 Access denied', () => {
    const db = makeDb(SERVICE_FSL);
    const server = db.login(db.data('Key.create({ role: "server" }).secret') as string);
    expect(db.engine.schemaFiles(server)).toEqual({ httpStatus: 403, message: 'Access denied' });
    expect(db.engine.schemaUpdate(server, [], {})).toEqual({ httpStatus: 403, message: 'Access denied' });
    const admin = db.login(db.data('Key.create({ role: "admin" }).secret') as string);
    expect(db.engine.schemaFiles(admin)).toMatchObject({ files: expect.any(Array) });
  });

  it('rejects a stale version with 409 unless forced, and staging with 400', () => {
    const db = makeDb('collection A { *: Any }');
    const file = [{ filename: 'main.fsl', content: 'collection A { *: Any }' }];
    expect(db.engine.schemaUpdate(ROOT, file, { version: 1n })).toEqual({ httpStatus: 409, message: 'Stale schema version provided' });
    expect(db.engine.schemaUpdate(ROOT, file, { version: 1n, force: true })).toMatchObject({ version: expect.any(Number) });
    const current = BigInt((db.engine.schemaFiles(ROOT) as { version: number }).version);
    expect(db.engine.schemaUpdate(ROOT, file, { version: current })).toMatchObject({ version: expect.any(Number) });
    expect(db.engine.schemaUpdate(ROOT, file, { staged: true })).toEqual({ httpStatus: 400, message: 'Schema cannot be staged in the root database' });
  });

  it('answers an FSL error with 400 and the rendered message, and keeps the old schema', () => {
    const db = makeDb('collection A { *: Any }');
    const result = db.engine.schemaUpdate(ROOT, [{ filename: 'main.fsl', content: 'collection {' }], {});
    expect(result).toMatchObject({ httpStatus: 400, message: expect.stringContaining('main.fsl') });
    expect(db.data('A.all().count()')).toEqual(int(0));
  });

  it('refuses an index over a computed field instead of answering it wrongly', () => {
    const db = makeDb();
    const fsl = 'collection P {\n  *: Any\n  compute upper: String = (p) => p.name.toUpperCase()\n  index byUpper {\n    terms [.upper]\n  }\n}';
    expect(db.engine.schemaUpdate(ROOT, [{ filename: 'main.fsl', content: fsl }], {})).toMatchObject({ httpStatus: 400, message: expect.stringContaining('computed field') });
  });

  it('rejects a function whose @role does not exist', () => {
    const db = makeDb();
    const result = db.engine.schemaUpdate(ROOT, [{ filename: 'main.fsl', content: '@role(ghost)\nfunction f() { 1 }' }], {});
    expect(result).toMatchObject({ httpStatus: 400 });
  });

  it('makes the uploaded files the whole schema: items of files not uploaded are deleted with their documents', () => {
    const db = makeDb({ 'a.fsl': 'collection A { *: Any }', 'b.fsl': 'collection B { *: Any }' });
    db.data('A.create({ x: 1 })\nB.create({ y: 1 })');
    db.engine.schemaUpdate(ROOT, [{ filename: 'a.fsl', content: 'collection A { *: Any }' }], {});
    expect(db.error('B.all()').code).toBe('unbound_variable');
    expect(db.data('A.all().count()')).toEqual(int(1));
    db.engine.schemaUpdate(ROOT, [{ filename: 'a.fsl', content: 'collection A { *: Any }' }, { filename: 'b.fsl', content: 'collection B { *: Any }' }], {});
    expect(db.data('B.all().count()')).toEqual(int(0));
  });

  it('keeps files that were not uploaded when override is false', () => {
    const db = makeDb({ 'a.fsl': 'collection A { *: Any }' });
    db.engine.schemaUpdate(ROOT, [{ filename: 'b.fsl', content: 'collection B { *: Any }' }], { override: false });
    expect(db.data('[A.all().count(), B.all().count()]')).toEqual([int(0), int(0)]);
  });

  it('builds new indexes over existing documents', () => {
    const db = makeDb('collection A { *: Any }');
    db.data('A.create({ k: "x" })\nA.create({ k: "y" })');
    db.engine.schemaUpdate(ROOT, [{ filename: 'main.fsl', content: 'collection A {\n  *: Any\n  index byK {\n    terms [.k]\n  }\n}' }], {});
    expect(db.data('A.byK("y").count()')).toEqual(int(1));
  });

  it('describes a change without applying it', () => {
    const db = makeDb('collection A { *: Any }');
    const diff = db.engine.schemaDiff(ROOT, [{ filename: 'main.fsl', content: 'collection B { *: Any }' }], {});
    expect(diff).toMatchObject({ diff: expect.stringContaining('Adding collection `B`') });
    expect((diff as { diff: string }).diff).toContain('Removing collection `A`');
    expect(db.data('A.all().count()')).toEqual(int(0));
  });

  it('throws SchemaLoadError from loadSchemaFiles for rejected files', () => {
    const engine = createEngine({ clock: new AdjustableClock(), rootSecret: ROOT_SECRET });
    expect(() => loadSchemaFiles(engine, [{ filename: 'x.fsl', content: 'collection {' }])).toThrow(SchemaLoadError);
  });
});

describe('snapshots', () => {
  it('restores documents, indexes, keys, tokens and schema from a plain-JSON snapshot', () => {
    const db = makeDb(SERVICE_FSL);
    const created = db.data('let c = Customer.create({ email: "a@b.co", sub: "s" })\nProduct.create({ name: "p", owner: c, when: Time("2024-01-01T00:00:00Z"), n: 3000000000, d: 1.5 })\n[Token.create({ document: c }).secret, Key.create({ role: "server" }).secret, c.id]') as string[];
    const snapshot = JSON.parse(JSON.stringify(db.engine.snapshot()));
    const restored = createEngine({ clock: db.clock, rootSecret: ROOT_SECRET }, snapshot);
    const run = (query: string) => restored.query({ principal: ROOT, query, arguments: undefined, format: 'tagged', lastTxnTs: undefined, timeoutMs: 5000, typecheck: undefined });
    const outcome = run('Product.byName("p").first()! { owner { email }, when, n, d }');
    expect(outcome.ok && outcome.data).toEqual({ owner: { email: 'a@b.co' }, when: { '@time': '2024-01-01T00:00:00Z' }, n: { '@long': '3000000000' }, d: { '@double': '1.5' } });
    expect(restored.authenticate(created[0]!)).toMatchObject({ kind: 'token', identity: { coll: 'Customer', id: created[2] } });
    expect(restored.authenticate(created[1]!)).toMatchObject({ kind: 'key', role: 'server' });
    const duplicate = run('Customer.create({ email: "a@b.co", sub: "t" })');
    expect(!duplicate.ok && duplicate.error.code).toBe('constraint_failure');
    const next = run('newId()');
    expect(next.ok && BigInt(next.data as string)).toBeGreaterThan(BigInt(created[2]!));
    expect(next.txn_ts).toBeGreaterThan(db.run('1').txn_ts - 1_000_000);
  });

  it('restores child databases (nested) with their documents, schema, keys and tokens', () => {
    const db = makeDb();
    db.data('Database.create({ name: "app", data: { team: "a" } })');
    const app = db.engine.authenticate(`${ROOT_SECRET}:app:admin`)!;
    const inApp = (query: string) => db.data(query, { principal: app });
    inApp('Collection.create({ name: "Thing" })');
    inApp('Role.create({ name: "self", membership: [{ resource: "Thing" }], privileges: [{ resource: "Thing", actions: { read: true } }] })');
    inApp('Database.create({ name: "inner" })');
    const [token, key] = inApp('let t = Thing.create({ label: "x" })\n[Token.create({ document: t }).secret, Key.create({ role: "server" }).secret]') as string[];
    const staged = db.engine.schemaUpdate(app, [{ filename: 'next.fsl', content: 'collection Next { *: Any }' }], { staged: true, override: false });
    expect(staged).toMatchObject({ version: expect.any(Number) });

    const restored = createEngine({ clock: db.clock, rootSecret: ROOT_SECRET }, JSON.parse(JSON.stringify(db.engine.snapshot())));
    const run = (secret: string, query: string) => restored.query({ principal: restored.authenticate(secret)!, query, arguments: undefined, format: 'simple', lastTxnTs: undefined, timeoutMs: 5000, typecheck: undefined });

    expect(run(token!, 'Thing.all().first()!.label')).toMatchObject({ ok: true, data: 'x' });
    expect(run(key!, 'Thing.all().count()')).toMatchObject({ ok: true, data: 1 });
    expect(run(`${ROOT_SECRET}:app/inner:admin`, 'Collection.all().count()')).toMatchObject({ ok: true, data: 0 });
    expect(run(ROOT_SECRET, 'Database.byName("app")!.data')).toMatchObject({ ok: true, data: { team: 'a' } });
    expect(restored.schemaStatus(restored.authenticate(`${ROOT_SECRET}:app:admin`)!, { diffKind: 'summary' })).toMatchObject({ status: 'ready', diff: '* Adding collection `Next`' });
  });

  it('notifies commit listeners after writes and schema changes, not after reads', () => {
    const db = makeDb('collection A { *: Any }');
    let commits = 0;
    db.engine.onCommit(() => commits++);
    db.data('A.all().count()');
    expect(commits).toBe(0);
    db.data('A.create({})');
    expect(commits).toBe(1);
    db.error('A.create({})\nabort(1)');
    expect(commits).toBe(1);
    db.engine.schemaUpdate(ROOT, [{ filename: 'main.fsl', content: 'collection A { *: Any }' }], {});
    expect(commits).toBe(2);
  });

  it('keeps txn_ts strictly increasing and at least x-last-txn-ts', () => {
    const db = makeDb();
    const a = db.run('1').txn_ts;
    const b = db.run('1').txn_ts;
    expect(b).toBeGreaterThan(a);
    const future = BigInt(b) + 10_000_000n;
    const c = db.engine.query({ principal: ROOT, query: '1', arguments: undefined, format: 'tagged', lastTxnTs: future, timeoutMs: 5000, typecheck: undefined });
    expect(BigInt(c.txn_ts)).toBeGreaterThanOrEqual(future);
    expect(db.run('1').txn_ts).toBeGreaterThan(c.txn_ts);
  });
});
