/**
 * The local Fauna's static type checker (packages/fauna-local/src/typer/): types and their messages, the checker over the AST,
 * schema checks at push, and which queries are checked (database flag, inherited, `x-typecheck` override).
 * Facts restated from the core: typer/TypeConstraintFailure.scala, stdlib/Math.scala, stdlib/Arrays.scala,
 * env/SchemaTypeValidator.scala, doc/Database.scala (isTypechecked).
 */
import { describe, expect, it } from '@jest/globals';
import { AdjustableClock } from '../../../src/clock.ts';
import type { QueryOutcome } from '../../../src/engine/api.ts';
import { createEngine } from '../../../src/engine/engine.ts';
import { parseQuery } from '../../../src/fql/parser.ts';
import { parseSchemaFiles } from '../../../src/fsl/parser.ts';
import { typecheckQuery, typecheckSchema } from '../../../src/typer/index.ts';
import { parseTypeAnnotation } from '../../../src/typer/annotations.ts';
import { INT, NULL, NUMBER, STRING, arrayOf, display, lit, optional, record, subtype, union } from '../../../src/typer/types.ts';


function check(query: string, fsl = ''): string {
  const items = parseSchemaFiles(fsl ? [{ filename: 'main.fsl', content: fsl }] : []);
  const result = typecheckQuery(parseQuery(query), items, new Map());
  return 'error' in result ? `error: ${result.error.message}` : display(result.type);
}

function engine(typechecked?: boolean) {
  const e = createEngine({ clock: new AdjustableClock(), rootSecret: 'secret', ...(typechecked === undefined ? {} : { typechecked }) });
  const run = (query: string, options: { typecheck?: boolean; database?: string[] } = {}): QueryOutcome =>
    e.query({ principal: { kind: 'root', ...(options.database ? { database: options.database } : {}) }, query, arguments: undefined, format: 'simple', lastTxnTs: undefined, timeoutMs: 5000, typecheck: options.typecheck });
  return { engine: e, run };
}

describe('typer types', () => {
  it('prints types as the core does and names what fails a subtype check', () => {
    // Assert
    expect(display(record({ a: INT, b: optional(STRING) }, NUMBER))).toBe('{ a: Int, b: String | Null, *: Number }');
    expect(display(union(INT, NUMBER))).toBe('Number');
    expect(subtype(NUMBER, INT)?.message).toBe('Type `Number` is not a subtype of `Int`');
    expect(subtype(lit(3n), NUMBER)).toBeNull();
    expect(subtype(arrayOf(INT), arrayOf(NUMBER))).toBeNull();
    expect(subtype(STRING, optional(NUMBER))?.message).toBe('Type `String` is not a subtype of `Null | Number`');
    expect(subtype(record({}), record({ a: INT }))?.message).toBe('Type `{}` does not have field `a`');
    expect(subtype(record({ a: lit(1n), c: INT }), record({ a: INT }))?.message).toBe('Type `{ a: 1, c: Int }` contains extra field `c`');
    expect(subtype(NULL, optional(INT))).toBeNull();
  });

  it('reads annotations, and names an unknown type', () => {
    // Assert
    expect(display(parseTypeAnnotation('{ a: Int?, *: Any } | Array<"x" | 3>', () => false))).toBe('{ a: Int | Null, *: Any } | Array<"x" | 3>');
    expect(display(parseTypeAnnotation('Ref<Customer>', (n) => n === 'Customer'))).toBe('Ref<Customer>');
    expect(() => parseTypeAnnotation('Nope', () => false)).toThrow('Unknown type `Nope`');
  });
});

describe('the checker', () => {
  it('refuses Math.min where take wants an Int, and arithmetic too (every arithmetic result is Number)', () => {
    // Assert
    expect(check('[1, 2, 3].take(Math.min(2, 5))')).toBe('error: Type `Number` is not a subtype of `Int`');
    expect(check('[1, 2, 3].take([1, 2].length)')).toBe('error: Type `Number` is not a subtype of `Int`');
    expect(check('[1, 2, 3].take(2)')).toBe('Array<Int>');
    expect(check('[1, 2, 3].map(x => x + 1)')).toBe('Array<Number>');
    // A seed's type widens to take the reducer's result (fold's B: Int, then Number).
    expect(check('Set.sequence(0, 10).fold(0, (a, b) => a + b)')).toBe('Number');
  });

  it('types documents from field definitions: Ref needs ! or ?., create wants the defined fields', () => {
    // Arrange
    const fsl = 'collection User {\n  name: String\n  age: Int?\n}\n';

    // Assert
    expect(check("User.byId('1').name", fsl)).toBe('error: Type `Null` does not have field `name`');
    expect(check("User.byId('1')!.name", fsl)).toBe('String');
    expect(check("User.byId('1')?.age", fsl)).toBe('Int | Null');
    expect(check("User.create({ name: 'a' }).nope", fsl)).toBe('error: Type `User` does not have field `nope`');
    expect(check('User.create({})', fsl)).toBe('error: Type `{}` does not have field `name`');
    expect(check("User.all().where(.age > 3).first()", fsl)).toBe('User | Null');
  });

  it('reads nested field blocks (their defaults make a field optional to write) and Refs to collections declared later', () => {
    // Arrange
    const fsl = 'collection User {\n  address: Ref<Address>\n  a: {\n    b: Int = 3\n    c: String\n  }\n}\n\ncollection Address {}\n';

    // Assert
    expect(check('User.create({ address: Address.create({}), a: { c: "x" } }).a.b', fsl)).toBe('Int');
    expect(check('User.create({ address: Address.create({}), a: { b: 1 } })', fsl)).toBe('error: Type `{ b: 1 }` does not have field `c`');
    expect(check('User.all().first()!.address', fsl)).toBe('Ref<Address>');
  });

  it('treats untyped UDF parameters as Any, infers the result from the body, and uses declared signatures', () => {
    // Arrange
    const fsl = 'function two() { 2 }\nfunction echo(x) { x }\nfunction inc(x: Number): Number { x + 1 }\nfunction loop(n) { loop(n) }\n';

    // Assert
    expect(check('two()', fsl)).toBe('2');
    expect(check('echo(1).anything', fsl)).toBe('Any');
    expect(check("inc('a')", fsl)).toBe('error: Type `String` is not a subtype of `Number`');
    expect(check('inc(1, 2)', fsl)).toBe('error: Function was called with too many arguments. Expected 1, received 2');
    expect(check('loop(1)', fsl)).toBe('Any');
  });

  it('types Any as the gradual type and abort as Never', () => {
    // Assert
    expect(check('let x: Any = null; x.foo(1).bar')).toBe('Any');
    expect(check("if (true) 1 else abort('no')")).toBe('1');
    expect(check('nope')).toBe('error: Unbound variable `nope`');
  });
});

