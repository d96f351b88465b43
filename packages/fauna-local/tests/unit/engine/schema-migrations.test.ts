import { describe, expect, it } from '@jest/globals';
import { makeDb, ROOT } from '../helpers/test-db.ts';

// Pushes over existing documents follow the core's migration validator
// (https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/migration/MigrationValidator.scala): a field
// the live schema lacks must be declared by an `add` (or `split`), and a non-nullable one without default also needs
// a `backfill`; the migrations are then applied to the stored documents. A collection without documents is checked
// on its own only. The corpus in packages/fauna-local/tests/conformance/core-spec-migrations.test.ts covers the rules case by case.
describe('schema pushes over existing documents (migrations)', () => {
  const GUIDE = 'collection Customer {\n  unique [.email]\n  index byEmail {\n    terms [.email]\n  }\n}\n';
  const push = (db: ReturnType<typeof makeDb>, content: string) => db.engine.schemaUpdate(ROOT, [{ filename: 'main.fsl', content }], {});

  it('refuses a non-nullable field without default or backfill, naming the field, as the core does', () => {
    // Arrange
    const db = makeDb({ 'main.fsl': GUIDE });
    db.run('Customer.create({ email: "ada@example.com" })');

    // Act
    const result = push(db, 'collection Customer {\n  email: String\n  sub: String\n  migrations {\n    add .email\n    add .sub\n  }\n}\n');

    // Assert
    expect(result).toMatchObject({ httpStatus: 400, message: expect.stringContaining('error: Cannot declare non-nullable field `.sub`: it has no default and no backfill value') });
  });

  it('refuses a new field that no migration adds, as the core does', () => {
    // Arrange
    const db = makeDb({ 'main.fsl': GUIDE });
    db.run('Customer.create({ email: "ada@example.com" })');

    // Act
    const result = push(db, 'collection Customer {\n  email: String?\n  *: Any\n}\n');

    // Assert
    expect(result).toMatchObject({ httpStatus: 400, message: expect.stringContaining('error: Field `.email` is not present in the live schema') });
  });

  it('applies an add with its backfill to the stored documents, keeping their ts', () => {
    // Arrange
    const db = makeDb({ 'main.fsl': GUIDE });
    const ts = db.data('Customer.create({ id: "1", email: "ada@example.com" }).ts', { format: 'simple' });

    // Act
    const result = push(db, 'collection Customer {\n  email: String?\n  sub: String\n  conflicts: { *: Any }?\n  migrations {\n    add .email\n    add .sub\n    backfill .sub = "unlinked"\n    add .conflicts\n    move_conflicts .conflicts\n    move_wildcard .conflicts\n  }\n}\n');

    // Assert
    expect(result).toMatchObject({ version: expect.any(Number) });
    expect(db.data('Customer.byId("1") { email, sub, ts }', { format: 'simple' })).toEqual({ email: 'ada@example.com', sub: 'unlinked', ts });
  });

  it('needs no add or backfill when the collection has no documents', () => {
    // Arrange
    const db = makeDb({ 'main.fsl': GUIDE });

    // Act / Assert
    expect(push(db, 'collection Customer {\n  email: String\n  sub: String\n}\n')).toMatchObject({ version: expect.any(Number) });
  });

  it('refuses a failed push as a whole: nothing changes, neither schema nor documents', () => {
    // Arrange
    const db = makeDb({ 'main.fsl': 'collection Foo {\n  a: Int\n}\ncollection Bar {\n  b: Int\n}\n' });
    db.run('Foo.create({ id: "1", a: 1 }); Bar.create({ id: "1", b: 2 })');

    // Act: Foo's move is fine, Bar's drop names a field still in the schema
    const result = push(db, 'collection Foo {\n  c: Int\n  migrations {\n    move .a -> .c\n  }\n}\ncollection Bar {\n  b: Int\n  migrations {\n    drop .b\n  }\n}\n');

    // Assert
    expect(result).toMatchObject({ httpStatus: 400, message: expect.stringContaining('Cannot drop field `.b`. Dropped fields must be removed from schema') });
    expect(db.data('Foo.byId("1") { a, c }', { format: 'simple' })).toEqual({ a: 1, c: null });
  });
});

describe('backfills at a push (CORE: MigrationConverter)', () => {
  const LIVE = 'collection Foo {\n  _no_wildcard: Null\n}\n';
  const ABORTING = 'collection Foo {\n  _no_wildcard: Null\n  a: Int\n  migrations {\n    add .a\n    backfill .a = abort("no")\n  }\n}\n';

  it('answers a backfill that fails to evaluate inside the schema update error, not as an emulator failure', () => {
    // Arrange
    const db = makeDb(LIVE);
    db.run('Foo.create({ id: "1" })');

    // Act
    const result = db.engine.schemaUpdate(ROOT, [{ filename: 'main.fsl', content: ABORTING }], {});

    // Assert
    expect(result).toMatchObject({ httpStatus: 400, message: expect.stringContaining('error: Invalid database schema update.\n    error: Query aborted.') });
  });

  it('ignores backfill value errors in a diff, as the core validation does (they surface at the update)', () => {
    // Arrange
    const db = makeDb(LIVE);
    db.run('Foo.create({ id: "1" })');

    // Act
    const diff = db.engine.schemaDiff(ROOT, [{ filename: 'main.fsl', content: ABORTING }], {});

    // Assert
    expect(diff).toMatchObject({ diff: expect.stringContaining('Modifying collection `Foo`') });
  });

  it('evaluates a backfill once per push, with Time.now() at the push, and writes it to every document', () => {
    // Arrange
    const db = makeDb(LIVE);
    db.run('Foo.create({ id: "1" }); Foo.create({ id: "2" })');

    // Act
    const result = db.engine.schemaUpdate(ROOT, [{ filename: 'main.fsl', content: 'collection Foo {\n  _no_wildcard: Null\n  at: Time\n  migrations {\n    add .at\n    backfill .at = Time.now()\n  }\n}\n' }], {});

    // Assert
    expect(result).toMatchObject({ version: expect.any(Number) });
    const [a, b] = db.data('[Foo.byId("1")!.at, Foo.byId("2")!.at]', { format: 'simple' }) as string[];
    expect(typeof a).toBe('string');
    expect(b).toBe(a);
  });
});
