import { describe, expect, it } from '@jest/globals';
import { makeDb, ROOT } from '../helpers/test-db.ts';

// Fauna's rule (FSL migrations block, `backfill`): a push may not leave existing documents without a value for a
// non-nullable field that has no default; a `backfill` statement for that field is required.
describe('schema pushes over existing documents (migrations)', () => {
  const GUIDE = 'collection Customer {\n  unique [.email]\n  index byEmail {\n    terms [.email]\n  }\n}\n';
  const push = (db: ReturnType<typeof makeDb>, content: string) => db.engine.schemaUpdate(ROOT, [{ filename: 'main.fsl', content }], {});

  it('refuses a non-nullable field without default that existing documents lack, naming the field and the fix', () => {
    // Arrange
    const db = makeDb({ 'main.fsl': GUIDE });
    db.run('Customer.create({ email: "ada@example.com" })');

    // Act
    const result = push(db, 'collection Customer {\n  email: String\n  sub: String\n}\n');

    // Assert
    expect(result).toMatchObject({ httpStatus: 400, message: expect.stringContaining('backfill .sub') });
  });

  it.each([
    ['a nullable field', 'collection Customer {\n  email: String?\n  sub: String?\n}\n'],
    ['a field with a default', 'collection Customer {\n  email: String\n  sub: String = "unlinked"\n}\n'],
    ['a backfilled field', 'collection Customer {\n  email: String\n  sub: String\n  migrations {\n    add .sub\n    backfill .sub = "unlinked"\n  }\n}\n'],
  ])('accepts %s', (_label, content) => {
    // Arrange
    const db = makeDb({ 'main.fsl': GUIDE });
    db.run('Customer.create({ email: "ada@example.com" })');

    // Act
    const result = push(db, content);

    // Assert
    expect(result).toMatchObject({ version: expect.any(Number) });
  });

  it('needs no backfill when the collection has no documents', () => {
    // Arrange
    const db = makeDb({ 'main.fsl': GUIDE });

    // Act / Assert
    expect(push(db, 'collection Customer {\n  email: String\n  sub: String\n}\n')).toMatchObject({ version: expect.any(Number) });
  });
});