describe('schema checks at push', () => {
  it('refuses a UDF that passes Math.min to take, naming the file, line and column', () => {
    // Arrange
    const files = [{ filename: 'main.fsl', content: 'function firstTwo() {\n  [1, 2, 3].take(Math.min(2, 5))\n}\n' }];

    // Act
    const message = typecheckSchema(files, parseSchemaFiles(files));

    // Assert
    expect(message).toContain('Invalid database schema update.\n    error: Type `Number` is not a subtype of `Int`\n    at main.fsl:2:18');
  });

  it('checks role predicates, check constraints, computed fields and defaults', () => {
    // Arrange
    const cases = [
      'collection C {\n  n: Int\n}\nrole r {\n  membership C {\n    predicate ((c) => c.n)\n  }\n}\n',
      'collection C {\n  n: Int\n  check positive ((c) => c.n + 1)\n}\n',
      'collection C {\n  n: Int\n  compute s: String = (c) => c.n\n}\n',
      'collection C {\n  n: Int = "x"\n}\n',
    ];

    // Act
    const messages = cases.map((content) => typecheckSchema([{ filename: 'main.fsl', content }], parseSchemaFiles([{ filename: 'main.fsl', content }])));

    // Assert
    expect(messages).toEqual([
      expect.stringContaining('error: Type `Int` is not a subtype of `Null | Boolean`'),
      expect.stringContaining('error: Type `Number` is not a subtype of `Null | Boolean`'),
      expect.stringContaining('error: Type `Int` is not a subtype of `String`'),
      expect.stringContaining('error: Type `String` is not a subtype of `Int`'),
    ]);
  });
});

describe('which queries are type-checked', () => {
  it('checks by default (the root database is type-checked, as in the core), and x-typecheck false runs dynamically', () => {
    // Arrange
    const { run } = engine();

    // Act
    const checked = run('2 + "a"');
    const dynamic = run('2 + "a"', { typecheck: false });
    const flag = run('Query.isEnvTypechecked()', { typecheck: false });

    // Assert
    expect(checked).toMatchObject({ ok: false, error: { code: 'invalid_query', message: 'The query failed 1 validation check' } });
    expect(dynamic).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(flag).toMatchObject({ ok: true, data: true });
  });

  it('lets a child database inherit the flag or set its own, and x-typecheck true overrides false', () => {
    // Arrange
    const { run } = engine();
    run('Database.create({ name: "inherits" })');
    run('Database.create({ name: "untyped", typechecked: false })');
    run('Database.create({ name: "untyped" })', { database: ['untyped'] });

    // Act
    const inherits = run('Query.isEnvTypechecked()', { database: ['inherits'] });
    const untyped = run('Query.isEnvTypechecked()', { database: ['untyped'] });
    const grandchild = run('2 + "a"', { database: ['untyped', 'untyped'] });
    const forced = run('2 + "a"', { database: ['untyped'], typecheck: true });

    // Assert
    expect(inherits).toMatchObject({ ok: true, data: true });
    expect(untyped).toMatchObject({ ok: true, data: false });
    expect(grandchild).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(forced).toMatchObject({ ok: false, error: { code: 'invalid_query' } });
  });

  it('refuses a schema change from FQL whose body does not type-check with invalid_schema, and writes nothing', () => {
    // Arrange
    const { run } = engine();

    // Act
    const refused = run('Function.create({ name: "firstTwo", body: "() => [1, 2, 3].take(Math.min(2, 5))" })');
    const exists = run('Function.byName("firstTwo") != null');

    // Assert
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_schema' } });
    expect(exists).toMatchObject({ ok: true, data: false });
  });
});
