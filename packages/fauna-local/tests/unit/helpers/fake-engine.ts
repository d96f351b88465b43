/**
 * A FAKE Engine for testing the HTTP layer in isolation: it knows one secret (root) and answers queries by echoing
 * what the HTTP layer handed it, so the tests can see exactly what was parsed. It has no FQL at all.
 */
import type { Engine, EngineSnapshot, Principal, QueryOutcome, QueryRequest } from '../../../src/engine/api.ts';
import type { SchemaFile } from '../../../src/schema/model.ts';

export const FAKE_SECRET = 'fake-root-secret';

const STATS = {
  compute_ops: 1,
  read_ops: 0,
  write_ops: 0,
  query_time_ms: 0,
  contention_retries: 0,
  storage_bytes_read: 0,
  storage_bytes_write: 0,
  rate_limits_hit: [],
};

export interface FakeEngine extends Engine {
  requests: QueryRequest[];
  schemaUploads: { files: SchemaFile[]; options: unknown }[];
  commits: number;
  /** Simulates a committed write (fires onCommit listeners). */
  commit(): void;
}

/** Creates the fake. Query `"fail"` yields an `abort` failure; anything else succeeds with an echo of the request. */
export function createFakeEngine(): FakeEngine {
  const listeners: (() => void)[] = [];
  let txnTs = 1_700_000_000_000_000;
  let files: SchemaFile[] = [];
  let version = 0;
  const engine: FakeEngine = {
    requests: [],
    schemaUploads: [],
    commits: 0,
    commit() {
      engine.commits += 1;
      for (const listener of listeners) listener();
    },
    authenticate(secret: string): Principal | null {
      return secret === FAKE_SECRET ? { kind: 'root' } : null;
    },
    query(request: QueryRequest): QueryOutcome {
      engine.requests.push(request);
      txnTs += 1;
      const text = typeof request.query === 'string' ? request.query : request.query.fql.join('');
      if (text === 'fail') {
        return {
          ok: false,
          error: { code: 'abort', message: 'Query aborted.', abort: 'oops' },
          summary: 'error: Query aborted.',
          txn_ts: txnTs,
          stats: STATS,
          schema_version: version,
        };
      }
      return { ok: true, data: { echo: text, format: request.format }, summary: '', txn_ts: txnTs, stats: STATS, schema_version: version };
    },
    submit(request: QueryRequest): QueryOutcome {
      return engine.query(request);
    },
    forceContention() {
      throw new Error('The fake engine has no fault switch');
    },
    clearForcedContention() {},
    contentionCounts() {
      return { committed: 0, retries: 0, aborted: 0, forced: 0 };
    },
    schemaFiles() {
      return { version, files: files.map(({ filename }) => ({ filename })) };
    },
    schemaFile(_principal, filename) {
      const file = files.find((candidate) => candidate.filename === filename);
      return file === undefined ? { httpStatus: 404, message: 'Not found' } : { version, content: file.content };
    },
    schemaDiff(_principal, uploaded, options) {
      return { version, diff: `${uploaded.length} file(s)${options.diffKind ? ` as ${options.diffKind}` : ''}` };
    },
    schemaStaged() {
      return { httpStatus: 400, message: 'Schema cannot be staged in the root database' };
    },
    schemaStatus(_principal, options) {
      return { version, status: 'none', pending_summary: '', ...(options.diffKind ? { diff: `${options.diffKind} diff` } : {}) };
    },
    schemaUpdate(_principal, uploaded, options) {
      engine.schemaUploads.push({ files: uploaded, options });
      if (options.version !== undefined && !options.force && options.version !== BigInt(version)) {
        return { httpStatus: 409, message: 'Stale schema version provided' };
      }
      files = uploaded;
      version = ++txnTs;
      engine.commit();
      return { version };
    },
    snapshot(): EngineSnapshot {
      return { formatVersion: 1, commits: engine.commits, files };
    },
    onCommit(listener) {
      listeners.push(listener);
    },
  };
  return engine;
}
