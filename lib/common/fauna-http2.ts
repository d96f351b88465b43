/**
 * The HTTP/2 client the Fauna driver sends through (its `httpClient` option), in place of the driver's own
 * `NodeHTTP2Client`, for one reason: a bound on the whole exchange. The driver's client times a request out only when
 * the stream has been *idle* for `client_timeout_ms` (`stream.setTimeout`), so a Fauna, or a proxy in front of it,
 * that sends its headers and then trickles the body a byte at a time is never timed out, and the sign-in waits until
 * Lambda's backstop (docs/reliability.md, "The deadline"). Here `client_timeout_ms` counts from the moment the request
 * is made, whatever the peer sends: when it passes, the stream is cancelled and the request fails with the driver's
 * `NetworkError`, which the sign-in maps like any other network failure. `lib/sign-in/sign-in-query.ts` makes each attempt's
 * `client_timeout_ms` end before the invocation's deadline, so every Fauna call ends by the deadline by itself.
 *
 * Otherwise it behaves as the driver's client: one session per client, opened on first use, closed after
 * `sessionIdleMs` without traffic, on GOAWAY and on error; a request that lost the race with a GOAWAY is sent again
 * on a new session (up to three times, as the driver does).
 */
import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants, type IncomingHttpHeaders } from 'node:http2';
import { type HTTPClient, type HTTPRequest, type HTTPResponse, NetworkError, type SupportedFaunaAPIPaths } from 'fauna';

export interface BoundedHttp2Options {
  url: string;
  /** How long a session without traffic stays open (the driver's `http2_session_idle_ms`). */
  sessionIdleMs: number;
  /** The most concurrent streams the client asks the server for (the driver's `http2_max_streams`). */
  maxStreams?: number;
}

/** The driver's default request path (`/query/1`), for requests that name none. */
const QUERY_PATH: SupportedFaunaAPIPaths = '/query/1';
/** The driver sends a request again on a new session this many times at most after a GOAWAY race. */
const GOAWAY_ATTEMPTS = 3;

/** A request that ran out of its time (connect, headers and body together). */
export class ClientTimeoutError extends Error {
  override readonly name = 'ClientTimeoutError';
  constructor(timeoutMs: number) {
    super(`No complete answer within the client timeout (${timeoutMs} ms, headers and body together); the stream was cancelled.`);
  }
}

/**
 * An `HTTPClient` whose every request ends within its `client_timeout_ms`, counted from the call.
 *
 * @example new Client({ secret, endpoint, query_timeout_ms: 1500 }, new BoundedHttp2Client({ url: endpoint.toString(), sessionIdleMs: 60_000 }))
 */
export class BoundedHttp2Client implements HTTPClient {
  readonly #options: BoundedHttp2Options;
  #session: ClientHttp2Session | null = null;

  constructor(options: BoundedHttp2Options) {
    this.#options = options;
  }

  async request<T>(request: HTTPRequest<T>): Promise<HTTPResponse> {
    const endsAt = performance.now() + request.client_timeout_ms;
    let lastError: unknown;
    for (let attempt = 1; attempt <= GOAWAY_ATTEMPTS; attempt++) {
      try {
        return await this.#send(request, Math.max(0, endsAt - performance.now()));
      } catch (error) {
        lastError = error;
        // Node may hand a request to a session that has just received GOAWAY (nodejs/node#42190): send it again.
        if ((error as { code?: unknown }).code !== 'ERR_HTTP2_GOAWAY_SESSION' || performance.now() >= endsAt) break;
      }
    }
    throw new NetworkError('The network connection encountered a problem.', { cause: lastError });
  }

  /** Closes the session once its open streams have ended. */
  close(): void {
    const session = this.#session;
    this.#session = null;
    if (session && !session.closed) session.close();
  }

  /** Stops handing out `session`; it closes once its open streams have ended. */
  #retire(session: ClientHttp2Session): void {
    if (this.#session === session) this.#session = null;
    if (!session.closed) session.close();
  }

  #connect(): ClientHttp2Session {
    const current = this.#session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = connect(this.#options.url, { peerMaxConcurrentStreams: this.#options.maxStreams ?? 100 });
    const forget = (): void => {
      if (this.#session === session) this.#session = null;
    };
    session.on('error', () => {
      forget();
      session.destroy();
    });
    session.once('goaway', () => {
      forget();
      session.close();
    });
    session.once('close', forget);
    session.setTimeout(this.#options.sessionIdleMs, () => {
      forget();
      session.close();
    });
    this.#session = session;
    return session;
  }

  #send<T>(request: HTTPRequest<T>, timeoutMs: number): Promise<HTTPResponse> {
    return new Promise<HTTPResponse>((resolveOnce, rejectOnce) => {
      let settled = false;
      const resolve = (response: HTTPResponse): void => {
        settled = true;
        resolveOnce(response);
      };
      const reject = (error: unknown): void => {
        settled = true;
        rejectOnce(error);
      };
      let stream: ClientHttp2Stream | undefined;
      let session: ClientHttp2Session | undefined;
      // GET /ping (the warm-up) carries no body; a query's body is its JSON.
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
      const timer = setTimeout(() => {
        // The bound itself: cancel the stream whatever the peer is still sending. The session is retired too (closed
        // once its streams have ended), so that the next request connects afresh rather than on a connection that may
        // be wedged; except after the warm-up's ping (GET) on a session still connecting: the first query then uses
        // the slow handshake the ping started instead of starting another.
        stream?.close(constants.NGHTTP2_CANCEL);
        if (session && (hasBody || !session.connecting)) this.#retire(session);
        reject(new ClientTimeoutError(request.client_timeout_ms));
      }, timeoutMs);
      const fail = (error: unknown): void => {
        clearTimeout(timer);
        reject(error);
      };
      try {
        session = this.#connect();
        stream = session.request(
          { ...request.headers, [constants.HTTP2_HEADER_PATH]: request.path ?? QUERY_PATH, [constants.HTTP2_HEADER_METHOD]: request.method },
          { endStream: !hasBody },
        );
      } catch (error) {
        fail(error);
        return;
      }
      stream.setEncoding('utf8');
      stream.on('error', fail);
      // A stream reset without an error code (or a session closed under it) ends without 'error' or 'end'.
      stream.once('close', () => {
        if (!settled) fail(new Error('The stream closed before the answer was complete.'));
      });
      stream.once('response', (headers: IncomingHttpHeaders) => {
        let body = '';
        stream!.on('data', (chunk: string) => {
          body += chunk;
        });
        stream!.once('end', () => {
          clearTimeout(timer);
          resolve({ status: Number(headers[constants.HTTP2_HEADER_STATUS]), body, headers: headers as HTTPResponse['headers'] });
        });
      });
      if (hasBody) stream.end(JSON.stringify(request.data), 'utf8');
    });
  }
}
