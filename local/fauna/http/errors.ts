/**
 * Fauna's protocol-level error envelope (PROTOCOL.md §4.1): `{"error":{"code","message"}}` with no summary,
 * txn_ts or stats. Codes are what the driver maps to error classes, so they are spelled exactly.
 */
import type { HttpResponse } from './types.ts';

export const PROTOCOL_ERROR = {
  invalidRequest: { status: 400, code: 'invalid_request' },
  unauthorized: { status: 401, code: 'unauthorized' },
  forbidden: { status: 403, code: 'forbidden' },
  notFound: { status: 404, code: 'not_found' },
  methodNotAllowed: { status: 405, code: 'method_not_allowed' },
  requestSizeExceeded: { status: 413, code: 'request_size_exceeded' },
  notImplemented: { status: 501, code: 'not_implemented' },
  internalError: { status: 500, code: 'internal_error' },
} as const;

export type ProtocolErrorKind = keyof typeof PROTOCOL_ERROR;

export const UNAUTHORIZED_MESSAGE = 'Access token required';

/** Builds a protocol error response; `queryTags` is echoed when the request carried valid tags. */
export function protocolError(kind: ProtocolErrorKind, message: string, queryTags?: string): HttpResponse {
  const { status, code } = PROTOCOL_ERROR[kind];
  const json: Record<string, unknown> = { error: { code, message } };
  if (queryTags !== undefined) json.query_tags = queryTags;
  const headers: Record<string, string> = kind === 'unauthorized' ? { 'www-authenticate': 'Bearer' } : {};
  return { status, headers, json };
}

/** The 401 every endpoint gives for a missing, unknown, expired or deleted secret. */
export function unauthorized(queryTags?: string): HttpResponse {
  return protocolError('unauthorized', UNAUTHORIZED_MESSAGE, queryTags);
}
