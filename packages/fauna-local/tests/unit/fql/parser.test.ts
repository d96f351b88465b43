import { describe, expect, it } from '@jest/globals';
import { FqlSyntaxError, FqlUnsupportedError } from '../../../src/fql/errors.ts';
import { parseExpression, parseQuery, parseQueryCached } from '../../../src/fql/parser.ts';
import { sexpr } from '../helpers/sexpr.ts';

/**
 * The query of Fauna's Amazon Cognito integration guide (docs.fauna.com, "Amazon Cognito integration"), restated here
 * with its comments and layout, and the two ${email} interpolations written as a variable.
 */
function guideQuery(): string {
  return [
    '// If a Customer document with the email exists, get it.',
    '// Otherwise, create a Customer document.',
    'let user = Customer.byEmail(email).first() ?? Customer.create({email: email})',
    '// Create a token for the Customer document.',
    "let token = Token.create({ document: user, ttl: Time.now().add(30, 'minutes') })",
    "// Return the Customer document's ID and the",
    "// token's secret.",
    'let payload = { userId: user!.id, token: token.secret }',
    'payload',
    '',
  ].join('\n');
}

function parsed(source: string): string {
  return sexpr(parseQuery(source));
}

function syntaxError(source: string): FqlSyntaxError {
  try {
    parseQuery(source);
  } catch (error) {
    if (error instanceof FqlSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for: ${source}`);
}

describe('parseQuery on the queries this project sends', () => {
  it('parses the guide query from the seed into three lets and a return value', () => {
    // Arrange
    const source = guideQuery();

    // Act
    const program = parseQuery(source);

    // Assert
    expect(program.body.map((s) => (s.kind === 'Let' ? `let ${s.name}` : 'expr'))).toEqual([
      'let user', 'let token', 'let payload', 'expr',
    ]);
  });

  it('parses the guide query laid out on several lines as the driver sends it', () => {
    // Arrange
    const source = [
      '// If a Customer document with the email exists, get it.',
      'let user = Customer.byEmail(email).first() ?? Customer.create({email: email})',
      '// Create a token for the Customer document.',
      "let token = Token.create({ document: user, ttl: Time.now().add(30, 'minutes') })",
      'let payload = { userId: user!.id, token: token.secret }',
      'payload',
    ].join('\n');

    // Act
    const tree = parsed(source);

    // Assert
    expect(tree).toBe(
      '(block'
      + ' (let user (?? (call (. (call (. Customer byEmail) email) first)) (call (. Customer create) (obj "email"=email))))'
      + ' (let token (call (. Token create) (obj "document"=user "ttl"=(call (. (call (. Time now)) add) 30 "minutes"))))'
      + ' (let payload (obj "userId"=(. (! user) id) "token"=(. token secret)))'
      + ' payload)',
    );
  });

  it.each([
    ['an upsert with ??', 'Customer.byEmail("a@b.co").first() ?? Customer.create({ email: "a@b.co" })',
      '(block (?? (call (. (call (. Customer byEmail) "a@b.co") first)) (call (. Customer create) (obj "email"="a@b.co"))))'],
    ['a let and a block-looking object on the same line after ;',
      'let t = Token.create({ document: u, ttl: Time.now().add(30, "minutes") }); { token: t.secret, id: u!.id }',
      '(block (let t (call (. Token create) (obj "document"=u "ttl"=(call (. (call (. Time now)) add) 30 "minutes")))) (obj "token"=(. t secret) "id"=(. (! u) id)))'],
  ])('parses %s', (_name, source, expected) => {
    // Act
    const tree = parsed(source);

    // Assert
    expect(tree).toBe(expected);
  });
});

describe('parseQuery operator precedence and associativity', () => {
  it.each([
    ['1 + 2 * 3', '(+ 1 (* 2 3))'],
    ['1 * 2 + 3', '(+ (* 1 2) 3)'],
    ['1 - 2 - 3', '(- (- 1 2) 3)'],
    ['2 ** 3 ** 2', '(** 2 (** 3 2))'],
    ['-2 ** 2', '(** -2 2)'],
    ['-x ** 2', '(** (-u x) 2)'],
    ['a ?? b || c && d', '(?? a (|| b (&& c d)))'],
    ['a == b && c != d', '(&& (== a b) (!= c d))'],
    ['a < b == c >= d', '(== (< a b) (>= c d))'],
    ['a =~ b', '(=~ a b)'],
    ['a !~ b', '(!~ a b)'],
    ['a | b ^ c & d', '(| a (^ b (& c d)))'],
    ['a + b | c', '(| (+ a b) c)'],
    ['x isa String', '(isa x String)'],
    ['x isa Int == true', '(== (isa x Int) true)'],
    ['a % b / c', '(/ (% a b) c)'],
    ['!a && !b', '(&& (!u a) (!u b))'],
    ['~a', '(~u a)'],
    ['- -a', '(-u (-u a))'],
    ['(1 + 2) * 3', '(* (+ 1 2) 3)'],
    ['a ?? b ?? c', '(?? (?? a b) c)'],
  ])('parses %s as %s', (source, expected) => {
    // Act
    const tree = parseExpression(source);

    // Assert
    expect(sexpr(tree)).toBe(expected);
  });
});

describe('parseQuery literals and postfix chains', () => {
  it.each([
    ['0x1F + 0b101 + 0o17 + 1_000', '(+ (+ (+ 31 5) 15) 1000)'],
    ['1.5 + 2e3 + 1.5e-2', '(+ (+ 1.5d 2000d) 0.015d)'],
    ['-9223372036854775808', '-9223372036854775808'],
    ['+1 + - 2', '(+ 1 -2)'],
    ['- 1.5e1', '-15d'],
    ['-1.abs()', '(call (. -1 abs))'],
    ['[1, "two", true, null, [],]', '[1 "two" true null []]'],
    ['{}', '(obj)'],
    ['{ "a b": 1, c: { d: 2 } }', '(obj "a b"=1 "c"=(obj "d"=2))'],
    ["'single' + \"double\"", '(+ "single" "double")'],
    ['"Hello #{name}!"', '(tpl "Hello " name "!")'],
    ['"#{a + 1}#{b}"', '(tpl (+ a 1) b)'],
    ['"a \\#{b} #c"', '"a #{b} #c"'],
    ['"nested #{ "x#{y}" }"', '(tpl "nested " (tpl "x" y))'],
    ['a.b.c', '(. (. a b) c)'],
    ['a?.b', '(?. a b)'],
    ['a?.b()', '(call (?. a b))'],
    ['f?.(1)', '(?.call f 1)'],
    ['a[0]["k"]', '([] ([] a 0) "k")'],
    ['a?.[0]', '(?.[] a 0)'],
    ['a!.b!', '(! (. (! a) b))'],
    ['f(1, 2,)', '(call f 1 2)'],
    ['Collection.all().first()!.name', '(. (! (call (. (call (. Collection all)) first))) name)'],
    ['x.if', '(. x if)'],
    ['1.abs()', '(call (. 1 abs))'],
  ])('parses %s as %s', (source, expected) => {
    // Act
    const tree = parseExpression(source);

    // Assert
    expect(sexpr(tree)).toBe(expected);
  });
});

describe('parseQuery lambdas, short lambdas, if and blocks', () => {
  it.each([
    ['x => x + 1', '(fn (x) (+ x 1))'],
    ['(x, y) => x', '(fn (x y) x)'],
    ['() => 1', '(fn () 1)'],
    ['(...args) => args', '(fn (...args) args)'],
    ['(a, ...rest) => rest', '(fn (a ...rest) rest)'],
    ['x => { let y = x; y }', '(fn (x) (block (let y x) y))'],
    ['x => { a: x }', '(fn (x) (obj "a"=x))'],
    ['Customer.where(.email == x)', '(call (. Customer where) (fn ($this) (== (. $this email) x)))'],
    ['s.map(.name)', '(call (. s map) (fn ($this) (. $this name)))'],
    ['s.order(desc(.ts))', '(call (. s order) (call desc (fn ($this) (. $this ts))))'],
    ['s.where(.a.b > 1 && .c)', '(call (. s where) (fn ($this) (&& (> (. (. $this a) b) 1) (. $this c))))'],
    ['s.map(.name.toUpperCase())', '(call (. s map) (fn ($this) (call (. (. $this name) toUpperCase))))'],
    ['s.where(!.deleted)', '(call (. s where) (fn ($this) (!u (. $this deleted))))'],
    ['s.map(.[0])', '(call (. s map) (fn ($this) ([] $this 0)))'],
    ['(.foo)', '(fn ($this) (. $this foo))'],
    ['(.foo)(x)', '(call (fn ($this) (. $this foo)) x)'],
    ['s.map((.a) + (.b))', '(call (. s map) (fn ($this) (+ (. $this a) (. $this b))))'],
    ['if (a) 1 else 2', '(if a 1 2)'],
    ['if (a) 1', '(if a 1)'],
    ['if (a) { 1 } else if (b) { 2 } else { 3 }', '(if a (block 1) (if b (block 2) (block 3)))'],
    ['{ let a = 1\n a }', '(block (let a 1) a)'],
    ['{ a }', '(block a)'],
  ])('parses %s as %s', (source, expected) => {
    // Act
    const tree = parseExpression(source);

    // Assert
    expect(sexpr(tree)).toBe(expected);
  });

  it('parses a typed let', () => {
    // Act
    const tree = parsed('let x: Int? = 1\nx');

    // Assert
    expect(tree).toBe('(block (let x:Int? 1) x)');
  });
});

describe('parseQuery projections', () => {
  it.each([
    ['Customer.all() { name, email }', '(proj (call (. Customer all)) name email)'],
    ['doc { a, b { c, d }, total: .x + 1 }', '(proj doc a b{c d} total:(+ (. $this x) 1))'],
    ['doc { alias: 3 }', '(proj doc alias:3)'],
    ['Customer.all().map(.a { b })', '(call (. (call (. Customer all)) map) (fn ($this) (proj (. $this a) b)))'],
  ])('parses %s as %s', (source, expected) => {
    // Act
    const tree = parseExpression(source);

    // Assert
    expect(sexpr(tree)).toBe(expected);
  });

  it('treats a { on the next line as a new statement, not a projection', () => {
    // Act
    const tree = parsed('let a = x\na\n{ b: 1 }');

    // Assert
    expect(tree).toBe('(block (let a x) a (obj "b"=1))');
  });
});

describe('parseQuery statements, newlines and comments', () => {
  it.each([
    ['statements separated by newlines', 'let a = 1\nlet b = 2\na + b', '(block (let a 1) (let b 2) (+ a b))'],
    ['statements separated by semicolons', 'let a = 1; let b = 2; a + b;', '(block (let a 1) (let b 2) (+ a b))'],
    ['a method chain continued on the next line', 'Customer.all()\n  .where(.a)\n  .first()', '(block (call (. (call (. (call (. Customer all)) where) (fn ($this) (. $this a))) first)))'],
    ['?? at the start of a continuation line', 'a\n?? b', '(block (?? a b))'],
    ['&& at the start of a continuation line', 'a\n&& b', '(block (&& a b))'],
    ['a binary operator before a line break', 'a +\n b', '(block (+ a b))'],
    ['- at the start of a line starting a new statement', 'a\n-1', '(block a -1)'],
    ['( on a new line starting a new statement', 'f\n(1)', '(block f 1)'],
    ['line comments', '// first\nlet a = 1 // trailing\na // end', '(block (let a 1) a)'],
    ['nested block comments', '/* a /* nested */ comment */ 1 + /* inline */ 2', '(block (+ 1 2))'],
    ['arguments spread over lines', 'f(\n  1,\n  2\n)', '(block (call f 1 2))'],
    ['an object spread over lines', '{\n  a: 1,\n  b: 2\n}', '(block (obj "a"=1 "b"=2))'],
    ['an else on the next line', 'if (a) 1\nelse 2', '(block (if a 1 2))'],
  ])('parses %s', (_name, source, expected) => {
    // Act
    const tree = parsed(source);

    // Assert
    expect(tree).toBe(expected);
  });
});

describe('parseQuery spans', () => {
  it('gives each node the offsets of its source text', () => {
    // Arrange
    const source = 'Collection.al()';

    // Act
    const stmt = parseQuery(source).body[0]!;

    // Assert
    expect(stmt.kind).toBe('ExprStmt');
    const call = stmt.kind === 'ExprStmt' ? stmt.expr : null;
    expect(call?.kind).toBe('Call');
    expect(call?.span).toEqual({ start: 0, end: 15 });
    const member = call?.kind === 'Call' ? call.callee : null;
    expect(member?.span).toEqual({ start: 0, end: 13 });
    expect(source.slice(member!.span.start, member!.span.end)).toBe('Collection.al');
  });

  it('spans a let from the keyword to the end of its value, and the program over all statements', () => {
    // Arrange
    const source = '\n  let a = 1 + 2\n  a\n';

    // Act
    const program = parseQuery(source);

    // Assert
    expect(source.slice(program.body[0]!.span.start, program.body[0]!.span.end)).toBe('let a = 1 + 2');
    expect(source.slice(program.span.start, program.span.end)).toBe('let a = 1 + 2\n  a');
  });
});

describe('parseQuery syntax errors', () => {
  it.each([
    ['a query ending on a let', 'let x = 1', 'Missing return expression', 9],
    ['a block ending on a let', '{ let x = 1 }', 'Missing return expression', 12],
    ['an empty query', '   ', 'Unexpected end of query. Expected statement or expression', 3],
    ['a missing operand', '1 +', 'Unexpected end of query. Expected expression', 3],
    ['two expressions on one line', 'f(x) y', 'Unexpected `y`. Expected end of query', 5],
    ['an unclosed call', 'f(1, 2', 'Unexpected end of query. Expected `)` or `,`', 6],
    ['an unclosed array', '[1, 2', 'Unexpected end of query. Expected `]` or `,`', 5],
    ['a keyword as a variable', 'let if = 1\nif', 'Invalid identifier', 4],
    ['FQL as a variable', 'let FQL = 1\n2', 'Invalid identifier', 4],
    ['a stray closing brace', '}', 'Unexpected end of query. Expected statement or expression', 0],
    ['a keyword as an expression', 'let x = isa\nx', 'Invalid identifier', 8],
    ['a duplicate object key', '{ a: 1, a: 2 }', 'Duplicate key', 8],
    ['an interpolated object key', '{ "#{a}": 1 }', 'Object keys do not support interpolation', 2],
    ['an unterminated string', '"abc', 'Unterminated string. Expected `"`', 0],
    ['an unknown escape', '"\\q"', 'Invalid escape', 1],
    ['an anonymous field access outside an argument', '.a == 1', 'Invalid anonymous field access', 0],
    ['an anonymous field access as a let value', 'let x = .a\nx', 'Invalid anonymous field access', 8],
    ['a parenthesized anonymous field access used as an operand', '(.foo + .bar) / 3', 'Invalid anonymous field access', 1],
    ['a duplicate lambda parameter', '(a, a) => a', 'Duplicate lambda argument', 4],
    ['an unknown character', '1 $ 2', 'Unexpected character `$`', 2],
    ['an unclosed block comment', '1 /* open', 'Unterminated block comment. Expected `*/`', 2],
  ])('rejects %s', (_name, source, message, start) => {
    // Act
    const error = syntaxError(source);

    // Assert
    expect(error.message).toBe(message);
    expect(error.span.start).toBe(start);
  });

  it('points the Missing return expression cause at the last statement', () => {
    // Act
    const error = syntaxError('1\nlet x = 1');

    // Assert
    expect(error.hints).toEqual([{ kind: 'cause', message: 'Statement does not return a value', span: { start: 2, end: 11 } }]);
  });

  it.each([
    ['at (temporal queries)', 'at (Time.now()) { 1 }', /`at` expressions/],
    ['match', 'match x { case 1 => 2 }', /`match` expressions/],
    ['tuples', '(1, 2)', /Tuples/],
    ['projecting all fields', 'x { * }', /\{ \* \}/],
  ])('reports %s as not supported by the emulator', (_name, source, message) => {
    // Act
    const error = syntaxError(source);

    // Assert
    expect(error).toBeInstanceOf(FqlUnsupportedError);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/not supported by the local Fauna emulator/);
  });
});

