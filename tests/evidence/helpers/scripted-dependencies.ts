/**
 * Scripted stand-ins for Fauna and SSM, for the combined-fault matrix: each case starts its own pair on 127.0.0.1:0
 * and switches its faults on when the case begins (after the warm-up invocation of a warm container).
 *
 * - Fauna: an HTTP/2 server speaking just enough of Fauna's wire protocol for the real `fauna` driver (the sign-in
 *   answer in the tagged format, the error envelope with Fauna's codes, the `x-query-timeout-ms` header honoured).
 *   It accepts exactly one key; another key gets 401 `unauthorized`.
 * - SSM: an HTTP/1.1 server answering GetParameters in the AWS JSON 1.1 protocol, reached by the real AWS SDK client
 *   with the production timeouts and retries, so that the SDK's own behaviour is part of what is measured.
 *
 * The timing of each fault is exported so that the test's model of the expected outcome uses the same numbers.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttp2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { trickle } from '../../support/fault-injector.ts';

export const FaunaFault = {
  slow: 'Fauna slow',
  hung: 'Fauna hung',
  constraint: 'constraint failure',
  keyRotated: 'key rotated',
  /** Headers at once, then the body a byte every {@link TRICKLE_BYTE_EVERY_MS}: no idle timer ever fires. */
  trickle: 'Fauna trickles',
  /** The headers held {@link FAUNA_SLOW_HEADERS_MS} on the way (a proxy), whatever the query's timeout. */
  slowHeaders: 'Fauna slow headers',
} as const;
export const SsmFault = { slow: 'SSM slow', throttled: 'SSM throttled', hung: 'SSM hung' } as const;
export type Fault = (typeof FaunaFault)[keyof typeof FaunaFault] | (typeof SsmFault)[keyof typeof SsmFault];
export const ALL_FAULTS: readonly Fault[] = [
  FaunaFault.keyRotated, FaunaFault.slow, FaunaFault.hung, SsmFault.slow, SsmFault.throttled, SsmFault.hung, FaunaFault.constraint,
  FaunaFault.trickle, FaunaFault.slowHeaders,
];

/** "Fauna slow just under its timeout": the configured query timeout (1500 ms) less 100 ms. */
export const FAUNA_SLOW_MS = 1400;
/** "Fauna slow headers": well inside one attempt's client timeout (2000 ms), too long for two such waits in one. */
export const FAUNA_SLOW_HEADERS_MS = 1200;
/** "Fauna trickles": one byte of the answer this often, so a sign-in answer (~450 bytes) would take ~20 s. */
export const TRICKLE_BYTE_EVERY_MS = 50;
/** "SSM slow": just under the SSM client's request timeout (1000 ms). */
export const SSM_SLOW_MS = 900;

/**
 * Fauna's state while the faults are on: slow answers take {@link FAUNA_SLOW_MS} (or Fauna's `time_out` at the
 * request's timeout if that is shorter); hung means no answer at all; with both, the first request is slow and the
 * later ones hang (the two cannot hold for the same request). A constraint failure answers the first request that
 * carries the accepted key. Slow headers add {@link FAUNA_SLOW_HEADERS_MS} after Fauna's own time (a proxy holding
 * the answer); a trickle sends the answer's headers, then its body a byte at a time (after the other delays).
 */
export interface ScriptedFauna {
  url: string;
  /** Turns the faults on; `acceptedKey` becomes the only key Fauna accepts. */
  activate(faults: ReadonlySet<Fault>, acceptedKey: string): void;
  /** Query requests received since `activate`. */
  requests(): number;
  stop(): Promise<void>;
}

