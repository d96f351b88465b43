/**
 * `POST /query/1` (PROTOCOL.md §2–§4): headers, body and secret are checked here, in the core's order
 * (request headers, then body, then authentication); the engine runs the query and the outcome is written in
 * Fauna's field order, with `query_tags` echoed as the header string.
 */
import type { Engine, QueryOutcome, QueryRequest, TemplateFragment } from '../../engine/api.ts';
import type { HttpAnswer, HttpRequest, HttpResponse, Route } from '../types.ts';
import { isProtocolError, protocolError, statusOf, unauthorized } from '../errors.ts';
import { InvalidHeaderError, parseQueryHeaders, validQueryTags } from '../query-headers.ts';
import { secretFromAuthorization } from '../auth.ts';
import { exactPath } from '../router.ts';

/** How deep a request body may nest before Fauna answers "JSON exceeds nesting limit". */
export const MAX_BODY_NESTING = 1000;

export const queryRoutes: Route[] = [
  {
    match: exactPath('/query/1'),
    methods: { POST: (request, { engine }) => handleQuery(request, engine) },
  },
];

/** Runs one `/query/1` request against the engine (asynchronously only in contention mode). */
export function handleQuery(request: HttpRequest, engine: Engine): HttpAnswer {
  const tags = validQueryTags(request.headers);
  let headers;
  try {
    headers = parseQueryHeaders(request.headers);
  } catch (error) {
    if (error instanceof InvalidHeaderError) return protocolError('invalid_request', error.message, tags);
    throw error;
  }

  const body = parseBody(request.body);
  if (typeof body === 'string') return protocolError('invalid_request', body, tags);

  const secret = secretFromAuthorization(request.headers.authorization);
  const principal = secret === null ? null : engine.authenticate(secret);
  if (principal === null) return unauthorized(tags);

  const outcome = engine.submit({
    principal,
    query: body.query,
    arguments: body.arguments,
    format: headers.format,
    lastTxnTs: headers.lastTxnTs,
    timeoutMs: headers.timeoutMs,
    typecheck: headers.typecheck,
    ...(headers.maxContentionRetries === undefined ? {} : { maxContentionRetries: headers.maxContentionRetries }),
    ...(request.receivedAt === undefined ? {} : { receivedAt: request.receivedAt }),
  });
  const queryTags = headers.queryTags;
  return outcome instanceof Promise ? outcome.then((settled) => renderOutcome(settled, queryTags)) : renderOutcome(outcome, queryTags);
}

type QueryBody = Pick<QueryRequest, 'query' | 'arguments'>;

/** Returns the decoded body, or the client-facing message explaining why it is invalid. */
function parseBody(raw: Buffer): QueryBody | string {
  if (raw.length === 0) return 'No request body provided';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return `Invalid request body: ${(error as Error).message}`;
  }
  // Nesting deeper than the limit needs at least that many brackets, so short bodies skip the walk.
  if (raw.length > MAX_BODY_NESTING && exceedsNesting(parsed, MAX_BODY_NESTING)) return 'Invalid request body: JSON exceeds nesting limit';
  if (!isPlainObject(parsed)) return 'Invalid request body: expected a JSON object';
  const { query, arguments: args } = parsed;
  if (query === undefined) return "Invalid request body: missing field 'query'";
  if (typeof query !== 'string' && !(isPlainObject(query) && Array.isArray(query.fql))) {
    return "Invalid request body: field 'query' must be a string or an object {\"fql\": [...]}";
  }
  if (args !== undefined && args !== null && !isPlainObject(args)) return "Invalid request body: field 'arguments' must be an object";
  return {
    query: query as string | { fql: TemplateFragment[] },
    arguments: (args ?? undefined) as Record<string, unknown> | undefined,
  };
}

function renderOutcome(outcome: QueryOutcome, queryTags: string | undefined): HttpResponse {
  const tags = queryTags === undefined ? {} : { query_tags: queryTags };
  if (outcome.ok) {
    const staticType = (outcome as { static_type?: unknown }).static_type;
    return {
      status: 200,
      json: {
        data: outcome.data,
        ...(staticType === undefined ? {} : { static_type: staticType }),
        summary: outcome.summary,
        txn_ts: outcome.txn_ts,
        stats: outcome.stats,
        ...tags,
        schema_version: outcome.schema_version,
      },
    };
  }
  const status = statusOf(outcome.error.code);
  if (isProtocolError(outcome.error.code)) {
    const stats = outcome.error.code === 'limit_exceeded' ? { stats: outcome.stats } : {};
    const headers: Record<string, string> = outcome.error.code === 'unauthorized' ? { 'www-authenticate': 'Bearer' } : {};
    return { status, headers, json: { error: outcome.error, ...stats, ...tags } };
  }
  return {
    status,
    json: {
      error: outcome.error,
      summary: outcome.summary,
      txn_ts: outcome.txn_ts,
      stats: outcome.stats,
      ...tags,
      schema_version: outcome.schema_version,
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Iterative, so a hostile body cannot overflow the stack here. */
function exceedsNesting(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
