/**
 * A recording HTTP/2 cleartext proxy in front of a Fauna endpoint (the local Fauna in these tests): it forwards every
 * request unchanged and keeps what went over the wire, so a test can count the Fauna requests of one sign-in and read
 * the exact query the service sent. Every secret it sees (the bearer sent, `fn…` secrets in answers) goes to
 * `onSecret` (the test suites hand it to the secrets audit); it is never logged.
 */
import { connect, type ClientHttp2Session } from 'node:http2';
import { startH2cServer } from './h2c-server.ts';

/** One request the proxy forwarded, with the answer it got. */
export interface WireExchange {
  path: string;
  /** The request body as JSON (what the driver sent). */
  request: unknown;
  status: number;
  /** The response body as text. */
  response: string;
}

export interface RecordingProxy {
  url: string;
  exchanges(): readonly WireExchange[];
  /** Forgets the exchanges recorded so far. */
  reset(): void;
  stop(): Promise<void>;
}

// Token and key secrets appear in answers as string values; any long `fn…` string is one (packages/fauna-local/PROTOCOL.md §7).
const SECRET_IN_JSON = /"(fn[A-Za-z0-9_-]{16,})"/g;

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8');
  }
}

/**
 * Starts a proxy on 127.0.0.1 (free port) forwarding to `upstreamUrl`; `onSecret(secret, what)` sees every secret.
 *
 * @example
 * const proxy = await startRecordingProxy(fauna.url, { onSecret: recordSecret });
 * // point the service's FAUNA_ENDPOINT at proxy.url, sign in, then:
 * expect(proxy.exchanges().filter((e) => e.path === '/query/1')).toHaveLength(1);
 */
export async function startRecordingProxy(
  upstreamUrl: string,
  { onSecret = () => undefined }: { onSecret?: (secret: string, what: string) => void } = {},
): Promise<RecordingProxy> {
  let exchanges: WireExchange[] = [];
  let upstream: ClientHttp2Session | undefined;
  const upstreamSession = (): ClientHttp2Session => {
    if (!upstream || upstream.closed || upstream.destroyed) {
      upstream = connect(upstreamUrl);
      upstream.on('error', () => undefined); // surfaced per request below
    }
    return upstream;
  };

  const server = await startH2cServer((stream, headers) => {
    void (async () => {
      const body = await readAll(stream);
      const bearer = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''));
      if (bearer) onSecret(bearer[1]!, 'secret the service sent');
      const forwarded: Record<string, string | string[] | undefined> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (name === ':authority' || name === ':scheme') continue;
        forwarded[name] = value;
      }
      const request = upstreamSession().request(forwarded);
      request.end(body);
      const [responseHeaders, responseBody] = await Promise.all([
        new Promise<Record<string, unknown>>((resolve, reject) => {
          request.on('response', (h) => resolve(h as Record<string, unknown>));
          request.on('error', reject);
        }),
        readAll(request),
      ]);
      const responseText = responseBody.toString('utf8');
      for (const match of responseText.matchAll(SECRET_IN_JSON)) onSecret(match[1]!, 'secret seen on the wire');
      exchanges.push({ path: String(headers[':path']), request: parseJson(body), status: Number(responseHeaders[':status']), response: responseText });
      const { ':status': status, ...rest } = responseHeaders;
      stream.respond({ ...(rest as Record<string, string>), ':status': Number(status), 'content-length': responseBody.length });
      stream.end(responseBody);
    })().catch(() => {
      if (!stream.destroyed) stream.close(2 /* INTERNAL_ERROR */);
    });
  }, () => upstream?.close());
  return {
    url: server.url,
    exchanges: () => exchanges,
    reset: () => {
      exchanges = [];
    },
    stop: server.stop,
  };
}
