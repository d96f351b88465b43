/**
 * Event streams (`POST /stream/1`) and event feeds (`POST /feed/1`) over one database's change log.
 *
 * A stream answers with a `start` event at its start position, replays the changes after it, then delivers each new
 * commit's events as they come; an `error` event ends it. A feed answers one page of at most `page_size` events after
 * its position, the cursor to continue from and whether more events are already there (`has_next`).
 *
 * Core: https://github.com/fauna/faunadb/blob/main/ext/api/src/main/scala/api/fql2/StreamRequest.scala,
 * FeedRequest.scala, FeedResponse.scala; https://github.com/fauna/faunadb/blob/main/ext/model/src/main/scala/runtime/stream/Feed.scala
 */
import type { Database } from '../context.ts';
import { dbFor } from '../engine-state.ts';
import type { EngineState } from '../engine-state.ts';
import type { DocChange as StoredChange } from '../../storage/change-log.ts';
import type { StoredDoc as ChangedDoc } from '../../storage/store.ts';
type DocChange = StoredChange<ChangedDoc>;
import { deadlineFailure, MIN_SERVICE_MS, newDeadline } from '../context.ts';
import { afterTs, decodeCursor, encodeCursor } from './cursor.ts';
import type { CursorPosition } from './cursor.ts';
import { lookupEventSource } from './event-source.ts';
import type { EventSourceEntry } from './event-source.ts';
import { EMPTY_STATS, eventForChange, statusEvent } from './events.ts';
import type { EventFeedRequest, EventRequestRefusal, EventStreamHandle, EventStreamRequest, FeedPage } from '../api.ts';
import type { EventStats, WireEvent } from './types.ts';

/** Feed page sizes (core: Feed.DefaultPageSize / MaxPageSize are ValueSet's 16 and 16,000). */
export const FEED_DEFAULT_PAGE_SIZE = 16;
export const FEED_MAX_PAGE_SIZE = 16_000;
/** An idle stream sends a `status` event this often (core: Subscription.scala `statusEventInterval`, 5 minutes). */
export const STATUS_EVENT_INTERVAL_MS = 5 * 60_000;


interface Opened {
  db: Database;
  entry: EventSourceEntry;
  start: CursorPosition;
}

function invalid(message: string): EventRequestRefusal {
  return { refused: { code: 'invalid_request', message } };
}

/** The start position the request names; the core's messages (the feed's end with a full stop, the stream's do not). */
function positionOf(request: EventStreamRequest, dot: string): CursorPosition | undefined | EventRequestRefusal {
  if (request.cursor !== undefined && request.startTs !== undefined) return invalid(`can not provide both \`start_ts\` and \`cursor\`${dot}`);
  if (request.cursor !== undefined) return decodeCursor(request.cursor) ?? invalid(`invalid event cursor provided${dot}`);
  if (request.startTs !== undefined) {
    if (!Number.isSafeInteger(request.startTs) || request.startTs < 0) return invalid('Invalid request body: `start_ts` must be a time in microseconds since the epoch');
    return afterTs(BigInt(request.startTs));
  }
  return undefined;
}

function open(state: EngineState, request: EventStreamRequest, dot: string): Opened | EventRequestRefusal {
  const position = positionOf(request, dot);
  if (position !== undefined && 'refused' in position) return position;
  const db = dbFor(state, request.principal);
  if (db === null) return { refused: { code: 'unauthorized', message: 'Invalid token, unable to authenticate request' } };
  const entry = lookupEventSource(db, request.token);
  // The core's message for a token it cannot decode (StreamRequest.scala); ours also covers a token of another
  // database or of an earlier run of the local Fauna.
  if (!entry) return invalid(`invalid event source provided${dot}`);
  return { db, entry, start: position ?? afterTs(entry.ts) };
}

/** The `start` event then `error` when the position is older than the kept history (core: EventReplayer.scala). */
function tooOld(start: CursorPosition): WireEvent[] {
  return [
    statusEvent('start', start.ts),
    { type: 'error', error: { code: 'invalid_stream_start_time', message: `Stream start time ${start.ts} is too far in the past. Recreate the stream and try again.` }, stats: { ...EMPTY_STATS } },
  ];
}

/**
 * Opens a stream: `emit` receives each event, `end` is called once after an error event. Events are evaluated
 * after the commit that made them has returned (never inside another transaction), in commit order.
 */
