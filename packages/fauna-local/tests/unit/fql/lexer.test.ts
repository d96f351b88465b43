import { describe, expect, it } from '@jest/globals';
import { FqlSyntaxError } from '../../../src/fql/errors.ts';
import { tokenize } from '../../../src/fql/lexer.ts';
import type { Token } from '../../../src/fql/lexer.ts';

/** `kind:text` for each token except the final eof, e.g. ['ident:a', 'punct:+']. */
function kinds(source: string): string[] {
  return tokenize(source).slice(0, -1).map((t) => `${t.kind}:${t.text}`);
}

function only(source: string): Token {
  const tokens = tokenize(source);
  expect(tokens).toHaveLength(2);
  return tokens[0]!;
}

function lexError(source: string): FqlSyntaxError {
  try {
    tokenize(source);
  } catch (error) {
    if (error instanceof FqlSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a lexer error for: ${source}`);
}

describe('tokenize integers and floats', () => {
  it.each([
    ['0', 0n],
    ['42', 42n],
    ['1_000_000', 1000000n],
    ['0x1F', 31n],
    ['0XfF_fF', 65535n],
    ['0b1010', 10n],
    ['0o777', 511n],
    ['9223372036854775807', 9223372036854775807n],
    ['123456789012345678901234567890', 123456789012345678901234567890n],
  ])('reads %s as the integer %s', (source, value) => {
    // Act
    const token = only(source);

    // Assert
    expect(token.kind).toBe('int');
    expect(token.int).toBe(value);
  });

  it.each([
    ['1.5', 1.5],
    ['0.25', 0.25],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
    ['1_0.5', 10.5],
    ['6e+2', 600],
  ])('reads %s as the float %s', (source, value) => {
    // Act
    const token = only(source);

    // Assert
    expect(token.kind).toBe('float');
    expect(token.float).toBe(value);
  });

  it('reads 1.foo as an integer followed by a member access, not a float', () => {
    // Act + Assert
    expect(kinds('1.foo')).toEqual(['int:1', 'punct:.', 'ident:foo']);
  });

  it.each([
    ['0x', 'Invalid number: expected digits after the radix prefix'],
    ['1e', 'Invalid number: expected digits in the exponent'],
  ])('rejects the malformed number %s', (source, message) => {
    // Act + Assert
    expect(lexError(source).message).toBe(message);
  });
});

describe('tokenize strings', () => {
  it.each([
    ['"plain"', 'plain'],
    ["'single'", 'single'],
    ['"tab\\there"', 'tab\there'],
    ['"line\\nbreak"', 'line\nbreak'],
    ['"quote \\" and \\\' and \\\\"', 'quote " and \' and \\'],
    ["'#{not interpolated}'", '#{not interpolated}'],
    ['"escaped \\#{x}"', 'escaped #{x}'],
    ['"lone # sign"', 'lone # sign'],
    ['"\\u00e9"', 'é'],
    ['"\\u{1F600}"', '😀'],
    ['"\\x41"', 'A'],
    ['"\\0"', '\u0000'],
    ['""', ''],
    ['"raw\nnewline"', 'raw\nnewline'],
  ])('decodes %s', (source, value) => {
    // Act
    const token = only(source);

    // Assert
    expect(token.kind).toBe('string');
    expect(token.text).toBe(value);
  });

  it('splits an interpolated string into literal parts and token lists', () => {
    // Act
    const token = only('"Hi #{user.name}, #{n + 1}"');

    // Assert
    expect(token.kind).toBe('template');
    const parts = token.parts!.map((p) => (typeof p === 'string' ? p : p.tokens.map((t) => t.text || '<eof>').join(' ')));
    expect(parts).toEqual(['Hi ', 'user . name <eof>', ', ', 'n + 1 <eof>']);
  });

  it('keeps braces of an object inside an interpolation', () => {
    // Act
    const token = only('"#{ { a: 1 }.a }"');

    // Assert
    const inner = token.parts![0];
    expect(typeof inner).toBe('object');
    expect(typeof inner === 'object' ? inner.tokens.map((t) => t.text).join('') : '').toBe('{a:1}.a');
  });

  it.each([
    ['"open', 'Unterminated string. Expected `"`'],
    ["'open", "Unterminated string. Expected `'`"],
    ['"\\q"', 'Invalid escape'],
    ['"\\u{110000}"', 'Invalid escape'],
    ['"\\uD800"', 'Invalid escape'],
    ['"#{ 1', 'Unterminated string interpolation. Expected `}`'],
    ['"bell \u0007"', 'Invalid character in string'],
  ])('rejects %s', (source, message) => {
    // Act + Assert
    expect(lexError(source).message).toBe(message);
  });
});

