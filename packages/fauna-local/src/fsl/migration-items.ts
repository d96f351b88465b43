/**
 * The statements of a collection's `migrations { … }` block → `MigrationItem`s (CORE: SchemaItemParser.migrationItem):
 * `add .a`, `drop .a`, `move .a -> .b`, `split .a -> .b, .c`, `backfill .a = <expr>`, `move_conflicts .a`,
 * `move_wildcard .a`, `add_wildcard`. Paths keep their file positions, because the migration validator's messages
 * point at them.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/parser/SchemaItemParser.scala
 */
import type { Span } from '../fql/ast.ts';
import { FqlSyntaxError } from '../fql/errors.ts';
import { parseExpression } from '../fql/parser.ts';
import type { MigrationItem, MigrationPath } from '../schema/model.ts';

/** A malformed statement: the message and where. */
export class MigrationSyntaxError extends Error {
  readonly span: Span;
  constructor(message: string, span: Span) {
    super(message);
    this.name = 'MigrationSyntaxError';
    this.span = span;
  }
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Reads one statement from `source` (the whole file) between `start` and `end` (the keyword is `keyword`). */
export function parseMigrationItem(keyword: string, source: string, argsStart: number, end: number, span: Span): MigrationItem {
  const reader = new StatementReader(source, argsStart, end);
  switch (keyword) {
    case 'add': case 'drop': {
      const field = reader.path();
      reader.end();
      return { kind: keyword, field, span };
    }
    case 'move_conflicts': case 'move_wildcard': {
      const into = reader.path();
      reader.end();
      return { kind: keyword, into, span };
    }
    case 'add_wildcard':
      reader.end();
      return { kind: 'add_wildcard', span };
    case 'move': {
      const field = reader.path();
      reader.expect('->');
      const to = reader.path();
      reader.end();
      return { kind: 'move', field, to, span };
    }
    case 'split': {
      const field = reader.path();
      reader.expect('->');
      const to = [reader.path()];
      while (reader.accept(',')) {
        if (reader.atEnd()) break;
        to.push(reader.path());
      }
      reader.end();
      return { kind: 'split', field, to, span };
    }
    case 'backfill': {
      const field = reader.path();
      reader.expect('=');
      const text = reader.rest();
      try {
        const trimmed = text.text.trimEnd();
        return { kind: 'backfill', field, value: { expr: parseExpression(text.text), source: trimmed, span: { start: text.start, end: text.start + trimmed.length } }, span };
      } catch (error) {
        if (error instanceof FqlSyntaxError) throw new MigrationSyntaxError(error.message, { start: text.start + error.span.start, end: text.start + error.span.end });
        throw error;
      }
    }
    default:
      throw new MigrationSyntaxError('Expected a migration', span);
  }
}

/** A cursor over one statement's text. */
class StatementReader {
  private pos: number;
  private readonly source: string;
  private readonly limit: number;

  constructor(source: string, start: number, limit: number) {
    this.source = source;
    this.pos = start;
    this.limit = limit;
  }

  private skipSpace(): void {
    while (this.pos < this.limit && /\s/.test(this.source[this.pos]!)) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.limit;
  }

  accept(token: string): boolean {
    this.skipSpace();
    if (this.source.startsWith(token, this.pos) && this.pos + token.length <= this.limit) {
      this.pos += token.length;
      return true;
    }
    return false;
  }

  expect(token: string): void {
    if (!this.accept(token)) throw new MigrationSyntaxError(`Expected \`${token}\``, { start: this.pos, end: Math.min(this.limit, this.pos + 1) });
  }

  /** `.a.b` (FSL also accepts the path without its leading dot in FQL definitions, not here). */
  path(): MigrationPath {
    this.skipSpace();
    const start = this.pos;
    const elems: string[] = [];
    while (this.source[this.pos] === '.') {
      this.pos++;
      IDENT.lastIndex = this.pos;
      const m = IDENT.exec(this.source);
      if (!m || this.pos + m[0].length > this.limit) throw new MigrationSyntaxError('Expected a field name', { start: this.pos, end: this.pos + 1 });
      elems.push(m[0]);
      this.pos += m[0].length;
    }
    if (elems.length === 0) throw new MigrationSyntaxError('Expected a field path', { start, end: Math.min(this.limit, start + 1) });
    return { elems, span: { start, end: this.pos } };
  }

  rest(): { text: string; start: number } {
    this.skipSpace();
    const start = this.pos;
    this.pos = this.limit;
    return { text: this.source.slice(start, this.limit), start };
  }

  end(): void {
    if (!this.atEnd()) throw new MigrationSyntaxError('Unexpected input after the migration', { start: this.pos, end: this.limit });
  }
}
