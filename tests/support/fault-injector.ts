/**
 * A fault injector that speaks just enough of Fauna's HTTP/2 cleartext protocol (packages/fauna-local/PROTOCOL.md §1, §4) to make the
 * real `fauna` driver see one chosen failure: an error status and envelope, a body that is not Fauna's, or no answer at
 * all. It is not a Fauna emulator; the real local Fauna (packages/fauna-local/src/) serves every test that needs a working database.
 * It binds 127.0.0.1 on a free port.
 */
import type { ServerHttp2Stream } from 'node:http2';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startH2cServer } from './h2c-server.ts';

/** What the injector answers to every `POST /query/1`. */
export type Fault =
  | { kind: 'status'; status: number; code: string; message: string }
  | { kind: 'hang' }
  | { kind: 'malformed'; status: number; body: string }
  /**
   * Headers at once, then the body one byte per `byteEveryMs`, never finished: what a proxy that buffers badly, or a
   * Fauna under memory pressure, can do. A client with an idle timeout only never gives up on it.
   */
  | { kind: 'trickle'; byteEveryMs: number }
  /** The headers (and then the whole body of a 200 answer) only after `delayMs`, whatever the request's timeout. */
  | { kind: 'slowHeaders'; delayMs: number };

/** The body a trickling answer would send if given the time: a sign-in answer, padded so that it never ends in a test. */
export const TRICKLED_BODY = JSON.stringify({ data: { padding: ' '.repeat(100_000) }, summary: '', txn_ts: 1, stats: {} });

export interface FaultInjector {
  url: string;
  /** Requests received so far (each one a `POST /query/1` the driver sent). */
  requests(): number;
  stop(): Promise<void>;
}

/** Fauna's protocol-level error envelope: `{"error":{"code","message"}}`, no summary or stats (§4.1). */
function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/** Sends `body` one byte at a time until the client goes away; the timer never keeps the process alive. */
export function trickle(stream: ServerHttp2Stream, body: string, byteEveryMs: number): void {
  let sent = 0;
  const timer = setInterval(() => {
    if (stream.destroyed || stream.closed || sent >= body.length) {
      clearInterval(timer);
      return;
    }
    stream.write(body[sent++]!);
  }, byteEveryMs);
  timer.unref();
  stream.once('close', () => clearInterval(timer));
}

function answer(stream: ServerHttp2Stream, fault: Fault): void {
  if (fault.kind === 'hang') return; // keep the stream open and silent until the client gives up
  if (fault.kind === 'trickle') {
    stream.respond({ ':status': 200, 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(TRICKLED_BODY) });
    trickle(stream, TRICKLED_BODY, fault.byteEveryMs);
    return;
  }
  if (fault.kind === 'slowHeaders') {
    const timer = setTimeout(() => answer(stream, { kind: 'malformed', status: 200, body: '{"data":null,"summary":"","txn_ts":1,"stats":{}}' }), fault.delayMs);
    timer.unref();
    stream.once('close', () => clearTimeout(timer));
    return;
  }
  const body = fault.kind === 'status' ? errorBody(fault.code, fault.message) : fault.body;
  const headers: Record<string, string | number> = {
    ':status': fault.status,
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(body),
  };
  if (fault.kind === 'status' && fault.status === 401) headers['www-authenticate'] = 'Bearer';
  stream.respond(headers);
  stream.end(body);
}

/**
 * Starts a fault injector answering every query with `fault`.
 *
 * @example
 * const injector = await startFaultInjector({ kind: 'status', status: 503, code: 'time_out', message: 'Read timed out' });
 * // FAUNA_ENDPOINT = injector.url
 * await injector.stop();
 */
export async function startFaultInjector(fault: Fault): Promise<FaultInjector> {
  let received = 0;
  const server = await startH2cServer((stream, headers) => {
    if (headers[':path'] === '/ping') {
      stream.respond({ ':status': 200 });
      stream.end(JSON.stringify({ resource: 'Scope write is OK' }));
      return;
    }
    received++;
    stream.resume(); // drain the request body; its content does not matter to a fault
    stream.on('end', () => answer(stream, fault));
  });
  return { url: server.url, requests: () => received, stop: server.stop };
}

/**
 * A URL on which nothing listens: a port is bound on 127.0.0.1, then released, so connecting is refused.
 * (Another process could take the port in between; on a test machine that window is negligible.)
 */
export async function refusingEndpoint(): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface SilentServer {
  url: string;
  /** Requests received (and never answered) so far. */
  requests(): number;
  stop(): Promise<void>;
}

/**
 * An HTTP/1.1 server on 127.0.0.1 (free port) that accepts every request and never answers: a hung AWS endpoint
 * (e.g. SSM), reached by the real AWS SDK client so that its own timeouts and retries are what is measured.
 */
export async function startSilentHttpServer(): Promise<SilentServer> {
  let received = 0;
  const server = createHttpServer(() => {
    received++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
