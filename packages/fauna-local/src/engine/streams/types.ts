/**
 * The contract of event streams and feeds between the HTTP layer and the engine (engine/api.ts re-exports it):
 * requests as the client sent them, refusals, and events in Fauna's wire shape (core: runtime/stream/Event.scala).
 * The principal's type is a parameter (api.ts's Principal), so this file imports nothing from the engine.
 */
export interface EventStats {
  read_ops: number;
  storage_bytes_read: number;
  compute_ops: number;
  processing_time_ms: number;
  rate_limits_hit: string[];
}

/** One event in Fauna's wire shape (tagged values inside `data` and `error.abort`). */
export type WireEvent =
  | { type: 'add' | 'update' | 'remove'; data: unknown; txn_ts: number; cursor: string; stats: EventStats }
  | { type: 'start' | 'status'; txn_ts: number; cursor: string; stats: EventStats }
  | { type: 'error'; error: { code: string; message: string; abort?: unknown }; stats: EventStats };

/**
 * Why a stream or feed request is refused before any event: answered as a protocol error. A feed's `time_out` comes
 * with `answerAt` (`performance.now()`): a real Fauna cannot answer it before it has spent that long.
 */
export interface EventRequestRefusal {
  refused: { code: 'invalid_request' | 'unauthorized' | 'time_out'; message: string; answerAt?: number };
}

/** The request's fields as the client sent them (the HTTP layer checked their JSON types); at most one position. */
export interface EventStreamRequest<P> {
  principal: P;
  token: string;
  /** An event's cursor: continue after that event. */
  cursor?: string;
  /** µs: continue after the transactions at that time. Neither: right after the token was made. */
  startTs?: number;
}

export interface EventFeedRequest<P> extends EventStreamRequest<P> {
  pageSize?: number;
  /** The client's deadline (`x-query-timeout-ms`), from when the request arrived (`performance.now()`). */
  timeoutMs: number;
  receivedAt: number;
}

export interface EventStreamHandle {
  /** Stops delivering events (the client went away or the server stops). */
  close(): void;
}

export interface FeedPage {
  events: WireEvent[];
  cursor: string;
  has_next: boolean;
  stats: EventStats;
}
