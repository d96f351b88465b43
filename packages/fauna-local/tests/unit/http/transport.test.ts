/**
 * The HTTP layer of the local Fauna endpoint, tested over real sockets against a FAKE engine (fake-engine.ts):
 * protocol sniffing (h2c prior knowledge and HTTP/1.1 on one port), the real `fauna` driver on both transports,
 * header and body validation, error envelopes, size limit and shutdown.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import http2 from 'node:http2';
import net from 'node:net';
import { AbortError, Client, FetchClient, InvalidRequestError, AuthenticationError, fql } from 'fauna';
import { createFaunaDispatcher } from '../../../src/http/app.ts';
import { startHttpServer, type RunningHttpServer } from '../../../src/http/server.ts';
import { createFakeEngine, FAKE_SECRET, type FakeEngine } from '../helpers/fake-engine.ts';

let engine: FakeEngine;
let server: RunningHttpServer;
let url: string;

async function start(maxRequestBytes?: number): Promise<void> {
  engine = createFakeEngine();
  server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    dispatch: createFaunaDispatcher(engine),
    ...(maxRequestBytes === undefined ? {} : { maxRequestBytes }),
  });
  url = `http://127.0.0.1:${server.port}`;
}

beforeEach(() => start());
afterEach(() => server.stop());

/** One request over h2c prior knowledge, the way the Node driver connects. */
async function h2Request(path: string, method: string, headers: Record<string, string>, body?: string) {
  const session = http2.connect(url);
  try {
    return await new Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const request = session.request({ ':path': path, ':method': method, ...headers });
      let text = '';
      let responseHeaders: http2.IncomingHttpHeaders = {};
      request.setEncoding('utf8');
      request.on('response', (h) => (responseHeaders = h));
      request.on('data', (chunk: string) => (text += chunk));
      request.on('end', () => resolve({ status: Number(responseHeaders[':status']), headers: responseHeaders, body: text }));
      request.on('error', reject);
      request.end(body);
    });
  } finally {
    session.close();
  }
}

/** Everything the peer sends on `socket` until it closes the connection. */
function readAll(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

/**
 * Readiness wait instead of a sleep: bytes written earlier on another connection have been read and parsed by the time
 * the server has accepted, sniffed and answered a whole new connection (one event loop serves both, and the earlier
 * bytes were already in its socket buffer when the new connection was opened).
 */
async function serverHasRead(): Promise<void> {
  const barrier = http2.connect(url);
  try {
    await new Promise<void>((resolve, reject) => {
      const request = barrier.request({ ':path': '/ping', ':method': 'GET' });
      request.on('error', reject);
      request.on('end', () => resolve());
      request.resume();
      request.end();
    });
  } finally {
    barrier.close();
  }
}

/** `body: null` sends no body at all. */
async function postQuery(headers: Record<string, string>, body: string | null = '{"query":"1"}') {
  const response = await fetch(`${url}/query/1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${FAKE_SECRET}`, ...headers },
    ...(body === null ? {} : { body }),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as { error?: { code: string; message: string }; [k: string]: unknown } };
}

describe('one port serves both HTTP versions', () => {
  it('answers GET /ping over HTTP/1.1 with the Fauna health body, JSON content type and exact length', async () => {
    const response = await fetch(`${url}/ping`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(JSON.parse(text)).toEqual({ resource: 'Scope write is OK' });
    expect(response.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
  });

  it('answers GET /ping over h2c with prior knowledge', async () => {
    const response = await h2Request('/ping', 'GET', {});

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ resource: 'Scope write is OK' });
  });

  it('serves the real fauna driver over its default Node HTTP/2 client, with tags echoed and txn_ts sent back', async () => {
    const client = new Client({ endpoint: new URL(url), secret: FAKE_SECRET, query_timeout_ms: 1234 });
    try {
      const first = await client.query(fql`Customer.all()`, { query_tags: { app: 'test', run: '1' } });
      await client.query(fql`2`);

      expect(first.data).toEqual({ echo: 'Customer.all()', format: 'tagged' });
      expect(first.query_tags).toEqual({ app: 'test', run: '1' });
      expect(engine.requests[0]!.timeoutMs).toBe(1234);
      expect(engine.requests[0]!.lastTxnTs).toBeUndefined();
      expect(engine.requests[1]!.lastTxnTs).toBe(BigInt(first.txn_ts!));
    } finally {
      client.close();
    }
  });

  it('serves the real fauna driver over its fetch (HTTP/1.1) client', async () => {
    const client = new Client({ endpoint: new URL(url), secret: FAKE_SECRET }, new FetchClient({ url, fetch_keepalive: false, http2_session_idle_ms: 0, http2_max_streams: 0 }));
    try {
      const result = await client.query(fql`"hello"`);

      expect(result.data).toEqual({ echo: '"hello"', format: 'tagged' });
    } finally {
      client.close();
    }
  });

  it('serves 200 concurrent queries from one driver client over one HTTP/2 session', async () => {
    const client = new Client({ endpoint: new URL(url), secret: FAKE_SECRET });
    try {
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => client.query(fql`${i}`)));

      expect(results).toHaveLength(200);
      expect(new Set(results.map((r) => r.txn_ts)).size).toBe(200);
    } finally {
      client.close();
    }
  });

  it('reads a 2 MB HTTP/1.1 body intact after protocol sniffing', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);

    const response = await postQuery({}, JSON.stringify({ query: big }));

    expect(response.status).toBe(200);
    expect((response.json.data as { echo: string }).echo).toHaveLength(big.length);
  });
});

