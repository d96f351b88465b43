/**
 * The one error thrown inside query evaluation. The engine turns it into a QueryOutcome with Fauna's code, status and summary.
 */
import type { Span } from '../fql/ast.ts';
import type { ErrorCode } from './api.ts';

export interface ConstraintFailureItem {
  paths: (string | number)[][];
  message: string;
}

export interface QueryFailureExtras {
  span?: Span | null;
  constraintFailures?: ConstraintFailureItem[];
  /** The value passed to `abort()` (an engine value, encoded later in the request's format). */
  abort?: unknown;
  /** Extra lines for the summary (e.g. constraint failure details). */
  hint?: string;
  cause?: unknown;
}

/** A query failure with Fauna's error `code` (invalid_query, null_value, permission_denied...). */
export class QueryFailure extends Error {
  readonly code: ErrorCode;
  span: Span | null;
  readonly constraintFailures: ConstraintFailureItem[] | undefined;
  readonly abort: unknown;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, extras: QueryFailureExtras = {}) {
    super(message, extras.cause === undefined ? undefined : { cause: extras.cause });
    this.name = 'QueryFailure';
    this.code = code;
    this.span = extras.span ?? null;
    this.constraintFailures = extras.constraintFailures;
    this.abort = extras.abort;
    this.hint = extras.hint;
  }
}
