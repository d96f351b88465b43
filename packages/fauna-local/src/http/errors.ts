/**
 * Fauna's error statuses and its protocol-level error envelope (PROTOCOL.md §4): the one table from error code to
 * HTTP status, and `{"error":{"code","message"}}` with no summary, txn_ts or stats for protocol errors. Codes are
 * what the driver maps to error classes, so they are spelled exactly; the engine reports codes, this layer turns them
 * into statuses.
 */
import type { ErrorCode } from '../engine/api.ts';
import type { HttpResponse } from './types.ts';

interface ErrorStatus {
  status: number;
  /** Written as a protocol error (`{"error"}` only) rather than a query failure (with summary, txn_ts, stats). */
  protocol: boolean;
}

const QUERY_FAILURE: ErrorStatus = { status: 400, protocol: false };

/** Every error code's HTTP status (the core answers 400 for every query failure). */
export const ERROR_STATUS = {
  invalid_query: QUERY_FAILURE,
  invalid_argument: QUERY_FAILURE,
  type_mismatch: QUERY_FAILURE,
  invalid_function_invocation: QUERY_FAILURE,
  unbound_variable: QUERY_FAILURE,
  document_not_found: QUERY_FAILURE,
  document_deleted: QUERY_FAILURE,
  document_id_exists: QUERY_FAILURE,
  null_value: QUERY_FAILURE,
  invalid_null_access: QUERY_FAILURE,
  permission_denied: QUERY_FAILURE,
  constraint_failure: QUERY_FAILURE,
  invalid_schema: QUERY_FAILURE,
  abort: QUERY_FAILURE,
  divide_by_zero: QUERY_FAILURE,
  index_out_of_bounds: QUERY_FAILURE,
  invalid_bounds: QUERY_FAILURE,
  invalid_id: QUERY_FAILURE,
  invalid_time: QUERY_FAILURE,
  invalid_date: QUERY_FAILURE,
  invalid_unit: QUERY_FAILURE,
  invalid_cursor: QUERY_FAILURE,
  invalid_regex: QUERY_FAILURE,
  invalid_write: QUERY_FAILURE,
  value_too_large: QUERY_FAILURE,
  stack_overflow: QUERY_FAILURE,
  invalid_request: { status: 400, protocol: true },
  unauthorized: { status: 401, protocol: true },
  forbidden: { status: 403, protocol: true },
  not_found: { status: 404, protocol: true },
  method_not_allowed: { status: 405, protocol: true },
  contended_transaction: { status: 409, protocol: true },
  request_size_exceeded: { status: 413, protocol: true },
  limit_exceeded: { status: 429, protocol: true },
  /** The client's deadline (`x-query-timeout-ms`) was too short. */
  time_out: { status: 440, protocol: true },
  internal_error: { status: 500, protocol: true },
  not_implemented: { status: 501, protocol: true },
} as const satisfies Record<ErrorCode, ErrorStatus>;

/** The HTTP status Fauna answers with for an error code. */
export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code].status;
}

/** Whether a code is written as a protocol error (`{"error"}`, no summary, txn_ts or stats). */
export function isProtocolError(code: ErrorCode): boolean {
  return ERROR_STATUS[code].protocol;
}

export const UNAUTHORIZED_MESSAGE = 'Access token required';

/** Builds a protocol error response; `queryTags` is echoed when the request carried valid tags. */
export function protocolError(code: ErrorCode, message: string, queryTags?: string): HttpResponse {
  const json: Record<string, unknown> = { error: { code, message } };
  if (queryTags !== undefined) json.query_tags = queryTags;
  const headers: Record<string, string> = code === 'unauthorized' ? { 'www-authenticate': 'Bearer' } : {};
  return { status: statusOf(code), headers, json };
}

/** The 401 every endpoint gives for a missing, unknown, expired or deleted secret. */
export function unauthorized(queryTags?: string): HttpResponse {
  return protocolError('unauthorized', UNAUTHORIZED_MESSAGE, queryTags);
}
