/**
 * FSL syntax errors rendered as the core renders them (`error: …`, `at file:line:col`, the source line, carets): the
 * FSL parser's diagnostics, split from parser.test.ts to keep each file readable.
 */
import { describe, expect, it } from '@jest/globals';
import { FslSyntaxError } from '../../../src/fsl/errors.ts';
import { parseSchemaFile } from '../../../src/fsl/parser.ts';

function fslError(content: string, filename = 'main.fsl'): FslSyntaxError {
  try {
    parseSchemaFile({ filename, content });
  } catch (error) {
    if (error instanceof FslSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected an FSL error for: ${content}`);
}

describe('parseSchemaFile diagnostics rendered as the core renders them', () => {
  // Expected texts follow the core's FSL parser tests, which name the source `*fsl*` (core test: https://github.com/search?type=code&q=repo%3Afauna%2Ffaunadb+FSLParserSpec).
  it.each([
    ['a check without a name', 'collection Foo {\n  check ((doc) => doc.ok)\n}\n', [
      'error: Missing required name',
      'at *fsl*:2:3',
      '  |',
      '2 |   check ((doc) => doc.ok)',
      '  |   ^^^^^',
      '  |',
    ]],
    ['a duplicate check name', 'collection Foo {\n  check a ((doc) => doc.ok)\n  check a ((doc) => !doc.ok)\n}\n', [
      'error: Duplicate check constraint name `a`',
      'at *fsl*:3:9',
      '  |',
      '3 |   check a ((doc) => !doc.ok)',
      '  |         ^',
      '  |',
      'hint: Originally defined here',
      'at *fsl*:2:9',
      '  |',
      '2 |   check a ((doc) => doc.ok)',
      '  |         ^',
      '  |',
    ]],
    ['a check that is not a lambda', 'collection Foo {\n  check a true\n}\n', [
      'error: Expected lambda check predicate',
      'at *fsl*:2:11',
      '  |',
      '2 |   check a true',
      '  |           ^^^^',
      '  |',
    ]],
    ['an invalid index name', "collection '0Foo$' {\n  index \"0byBar.$\" {}\n}\n", [
      'error: Invalid identifier `0byBar.$`',
      'at *fsl*:2:9',
      '  |',
      '2 |   index "0byBar.$" {}',
      '  |         ^^^^^^^^^^',
      '  |',
    ]],
    ['a duplicate history_days', 'collection Foo {\n  history_days 42\n  history_days 24\n}\n', [
      'error: Duplicate history days',
      'at *fsl*:3:3',
      '  |',
      '3 |   history_days 24',
      '  |   ^^^^^^^^^^^^^^^',
      '  |',
      'hint: Originally defined here',
      'at *fsl*:2:3',
      '  |',
      '2 |   history_days 42',
      '  |   ^^^^^^^^^^^^^^^',
      '  |',
    ]],
    ['a duplicate document_ttls', 'collection Foo {\n  document_ttls false\n  document_ttls true\n}\n', [
      'error: Duplicate document TTLs',
      'at *fsl*:3:3',
      '  |',
      '3 |   document_ttls true',
      '  |   ^^^^^^^^^^^^^^^^^^',
      '  |',
      'hint: Originally defined here',
      'at *fsl*:2:3',
      '  |',
      '2 |   document_ttls false',
      '  |   ^^^^^^^^^^^^^^^^^^^',
      '  |',
    ]],
    ['a duplicate annotation', '@alias(Bar)\n@alias(Bar)\ncollection Foo {}\n', [
      'error: Duplicate annotation `alias`',
      'at *fsl*:2:1',
      '  |',
      '2 | @alias(Bar)',
      '  | ^^^^^^^^^^^',
      '  |',
      'hint: Originally defined here',
      'at *fsl*:1:1',
      '  |',
      '1 | @alias(Bar)',
      '  | ^^^^^^^^^^^',
      '  |',
    ]],
    ['a unique constraint repeated in another order', 'collection Foo {\n  unique [.foo, .bar]\n  unique [.bar, .foo]\n}\n', [
      'error: Duplicate unique constraint.',
      'at *fsl*:3:10',
      '  |',
      '3 |   unique [.bar, .foo]',
      '  |          ^^^^^^^^^^^^',
      '  |',
      'hint: This unique constraint covers the same fields.',
      'at *fsl*:2:10',
      '  |',
      '2 |   unique [.foo, .bar]',
      '  |          ^^^^^^^^^^^^',
      '  |',
    ]],
    ['a role annotation on a collection', '@role(Bar)\ncollection Foo {}\n', [
      'error: Annotation not supported here',
      'at *fsl*:1:1',
      '  |',
      '1 | @role(Bar)',
      '  | ^^^^^^^^^^',
      '  |',
    ]],
    ['a duplicate migration block', 'collection Foo {\n  migrations {\n    backfill .c = 3\n  }\n  migrations {\n    drop .bar\n  }\n}\n', [
      'error: Duplicate migration block',
      'at *fsl*:5:3',
      '  |',
      '5 |     migrations {',
      '  |  ___^',
      '6 | |     drop .bar',
      '7 | |   }',
      '  | |___^',
      '  |',
      'hint: Originally defined here',
      'at *fsl*:2:3',
      '  |',
      '2 |     migrations {',
      '  |  ___^',
      '3 | |     backfill .c = 3',
      '4 | |   }',
      '  | |___^',
      '  |',
    ]],
    ['an empty migration block', 'collection Foo {\n  migrations {\n  }\n}\n', [
      'error: Empty migration blocks are not allowed',
      'at *fsl*:2:3',
      '  |',
      '2 |     migrations {',
      '  |  ___^',
      '3 | |   }',
      '  | |___^',
      '  |',
    ]],
    ['a membership predicate that is not a lambda', 'role Foo {\n  membership Bar {\n    predicate 42\n  }\n}\n', [
      'error: Expected lambda predicate',
      'at *fsl*:3:15',
      '  |',
      '3 |     predicate 42',
      '  |               ^^',
      '  |',
    ]],
    ['a duplicate action', 'role Foo {\n  privileges A {\n    read\n    read\n  }\n}\n', [
      'error: Duplicate action `read`',
      'at *fsl*:4:5',
      '  |',
      '4 |     read',
      '  |     ^^^^',
      '  |',
      'hint: Originally defined here',
      'at *fsl*:3:5',
      '  |',
      '3 |     read',
      '  |     ^^^^',
      '  |',
    ]],
    ['an annotation on a role on the same line', '@alias(Bar) role Foo {}\n', [
      'error: Annotations are not allowed here',
      'at *fsl*:1:1',
      '  |',
      '1 | @alias(Bar) role Foo {}',
      '  | ^^^^^^^^^^^',
      '  |',
    ]],
    ['a return type on an untyped function', 'function f(x): Int { x }', [
      'error: Return type is not allowed when arguments do not have a type',
      'at *fsl*:1:16',
      '  |',
      '1 | function f(x): Int { x }',
      '  |                ^^^',
      '  |',
      'hint: Expecting no types due to this argument not having a type',
      '  |',
      '1 | function f(x): Int { x }',
      '  |            ^',
      '  |',
    ]],
    ['a typed function without a return type', 'function f(x: Int) { x }', [
      'error: Return type is required when arguments have a type',
      'at *fsl*:1:18',
      '  |',
      '1 | function f(x: Int) { x }',
      '  |                  ^',
      '  |',
      'hint: Expecting types due to this type annotation',
      '  |',
      '1 | function f(x: Int) { x }',
      '  |               ^^^',
      '  |',
    ]],
    ['an untyped variadic argument after a typed one', 'function f(x: Int, ...y): Int { x }', [
      'error: All or no arguments must have a type',
      'at *fsl*:1:23',
      '  |',
      '1 | function f(x: Int, ...y): Int { x }',
      '  |                       ^',
      '  |',
      'hint: Expecting types due to this type annotation',
      '  |',
      '1 | function f(x: Int, ...y): Int { x }',
      '  |               ^^^',
      '  |',
    ]],
    ['a function named after an alias', '@alias(fun1)\ncollection coll1 {}\nfunction fun1() { 0 }\n', [
      'error: Duplicate collection or function `fun1`',
      'at *fsl*:3:10',
      '  |',
      '3 | function fun1() { 0 }',
      '  |          ^^^^',
      '  |',
      'hint: Originally defined here',
      'at *fsl*:1:8',
      '  |',
      '1 | @alias(fun1)',
      '  |        ^^^^',
      '  |',
    ]],
    ['a function named like an aliased collection', '@alias(bar)\ncollection foo {}\nfunction foo() { 0 }\n', [
      'error: Duplicate collection or function `foo`',
      'at *fsl*:3:10',
      '  |',
      '3 | function foo() { 0 }',
      '  |          ^^^',
      '  |',
      'hint: Originally defined here',
      'at *fsl*:2:12',
      '  |',
      '2 | collection foo {}',
      '  |            ^^^',
      '  |',
    ]],
  ])('renders %s', (_name, content, expected) => {
    // Act
    const error = fslError(content, '*fsl*');

    // Assert
    expect(error.message).toBe(expected.join('\n'));
  });

  it.each([
    ['a collection and an aliased function of the same name', 'collection foo {}\n@alias(bar)\nfunction foo() { 0 }'],
    ['fields with keyword names, compact syntax and spaced colons', 'collection Foo {short:Int=3; privileges: Int; function : String}'],
    ['multi-line tuple types and block defaults', 'collection Foo {\n  baz: (\n    Int,\n    String\n  )\n  multiline: Int = {\n    let a = 2\n    a + 1\n  }\n}'],
    ['special names and paths', 'collection "0Foo$" {\n  index byBar {\n    terms [.[0], .["0baz"], .a["a b"][0]]\n  }\n}'],
    ['an empty role', 'role Foo {\n}'],
    ['annotations on one line', '@alias(bar) @role(admin)\nfunction foo(a: Int): Int { 42 }'],
    ['a complete migration block', 'collection Foo {\n  migrations {\n    backfill .c = 3\n    drop .bar\n    move .a -> .b\n    split .a -> .b, .c, .d\n    add .a\n  }\n}'],
  ])('accepts %s', (_name, content) => {
    // Act + Assert
    expect(() => parseSchemaFile({ filename: 'main.fsl', content })).not.toThrow();
  });
});
