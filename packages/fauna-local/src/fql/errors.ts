/**
 * Errors raised while turning FQL source into an AST.
 */
import type { Span } from './ast.ts';

/** A secondary note attached to a syntax error, rendered after it in the summary (as the core's `cause:` / `hint:`). */
export interface SyntaxHint {
  kind: 'hint' | 'cause';
  message: string;
  span: Span;
}

export interface FqlSyntaxErrorOptions {
  /** A short note shown after the underline (e.g. "`let` is a keyword"). */
  annotation?: string;
  hints?: SyntaxHint[];
  cause?: unknown;
}

/**
 * Thrown by the lexer and parser when the query text is not valid FQL, or uses a construct the emulator does not support.
 * The engine answers it with `invalid_query` ("The query failed 1 validation check") and a summary rendered with
 * `renderSyntaxError` (fql/summary.ts).
 */
export class FqlSyntaxError extends Error {
  override name = 'FqlSyntaxError';
  /** Where in the source the problem is. */
  readonly span: Span;
  readonly annotation: string | null;
  readonly hints: SyntaxHint[];

  constructor(message: string, span: Span, options: FqlSyntaxErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.span = span;
    this.annotation = options.annotation ?? null;
    this.hints = options.hints ?? [];
  }
}

/**
 * Thrown for valid FQL that the local emulator deliberately does not implement (`at (ts) …`, `match`, tuples, `{ * }`).
 * A subclass of FqlSyntaxError so callers that only know about syntax errors still reject the query.
 */
export class FqlUnsupportedError extends FqlSyntaxError {
  override name = 'FqlUnsupportedError';
}
