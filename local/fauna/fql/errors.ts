/**
 * Errors raised while turning FQL source into an AST.
 */
import type { Span } from './ast.ts';

/**
 * Thrown by the lexer and parser when the query text is not valid FQL, or uses a construct the emulator does not support.
 * The engine answers it with `invalid_query` ("The query failed 1 validation check") and a summary rendered at `span`.
 */
export class FqlSyntaxError extends Error {
  override name = 'FqlSyntaxError';
  /** Where in the source the problem is; `end` may equal `start` for "expected something here". */
  readonly span: Span;
  /** Optional short annotation shown after the underline (e.g. "`let` is a keyword"). */
  readonly annotation: string | null;

  constructor(message: string, span: Span, options: { annotation?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.span = span;
    this.annotation = options.annotation ?? null;
  }
}

/**
 * Thrown for valid FQL that the local emulator deliberately does not implement (`at (ts) …`, `match`, …).
 * A subclass of FqlSyntaxError so callers that only know about syntax errors still reject the query.
 */
export class FqlUnsupportedError extends FqlSyntaxError {
  override name = 'FqlUnsupportedError';
}