describe('driver error classes come from the error code', () => {
  it('raises AbortError with the abort value for an engine failure', async () => {
    const client = new Client({ endpoint: new URL(url), secret: FAKE_SECRET });
    try {
      const failure = await client.query(fql`fail`).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(AbortError);
      expect((failure as AbortError).abort).toBe('oops');
      expect((failure as AbortError).httpStatus).toBe(400);
    } finally {
      client.close();
    }
  });

  it('raises AuthenticationError for an unknown secret', async () => {
    const client = new Client({ endpoint: new URL(url), secret: 'nope' });
    try {
      await expect(client.query(fql`1`)).rejects.toBeInstanceOf(AuthenticationError);
    } finally {
      client.close();
    }
  });

  it('raises InvalidRequestError for an invalid header', async () => {
    const client = new Client({ endpoint: new URL(url), secret: FAKE_SECRET, max_contention_retries: 9 });
    try {
      await expect(client.query(fql`1`)).rejects.toBeInstanceOf(InvalidRequestError);
    } finally {
      client.close();
    }
  });
});

describe('POST /query/1 validation', () => {
  it.each([
    ['x-format', 'xml', "Invalid header 'x-format': Invalid format 'xml'. Must be one of: simple, tagged, decorated."],
    ['x-query-timeout-ms', 'abc', "Invalid header 'x-query-timeout-ms': Invalid number 'abc'."],
    ['x-query-timeout-ms', '0', "Invalid header 'x-query-timeout-ms': Must be greater than 0."],
    ['x-query-timeout-ms', '600001', "Invalid header 'x-query-timeout-ms': Must be less than or equal to 600000."],
    ['x-last-txn-ts', 'yesterday', "Invalid header 'x-last-txn-ts': Invalid timestamp 'yesterday'."],
    ['x-typecheck', 'yes', "Invalid header 'x-typecheck': Must be a boolean value."],
    ['x-linearized', '1', "Invalid header 'x-linearized': Must be a boolean value."],
    ['x-max-contention-retries', '8', "Invalid header 'x-max-contention-retries': Must be between 0 and 7."],
    ['x-max-contention-retries', 'many', "Invalid header 'x-max-contention-retries': Invalid number 'many'."],
    ['x-query-tags', 'a=b=c', "Invalid header 'x-query-tags': invalid tags"],
    ['x-query-tags', 'key-with-dash=1', "Invalid header 'x-query-tags': invalid tags"],
  ])('rejects %s: %s with 400 invalid_request and the core message', async (header, value, message) => {
    const response = await postQuery({ [header]: value });

    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: { code: 'invalid_request', message } });
  });

  it('uses the simple format, a 2 minute timeout and the database typecheck default when headers are absent', async () => {
    const response = await postQuery({});

    expect(response.status).toBe(200);
    expect(engine.requests[0]).toMatchObject({ format: 'simple', timeoutMs: 120_000, typecheck: undefined, lastTxnTs: undefined });
  });

  it('passes typecheck, format and last txn ts through to the engine', async () => {
    await postQuery({ 'x-typecheck': 'false', 'x-format': 'tagged', 'x-last-txn-ts': '1700000000000123' });

    expect(engine.requests[0]).toMatchObject({ format: 'tagged', typecheck: false, lastTxnTs: 1_700_000_000_000_123n });
  });

  it('says "No request body provided" for an empty body', async () => {
    const response = await postQuery({}, null);

    expect(response.status).toBe(400);
    expect(response.json.error).toEqual({ code: 'invalid_request', message: 'No request body provided' });
  });

  it('says "Invalid request body: …" for malformed JSON', async () => {
    const response = await postQuery({}, '{"query":');

    expect(response.status).toBe(400);
    expect(response.json.error?.code).toBe('invalid_request');
    expect(response.json.error?.message).toMatch(/^Invalid request body: /);
  });

  it('rejects a body nested deeper than the limit', async () => {
    const deep = `{"query":"1","arguments":{"a":${'['.repeat(1500)}${']'.repeat(1500)}}}`;

    const response = await postQuery({}, deep);

    expect(response.json.error?.message).toBe('Invalid request body: JSON exceeds nesting limit');
  });

  it('answers 401 with WWW-Authenticate: Bearer and no summary for a missing secret', async () => {
    const response = await fetch(`${url}/query/1`, { method: 'POST', body: '{"query":"1"}' });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: 'Access token required' } });
  });

  it('accepts Basic auth carrying the secret as the user name', async () => {
    const basic = Buffer.from(`${FAKE_SECRET}:`).toString('base64');

    const response = await postQuery({ authorization: `Basic ${basic}` });

    expect(response.status).toBe(200);
  });

  it('echoes query tags on errors too, as the header string', async () => {
    const response = await postQuery({ 'x-query-tags': 'a=1,b=2', authorization: 'Bearer wrong' });

    expect(response.status).toBe(401);
    expect(response.json.query_tags).toBe('a=1,b=2');
  });

  it('writes a query failure with summary, txn_ts, stats and schema_version and the outcome status', async () => {
    const response = await postQuery({}, '{"query":"fail"}');

    expect(response.status).toBe(400);
    expect(Object.keys(response.json)).toEqual(['error', 'summary', 'txn_ts', 'stats', 'schema_version']);
  });

  it('writes success fields in the core order', async () => {
    const response = await postQuery({ 'x-query-tags': 'a=1' });

    expect(Object.keys(response.json)).toEqual(['data', 'summary', 'txn_ts', 'stats', 'query_tags', 'schema_version']);
  });
});

