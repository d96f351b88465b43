/**
 * Stopping the local Fauna ends its open event streams cleanly: `stop()` ends every stream response at once (well
 * inside the grace period after which it would destroy sockets) with a last error event naming the stop, so the
 * driver's streams over both transports end with ServiceInternalError instead of hanging or reconnecting to a closed
 * port, and no TCP socket is left open in this process.
 */
import { describe, expect, it } from '@jest/globals';
import { Client, FetchClient, ServiceInternalError, fql } from 'fauna';
import type { StreamToken } from 'fauna';
import { startLocalFauna } from '../../src/index.ts';
import { DEFAULT_STOP_GRACE_MS } from '../../src/http/server.ts';

/** TCP sockets and servers this process holds open (Node's names for their handles). */
function openTcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TCPServerWrap').length;
}

/** Settles with how the promise ended, or 'still pending' after `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise.then(() => 'ended', (error: unknown) => error),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve('still pending'), ms);
    }),
  ]);
  clearTimeout(timer);
  return outcome;
}

describe('stopping the local Fauna with open event streams', () => {
  it('ends the streams of both driver transports and of a raw HTTP/1.1 reader, at once, leaving no socket open', async () => {
    const before = openTcpHandles();
    const fauna = await startLocalFauna({ port: 0 });
    const configuration = { endpoint: new URL(fauna.url), secret: fauna.rootSecret };
    const http2Client = new Client(configuration);
    const fetchClient = new Client(configuration, new FetchClient({ url: fauna.url, fetch_keepalive: false, http2_session_idle_ms: 0, http2_max_streams: 0 }));
    await http2Client.query(fql`Collection.create({ name: "Watched" })`);
    const token = (await http2Client.query<StreamToken>(fql`Watched.all().eventSource()`)).data;

    // One attempt only: once the server is gone the driver does not wait through its reconnect back-off.
    const streams = [http2Client, fetchClient].map((client) => client.stream(token, { status_events: true, max_attempts: 1 }));
    const iterations = streams.map(async (stream) => {
      for await (const _event of stream) {
        // Keep reading: the stream is open until the server ends it.
      }
    });
    const raw = await fetch(`${fauna.url}/stream/1`, { method: 'POST', headers: { authorization: `Bearer ${fauna.rootSecret}` }, body: JSON.stringify({ token: token.token }) });
    const rawBody = raw.text();
    // Each stream has its start event, so each is open on the server.
    await http2Client.query(fql`Watched.create({ n: 1 })`);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const stopStarted = performance.now();
    await fauna.stop();
    const stopMs = performance.now() - stopStarted;

    const outcomes = await Promise.all(iterations.map((iteration) => settledWithin(iteration, 3_000)));
    const rawText = await settledWithin(rawBody, 1_000);
    http2Client.close();
    fetchClient.close();
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(stopMs).toBeLessThan(DEFAULT_STOP_GRACE_MS / 2);
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(ServiceInternalError);
      expect((outcome as ServiceInternalError).message).toMatch(/^The local Fauna emulator stopped; this event stream has ended/);
    }
    expect(rawText).toBe('ended');
    expect((await rawBody).split('\r\n').filter(Boolean).map((line) => (JSON.parse(line) as { type: string }).type)).toEqual(['start', 'add', 'error']);
    // At most as many as before: a socket an earlier test file of this worker left closing may be gone by now.
    expect(openTcpHandles()).toBeLessThanOrEqual(before);
  });
});
