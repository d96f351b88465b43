/**
 * The real local Fauna (local/fauna/) with this project's schema and a trigger key, as the evidence suites use it.
 * The root secret is random and long (not Fauna's conventional `secret`) so the secrets audit can look for it.
 */
import { SILENT_DRIVER_LOG } from '../../../lib/fauna-client.ts';
import { randomBytes } from 'node:crypto';
import { Client, fql } from 'fauna';
import { startLocalFauna } from '../../../local/fauna/index.ts';
import { createTriggerKey } from '../../../tools/fauna-admin.ts';
import { recordSecret } from '../../helpers/log-capture.ts';

export interface EvidenceFauna {
  url: string;
  rootSecret: string;
  /** A key with the `pretokenTrigger` role, as `npm run key:bootstrap` creates it. */
  triggerKey: string;
  /** A driver client authenticated with the root secret, for checking what the database holds. */
  root: Client;
  /** Every Customer document, as `{ id, sub, email }`. */
  customers(): Promise<{ id: string; sub: string | null; email: string | null }[]>;
  /** The Customer document the secret authenticates as (`Query.identity()`), or null. */
  identityOf(secret: string): Promise<string | null>;
  stop(): Promise<void>;
}

/** Starts the local Fauna on a free port with `fauna/` applied and creates the trigger key. */
export async function startEvidenceFauna(): Promise<EvidenceFauna> {
  const rootSecret = `evidence-root-${randomBytes(18).toString('base64url')}`;
  recordSecret(rootSecret, 'local Fauna root secret');
  const fauna = await startLocalFauna({ port: 0, schemaDir: 'fauna', rootSecret });
  const { secret: triggerKey } = await createTriggerKey({ endpoint: fauna.url, adminSecret: rootSecret, stage: 'evidence', createdBy: 'evidence' });
  recordSecret(triggerKey, 'trigger key');
  const root = new Client({ endpoint: new URL(fauna.url), secret: rootSecret, query_timeout_ms: 10_000, logger: SILENT_DRIVER_LOG });

  return {
    url: fauna.url,
    rootSecret,
    triggerKey,
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
    async stop() {
      root.close();
      await fauna.stop();
    },
  };
}
