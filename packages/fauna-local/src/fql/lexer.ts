/**
 * The FQL v10 lexer: source text → tokens. Also used for FSL, whose tokens are a subset of FQL's.
 *
 * Newlines are not tokens: each token records whether a line break separated it from the previous one (`nl`), because
 * FQL gives a newline meaning only in a few places (statement separator, no call/index/projection across a line break).
 *
 * One file on purpose (just over 400 lines): one scanner over one cursor; the string, number and comment rules share it.
 */
import { FqlSyntaxError } from './errors.ts';

export type TokenKind = 'ident' | 'keyword' | 'int' | 'float' | 'string' | 'template' | 'punct' | 'eof';

/** One interpolation `#{ … }` inside a double-quoted string: its own tokens, ending with an `eof` token at the `}`. */
export interface Interpolation {
  tokens: Token[];
  start: number;
  end: number;
}

export interface Token {
  kind: TokenKind;
  /** Identifier or keyword name, punctuation text, the decoded value of a plain string, or the raw text of a number. */
  text: string;
  start: number;
  end: number;
  /** True when a line break (or a `//` comment) separates this token from the previous one. */
  nl: boolean;
  /** For 'int' tokens. */
  int?: bigint;
  /** For 'float' tokens. */
  float?: number;
  /** For 'template' tokens: literal pieces and interpolations, in order. */
  parts?: (string | Interpolation)[];
}

/** Words that cannot be identifiers (core: `invalidIdents` in https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/parser/Tokens.scala). */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'if', 'else', 'at', 'match', 'case', 'let', 'null', 'true', 'false', 'isa', 'join', 'on', 'of',
]);

/**
 * Template values are spliced into the assembled source as `\u0000value<n>>` (the core uses a NUL sigil too, and renders
 * the NUL as `<`). The lexer turns each into an identifier named `<value<n>>`, which no user can write.
 */
export const TEMPLATE_SIGIL = '\u0000';

/** Punctuation, longest first so that `?.` wins over `?` and `...` over `.`. */
const PUNCTUATION = [
  '...', '<<+', '<<-',
  '?.', '??', '=>', '==', '!=', '=~', '!~', '<=', '>=', '&&', '||', '**', '->',
  '(', ')', '[', ']', '{', '}', ',', ';', ':', '.', '!', '?', '=', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^', '~', '@',
];

/** PUNCTUATION grouped by first character, so the lexer tries only a few candidates per token. */
const PUNCTUATION_BY_FIRST_CHAR: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, string[]>();
  for (const p of PUNCTUATION) {
    const list = map.get(p[0]!) ?? [];
    list.push(p);
    map.set(p[0]!, list);
  }
  return map;
})();

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', '0': '\u0000', "'": "'", '"': '"', '`': '`', n: '\n', r: '\r', v: '\u000b', t: '\t', b: '\b', f: '\f', '#': '#',
};

const MAX_CODE_POINT = 0x10ffff;

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Control and bidi characters the core refuses inside strings (core: `isDisplay` in https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/parser/Strings.scala). */
export function isDisplayChar(c: number): boolean {
  if (c <= 0x08 || (c >= 0x0e && c <= 0x1f) || c === 0x7f || c === 0xfeff || c >= 0xfff0) return false;
  if ((c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) || (c >= 0x2060 && c <= 0x206f)) return false;
  return true;
}

/**
 * Splits FQL (or FSL) source into tokens. The last token is always `eof`.
 * @throws FqlSyntaxError on an unterminated string or comment, a bad escape or number, or an unknown character.
 */
export function tokenize(source: string): Token[] {
  return new Lexer(source).run(false).tokens;
}

class Lexer {
  private readonly src: string;
  private pos = 0;

  constructor(source: string) {
    this.src = source;
  }