describe('routing and limits', () => {
  it('answers 404 not_found for an unknown path', async () => {
    const response = await fetch(`${url}/nowhere`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'Not found' } });
  });

  it('answers 405 method_not_allowed for a known path with the wrong method', async () => {
    const response = await fetch(`${url}/query/1`);

    expect(response.status).toBe(405);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });

  it('refuses event streams and feeds loudly, naming the emulator', async () => {
    for (const path of ['/stream/1', '/feed/1']) {
      const response = await h2Request(path, 'POST', { authorization: `Bearer ${FAKE_SECRET}` }, '{"token":"x"}');

      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).error.message).toMatch(/not supported by the local Fauna emulator/);
    }
  });

  it('answers 413 request_size_exceeded for a body over the limit, on both protocols', async () => {
    await server.stop();
    await start(1024);
    const body = JSON.stringify({ query: 'x'.repeat(5000) });

    const overHttp1 = await postQuery({}, body);
    const overHttp2 = await h2Request('/query/1', 'POST', { authorization: `Bearer ${FAKE_SECRET}` }, body);

    expect(overHttp1.status).toBe(413);
    expect(overHttp1.json.error?.code).toBe('request_size_exceeded');
    expect(overHttp2.status).toBe(413);
    expect(engine.requests).toHaveLength(0);
  });
});

describe('stop()', () => {
  it('returns promptly although a driver client still holds an idle HTTP/2 session and a fetch keep-alive socket', async () => {
    const client = new Client({ endpoint: new URL(url), secret: FAKE_SECRET });
    await client.query(fql`1`);
    await fetch(`${url}/ping`);
    const started = Date.now();

    await server.stop();

    expect(Date.now() - started).toBeLessThan(1000);
    client.close();
  });

  it('lets an in-flight HTTP/1.1 request finish before closing', async () => {
    // Arrange: the server has parsed the request's headers but not yet received all of its body
    const body = '{"query":"1"}';
    const socket = net.connect(server.port, '127.0.0.1');
    const answer = readAll(socket);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /query/1 HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${FAKE_SECRET}\r\n` +
        `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 5)}`,
    );
    await serverHasRead();

    // Act
    const stopped = server.stop();
    socket.write(body.slice(5));

    // Assert
    expect(await answer).toMatch(/^HTTP\/1\.1 200 /);
    await stopped;
  });
});
