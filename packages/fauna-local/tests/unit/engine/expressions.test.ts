import { describe, expect, it } from '@jest/globals';
import { statusOf } from '../../../src/http/errors.ts';
import { int, makeDb, ROOT } from '../helpers/test-db.ts';

describe('FQL expressions on the engine', () => {
  const db = makeDb();

  it('evaluates statements, let bindings and blocks to the last expression', () => {
    expect(db.data('let a = 2\nlet b = { let c = a * 10; c + 1 }\nb')).toEqual(int(21));
  });

  it('promotes Int to Double and keeps Int arithmetic exact', () => {
    expect(db.data('1 + 2.5')).toEqual({ '@double': '3.5' });
    expect(db.data('7 / 2')).toEqual(int(3));
    expect(db.data('-7 % 3')).toEqual(int(-1));
    expect(db.data('2 ** 40')).toEqual({ '@long': '1099511627776' });
    expect(db.data('10.0 / 4')).toEqual({ '@double': '2.5' });
  });

  it('fails integer division by zero with divide_by_zero', () => {
    const error = db.error('1 / 0');
    expect(error.code).toBe('divide_by_zero');
    expect(error.httpStatus).toBe(400);
  });

  it('concatenates strings with + and interpolates templates', () => {
    expect(db.data('let n = "Ann"\n"Hi " + n + "! #{1 + 1} #{[1, "a"]}"')).toBe('Hi Ann! 2 [1, "a"]');
  });

  it('appends the display string of any value to a String with +, but not a String to a number', () => {
    expect(db.data('"a" + 1 + null + 1.5')).toBe('a1null1.5');
    expect(db.error('1 + "a"')).toMatchObject({ code: 'invalid_argument', message: 'expected value for `other` of type Number, received String' });
  });

  it('overflows Long arithmetic into Double as the core does', () => {
    expect(db.data('9223372036854775807 + 1')).toEqual({ '@double': '9.223372036854776E18' });
    expect(db.data('2 ** 62')).toEqual({ '@long': '4611686018427387904' });
  });

  it('compares values structurally', () => {
    expect(db.data('[{ a: 1 } == { a: 1 }, [1, 2] != [1, 2], 1 == 1.0, "a" < "b", 3 >= 4]')).toEqual([true, false, true, true, false]);
  });

  it('evaluates && and || lazily and requires booleans', () => {
    expect(db.data('false && abort("never")')).toBe(false);
    expect(db.data('true || abort("never")')).toBe(true);
    expect(db.error('1 && true').code).toBe('type_mismatch');
  });

  it('evaluates ?? lazily: the right side only for null', () => {
    expect(db.data('null ?? 3')).toEqual(int(3));
    expect(db.data('4 ?? abort("never")')).toEqual(int(4));
  });

  it('short-circuits a whole optional chain on null', () => {
    expect(db.data('let o = { a: null }\no.a?.b.c')).toBeNull();
    expect(db.data('let o = { a: { b: { c: 5 } } }\no.a?.b.c')).toEqual(int(5));
  });

  it('reports null access and null assertions with Fauna codes and causes', () => {
    expect(db.error('let x = null\nx.foo')).toMatchObject({ code: 'invalid_null_access', message: 'Cannot access `foo` on null.' });
    expect(db.error('let o = {}\no.missing!')).toMatchObject({ code: 'null_value', message: 'Null value, due to missing field `missing`' });
    expect(db.error('[].first()!')).toMatchObject({ code: 'null_value', message: 'Null value, due to empty set' });
  });

  it('runs if/else as an expression, with null when there is no else branch', () => {
    expect(db.data('if (1 < 2) "yes" else "no"')).toBe('yes');
    expect(db.data('if (false) "yes"')).toBeNull();
    expect(db.data('if (false) 1 else if (true) 2 else 3')).toEqual(int(2));
    expect(db.error('if (null) 1 else 2')).toMatchObject({ code: 'type_mismatch', message: 'expected type: Boolean, received Null' });
  });

  it('creates closures that capture their scope, including short lambdas', () => {
    expect(db.data('let add = (a) => (b) => a + b\nlet add2 = add(2)\n[1, 2, 3].map(add2)')).toEqual([int(3), int(4), int(5)]);
    expect(db.data('[{ n: 1 }, { n: 2 }].map(.n)')).toEqual([int(1), int(2)]);
    expect(db.data('let f = (...xs) => xs.length\nf(1, 2, 3)')).toEqual(int(3));
  });

  it('closes over the bindings that exist where a lambda is written', () => {
    expect(db.data('let x = 1\nlet f = () => x\nlet x = 2\n[f(), x]')).toEqual([int(1), int(2)]);
    expect(db.error('let f = (n) => f(n)\nf(1)').code).toBe('unbound_variable');
  });

  it('projects objects and arrays, with missing keys as null', () => {
    expect(db.data('{ a: 1, b: { c: 2, d: 3 }, e: 4 } { a, b { c }, z, sum: .a + .e }')).toEqual({ a: int(1), b: { c: int(2) }, z: null, sum: int(5) });
    expect(db.data('[{ a: 1, b: 2 }, { a: 3 }] { a }')).toEqual([{ a: int(1) }, { a: int(3) }]);
    expect(db.data('null { a }')).toBeNull();
  });

  it('indexes arrays and reports out-of-bounds indexes', () => {
    expect(db.data('[10, 20, 30][1]')).toEqual(int(20));
    expect(db.error('[10, 20, 30][3]')).toMatchObject({ code: 'index_out_of_bounds' });
  });

  it('checks types with isa', () => {
    expect(db.data('[1 isa Int, "s" isa String, 1.5 isa Number, null isa Null, {} isa Object, [] isa String]')).toEqual([true, true, true, true, true, false]);
  });

  it('implements the Array methods', () => {
    expect(db.data('let a = [3, 1, 2, 3]\n{ len: a.length, d: a.distinct(), o: a.order(), r: a.reverse(), i: a.indexOf(2), s: a.slice(1, 3), c: a.concat([9]), ap: a.append(7), inc: a.includes(1), f: a.fold(0, (x, y) => x + y), e: a.every(v => v > 0), w: a.where(v => v > 1), t: a.take(2), dr: a.drop(3) }')).toEqual({
      len: int(4), d: [int(3), int(1), int(2)], o: [int(1), int(2), int(3), int(3)], r: [int(3), int(2), int(1), int(3)], i: int(2),
      s: [int(1), int(2)], c: [int(3), int(1), int(2), int(3), int(9)], ap: [int(3), int(1), int(2), int(3), int(7)], inc: true,
      f: int(9), e: true, w: [int(3), int(2), int(3)], t: [int(3), int(1)], dr: [int(3)],
    });
  });

  it('implements the core\'s other Array methods, and not the Set-only ones', () => {
    expect(db.data('[Array.sequence(0, 3), ["a", "b"].entries(), [1, 2, 3].filter(x => x != 2), [[1], [2, 3]].flatten(), [1, 2, 1].lastIndexWhere(x => x == 1)]')).toEqual([
      [int(0), int(1), int(2)], [[int(0), 'a'], [int(1), 'b']], [int(1), int(3)], [int(1), int(2), int(3)], int(2),
    ]);
    expect(db.error('[1].count()').code).toBe('invalid_function_invocation');
    expect(db.error('[1].where(x => 1)')).toMatchObject({ code: 'type_mismatch', message: 'expected type: Boolean, received Int' });
  });

  it('orders with asc/desc key functions', () => {
    expect(db.data('[{ n: 1 }, { n: 3 }, { n: 2 }].order(desc(.n)).map(.n)')).toEqual([int(3), int(2), int(1)]);
  });

  it('returns orderings as { asc } / { desc } objects and folds from either end', () => {
    expect(db.data('[3, 1, 2].order(desc(x => x))')).toEqual([int(3), int(2), int(1)]);
    expect(db.data('["a", "b", "c"].toSet().foldRight("", (acc, s) => acc + s)')).toBe('cba');
    expect(db.data('[1, 2, 3, 4].toSet().lastWhere(x => x < 3)')).toEqual(int(2));
    expect(db.error('[1].toSet().take(-1)')).toMatchObject({ code: 'invalid_bounds' });
    expect(db.error('[1].toSet().paginate(0)')).toMatchObject({ code: 'invalid_bounds', message: 'expected `size` to be between 1 and 16000 (inclusive), received 0' });
  });

  it('implements the String methods', () => {
    expect(db.data('let s = "  Hello World  "\nlet t = s.trim()\n[t.length, t.toLowerCase(), t.toUpperCase(), t.includes("lo W"), t.startsWith("He"), t.endsWith("x"), t.split(" "), t.slice(6), t.replaceAll("o", "0"), t.concat("!")]')).toEqual([
      int(11), 'hello world', 'HELLO WORLD', true, true, false, ['Hello', 'World'], 'World', 'Hell0 W0rld', 'Hello World!',
    ]);
  });

  it('implements the regex String methods and rejects a bad pattern with invalid_regex', () => {
    expect(db.data('let s = "a1b22c333"\n[s.includesRegex("[0-9]+"), s.matches("[0-9]+"), s.replaceAllRegex("[0-9]+", "#"), s.splitRegex("[0-9]+"), s.indexOfRegex("b")]')).toEqual([
      true, ['1', '22', '333'], 'a#b#c#', ['a', 'b', 'c', ''], int(2),
    ]);
    expect(db.error('"a".matches("(")').code).toBe('invalid_regex');
  });

  it('implements Math and Object helpers', () => {
    expect(db.data('[Math.abs(-3), Math.max(1, 2), Math.min(1.5, 2), Math.floor(1.7), Math.ceil(1.2), Math.round(2.5)]')).toEqual([
      int(3), int(2), { '@double': '1.5' }, { '@double': '1.0' }, { '@double': '2.0' }, { '@double': '3.0' },
    ]);
    expect(db.data('let o = { a: 1, b: 2 }\n[Object.keys(o), Object.values(o), Object.entries(o), Object.assign(o, { c: 3 }), Object.fromEntries([["x", 1]])]')).toEqual([
      ['a', 'b'], [int(1), int(2)], [['a', int(1)], ['b', int(2)]], { a: int(1), b: int(2), c: int(3) }, { x: int(1) },
    ]);
  });

  it('reads a field a type does not have as null, and a method name as a function', () => {
    expect(db.data('[Math.nope, 1.nope, "s".nope]')).toEqual([null, null, null]);
    expect(db.data('let up = "abc".toUpperCase\nup()')).toBe('ABC');
    expect(db.data('[1, 2].map(Math.abs)')).toEqual([int(1), int(2)]);
  });

  it('answers false when comparing values of unrelated types', () => {
    expect(db.data('[1 < "a", 1 > "a", null < 1, "a" >= [1], null <= null]')).toEqual([false, false, false, false, true]);
  });

  it('fails unknown names and methods with Fauna codes instead of answering', () => {
    expect(db.error('nope')).toMatchObject({ code: 'unbound_variable', message: 'Unbound variable `nope`' });
    expect(db.error('Collection.al()')).toMatchObject({ code: 'invalid_function_invocation', message: 'The function `al` does not exist on `Collection`' });
    expect(db.error('"s".nope()').code).toBe('invalid_function_invocation');
    expect(db.error('[1].take()').code).toBe('invalid_function_invocation');
  });

  it('answers constructs the emulator does not implement with invalid_query naming them', () => {
    for (const query of ['AccessProvider.all()', 'Credential.byDocument(null)', '[1].toSet().eventSource()']) {
      const error = db.error(query);
      expect(error.code).toBe('invalid_query');
      expect(error.message).toContain('not supported by the local Fauna emulator');
    }
  });

  it('writes schema changed from FQL into the FSL files the schema API serves, leaving other text alone', () => {
    const withSchema = makeDb({ 'app.fsl': '// the app\ncollection Customer { *: Any }\n' });
    withSchema.data('Collection.create({ name: "Wah", indexes: { byColor: { terms: [{ field: ".color" }] } } })');
    withSchema.data('Collection.byName("Customer")!.update({ ttl_days: 3 })');
    const main = withSchema.engine.schemaFile(ROOT, 'main.fsl');
    const app = withSchema.engine.schemaFile(ROOT, 'app.fsl');

    expect(main).toEqual({ version: expect.any(Number), content: 'collection Wah {\n  index byColor {\n    terms [.color]\n  }\n}\n' });
    expect(app).toEqual({ version: expect.any(Number), content: '// the app\ncollection Customer {\n  *: Any\n  ttl_days 3\n}\n' });
    withSchema.data('Collection.byName("Wah")!.delete()');
    expect(withSchema.engine.schemaFile(ROOT, 'main.fsl')).toEqual({ httpStatus: 404, message: 'Not found' });
  });

  it('rejects an FQL schema definition of the wrong shape with constraint_failure naming the field', () => {
    const error = db.error('Collection.create({ name: "X", indexes: { byA: { terms: "a" } } })');
    expect(error).toMatchObject({
      code: 'constraint_failure',
      message: 'Failed to create Collection.',
      constraint_failures: [{ paths: [['indexes', 'byA', 'terms']], message: 'Expected an array for `indexes.byA.terms`.' }],
    });
  });

  it('renders the summary of a runtime error at the failing span', () => {
    const error = db.error('Collection.al()');
    expect(error.summary).toBe("error: The function `al` does not exist on `Collection`\nat *query*:1:12\n  |\n1 | Collection.al()\n  |            ^^\n  |");
  });

  it('answers a parse error with invalid_query and a rendered summary', () => {
    const error = db.error('let x = ');
    expect(error.code).toBe('invalid_query');
    expect(error.message).toBe('The query failed 1 validation check');
    expect(error.summary).toContain('*query*:1');
  });

  it('aborts with the abort value and the abort code', () => {
    const error = db.error('abort({ reason: "nope", n: 1 })');
    expect(error).toMatchObject({ code: 'abort', message: 'Query aborted.', abort: { reason: 'nope', n: int(1) } });
  });

  it('appends log() output to the summary and returns dbg() values', () => {
    const outcome = db.run('log("hello", 1)\ndbg(41) + 1');
    expect(outcome.ok && outcome.data).toEqual(int(42));
    expect(outcome.summary).toBe('info at *query*:1: hello 1\ninfo at *query*:2: 41');
  });

  it('mints increasing digit-string ids with newId()', () => {
    const [a, b] = db.data('[newId(), newId()]') as string[];
    expect(a).toMatch(/^\d{17,19}$/);
    expect(BigInt(b!)).toBeGreaterThan(BigInt(a!));
  });

  it('fails a runaway query with time_out 440 when the deadline passes', () => {
    const outcome = db.run('Set.sequence(0, 100000000).map(x => x * 2).count()', { timeoutMs: 50 });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(statusOf(outcome.error.code)).toBe(440);
    expect(outcome.error.code).toBe('time_out');
    expect(outcome.error.message).toContain('aggressive deadline');
  });

  it('binds driver template values and decoded arguments as variables', () => {
    expect(db.data({ fql: ['', { value: int(2) }, ' * x'] }, { args: { x: int(21) } })).toEqual(int(42));
    expect(db.data({ fql: ['[', { fql: [{ value: int(17) }, ' + 3'] }, ', ', { array: [{ value: 'a' }] }, ']'] })).toEqual([int(20), ['a']]);
  });
});