describe('parseExpression and parseQueryCached', () => {
  it('parseExpression accepts a short lambda only when asked to', () => {
    // Act
    const wrapped = parseExpression('.email == "x"', { allowShortLambda: true });

    // Assert
    expect(sexpr(wrapped)).toBe('(fn ($this) (== (. $this email) "x"))');
    expect(() => parseExpression('.email == "x"')).toThrow('Invalid anonymous field access');
  });

  it('parses a long operator chain without exhausting the stack', () => {
    // Arrange
    const source = Array.from({ length: 10001 }, (_, i) => String(i)).join('+');

    // Act
    const tree = parseExpression(source);

    // Assert
    expect(tree.kind).toBe('Binary');
    expect(tree.kind === 'Binary' ? sexpr(tree.right) : '').toBe('10000');
  });

  it('parseExpression rejects trailing statements', () => {
    // Act + Assert
    expect(() => parseExpression('1; 2')).toThrow(FqlSyntaxError);
  });

  it('parseQueryCached returns the same tree for the same source and still throws for bad source', () => {
    // Arrange
    const source = 'Customer.all().count() + 0x2A';

    // Act
    const first = parseQueryCached(source);
    const second = parseQueryCached(source);

    // Assert
    expect(second).toBe(first);
    expect(sexpr(first)).toBe(sexpr(parseQuery(source)));
    expect(() => parseQueryCached('let x = 1')).toThrow('Missing return expression');
  });

  it('parses in time linear in the source: four times the statements cost well under eight times the CPU', () => {
    // Arrange: a ratio of two measurements in the same run, not a bound in microseconds (those fail on a busy
    // machine); what this guards is the parser's shape: a quadratic step (re-scanning, string concatenation in a
    // loop) makes the ratio 16, a linear parser makes it about 4. The speed itself is npm run bench:fauna-local's.
    const statement = guideQuery();
    const sourceOf = (copies: number) => Array.from({ length: copies }, (_, i) => `let v${i} = {\n${statement}}`).join('\n') + '\nnull';
    const small = sourceOf(8);
    const large = sourceOf(32);
    for (let i = 0; i < 50; i++) { parseQuery(small); parseQuery(large); }
    const cpuMicros = (source: string, runs: number): number => {
      const started = process.cpuUsage();
      for (let i = 0; i < runs; i++) parseQuery(source);
      const { user, system } = process.cpuUsage(started);
      return user + system;
    };

    // Act: the smaller of three tries each, so one garbage collection or a preempted core does not decide it
    const smallCost = Math.min(...[0, 1, 2].map(() => cpuMicros(small, 200)));
    const largeCost = Math.min(...[0, 1, 2].map(() => cpuMicros(large, 200)));

    // Assert
    expect(largeCost / smallCost).toBeGreaterThan(2);
    expect(largeCost / smallCost).toBeLessThan(8);
  });
});
