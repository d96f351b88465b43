/**
 * One TCP port, two protocols: the Node driver speaks h2c with prior knowledge (`http2.connect('http://…')`), fetch
 * clients and curl speak HTTP/1.1. Fauna's core does the same with netty's cleartext upgrade handler; here the first
 * bytes of each connection are sniffed for the HTTP/2 preface and the socket is handed to the matching Node server.
 * Requests are read whole (with a size limit) and passed to a dispatcher that returns JSON (synchronously, except for
 * queries in contention mode, which answer once their transaction has ended).
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { HttpAnswer, HttpRequest, HttpResponse } from './types.ts';
import { protocolError } from './errors.ts';

/** Fauna's request size limit is not documented for v10; 16 MiB leaves room for any realistic query or schema push. */
export const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;
/** How long `stop()` lets in-flight requests finish before it destroys the remaining connections. */
export const DEFAULT_STOP_GRACE_MS = 2_000;
/** Enough concurrent streams per HTTP/2 session for the driver's default (`http2_max_streams` 100) and benchmarks. */
const MAX_CONCURRENT_STREAMS = 1_000;

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';
/** Shared by every request without a query string (the hot /query/1 path); routes only read it. */
const NO_QUERY = new URLSearchParams();

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  dispatch: (request: HttpRequest) => HttpAnswer;
  maxRequestBytes?: number;
  stopGraceMs?: number;
}

export interface RunningHttpServer {
  host: string;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish (up to the grace period) and closes every socket. */
  stop(): Promise<void>;
}

/** The port could not be bound (in use, permission, bad host). */
export class HttpServerStartError extends Error {
  constructor(host: string, port: number, cause: unknown) {
    super(`The local Fauna endpoint could not listen on ${host}:${port}: ${(cause as Error)?.message ?? cause}`, { cause });
    this.name = 'HttpServerStartError';
  }
}

/** Starts the dual-protocol server; resolves once it listens. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const stopGraceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  const busyHttp1 = new Map<net.Socket, number>();
  let stopping = false;

  const h2 = http2.createServer({ settings: { maxConcurrentStreams: MAX_CONCURRENT_STREAMS } });
  h2.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    // A GOAWAY/reset from a client must not crash the process.
    session.on('error', () => session.destroy());
    if (stopping) session.close();
  });
  h2.on('stream', (stream, headers) => {
    stream.on('error', () => stream.destroy());
    const request = describeRequest(String(headers[':method']), String(headers[':path']), headers);
    readBody(stream, maxRequestBytes, (body) => respond(options.dispatch, request, body, maxRequestBytes, (response) => {
      if (stream.destroyed || stream.closed) return;
      // End the stream only once the data is written: with `end(payload)` the stream is usually destroyed before the
      // write callback runs, and Node then builds an ERR_STREAM_DESTROYED with a full stack trace for every response
      // (measured: ~8% of the server's CPU). The extra empty DATA frame is far cheaper.
      stream.respond({ ':status': response.status, ...response.headers }, { endStream: false });
      stream.write(response.payload, () => {
        if (!stream.destroyed) stream.end();
      });
    }));
  });

  const h1 = http.createServer({ keepAliveTimeout: 5_000 });
  h1.on('request', (req, res) => {
    const socket = req.socket;
    busyHttp1.set(socket, (busyHttp1.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const remaining = (busyHttp1.get(socket) ?? 1) - 1;
      if (remaining > 0) busyHttp1.set(socket, remaining);
      else busyHttp1.delete(socket);
      if (stopping && remaining <= 0) socket.destroy();
    });
    const request = describeRequest(req.method ?? 'GET', req.url ?? '/', req.headers);
    readBody(req, maxRequestBytes, (body) => respond(options.dispatch, request, body, maxRequestBytes, (response) => {
      if (stopping) response.headers.connection = 'close';
      res.writeHead(response.status, response.headers);
      res.end(response.payload);
    }));
  });
  h1.on('clientError', (_error, socket) => socket.destroy());

  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (stopping) {
      socket.destroy();
      return;
    }
    sniffProtocol(socket, (isHttp2) => (isHttp2 ? h2 : h1).emit('connection', socket));
  });

  await new Promise<void>((resolve, reject) => {
    listener.once('error', (error) => reject(new HttpServerStartError(options.host, options.port, error)));
    listener.listen(options.port, options.host, () => resolve());
  });
  const address = listener.address() as net.AddressInfo;

  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    for (const session of sessions) session.close();
    for (const socket of sockets) {
      if (!busyHttp1.has(socket) && !isHttp2Socket(socket, sessions)) socket.destroy();
    }
    const deadline = setTimeout(() => {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    }, stopGraceMs);
    deadline.unref();
    await closed;
    clearTimeout(deadline);
  }

  return { host: options.host, port: address.port, stop };
}

/**
 * Waits until the first bytes decide the protocol, then puts them back so the chosen server reads the whole stream.
 */