describe('tokenize heredoc strings', () => {
  it('removes the common indentation of a <<- heredoc', () => {
    // Act
    const token = only('<<-END\n    line one\n      line two\n    END');

    // Assert
    expect(token.kind).toBe('string');
    expect(token.text).toBe('line one\n  line two\n');
  });

  it('interpolates inside a <<+ heredoc', () => {
    // Act
    const token = only('<<+STR\n  Hello #{name}\nSTR');

    // Assert
    expect(token.kind).toBe('template');
    expect(token.parts!.map((p) => (typeof p === 'string' ? p : 'EXPR'))).toEqual(['Hello ', 'EXPR', '\n']);
  });
});

describe('tokenize punctuation, keywords, comments and newlines', () => {
  it.each([
    ['a?.b ?? c', ['ident:a', 'punct:?.', 'ident:b', 'punct:??', 'ident:c']],
    ['x => ...y', ['ident:x', 'punct:=>', 'punct:...', 'ident:y']],
    ['a != b == c =~ d !~ e', ['ident:a', 'punct:!=', 'ident:b', 'punct:==', 'ident:c', 'punct:=~', 'ident:d', 'punct:!~', 'ident:e']],
    ['a <= b >= c && d || e ** f', ['ident:a', 'punct:<=', 'ident:b', 'punct:>=', 'ident:c', 'punct:&&', 'ident:d', 'punct:||', 'ident:e', 'punct:**', 'ident:f']],
    ['x!; y', ['ident:x', 'punct:!', 'punct:;', 'ident:y']],
    ['let if else isa at match true false null', ['keyword:let', 'keyword:if', 'keyword:else', 'keyword:isa', 'keyword:at', 'keyword:match', 'keyword:true', 'keyword:false', 'keyword:null']],
    ['letter iffy _x1', ['ident:letter', 'ident:iffy', 'ident:_x1']],
    ['a // comment\nb', ['ident:a', 'ident:b']],
    ['a /* x /* nested */ y */ b', ['ident:a', 'ident:b']],
    ['@role(server) *: Any', ['punct:@', 'ident:role', 'punct:(', 'ident:server', 'punct:)', 'punct:*', 'punct::', 'ident:Any']],
  ])('tokenizes %s', (source, expected) => {
    // Act + Assert
    expect(kinds(source)).toEqual(expected);
  });

  it('marks tokens that follow a line break or a line comment, but not a block comment on one line', () => {
    // Act
    const tokens = tokenize('a b\nc // x\nd /* y */ e\r\nf');

    // Assert
    expect(tokens.map((t) => `${t.text || '<eof>'}${t.nl ? '^' : ''}`)).toEqual(['a', 'b', 'c^', 'd^', 'e', 'f^', '<eof>^']);
  });

  it('records source offsets for each token', () => {
    // Act
    const tokens = tokenize('let x = "a"');

    // Assert
    expect(tokens.map((t) => [t.start, t.end])).toEqual([[0, 3], [4, 5], [6, 7], [8, 11], [11, 11]]);
  });

  it('reads a template value sigil as an identifier no user can write', () => {
    // Act
    const token = only('\u0000value12>');

    // Assert
    expect(token.kind).toBe('ident');
    expect(token.text).toBe('<value12>');
  });

  it.each([
    ['1 $ 2', 'Unexpected character `$`'],
    ['a /* open', 'Unterminated block comment. Expected `*/`'],
    ['\u0000oops', 'Unexpected NUL character'],
  ])('rejects %s', (source, message) => {
    // Act + Assert
    expect(lexError(source).message).toBe(message);
  });
});
