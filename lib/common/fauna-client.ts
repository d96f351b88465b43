/**
 * One Fauna client per container, rebuilt when the key changes (rotation), over one HTTP/2 connection that this
 * module owns:
 * - opened during init (`warmUp`, a `GET /ping` that carries no key) so the first sign-in pays one round trip;
 * - closed and re-opened before use when it has been idle longer than `reopenAfterIdleMs` by the wall clock, because
 *   Lambda freezes the container between invocations and a NAT or load balancer may have dropped the connection
 *   meanwhile without telling us (the driver's own idle timer cannot fire while the container is frozen, and after
 *   the thaw the next request is written before it does);
 * - with an explicit silent logger, so that `FAUNA_DEBUG` can never make the driver print the key's `Authorization`
 *   header;
 * - through `BoundedHttp2Client` (lib/common/fauna-http2.ts), whose requests end within their client timeout whatever the
 *   peer sends (the driver's own client only times out a stream that has gone idle).
 */
import {
  Client,
  type ClientConfiguration,
  type HTTPClient,
  type HTTPRequest,
  type HTTPResponse,
  type LogHandler,
  type QueryOptions,
  type SupportedFaunaAPIPaths,
} from 'fauna';
import { BoundedHttp2Client } from './fauna-http2.ts';

/** How long the driver waits beyond the server-side query timeout before giving up on the network. */
export const CLIENT_TIMEOUT_BUFFER_MS = 500;
/** No driver-level retries: a throttled sign-in fails fast instead of sleeping through Cognito's budget. */
export const MAX_ATTEMPTS = 1;
/** A connection idle this long (wall clock) is re-opened before use: it may have died while the container was frozen. */
export const DEFAULT_REOPEN_AFTER_IDLE_MS = 15_000;
/** The warm-up's own bound; it runs during init, alongside the SSM fetch, and nobody waits for it. */
export const WARM_UP_TIMEOUT_MS = 1000;

/** The part of the driver's client the service uses; tests may pass anything that answers `query`. */
export type QueryClient = Pick<Client, 'query'>;
export type { QueryOptions };

/** The driver's log handler, silenced: nothing it would print (headers with the key) reaches the logs. */
export const SILENT_DRIVER_LOG: LogHandler = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  fatal: () => undefined,
};

export interface FaunaClientOptions {
  endpoint: URL;
  queryTimeoutMs: number;
  /** How long an idle HTTP/2 session stays open (the driver's `http2_session_idle_ms`). */
  sessionIdleMs: number;
  /** See {@link DEFAULT_REOPEN_AFTER_IDLE_MS}. */
  reopenAfterIdleMs?: number;
  /** Wall-clock milliseconds (`Date.now`); replaceable so tests can simulate a frozen container. */
  wallClock?: () => number;
  /** Builds a driver client; replaceable for tests. */
  createClient?: (configuration: ClientConfiguration, httpClient: HTTPClient) => Client;
}

export interface FaunaClientProvider {
  /** The client for this key: the cached one if the key is unchanged, else a new one (the old one is closed). */
  clientFor(secret: string): QueryClient;
  /** Opens the connection without sending a key (init); never throws. */
  warmUp(): Promise<void>;
  /** Connections re-opened because they had been idle too long (for the tests and the log). */
  reopenedConnections(): number;
  /** Closes the current client and the connection, if any. */
  close(): void;
}

/**
 * The worst time one sign-in query may take before the driver gives up.
 *
 * @example worstCaseQueryMs(1500) // 2000
 */
export function worstCaseQueryMs(queryTimeoutMs: number): number {
  return queryTimeoutMs + CLIENT_TIMEOUT_BUFFER_MS;
}

/**
 * The options for one query attempt that has `budgetMs` left before the invocation's deadline: the configured timeout,
 * shortened so that the driver gives up (timeout plus its buffer) before the deadline. `undefined` when there is not
 * even {@link MIN_ATTEMPT_MS} of query time left: the attempt is skipped.
 */
