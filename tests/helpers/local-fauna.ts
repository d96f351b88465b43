/**
 * The real local Fauna (packages/fauna-local/src/) with this project's schema (fauna/), and the trigger's key, for the suites that
 * run the handler against it. Every secret handed out is recorded for the secrets audit.
 */
import { SILENT_DRIVER_LOG } from '../../lib/common/fauna-client.ts';
import { randomBytes } from 'node:crypto';
import { Client, fql, type Query, type QueryValue } from 'fauna';
import { type ContentionFault, type ContentionOptions, type LocalFauna, startLocalFauna } from '../../packages/fauna-local/src/index.ts';
import { createTriggerKey } from '../../tools/fauna-admin.ts';
import { recordSecret } from './log-capture.ts';

export const SCHEMA_DIR = new URL('../../fauna/', import.meta.url).pathname;
export type { LocalFauna };

/** Starts the local Fauna on a free port with the service's schema (root secret: Fauna's conventional one). */
export function startFauna(): Promise<LocalFauna> {
  return startLocalFauna({ port: 0, schemaDir: SCHEMA_DIR });
}

/** Creates a key with the trigger's role (pretokenTrigger), as `npm run key:bootstrap` does, and records its secret. */
export async function triggerKey(fauna: LocalFauna, createdBy = 'test'): Promise<{ id: string; secret: string }> {
  const key = await createTriggerKey({ endpoint: fauna.url, adminSecret: fauna.rootSecret, stage: 'dev', createdBy });
  recordSecret(key.secret, 'trigger key');
  return key;
}

/** Runs `query` with `secret` through the real driver and returns its data; the client is closed afterwards. */
export async function queryAs<T = unknown>(fauna: { url: string }, secret: string, query: Query): Promise<T> {
  const client = new Client({ secret, endpoint: new URL(fauna.url), http2_session_idle_ms: 100, logger: SILENT_DRIVER_LOG });
  try {
    return (await client.query<QueryValue>(query)).data as T;
  } finally {
    client.close();
  }
}

/** How many Customer documents hold `email` (as root). */
export function customersWithEmail(fauna: LocalFauna, email: string): Promise<number> {
  return queryAs<number>(fauna, fauna.rootSecret, fql`Customer.byEmail(${email}).count()`);
}

/**
 * The local Fauna with a random, long root secret (not Fauna's conventional `secret`, so the secrets audit can look
 * for it) and the trigger key already made, as the evidence suites use it.
 */
export interface EvidenceFauna {
  url: string;
  rootSecret: string;
  /** A key with the `pretokenTrigger` role, as `npm run key:bootstrap` creates it. */
  triggerKey: string;
  /** The trigger key's document id (for the fault switch's `keyId`). */
  triggerKeyId: string;
  /** A driver client authenticated with the root secret, for checking what the database holds. */
  root: Client;
  /** Every Customer document, as `{ id, sub, email }`. */
  customers(): Promise<{ id: string; sub: string | null; email: string | null }[]>;
  /** The Customer document the secret authenticates as (`Query.identity()`), or null. */
  identityOf(secret: string): Promise<string | null>;
  /** The local Fauna's contention fault switch (forced 409s on read-write queries). */
  forceContention(fault: ContentionFault): void;
  clearForcedContention(): void;
  /** The local Fauna's contention totals: commits through the in-flight window, its own retries, 409s. */
  contentionCounts(): { committed: number; retries: number; aborted: number; forced: number };
  stop(): Promise<void>;
}

/**
 * The evidence suites run the local Fauna in contention mode by default (packages/fauna-local/DESIGN.md "Contention"):
 * concurrent sign-ins overlap, conflict and are retried as on a real Fauna, with its defaults (10 ms in flight,
 * retries after a random delay below the core's 200 ms).
 */
export const EVIDENCE_CONTENTION: ContentionOptions = {};

/**
 * Starts the local Fauna on a free port with `fauna/` applied and a random root secret, and creates the trigger key.
 * `contention: false` runs the serial engine instead (say why where it is used).
 */
export async function startEvidenceFauna(options: { contention?: ContentionOptions | false } = {}): Promise<EvidenceFauna> {
  const rootSecret = `evidence-root-${randomBytes(18).toString('base64url')}`;
  recordSecret(rootSecret, 'local Fauna root secret');
  const contention = options.contention ?? EVIDENCE_CONTENTION;
  const fauna = await startLocalFauna({ port: 0, schemaDir: SCHEMA_DIR, rootSecret, contention });
  const { id: triggerKeyId, secret: triggerKey } = await createTriggerKey({ endpoint: fauna.url, adminSecret: rootSecret, stage: 'evidence', createdBy: 'evidence' });
  recordSecret(triggerKey, 'trigger key');
  const root = new Client({ endpoint: new URL(fauna.url), secret: rootSecret, query_timeout_ms: 10_000, logger: SILENT_DRIVER_LOG });

  return {
    url: fauna.url,
    rootSecret,
    triggerKey,
    triggerKeyId,
    root,
    async customers() {
      const page = await root.query<{ id: string; sub: string | null; email: string | null }[]>(
        fql`Customer.all().map((c) => { id: c.id, sub: c.sub, email: c.email }).toArray()`,
      );
      return page.data;
    },
    async identityOf(secret) {
      const client = new Client({ endpoint: new URL(fauna.url), secret, query_timeout_ms: 10_000, logger: SILENT_DRIVER_LOG });
      try {
        const result = await client.query<string | null>(fql`Query.identity()?.id`);
        return result.data;
      } finally {
        client.close();
      }
    },
    forceContention: (fault) => fauna.forceContention(fault),
    clearForcedContention: () => fauna.clearForcedContention(),
    contentionCounts: () => fauna.contentionCounts(),
    async stop() {
      root.close();
      await fauna.stop();
    },
  };
}