export async function startScriptedFauna(initialKey: string): Promise<ScriptedFauna> {
  let faults: ReadonlySet<Fault> = new Set();
  let acceptedKey = initialKey;
  let received = 0;
  let constraintAnswered = false;
  let minted = 0;
  const sessions = new Set<ServerHttp2Session>();
  const server = createHttp2Server();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (headers[':path'] === '/ping') {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ resource: 'Scope write is OK' }));
      return;
    }
    const index = received++;
    stream.resume();
    const hung = faults.has(FaunaFault.hung) && !(index === 0 && faults.has(FaunaFault.slow));
    if (hung) return;
    const timeoutMs = Number(headers['x-query-timeout-ms'] ?? 5000);
    const delay = faults.has(FaunaFault.slow) ? FAUNA_SLOW_MS : 0;
    const answer = (): void => {
      if (stream.closed) return;
      let status = 200;
      let body: unknown;
      if (delay >= timeoutMs) {
        status = 503;
        body = { error: { code: 'time_out', message: 'Query timed out.' } };
      } else if (headers.authorization !== `Bearer ${acceptedKey}`) {
        status = 401;
        body = { error: { code: 'unauthorized', message: 'Access token required' } };
      } else if (faults.has(FaunaFault.constraint) && !constraintAnswered) {
        constraintAnswered = true;
        status = 400;
        body = { error: { code: 'constraint_failure', message: 'Failed unique constraint.', constraint_failures: [] }, summary: '', txn_ts: 1, stats: {} };
      } else {
        minted++;
        body = {
          data: { userId: '412654807560487456', secret: `fnScriptedMintedToken${String(minted).padStart(20, '0')}`, expiresAt: { '@time': '2099-01-01T00:00:00Z' }, created: false, outcome: 'existing' },
          static_type: 'Any',
          summary: '',
          txn_ts: 1,
          stats: { compute_ops: 1, read_ops: 1, write_ops: 1, query_time_ms: 1, contention_retries: 0, storage_bytes_read: 0, storage_bytes_write: 0 },
          schema_version: 0,
        };
      }
      const text = JSON.stringify(body);
      const send = (): void => {
        if (stream.closed) return;
        stream.respond({ ':status': status, 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text) });
        if (faults.has(FaunaFault.trickle)) trickle(stream, text, TRICKLE_BYTE_EVERY_MS);
        else stream.end(text);
      };
      if (faults.has(FaunaFault.slowHeaders)) setTimeout(send, FAUNA_SLOW_HEADERS_MS).unref();
      else send();
    };
    const wait = Math.min(delay, timeoutMs);
    stream.on('end', () => (wait > 0 ? setTimeout(answer, wait) : answer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    activate(next, key) {
      faults = next;
      acceptedKey = key;
      received = 0;
    },
    requests: () => received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.destroy();
      }),
  };
}

/**
 * SSM's state while the faults are on: slow answers take {@link SSM_SLOW_MS}; throttled means the first request gets
 * `ThrottlingException` (the SDK retries it); hung means no answer; with hung and slow (or throttled), the first
 * request is slow (or throttled) and the later ones hang.
 */
export interface ScriptedSsm {
  url: string;
  /** Turns the faults on; from then on SSM answers `values` in order, the last one repeated. */
  activate(faults: ReadonlySet<Fault>, values: string[]): void;
  requests(): number;
  stop(): Promise<void>;
}

export async function startScriptedSsm(parameterName: string, initialValue: string): Promise<ScriptedSsm> {
  let faults: ReadonlySet<Fault> = new Set();
  let values = [initialValue];
  let received = 0;
  let answered = 0;
  const server: Server = createHttpServer((request, response) => {
    const index = received++;
    request.resume();
    const first = index === 0;
    const hung = faults.has(SsmFault.hung) && !(first && (faults.has(SsmFault.slow) || faults.has(SsmFault.throttled)));
    if (hung) return;
    const answer = (): void => {
      if (response.destroyed) return;
      if (faults.has(SsmFault.throttled) && first) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `throttled-${index}` });
        response.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
        return;
      }
      const value = values[Math.min(answered++, values.length - 1)]!;
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `ok-${index}` });
      response.end(JSON.stringify({ Parameters: [{ Name: parameterName, Type: 'SecureString', Value: value, Version: 1 }], InvalidParameters: [] }));
    };
    const delay = faults.has(SsmFault.slow) ? SSM_SLOW_MS : 0;
    request.on('end', () => (delay > 0 ? setTimeout(answer, delay) : answer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    activate(next, nextValues) {
      faults = next;
      values = nextValues;
      received = 0;
      answered = 0;
    },
    requests: () => received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
