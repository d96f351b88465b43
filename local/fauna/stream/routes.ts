/**
 * `POST /stream/1` and `POST /feed/1` (PROTOCOL.md "Event streams and feeds"): the body is checked in the core's
 * order and words (StreamRequest.scala / FeedRequest.scala), then the secret; a refused request answers a protocol
 * error (`invalid_request` 400, `unauthorized` 401) before any event. A stream answers 200 and one JSON event per
 * line (`\r\n`-separated, as the core writes them); a feed answers one JSON page.
 *
 * Core: https://github.com/fauna/faunadb/blob/main/ext/api/src/main/scala/api/fql2/StreamRequest.scala and
 * https://github.com/fauna/faunadb/blob/main/ext/api/src/main/scala/api/fql2/FeedRequest.scala
 */
import type { Engine } from '../engine/api.ts';
import { deadlineFailure, MIN_SERVICE_MS, newDeadline } from '../engine/context.ts';
import { secretFromAuthorization } from '../http/auth.ts';
import { protocolError, unauthorized } from '../http/errors.ts';
import { InvalidHeaderError, parseQueryHeaders } from '../http/query-headers.ts';
import { exactPath } from '../http/router.ts';
import type { HttpAnswer, HttpRequest, Route } from '../http/types.ts';
import { afterTs, decodeCursor } from './cursor.ts';
import type { CursorPosition } from './cursor.ts';
import { FEED_DEFAULT_PAGE_SIZE, FEED_MAX_PAGE_SIZE } from './service.ts';
import type { EventRequestRefusal } from './service.ts';

/** Events are separated as the core separates them (StreamResponse.scala `EventSeparator`). */
const EVENT_SEPARATOR = '\r\n';

export const eventRoutes: Route[] = [
  { match: exactPath('/stream/1'), methods: { POST: (request, { engine }) => handleStream(request, engine) } },
  { match: exactPath('/feed/1'), methods: { POST: (request, { engine }) => handleFeed(request, engine) } },
];

interface EventBody {
  token: string;
  position?: CursorPosition;
  pageSize?: number;
}

/** Parses the body; `feed` adds `page_size` and the feed's trailing full stops (the core's two messages differ). */
function parseEventBody(raw: Buffer, feed: boolean): EventBody | string {
  const dot = feed ? '.' : '';
  let body: unknown;
  try {
    body = JSON.parse(raw.length === 0 ? 'null' : raw.toString('utf8'));
  } catch (error) {
    return `Invalid request body: ${(error as Error).message}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'Invalid request body: expected a JSON object';
  const { token, start_ts: startTs, cursor, page_size: pageSize } = body as Record<string, unknown>;
  if (typeof token !== 'string') return 'Invalid request body: `token` is required and must be a string';
  if (startTs !== undefined && startTs !== null && cursor !== undefined && cursor !== null) return `can not provide both \`start_ts\` and \`cursor\`${dot}`;
  const parsed: EventBody = { token };
  if (cursor !== undefined && cursor !== null) {
    const position = typeof cursor === 'string' ? decodeCursor(cursor) : null;
    if (position === null) return `invalid event cursor provided${dot}`;
    parsed.position = position;
  } else if (startTs !== undefined && startTs !== null) {
    if (typeof startTs !== 'number' || !Number.isSafeInteger(startTs) || startTs < 0) return 'Invalid request body: `start_ts` must be a timestamp in microseconds';
    parsed.position = afterTs(BigInt(startTs));
  }
  if (feed) {
    if (pageSize !== undefined && pageSize !== null) {
      if (typeof pageSize !== 'number' || !Number.isInteger(pageSize)) return 'Invalid request body: `page_size` must be an integer';
      if (pageSize <= 0) return 'page size must be greater than zero.';
      if (pageSize > FEED_MAX_PAGE_SIZE) return `page size can not be greater than ${FEED_MAX_PAGE_SIZE}.`;
    }
    parsed.pageSize = typeof pageSize === 'number' ? pageSize : FEED_DEFAULT_PAGE_SIZE;
  }
  return parsed;
}

function refusal(answer: EventRequestRefusal): HttpAnswer {
  return answer.refused.code === 'unauthorized' ? unauthorized() : protocolError(answer.refused.code, answer.refused.message);
}

function handleStream(request: HttpRequest, engine: Engine): HttpAnswer {
  const body = parseEventBody(request.body, false);
  if (typeof body === 'string') return protocolError('invalid_request', body);
  const secret = secretFromAuthorization(request.headers.authorization);
  const principal = secret === null ? null : engine.authenticate(secret);
  if (principal === null) return unauthorized();
  // The source is checked before answering 200, so a bad token is a 400 the driver raises at once.
  const buffered: string[] = [];
  let sink: { write(chunk: string): void; end(): void } | null = null;
  let endedEarly = false;
  const handle = engine.openEventStream(
    { principal, token: body.token, ...(body.position ? { position: body.position } : {}) },
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
      return () => handle.close();
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
  const body = parseEventBody(request.body, true);
  if (typeof body === 'string') return protocolError('invalid_request', body);
  const secret = secretFromAuthorization(request.headers.authorization);
  const principal = secret === null ? null : engine.authenticate(secret);
  if (principal === null) return unauthorized();
  const deadline = newDeadline(request.receivedAt ?? performance.now(), timeoutMs);
  const page = engine.readEventFeed({ principal, token: body.token, pageSize: body.pageSize!, ...(body.position ? { position: body.position } : {}) });
  if ('refused' in page) return refusal(page);
  // The feed's poll is a query with the client's deadline (core: FeedEndpoint.scala); a late page is a time_out.
  const late = deadlineFailure(deadline, performance.now());
  if (late) {
    // A real Fauna cannot answer before it has spent the time the message says the poll needed (at least
    // MIN_SERVICE_MS past the deadline); answering at once would beat a client whose own timeout is as short.
    const answerAt = deadline.startedAt + Math.max(deadline.timeoutMs, MIN_SERVICE_MS) + 1;
    const answer = protocolError('time_out', late.message);
    const wait = answerAt - performance.now();
    return wait <= 0 ? answer : new Promise((resolve) => setTimeout(() => resolve(answer), Math.ceil(wait)));
  }
  return { status: 200, json: page };
}