  /** Lexes from the current position; with `stopAtBrace`, stops at the `}` closing an interpolation. */
  run(stopAtBrace: boolean): { tokens: Token[] } {
    const tokens: Token[] = [];
    let depth = 0;
    for (;;) {
      const nl = this.skipTrivia();
      const start = this.pos;
      if (start >= this.src.length) {
        if (stopAtBrace) throw new FqlSyntaxError('Unterminated string interpolation. Expected `}`', { start, end: start });
        tokens.push({ kind: 'eof', text: '', start, end: start, nl: true });
        return { tokens };
      }
      const c = this.src.charCodeAt(start);
      if (stopAtBrace && c === 125 /* } */ && depth === 0) {
        tokens.push({ kind: 'eof', text: '', start, end: start, nl: false });
        this.pos++;
        return { tokens };
      }
      const token = this.next(c, start, nl);
      if (token.kind === 'punct') {
        if (token.text === '{') depth++;
        else if (token.text === '}') depth--;
      }
      tokens.push(token);
    }
  }

  /** Skips spaces, newlines and comments; returns whether a line break was crossed. */
  private skipTrivia(): boolean {
    const src = this.src;
    let nl = false;
    while (this.pos < src.length) {
      const c = src.charCodeAt(this.pos);
      if (c === 32 || c === 9) {
        this.pos++;
      } else if (c === 10 || c === 13) {
        nl = true;
        this.pos++;
      } else if (c === 47 /* / */ && src.charCodeAt(this.pos + 1) === 47) {
        const eol = src.indexOf('\n', this.pos);
        this.pos = eol === -1 ? src.length : eol + 1;
        nl = true;
      } else if (c === 47 && src.charCodeAt(this.pos + 1) === 42 /* * */) {
        this.skipBlockComment();
      } else {
        break;
      }
    }
    return nl;
  }

