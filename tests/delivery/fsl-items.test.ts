import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { findDeletedItems, itemsRemovedByDiff, listSchemaItems } from '../../tools/fsl-items.ts';

describe('listSchemaItems', () => {
  it('lists the top-level collections, functions and roles of the project schema', async () => {
    // Arrange
    const files = await Promise.all(['collections.fsl', 'functions.fsl', 'roles.fsl'].map((name) => readFile(`fauna/${name}`, 'utf8')));

    // Act
    const items = files.flatMap((file) => listSchemaItems(file));

    // Assert
    expect(items).toEqual(
      expect.arrayContaining([
        { kind: 'collection', name: 'Customer' },
        { kind: 'collection', name: 'Product' },
        { kind: 'function', name: 'signIn' },
        { kind: 'role', name: 'customer' },
        { kind: 'role', name: 'pretokenTrigger' },
      ]),
    );
  });

  it('ignores keywords inside annotations, bodies, comments and strings', () => {
    // Arrange
    const fsl = [
      '// collection Commented {}',
      '/* role Blocked { } */',
      '@role(server)',
      'function f(x) { let role = "collection Quoted"; x }',
      'access provider Issuer {',
      '  issuer "https://example.com"',
      '  role customer',
      '}',
    ].join('\n');

    // Act
    const items = listSchemaItems(fsl);

    // Assert
    expect(items).toEqual([
      { kind: 'function', name: 'f' },
      { kind: 'access provider', name: 'Issuer' },
    ]);
  });
});

describe('findDeletedItems', () => {
  it('reports an item declared remotely but in no local file, even when it moved between files', () => {
    // Arrange
    const remoteFiles = [{ content: 'collection Old {}\ncollection Kept {}' }];
    const localFiles = [{ content: 'role r { }' }, { content: 'collection Kept { }' }];

    // Act
    const deleted = findDeletedItems({ remoteFiles, localFiles, diff: '' });

    // Assert
    expect(deleted).toEqual([{ kind: 'collection', name: 'Old' }]);
  });

  it("also trusts the server's semantic diff and reports each item once", () => {
    // Arrange
    const diff = '* Removing collection `Old` from main.fsl:1:1\n\n* Removing function `double` from main.fsl:15:1\n';

    // Act
    const deleted = findDeletedItems({ remoteFiles: [{ content: 'collection Old {}' }], localFiles: [], diff });

    // Assert
    expect(deleted).toEqual([
      { kind: 'collection', name: 'Old' },
      { kind: 'function', name: 'double' },
    ]);
  });

  it('finds nothing to delete in a diff that only adds and modifies', () => {
    // Arrange
    const diff = '* Adding collection `Foo` to main.fsl:1:1\n* Modifying collection `Bar` at main.fsl:3:1:\n  * Indexes:\n  - remove index `byX`\n';

    // Act
    const removed = itemsRemovedByDiff(diff);

    // Assert
    expect(removed).toEqual([]);
  });
});
