/**
 * Where the conformance suite runs. By default each suite starts a fresh local Fauna endpoint on port 0 (in-process,
 * with an AdjustableClock, type-checked as a real database is by default). With FAUNA_ENDPOINT and FAUNA_ROOT_SECRET set, the same tests run against that real Fauna
 * (the dynalite pattern): each suite then creates a child database and uses a scoped admin secret for it
 * (`<root>:<db>:admin`), and deletes the database at the end. Every difference shows up as a failing test.
 *
 * Time: `advanceTime(ms)` moves the local clock instantly; against a real Fauna it really waits, so the tests that
 * use it keep their TTLs short (a few seconds) rather than being skipped.
 */
import { randomBytes } from 'node:crypto';
import { Client, FetchClient, fql, ServiceError, type ClientConfiguration } from 'fauna';
import type { AdjustableClock } from '../../../src/clock.ts';
import { startLocalFauna, type ContentionOptions } from '../../../src/index.ts';
import { IDENTITY_FIXTURE } from '../../helpers/identity-fixture.ts';

/** The driver's two transports: Node's HTTP/2 client (the default under Node) and the fetch (HTTP/1.1) client. */
export const TRANSPORTS = ['http2', 'fetch'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export interface ConformanceTarget {
  kind: 'local' | 'remote';
  /** Base URL, e.g. http://127.0.0.1:43123 */
  url: string;
  /** An admin secret for this suite's database. */
  adminSecret: string;
  /** The scoped secret (`<root secret>:<db path>:<role>`) for a child database of this suite's database. */
  scopedSecret(childPath: string, role: string): string;
  /** A driver client; closed by `close()` unless closed earlier. */
  client(options?: { transport?: Transport; secret?: string } & Partial<ClientConfiguration>): Client;
  /** Pushes FSL files through the schema API exactly as the Fauna CLI v4 does (FormData, Bearer secret). */
  pushSchema(files: Readonly<Record<string, string>>, params?: Record<string, string>, secret?: string): Promise<SchemaApiResponse>;
  /** A raw schema API call (GET or POST), for the tests of the schema endpoints themselves. */
  schemaApi(method: 'GET' | 'POST', path: string, options?: { body?: FormData | string; secret?: string; params?: Record<string, string> }): Promise<SchemaApiResponse>;
  /** Lets `ms` of database time pass: instantly on the local clock, by waiting against a real Fauna. */
  advanceTime(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface SchemaApiResponse {
  status: number;
  body: { version?: number; diff?: string; files?: { filename: string }[]; content?: string; status?: string; error?: { message: string; code?: string } };
}

/**
 * Starts the target for one suite. Call `close()` in afterAll. `contention`: the local Fauna runs in contention mode
 * with these settings (a real Fauna always contends).
 */
export async function startTarget(options: { contention?: ContentionOptions } = {}): Promise<ConformanceTarget> {
  const endpoint = process.env.FAUNA_ENDPOINT;
  const rootSecret = process.env.FAUNA_ROOT_SECRET;
  if (endpoint !== undefined && rootSecret !== undefined) return startRemoteTarget(endpoint, rootSecret);
  // Type-checked, as a real Fauna database is by default: every query is checked before it runs.
  const fauna = await startLocalFauna({ port: 0, typechecked: true, ...(options.contention === undefined ? {} : { contention: options.contention }) });
  return buildTarget('local', fauna.url, fauna.rootSecret, (path, role) => `${fauna.rootSecret}:${path}:${role}`, fauna.clock, () => fauna.stop());
}

async function startRemoteTarget(endpoint: string, rootSecret: string): Promise<ConformanceTarget> {
  const url = endpoint.replace(/\/$/, '');
  const database = `conformance_${randomBytes(6).toString('hex')}`;
  const root = new Client({ endpoint: new URL(url), secret: rootSecret });
  await root.query(fql`Database.create({ name: ${database}, typechecked: true })`);
  return buildTarget('remote', url, `${rootSecret}:${database}:admin`, (path, role) => `${rootSecret}:${database}/${path}:${role}`, undefined, async () => {
    await root.query(fql`Database.byName(${database})?.delete()`);
    root.close();
  });
}

function buildTarget(
  kind: ConformanceTarget['kind'],
  url: string,
  adminSecret: string,
  scopedSecret: ConformanceTarget['scopedSecret'],
  clock: AdjustableClock | undefined,
  shutdown: () => Promise<void>,
): ConformanceTarget {
  const clients: Client[] = [];

  async function schemaApi(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: FormData | string; secret?: string; params?: Record<string, string> } = {},
  ): Promise<SchemaApiResponse> {
    const query = new URLSearchParams(options.params ?? {}).toString();
    const response = await fetch(`${url}/schema/1/${path}${query === '' ? '' : `?${query}`}`, {
      method,
      // The CLI sends only this header (SHELL:src/lib/core-api.mjs).
      headers: { AUTHORIZATION: `Bearer ${options.secret ?? adminSecret}` },
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    return { status: response.status, body: (await response.json()) as SchemaApiResponse['body'] };
  }

  return {
    kind,
    url,
    adminSecret,
    scopedSecret,
    client({ transport = 'http2', secret = adminSecret, ...config } = {}) {
      const configuration = { endpoint: new URL(url), secret, ...config };
      const client =
        transport === 'fetch'
          ? new Client(configuration, new FetchClient({ url, fetch_keepalive: false, http2_session_idle_ms: 0, http2_max_streams: 0 }))
          : new Client(configuration);
      clients.push(client);
      return client;
    },
    pushSchema(files, params = { force: 'true' }, secret) {
      const form = new FormData();
      for (const [filename, content] of Object.entries(files)) form.set(filename, new Blob([content]));
      return schemaApi('POST', 'update', { body: form, params: { staged: 'false', ...params }, ...(secret === undefined ? {} : { secret }) });
    },
    schemaApi,
    async advanceTime(ms) {
      if (clock !== undefined) clock.advance(ms);
      else await new Promise((resolve) => setTimeout(resolve, ms));
    },
    async close() {
      for (const client of clients) client.close();
      await shutdown();
    },
  };
}

/** The identity schema fixture, shared with the engine's unit tests (see packages/fauna-local/tests/helpers/identity-fixture.ts). */
export const IDENTITY_SCHEMA = IDENTITY_FIXTURE;

/** Pushes IDENTITY_SCHEMA and fails loudly if the target rejects it. */
export async function pushIdentitySchema(target: ConformanceTarget): Promise<void> {
  const response = await target.pushSchema(IDENTITY_SCHEMA);
  if (response.status !== 200) throw new Error(`schema push failed: ${response.status} ${JSON.stringify(response.body)}`);
}

/** A unique email per call, so tests in one suite never collide on the unique constraint by accident. */
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.com`;
}

/** The `ServiceError` the query failed with; any other outcome (success, another error) fails the test. */
export async function failureOf(promise: Promise<unknown>): Promise<ServiceError> {
  const outcome = await promise.then(
    () => new Error('the query succeeded but a failure was expected'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof ServiceError)) throw outcome;
  return outcome;
}