  /** Block comments nest, as in the core (core: https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/parser/Whitespace.scala). */
  private skipBlockComment(): void {
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.src.length) {
      if (this.src.startsWith('/*', this.pos)) {
        depth++;
        this.pos += 2;
      } else if (this.src.startsWith('*/', this.pos)) {
        depth--;
        this.pos += 2;
        if (depth === 0) return;
      } else {
        this.pos++;
      }
    }
    throw new FqlSyntaxError('Unterminated block comment. Expected `*/`', { start, end: start + 2 });
  }

  private next(c: number, start: number, nl: boolean): Token {
    if (isIdentStart(c)) {
      let end = start + 1;
      while (end < this.src.length && isIdentPart(this.src.charCodeAt(end))) end++;
      this.pos = end;
      const text = this.src.slice(start, end);
      return { kind: KEYWORDS.has(text) ? 'keyword' : 'ident', text, start, end, nl };
    }
    if (isDigit(c)) return this.number(start, nl);
    if (c === 34 /* " */) return this.doubleQuoted(start, nl);
    if (c === 39 /* ' */) return this.singleQuoted(start, nl);
    if (c === 0) return this.placeholder(start, nl);
    for (const p of PUNCTUATION_BY_FIRST_CHAR.get(this.src[start]!) ?? []) {
      if (this.src.startsWith(p, start)) {
        if (p === '<<+' || p === '<<-') return this.heredoc(start, nl, p === '<<+');
        this.pos = start + p.length;
        return { kind: 'punct', text: p, start, end: this.pos, nl };
      }
    }
    const ch = String.fromCodePoint(this.src.codePointAt(start) ?? c);
    throw new FqlSyntaxError(`Unexpected character \`${ch}\``, { start, end: start + ch.length });
  }

  private placeholder(start: number, nl: boolean): Token {
    const close = this.src.indexOf('>', start);
    const text = close === -1 ? '' : this.src.slice(start + 1, close);
    if (!/^value\d+$/.test(text)) {
      throw new FqlSyntaxError('Unexpected NUL character', { start, end: start + 1 });
    }
    this.pos = close + 1;
    return { kind: 'ident', text: `<${text}>`, start, end: this.pos, nl };
  }

  private number(start: number, nl: boolean): Token {
    const src = this.src;
    const radixPrefix = src.charCodeAt(start) === 48 ? src[start + 1] : undefined;
    const radix = radixPrefix === 'x' || radixPrefix === 'X' ? 16
      : radixPrefix === 'o' || radixPrefix === 'O' ? 8
        : radixPrefix === 'b' || radixPrefix === 'B' ? 2 : 10;
    if (radix !== 10) {
      const digitPattern = radix === 16 ? /[0-9a-fA-F_]/ : radix === 8 ? /[0-7_]/ : /[01_]/;
      let end = start + 2;
      while (end < src.length && digitPattern.test(src[end]!)) end++;
      const digits = src.slice(start + 2, end).replace(/_/g, '');
      if (digits === '') throw new FqlSyntaxError('Invalid number: expected digits after the radix prefix', { start, end });
      this.pos = end;
      const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : '0b';
      return { kind: 'int', text: src.slice(start, end), start, end, nl, int: BigInt(prefix + digits) };
    }
    let end = start + 1;
    // The core allows a lone `0` or a non-zero digit followed by digits and underscores.
    if (src.charCodeAt(start) !== 48) while (end < src.length && /[0-9_]/.test(src[end]!)) end++;
    let isFloat = false;
    if (src[end] === '.' && isDigit(src.charCodeAt(end + 1))) {
      isFloat = true;
      end += 1;
      while (end < src.length && /[0-9_]/.test(src[end]!)) end++;
    }
    if (src[end] === 'e' || src[end] === 'E') {
      let e = end + 1;
      if (src[e] === '+' || src[e] === '-') e++;
      if (!isDigit(src.charCodeAt(e))) {
        throw new FqlSyntaxError('Invalid number: expected digits in the exponent', { start, end: e });
      }
      while (e < src.length && /[0-9_]/.test(src[e]!)) e++;
      isFloat = true;
      end = e;
    }
    this.pos = end;
    const text = src.slice(start, end);
    const clean = text.replace(/_/g, '');
    return isFloat
      ? { kind: 'float', text, start, end, nl, float: Number(clean) }
      : { kind: 'int', text, start, end, nl, int: BigInt(clean) };
  }

  /** Reads one escape sequence; `this.pos` is at the backslash. */
  private escape(): string {
    const src = this.src;
    const start = this.pos;
    const code = src[start + 1];
    if (code !== undefined && code in SIMPLE_ESCAPES) {
      this.pos = start + 2;
      return SIMPLE_ESCAPES[code]!;
    }
    let hex: string | undefined;
    let end = start + 2;
    if (code === 'x') {
      hex = src.slice(start + 2, start + 4);
      end = start + 4;
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) hex = undefined;
    } else if (code === 'u' && src[start + 2] === '{') {
      const close = src.indexOf('}', start + 3);
      const digits = close === -1 ? '' : src.slice(start + 3, close);
      if (/^[0-9a-fA-F]{1,6}$/.test(digits)) {
        hex = digits;
        end = close + 1;
      }
    } else if (code === 'u') {
      hex = src.slice(start + 2, start + 6);
      end = start + 6;
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) hex = undefined;
    }
    if (hex === undefined) {
      throw new FqlSyntaxError('Invalid escape', { start, end: Math.min(start + 2, src.length) }, {
        annotation: code === 'u' || code === 'x' ? 'expected hex digits' : 'unknown escape code',
      });
    }
    const cp = Number.parseInt(hex, 16);
    if (cp > MAX_CODE_POINT) {
      throw new FqlSyntaxError('Invalid escape', { start, end }, { annotation: 'outside of valid unicode range' });
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      throw new FqlSyntaxError('Invalid escape', { start, end }, { annotation: 'surrogates are disallowed' });
    }
    this.pos = end;
    return String.fromCodePoint(cp);
  }

  private singleQuoted(start: number, nl: boolean): Token {
    this.pos = start + 1;
    let value = '';
    for (;;) {
      const c = this.src.charCodeAt(this.pos);
      if (Number.isNaN(c)) throw new FqlSyntaxError('Unterminated string. Expected `\'`', { start, end: start + 1 });
      if (c === 39) break;
      if (c === 92) {
        value += this.escape();
        continue;
      }
      this.checkDisplay(c);
      value += this.src[this.pos];
      this.pos++;
    }
    this.pos++;
    return { kind: 'string', text: value, start, end: this.pos, nl };
  }

  private doubleQuoted(start: number, nl: boolean): Token {
    this.pos = start + 1;
    const parts: (string | Interpolation)[] = [];
    let value = '';
    for (;;) {
      const c = this.src.charCodeAt(this.pos);
      if (Number.isNaN(c)) throw new FqlSyntaxError('Unterminated string. Expected `"`', { start, end: start + 1 });
      if (c === 34) break;
      if (c === 92) {
        value += this.escape();
        continue;
      }
      if (c === 35 /* # */ && this.src.charCodeAt(this.pos + 1) === 123 /* { */) {
        if (value !== '') parts.push(value);
        value = '';
        parts.push(this.interpolation());
        continue;
      }
      this.checkDisplay(c);
      value += this.src[this.pos];
      this.pos++;
    }
    this.pos++;
    if (value !== '' || parts.length === 0) parts.push(value);
    if (parts.length === 1 && typeof parts[0] === 'string') {
      return { kind: 'string', text: parts[0], start, end: this.pos, nl };
    }
    return { kind: 'template', text: this.src.slice(start, this.pos), start, end: this.pos, nl, parts };
  }

  /** `this.pos` is at `#{`; lexes up to the matching `}`. */
  private interpolation(): Interpolation {
    const start = this.pos;
    this.pos += 2;
    const { tokens } = this.run(true);
    return { tokens, start, end: this.pos };
  }

  private checkDisplay(c: number): void {
    if (!isDisplayChar(c)) {
      throw new FqlSyntaxError('Invalid character in string', { start: this.pos, end: this.pos + 1 }, {
        annotation: 'use an escape sequence such as \\u0001',
      });
    }
  }

  /**
   * Heredoc strings: `<<+END` (interpolated) or `<<-END` (plain), a line break, lines, then `END` on its own line.
   * The common indentation of the lines is removed, as in the core.
   */
  private heredoc(start: number, nl: boolean, interpolated: boolean): Token {
    const src = this.src;
    const header = /^[ \t]*([a-zA-Z_][a-zA-Z0-9_]*)[ \t]*\r?\n/.exec(src.slice(start + 3));
    if (header === null) {
      throw new FqlSyntaxError('Invalid heredoc string. Expected a delimiter word and a line break', { start, end: start + 3 });
    }
    const delim = header[1]!;
    this.pos = start + 3 + header[0].length;
    const lines: (string | Interpolation)[][] = [];
    for (;;) {
      if (this.pos >= src.length) {
        throw new FqlSyntaxError(`Unterminated heredoc string. Expected \`${delim}\``, { start, end: start + 3 });
      }
      const terminator = new RegExp(`^[ \\t]*${delim}(?![a-zA-Z0-9_])`).exec(src.slice(this.pos));
      if (terminator !== null) {
        this.pos += terminator[0].length;
        break;
      }
      const line: (string | Interpolation)[] = [];
      let text = '';
      while (this.pos < src.length && src[this.pos] !== '\n') {
        if (interpolated && src.startsWith('#{', this.pos)) {
          if (text !== '') line.push(text);
          text = '';
          line.push(this.interpolation());
          continue;
        }
        text += src[this.pos];
        this.pos++;
      }
      if (this.pos < src.length) {
        text += '\n';
        this.pos++;
      }
      if (text !== '') line.push(text);
      lines.push(line);
    }
    const indent = lines.reduce((min, line) => {
      const first = line[0];
      if (typeof first !== 'string') return line.length === 0 ? min : 0;
      const blank = first.trim() === '' && line.length === 1;
      if (blank) return min;
      return Math.min(min, first.length - first.replace(/^[ \t]*/, '').length);
    }, Number.MAX_SAFE_INTEGER);
    const parts: (string | Interpolation)[] = [];
    for (const line of lines) {
      line.forEach((part, i) => {
        const piece = i === 0 && typeof part === 'string' ? part.slice(Math.min(indent, /^[ \t]*/.exec(part)![0].length)) : part;
        const last = parts[parts.length - 1];
        if (typeof piece === 'string' && typeof last === 'string') parts[parts.length - 1] = last + piece;
        else if (piece !== '') parts.push(piece);
      });
    }
    const end = this.pos;
    if (parts.length === 0) return { kind: 'string', text: '', start, end, nl };
    if (parts.length === 1 && typeof parts[0] === 'string') return { kind: 'string', text: parts[0], start, end, nl };
    return { kind: 'template', text: src.slice(start, end), start, end, nl, parts };
  }
}