function sniffProtocol(socket: net.Socket, decide: (isHttp2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const compared = Math.min(seen.length, HTTP2_PREFACE.length);
    const prefixMatches = seen.subarray(0, compared).equals(HTTP2_PREFACE.subarray(0, compared));
    if (prefixMatches && seen.length < HTTP2_PREFACE.length) return;
    socket.off('data', onData);
    socket.pause();
    socket.unshift(seen);
    decide(prefixMatches);
    if (!prefixMatches) socket.resume();
  };
  socket.on('data', onData);
}

function isHttp2Socket(socket: net.Socket, sessions: Set<http2.ServerHttp2Session>): boolean {
  for (const session of sessions) if (session.socket === socket) return true;
  return false;
}

function describeRequest(method: string, rawPath: string, headers: http.IncomingHttpHeaders): Omit<HttpRequest, 'body'> {
  const queryAt = rawPath.indexOf('?');
  const path = queryAt === -1 ? rawPath : rawPath.slice(0, queryAt);
  const query = queryAt === -1 ? NO_QUERY : new URLSearchParams(rawPath.slice(queryAt + 1));
  // Node already lower-cases names and joins repeated headers with ", " (both protocols); only set-cookie stays an
  // array, and no route reads it. Pseudo-headers (`:path`…) cannot collide with a real name. So no copy is needed.
  const flat = headers as Readonly<Record<string, string | undefined>>;
  return { method, path, query, headers: flat, receivedAt: performance.now() };
}

/** Collects the body; past the limit the rest is drained (not buffered) so the client still reads the 413. */
function readBody(stream: NodeJS.ReadableStream, maxBytes: number, done: (body: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  });
  stream.once('end', () => done(size > maxBytes ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
}

interface Payload {
  status: number;
  headers: Record<string, string>;
  payload: Buffer;
}

/** Dispatches the request and hands `send` the serialised answer: at once when the dispatcher answered synchronously. */
function respond(
  dispatch: HttpServerOptions['dispatch'],
  request: Omit<HttpRequest, 'body'>,
  body: Buffer | null,
  maxBytes: number,
  send: (payload: Payload) => void,
): void {
  const answer =
    body === null
      ? protocolError('request_size_exceeded', `Request entity is too large (limit ${maxBytes} bytes)`)
      : safeDispatch(dispatch, { ...request, body });
  if (answer instanceof Promise) {
    answer.then(
      (response) => send(serialise(response)),
      (error: unknown) => send(serialise(protocolError('internal_error', `The local Fauna emulator failed: ${(error as Error)?.message ?? error}`))),
    );
  } else {
    send(serialise(answer));
  }
}

function serialise(response: HttpResponse): Payload {
  let payload: Buffer;
  try {
    payload = Buffer.from(JSON.stringify(response.json), 'utf8');
  } catch (error) {
    const failure = protocolError('internal_error', `The local Fauna emulator could not serialise its response: ${(error as Error).message}`);
    return finish(failure, Buffer.from(JSON.stringify(failure.json)));
  }
  return finish(response, payload);
}

function finish(response: HttpResponse, payload: Buffer): Payload {
  return {
    status: response.status,
    headers: { ...response.headers, 'content-type': JSON_CONTENT_TYPE, 'content-length': String(payload.length) },
    payload,
  };
}

function safeDispatch(dispatch: HttpServerOptions['dispatch'], request: HttpRequest): HttpAnswer {
  try {
    return dispatch(request);
  } catch (error) {
    return protocolError('internal_error', `The local Fauna emulator failed: ${(error as Error)?.message ?? error}`);
  }
}
