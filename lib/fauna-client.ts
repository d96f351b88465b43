/**
 * One Fauna client per container, rebuilt when the key changes (rotation). Timeouts and retries are chosen so that
 * the slowest sign-in still answers inside Cognito's fixed 5 s budget.
 */
import { Client, type ClientConfiguration } from 'fauna';

/** How long the driver waits beyond the server-side query timeout before giving up on the network. */
export const CLIENT_TIMEOUT_BUFFER_MS = 500;
/** No driver-level retries: a throttled sign-in fails fast instead of sleeping through Cognito's budget. */
export const MAX_ATTEMPTS = 1;

/** The part of the driver's client the service uses; tests may pass anything that answers `query`. */
export type QueryClient = Pick<Client, 'query'>;

export interface FaunaClientOptions {
  endpoint: URL;
  queryTimeoutMs: number;
  /** How long an idle HTTP/2 session stays open (the driver's `http2_session_idle_ms`). */
  sessionIdleMs: number;
  /** Builds a driver client; replaceable for tests. */
  createClient?: (configuration: ClientConfiguration) => Client;
}

export interface FaunaClientProvider {
  /** The client for this key: the cached one if the key is unchanged, else a new one (the old one is closed). */
  clientFor(secret: string): QueryClient;
  /** Closes the current client, if any. */
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
 * Creates the per-container client cache.
 *
 * @example
 * const fauna = createFaunaClientProvider({ endpoint: config.faunaEndpoint, queryTimeoutMs: 1500, sessionIdleMs: 60_000 });
 * await fauna.clientFor(secret).query(fql`signIn(...)`);
 */
export function createFaunaClientProvider(options: FaunaClientOptions): FaunaClientProvider {
  const create = options.createClient ?? ((configuration: ClientConfiguration) => new Client(configuration));
  let current: { secret: string; client: Client } | null = null;

  const close = (): void => {
    current?.client.close();
    current = null;
  };

  return {
    clientFor(secret) {
      if (current?.secret === secret) return current.client;
      close();
      const client = create({
        secret,
        endpoint: options.endpoint,
        query_timeout_ms: options.queryTimeoutMs,
        client_timeout_buffer_ms: CLIENT_TIMEOUT_BUFFER_MS,
        max_attempts: MAX_ATTEMPTS,
        http2_session_idle_ms: options.sessionIdleMs,
      });
      current = { secret, client };
      return client;
    },
    close,
  };
}
