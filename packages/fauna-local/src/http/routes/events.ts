/**
 * `POST /stream/1` and `POST /feed/1` (PROTOCOL.md "Event streams and feeds"): the body's JSON shape is checked,
 * then the secret, then (in the engine, engine/streams/service.ts) the position, page size and token in the core's
 * words (StreamRequest.scala / FeedRequest.scala); a refused request answers a protocol error (`invalid_request` 400,
 * `unauthorized` 401, a feed's `time_out` 440) before any event. A stream answers 200 and one JSON event per
 * line (`\r\n`-separated, as the core writes them); a feed answers one JSON page.
 *
 * Core: https://github.com/fauna/faunadb/blob/main/ext/api/src/main/scala/api/fql2/StreamRequest.scala and
 * https://github.com/fauna/faunadb/blob/main/ext/api/src/main/scala/api/fql2/FeedRequest.scala
 */
import type { Engine, EventRequestRefusal } from '../../engine/api.ts';
import { secretFromAuthorization } from '../auth.ts';
import { protocolError, unauthorized } from '../errors.ts';
import { InvalidHeaderError, parseQueryHeaders } from '../query-headers.ts';
import { exactPath } from '../router.ts';
import type { HttpAnswer, HttpRequest, HttpResponse, Route } from '../types.ts';

/** Events are separated as the core separates them (StreamResponse.scala `EventSeparator`). */
const EVENT_SEPARATOR = '\r\n';
/**
 * The last event of a stream open when the local Fauna stops. A Fauna cluster does not stop under its clients; the
 * emulator does, and ending the response alone is not clean for the driver (its HTTP/2 reader decodes the empty
 * last line as JSON and throws a SyntaxError; both readers then reconnect to a closed port). An error event is what
 * the driver ends a stream on (ServiceInternalError), naming the cause.
 */
const STOPPED_EVENT = {
  type: 'error',
  error: { code: 'internal_error', message: 'The local Fauna emulator stopped; this event stream has ended. Start it again and reopen the stream (its cursor resumes only within the same run).' },
  stats: { read_ops: 0, storage_bytes_read: 0, compute_ops: 0, processing_time_ms: 0, rate_limits_hit: [] },
};

export const eventRoutes: Route[] = [
  { match: exactPath('/stream/1'), methods: { POST: (request, { engine }) => handleStream(request, engine) } },
  { match: exactPath('/feed/1'), methods: { POST: (request, { engine }) => handleFeed(request, engine) } },
];

interface EventBody {
  token: string;
  cursor?: string;
  startTs?: number;
  pageSize?: number;
}

/** Checks the body's JSON shape; what the values mean (cursor, page size, token) the engine checks. */
function parseEventBody(raw: Buffer): EventBody | string {
  let body: unknown;
  try {
    body = JSON.parse(raw.length === 0 ? 'null' : raw.toString('utf8'));
  } catch (error) {
    return `Invalid request body: ${(error as Error).message}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Invalid request body: expected a JSON object';
  const { token, start_ts: startTs, cursor, page_size: pageSize } = body as Record<string, unknown>;
  if (typeof token !== 'string') return 'Invalid request body: `token` is required and must be a string';
  if (cursor !== undefined && cursor !== null && typeof cursor !== 'string') return 'Invalid request body: `cursor` must be a string';
  if (startTs !== undefined && startTs !== null && typeof startTs !== 'number') return 'Invalid request body: `start_ts` must be a number';
  if (pageSize !== undefined && pageSize !== null && typeof pageSize !== 'number') return 'Invalid request body: `page_size` must be a number';
  return {
    token,
    ...(typeof cursor === 'string' ? { cursor } : {}),
    ...(typeof startTs === 'number' ? { startTs } : {}),
    ...(typeof pageSize === 'number' ? { pageSize } : {}),
  };
}

function refusal(answer: EventRequestRefusal): HttpAnswer {
  const { code, message, answerAt } = answer.refused;
  if (code === 'unauthorized') return unauthorized();
  const response = protocolError(code, message);
  const wait = answerAt === undefined ? 0 : answerAt - performance.now();
  return wait <= 0 ? response : new Promise<HttpResponse>((resolve) => setTimeout(() => resolve(response), Math.ceil(wait)));
}

function handleStream(request: HttpRequest, engine: Engine): HttpAnswer {
  const body = parseEventBody(request.body);
  if (typeof body === 'string') return protocolError('invalid_request', body);
  const secret = secretFromAuthorization(request.headers.authorization);
  const principal = secret === null ? null : engine.authenticate(secret);
  if (principal === null) return unauthorized();
  // The source is checked before answering 200, so a bad token is a 400 the driver raises at once. Events that come
  // before the response is open (the start event, a replay's error) wait in `buffered`.
  const buffered: string[] = [];
  let sink: { write(chunk: string): void; end(): void } | null = null;
  let endedEarly = false;
  const handle = engine.openEventStream(
    { principal, ...body },
    (event) => {
      const line = JSON.stringify(event) + EVENT_SEPARATOR;
      if (sink) sink.write(line);
      else buffered.push(line);
    },
    () => {
      if (sink) sink.end();
      else endedEarly = true;
    },
  );
  if ('refused' in handle) return refusal(handle);
  return {
    status: 200,
    open(opened) {
      sink = opened;
      for (const line of buffered.splice(0)) opened.write(line);
      if (endedEarly) opened.end();
      return (serverStopping) => {
        handle.close();
        if (serverStopping) opened.write(JSON.stringify(STOPPED_EVENT) + EVENT_SEPARATOR);
      };
    },
  };
}

function handleFeed(request: HttpRequest, engine: Engine): HttpAnswer {
  let timeoutMs: number;
  try {
    timeoutMs = parseQueryHeaders(request.headers).timeoutMs;
  } catch (error) {
    if (error instanceof InvalidHeaderError) return protocolError('invalid_request', error.message);
    throw error;
  }
  const body = parseEventBody(request.body);
  if (typeof body === 'string') return protocolError('invalid_request', body);
  const secret = secretFromAuthorization(request.headers.authorization);
  const principal = secret === null ? null : engine.authenticate(secret);
  if (principal === null) return unauthorized();
  const page = engine.readEventFeed({ principal, ...body, timeoutMs, receivedAt: request.receivedAt ?? performance.now() });
  if ('refused' in page) return refusal(page);
  return { status: 200, json: page };
}