export function attemptOptions(queryTimeoutMs: number, budgetMs: number): QueryOptions | undefined {
  const timeout = Math.min(queryTimeoutMs, Math.floor(budgetMs - CLIENT_TIMEOUT_BUFFER_MS));
  return timeout >= MIN_ATTEMPT_MS ? { query_timeout_ms: timeout } : undefined;
}
/** The shortest server-side query timeout worth an attempt (a sign-in takes a few ms on a healthy Fauna). */
export const MIN_ATTEMPT_MS = 100;

/**
 * Creates the per-container client cache.
 *
 * @example
 * const fauna = createFaunaClientProvider({ endpoint: config.faunaEndpoint, queryTimeoutMs: 1500, sessionIdleMs: 60_000 });
 * void fauna.warmUp();
 * await fauna.clientFor(secret).query(fql`signIn(...)`);
 */
export function createFaunaClientProvider(options: FaunaClientOptions): FaunaClientProvider {
  const create = options.createClient ?? ((configuration, httpClient) => new Client(configuration, httpClient));
  const connection = new FreshConnection({
    url: options.endpoint.toString(),
    http2_session_idle_ms: options.sessionIdleMs,
    reopenAfterIdleMs: options.reopenAfterIdleMs ?? DEFAULT_REOPEN_AFTER_IDLE_MS,
    wallClock: options.wallClock ?? Date.now,
  });
  let current: { secret: string; client: Client } | null = null;

  const closeClient = (): void => {
    current?.client.close();
    current = null;
  };

  return {
    clientFor(secret) {
      if (current?.secret === secret) return current.client;
      closeClient();
      const client = create(
        {
          secret,
          endpoint: options.endpoint,
          query_timeout_ms: options.queryTimeoutMs,
          client_timeout_buffer_ms: CLIENT_TIMEOUT_BUFFER_MS,
          max_attempts: MAX_ATTEMPTS,
          http2_session_idle_ms: options.sessionIdleMs,
          logger: SILENT_DRIVER_LOG,
        },
        connection.forClient(),
      );
      current = { secret, client };
      return client;
    },
    warmUp: () => connection.warmUp(),
    reopenedConnections: () => connection.reopened,
    close() {
      closeClient();
      connection.close();
    },
  };
}

interface ConnectionOptions {
  url: string;
  http2_session_idle_ms: number;
  reopenAfterIdleMs: number;
  wallClock: () => number;
}

/**
 * The HTTP/2 client (one session), re-opened when it has been idle too long: closing it and taking a new one, whose
 * next request connects afresh.
 */
class FreshConnection {
  reopened = 0;
  readonly #options: ConnectionOptions;
  #http: BoundedHttp2Client | null = null;
  #lastUsedAt = 0;

  constructor(options: ConnectionOptions) {
    this.#options = options;
  }

  /** An `HTTPClient` for one driver `Client`; its `close()` (the Client's) leaves the shared connection open. */
  forClient(): HTTPClient {
    return { request: (request) => this.request(request), close: () => undefined };
  }

  async request<T>(request: HTTPRequest<T>): Promise<HTTPResponse> {
    const http = this.#fresh();
    try {
      return await http.request(request);
    } finally {
      this.#lastUsedAt = this.#options.wallClock();
    }
  }

  async warmUp(): Promise<void> {
    try {
      await this.request({ client_timeout_ms: WARM_UP_TIMEOUT_MS, data: {}, headers: {}, method: 'GET', path: '/ping' as SupportedFaunaAPIPaths });
    } catch {
      // Only a head start: the first query connects again if this failed, and reports any real problem itself.
    }
  }

  close(): void {
    this.#http?.close();
    this.#http = null;
  }

  #fresh(): BoundedHttp2Client {
    const now = this.#options.wallClock();
    if (this.#http && now - this.#lastUsedAt >= this.#options.reopenAfterIdleMs) {
      this.close();
      this.reopened++;
    }
    this.#lastUsedAt = now;
    this.#http ??= new BoundedHttp2Client({ url: this.#options.url, sessionIdleMs: this.#options.http2_session_idle_ms });
    return this.#http;
  }
}