export function openEventStream(state: EngineState, request: EventStreamRequest, emit: (event: WireEvent) => void, end: () => void): EventStreamHandle | EventRequestRefusal {
  const opened = open(state, request, '');
  if ('refused' in opened) return opened;
  const { db, entry, start } = opened;
  const log = db.store.changes;
  if (!log.covers(start.ts)) {
    for (const event of tooOld(start)) emit(event);
    end();
    return { close() {} };
  }
  let closed = false;
  let lastTs = start.ts;
  const queue: DocChange[] = [];
  let scheduled = false;
  const drain = () => {
    scheduled = false;
    while (!closed && queue.length > 0) {
      const change = queue.shift()!;
      lastTs = change.ts;
      const event = eventForChange(state, db, request.principal, entry, change);
      if (event === null) continue;
      emit(event);
      if (event.type === 'error') {
        close();
        end();
      }
    }
  };
  const enqueue = (changes: readonly DocChange[]) => {
    queue.push(...changes);
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  };
  const unsubscribe = log.subscribe(enqueue);
  const heartbeat = setInterval(() => {
    if (queue.length === 0) emit(statusEvent('status', lastTs));
  }, STATUS_EVENT_INTERVAL_MS);
  heartbeat.unref();
  const close = () => {
    closed = true;
    queue.length = 0;
    clearInterval(heartbeat);
    unsubscribe();
  };
  emit({ type: 'start', txn_ts: Number(start.ts), cursor: encodeCursor(start.ts, start.ord), stats: { ...EMPTY_STATS } });
  enqueue(log.since(start.ts, start.ord));
  return { close };
}

/** One page of a feed. */
export function readEventFeed(state: EngineState, request: EventFeedRequest): FeedPage | EventRequestRefusal {
  const pageSize = request.pageSize ?? FEED_DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize)) return invalid('Invalid request body: `page_size` must be an integer');
  if (pageSize <= 0) return invalid('page size must be greater than zero.');
  if (pageSize > FEED_MAX_PAGE_SIZE) return invalid(`page size can not be greater than ${FEED_MAX_PAGE_SIZE}.`);
  const opened = open(state, request, '.');
  if ('refused' in opened) return opened;
  const page = readPage(state, request, opened, pageSize);
  // The feed's poll is a query with the client's deadline (core: FeedEndpoint.scala): a late page is a time_out,
  // answered no sooner than a real Fauna could (the time the message says it needed).
  const deadline = newDeadline(request.receivedAt, request.timeoutMs);
  const late = deadlineFailure(deadline, performance.now());
  if (late) return { refused: { code: 'time_out', message: late.message, answerAt: deadline.startedAt + Math.max(deadline.timeoutMs, MIN_SERVICE_MS) + 1 } };
  return page;
}

function readPage(state: EngineState, request: EventFeedRequest, opened: Opened, pageSize: number): FeedPage {
  const { db, entry, start } = opened;
  const log = db.store.changes;
  if (!log.covers(start.ts)) {
    const [, error] = tooOld(start);
    return { events: [error!], cursor: encodeCursor(start.ts, start.ord), has_next: false, stats: { ...EMPTY_STATS } };
  }
  const events: WireEvent[] = [];
  const stats: EventStats = { ...EMPTY_STATS, rate_limits_hit: [] };
  let cursor: string | null = null;
  let hasNext = false;
  for (const change of log.since(start.ts, start.ord)) {
    const event = eventForChange(state, db, request.principal, entry, change);
    if (event === null) continue;
    if (events.length === pageSize) {
      hasNext = true;
      break;
    }
    events.push(event);
    addStats(stats, event.stats);
    if (event.type === 'error') break;
    cursor = encodeCursor(change.ts, change.ord);
  }
  // No event: continue from now, so the next poll does not replay what this one passed over (core: Feed.scala).
  if (cursor === null) {
    const now = state.options.clock.nowMicros();
    cursor = events.length > 0 || now <= start.ts ? encodeCursor(start.ts, start.ord) : encodeCursor(now, -1);
  }
  return { events, cursor, has_next: hasNext, stats };
}

function addStats(total: EventStats, add: EventStats): void {
  total.read_ops += add.read_ops;
  total.storage_bytes_read += add.storage_bytes_read;
  total.compute_ops += add.compute_ops;
  total.processing_time_ms += add.processing_time_ms;
}
