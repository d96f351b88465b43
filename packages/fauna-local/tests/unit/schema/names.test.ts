/**
 * The names and index fields the core refuses (packages/fauna-local/src/schema/names.ts; CORE: GlobalNamespaceValidator.scala,
 * Validators.scala, IndexFieldValidator.scala, CollectionValidators.scala), and the FSL path's use of them: a schema
 * push meets the same rules as `Collection.create`.
 */
import { describe, expect, it } from '@jest/globals';
import { FslSyntaxError } from '../../../src/fsl/errors.ts';
import { parseSchemaFile } from '../../../src/fsl/parser.ts';
import { derivedTypeConflict, namespaceConflict, globalNameProblem, indexFieldProblem, indexNameProblem, roleNameProblem } from '../../../src/schema/names.ts';

function fslProblem(content: string): string {
  try {
    parseSchemaFile({ filename: 'main.fsl', content });
  } catch (error) {
    if (error instanceof FslSyntaxError) return error.message.split('\n')[0]!;
    throw error;
  }
  return 'accepted';
}

describe('names', () => {
  it.each(['Set', 'Time', 'Math', 'Collection', 'FQL', 'if', '_', 'Any', 'log', 'abort', 'NamedRef'])('reserves %s for collections and functions', (name) => {
    expect(globalNameProblem(name)).toBe(`The identifier \`${name}\` is reserved.`);
  });

  it.each(['', 'foo-bar', '0abc', 'a b', '😍'])('calls %j not an identifier', (name) => {
    expect(globalNameProblem(name)).toBe('Invalid identifier.');
  });

  it('accepts ordinary names, and admin/server for anything but roles', () => {
    expect([globalNameProblem('Customer'), globalNameProblem('admin'), roleNameProblem('customer')]).toEqual([null, null, null]);
    expect(roleNameProblem('server')).toBe('The identifier `server` is reserved.');
  });

  it('reserves a collection\'s own members as index names', () => {
    expect(indexNameProblem('all')).toBe("The name 'all' is reserved.");
    expect(indexNameProblem('bySub')).toBeNull();
  });
});

describe('index fields', () => {
  it.each([
    ['ts', 'term', '`ts` may only be used as an index value, not as an index term.'],
    ['id.x', 'term', '`id` is not supported as an index term, use the native byId method to look up a document by its id.'],
    ['coll', 'value', '`coll` is not supported as a specified index value.'],
    ['ts', 'unique', '`ts` is not supported as a unique constraint value.'],
    ['', 'term', 'Value cannot be empty.'],
    ['a..b', 'value', 'Value `a..b` is not a valid FQL path expression.'],
  ] as const)('refuses %j as an index %s', (field, role, message) => {
    expect(indexFieldProblem(field, role)).toBe(message);
  });

  it.each(['ts', 'a.b.c', '.a', "a['f oo']", 'a[0]'])('accepts %j as an index value', (field) => {
    expect(indexFieldProblem(field, 'value')).toBeNull();
  });
});

describe('the FSL path', () => {
  it('refuses a reserved collection or function name, a reserved index name and a term on ts', () => {
    expect(fslProblem('collection Set {}')).toBe('error: The identifier `Set` is reserved.');
    expect(fslProblem('function log() { 1 }')).toBe('error: The identifier `log` is reserved.');
    expect(fslProblem('collection C {\n  index all {\n    terms [.a]\n  }\n}')).toBe("error: The name 'all' is reserved.");
    expect(fslProblem('collection C {\n  index byTs {\n    terms [.ts]\n  }\n}')).toBe('error: `ts` may only be used as an index value, not as an index term.');
    expect(fslProblem('collection C {\n  index byTs {\n    values [.ts]\n  }\n}')).toBe('accepted');
  });
});

describe('derived types (CORE: CollectionDerivedTypeValidator; FQL2NameValidationSpec "type environment")', () => {
  it('refuses a schema where one collection\'s X, XCollection or NullX is another\'s name or alias', () => {
    expect(derivedTypeConflict([{ name: 'Author', alias: null }, { name: 'AuthorCollection', alias: null }]))
      .toBe('The collection name `Author` generates types that conflict with the following existing types: AuthorCollection');
    expect(derivedTypeConflict([{ name: 'Foo', alias: null }, { name: 'Bar', alias: 'NullFoo' }]))
      .toBe('The collection name `Foo` generates types that conflict with the following existing types: NullFoo');
    expect(derivedTypeConflict([{ name: 'Customer', alias: null }, { name: 'Product', alias: null }])).toBeNull();
  });
});

describe('one namespace for collections and functions (CORE: GlobalNamespaceValidator)', () => {
  it('refuses a schema that gives a name or alias twice, naming the item that had it first', () => {
    expect(namespaceConflict({ collections: [{ name: 'foo', alias: null }], functions: [{ name: 'foo', alias: 'bar' }] }))
      .toBe('A Collection already exists with the name `foo`');
    expect(namespaceConflict({ collections: [{ name: 'Book', alias: 'Foo' }], functions: [{ name: 'Foo', alias: null }] }))
      .toBe('A Collection already exists with the alias `Foo`');
    expect(namespaceConflict({ collections: [{ name: 'Customer', alias: null }], functions: [{ name: 'signIn', alias: null }] })).toBeNull();
  });
});
