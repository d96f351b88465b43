/**
 * What `sls invoke local` needs on the local stage, found or started here (the plugin
 * stack/serverless-local-fauna.cjs calls it): a Fauna with the schema in fauna/, a key of role pretokenTrigger,
 * and the served pool. Nothing here runs on a deployed stage.
 */
import { connect } from 'node:net';
import path from 'node:path';
import { startLocalFauna } from '../packages/fauna-local/src/index.ts';
import { createTriggerKey } from '../tools/fauna-admin.ts';
import { SAMPLE_POOL_ID } from './sample-data.ts';

/** How long a Fauna that is supposed to be running may take to accept a connection. */
export const PROBE_TIMEOUT_MS = 1500;

/** The recipe printed when the Fauna the environment names cannot be reached. */
export const LOCAL_FAUNA_RECIPE =
  'Either unset FAUNA_SECRET and FAUNA_ENDPOINT (sls invoke local then starts a local Fauna with the schema in fauna/ itself), ' +
  'or start one with `npm run fauna:local -- --schema-dir fauna` and set FAUNA_SECRET to a pretokenTrigger key of it. ' +
  'Recipe: docs/local-stack.md "The Serverless CLI by hand".';

/** The local stage cannot reach or make the Fauna it needs; the message names the cause and the fix. */
export class LocalFaunaUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalFaunaUnavailableError';
  }
}

/**
 * Resolves when something accepts TCP connections at `endpoint`'s host and port.
 *
 * @throws {LocalFaunaUnavailableError} at once when the connection is refused, or after {@link PROBE_TIMEOUT_MS}.
 */
export async function probeFauna(endpoint: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (error) {
    throw new LocalFaunaUnavailableError(`FAUNA_ENDPOINT '${endpoint}' is not a URL. ${LOCAL_FAUNA_RECIPE}`, { cause: error });
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (reason: string, cause?: unknown) => {
      socket.destroy();
      reject(new LocalFaunaUnavailableError(`Nothing answers at FAUNA_ENDPOINT ${endpoint} (${reason}). ${LOCAL_FAUNA_RECIPE}`, { cause }));
    };
    socket.setTimeout(timeoutMs, () => fail(`no connection within ${timeoutMs} ms`));
    socket.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message, error));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
  });
}

export interface InvokeFauna {
  /** The environment the function gets: FAUNA_ENDPOINT, FAUNA_SECRET (a pretokenTrigger key), USER_POOL_IDS. */
  env: { FAUNA_ENDPOINT: string; FAUNA_SECRET: string; USER_POOL_IDS: string };
  /** One line for the person at the terminal (no secret). */
  description: string;
  stop(): Promise<void>;
}

/**
 * Starts a local Fauna on a free port with `serviceDir/fauna/*.fsl` and creates a pretokenTrigger key on it.
 * The served pool is the sample events' pool (events/), unless `userPoolIds` names others.
 */
export async function startFaunaForInvoke(serviceDir: string, userPoolIds: string | undefined): Promise<InvokeFauna> {
  const fauna = await startLocalFauna({ port: 0, schemaDir: path.join(serviceDir, 'fauna') });
  try {
    const key = await createTriggerKey({ endpoint: fauna.url, adminSecret: fauna.rootSecret, stage: 'local', createdBy: 'sls-invoke-local' });
    const pools = userPoolIds && userPoolIds !== '' ? userPoolIds : SAMPLE_POOL_ID;
    return {
      env: { FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET: key.secret, USER_POOL_IDS: pools },
      description: `Local stage: started a local Fauna at ${fauna.url} with the schema in fauna/ and a pretokenTrigger key (${key.id}); served pool ${pools}. Set FAUNA_SECRET (and FAUNA_ENDPOINT) to use your own.`,
      stop: () => fauna.stop(),
    };
  } catch (error) {
    await fauna.stop();
    throw error;
  }
}
