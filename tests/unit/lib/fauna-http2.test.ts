/**
 * The bounded HTTP/2 client under the Fauna driver, against the fault injector (tests/support/fault-injector.ts, an h2c
 * server on 127.0.0.1): a whole exchange is bounded by its client timeout, counted from the call, whatever the peer
 * sends. The driver's own client, for contrast, keeps waiting on a body that trickles (its timeout is an idle one).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { constants } from 'node:http2';
import { Client, fql, NetworkError, NodeHTTP2Client } from 'fauna';
import { BoundedHttp2Client, ClientTimeoutError } from '../../../lib/common/fauna-http2.ts';
import { startH2cServer, type H2cServer } from '../../support/h2c-server.ts';
import { startFaultInjector, trickle, TRICKLED_BODY, type FaultInjector } from '../../support/fault-injector.ts';

const CLIENT_TIMEOUT_MS = 300;
/** Long enough for any healthy exchange on a loaded machine, short against the trickle's body (100 kB at 1 byte / 10 ms). */
const GIVE_UP_MS = 3000;

const request = { client_timeout_ms: CLIENT_TIMEOUT_MS, data: { query: 'x' }, headers: { authorization: 'Bearer fnTestKeyNotASecret' }, method: 'POST' };

let stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

/** The outcome of `promise`, or 'still waiting' after GIVE_UP_MS. */
async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown } | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'still waiting'>((resolve) => {
    timer = setTimeout(() => resolve('still waiting'), GIVE_UP_MS);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value }), (error: unknown) => ({ error })), gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

async function injector(fault: Parameters<typeof startFaultInjector>[0]): Promise<FaultInjector> {
  const started = await startFaultInjector(fault);
  stops.push(() => started.stop());
  return started;
}

function bounded(url: string): BoundedHttp2Client {
  const client = new BoundedHttp2Client({ url, sessionIdleMs: 1000 });
  stops.push(() => client.close());
  return client;
}

describe('BoundedHttp2Client (the Fauna driver\'s httpClient), against an h2c fault injector', () => {
  it('answers a healthy exchange (a query, and the warm-up\'s GET /ping without a body) with status, body and headers', async () => {
    // Arrange
    const server: H2cServer = await startH2cServer((stream, headers) => {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ path: headers[':path'], auth: headers.authorization === request.headers.authorization }));
    });
    stops.push(() => server.stop());
    const client = bounded(server.url);

    // Act
    const first = await client.request(request);
    const second = await client.request({ ...request, path: '/ping' as never, method: 'GET' });

    // Assert
    expect(first).toMatchObject({ status: 200, body: JSON.stringify({ path: '/query/1', auth: true }), headers: expect.objectContaining({ 'content-type': 'application/json' }) });
    expect(JSON.parse(second.body)).toEqual({ path: '/ping', auth: true });
  });

  it('cancels a body that trickles (headers at once, a byte every 10 ms) at its client timeout, as a NetworkError', async () => {
    // Arrange
    let closedWith: (code: number) => void = () => undefined;
    const serverSawClose = new Promise<number>((resolve) => (closedWith = resolve));
    const server = await startH2cServer((stream) => {
      stream.resume();
      stream.once('close', () => closedWith(stream.rstCode));
      stream.respond({ ':status': 200, 'content-type': 'application/json', 'content-length': Buffer.byteLength(TRICKLED_BODY) });
      trickle(stream, TRICKLED_BODY, 10);
    });
    stops.push(() => server.stop());

    // Act
    const outcome = await settle(bounded(server.url).request(request));

    // Assert
    expect(outcome).not.toBe('still waiting');
    const { error } = outcome as { error?: unknown };
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).cause).toBeInstanceOf(ClientTimeoutError);
    expect(await settle(serverSawClose)).toEqual({ value: constants.NGHTTP2_CANCEL });
  });

  it('gives up on headers that come later than the client timeout, and on a peer that never answers', async () => {
    // Arrange
    const slow = await injector({ kind: 'slowHeaders', delayMs: CLIENT_TIMEOUT_MS * 5 });
    const hung = await injector({ kind: 'hang' });

    // Act
    const outcomes = await Promise.all([settle(bounded(slow.url).request(request)), settle(bounded(hung.url).request(request))]);

    // Assert
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ error: expect.objectContaining({ name: 'NetworkError', cause: expect.any(ClientTimeoutError) }) });
    }
  });

  it('connects afresh after a timeout: the next request on the same client gets its answer', async () => {
    // Arrange: the first request trickles, the second is answered at once
    let requests = 0;
    const server = await startH2cServer((stream) => {
      stream.resume();
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      if (requests++ === 0) trickle(stream, TRICKLED_BODY, 10);
      else stream.end('{"ok":true}');
    });
    stops.push(() => server.stop());
    const client = bounded(server.url);

    // Act
    const first = await settle(client.request(request));
    const second = await client.request(request);

    // Assert
    expect(first).toMatchObject({ error: expect.any(NetworkError) });
    expect(second).toMatchObject({ status: 200, body: '{"ok":true}' });
  });

  it('is what the driver\'s client lacks: the driver\'s own NodeHTTP2Client is still waiting on the trickle after 3 s', async () => {
    // Arrange
    const server = await injector({ kind: 'trickle', byteEveryMs: 10 });
    const theirs = new Client(
      { secret: 'fnTestKeyNotASecret', endpoint: new URL(server.url), query_timeout_ms: CLIENT_TIMEOUT_MS, client_timeout_buffer_ms: 1, max_attempts: 1 },
      NodeHTTP2Client.getClient({ url: server.url, http2_session_idle_ms: 1000, http2_max_streams: 10, fetch_keepalive: false }),
    );
    const ours = new Client(
      { secret: 'fnTestKeyNotASecret', endpoint: new URL(server.url), query_timeout_ms: CLIENT_TIMEOUT_MS, client_timeout_buffer_ms: 1, max_attempts: 1 },
      bounded(server.url),
    );
    stops.push(() => theirs.close());

    // Act
    const [driver, bound] = await Promise.all([settle(theirs.query(fql`1`)), settle(ours.query(fql`1`))]);

    // Assert
    expect(driver).toBe('still waiting');
    expect(bound).toMatchObject({ error: expect.any(NetworkError) });
  });
});
