/**
 * `npm run bench:cpu`: the handler's own CPU per warm sign-in, the figure to compare two versions of the code by.
 *
 * `npm run bench`'s warm ratios include the network and the local Fauna, and move by ±0.01 between runs on a shared
 * machine: too coarse to see a change of a few µs. Here the handler (built from the sources, as in the tests) and a
 * bare `client.query` of the same FQL both get Fauna's answer replayed from memory: one real `signIn` answer is
 * recorded from the local Fauna, then every request is answered with it, so what is timed is CPU only. Rounds
 * alternate; the handler's own cost is its time minus the bare query's. Log lines and EMF records are built but not
 * written (a write's cost depends on who reads the pipe; `npm run bench` measures it).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type HTTPClient, type HTTPRequest, type HTTPResponse, NodeHTTP2Client } from 'fauna';
import { createPreTokenGenerationHandler } from '../handlers/sign-in/create-sign-in-handler.ts';
import { EmfMetrics } from '../handlers/common/telemetry/emf-metrics.ts';
import { JsonLogger } from '../handlers/common/telemetry/json-logger.ts';
import { startLocalFauna } from '../packages/fauna-local/src/index.ts';
import { createTriggerKey } from '../tools/fauna-admin.ts';
import { signInQuery } from './baseline-event.ts';
import { median } from './median.ts';
import { defineCli, parseCliOrExit } from '../tools/cli.ts';

const ROOT = join(import.meta.dirname, '..');
export const INVOCATIONS_PER_ROUND = 10_000;
export const ROUNDS = 5;

/**
 * An HTTP client that sends queries to Fauna until one succeeds and answers every later one with that answer. The
 * local stage's key check (handlers/sign-in/middleware/local-key-guard.ts) is the first query, and Fauna refuses it.
 */
function replayingFirstAnswer(endpoint: string): HTTPClient {
  const real = NodeHTTP2Client.getClient({ url: endpoint, http2_max_streams: 100, http2_session_idle_ms: 5000, fetch_keepalive: false });
  let recorded: HTTPResponse | undefined;
  return {
    async request(request: HTTPRequest): Promise<HTTPResponse> {
      if (recorded) return recorded;
      const response = await real.request(request);
      if (response.status === 200) recorded = response;
      return response;
    },
    close: () => real.close(),
  } as HTTPClient;
}

export const CLI = defineCli({
  command: 'npm run bench:cpu --',
  summary: "The handler's own CPU per warm sign-in, Fauna's answer replayed from memory: the figure to compare two versions of the code by. No flags.",
  options: {},
});

async function main(): Promise<void> {
  parseCliOrExit(CLI);
  const rootSecret = randomBytes(24).toString('base64url');
  const fauna = await startLocalFauna({ port: 0, schemaDir: join(ROOT, 'fauna'), rootSecret });
  try {
    const { secret } = await createTriggerKey({ endpoint: fauna.url, adminSecret: rootSecret, stage: 'bench', createdBy: 'bench' });
    const event = JSON.parse(readFileSync(join(ROOT, 'events', 'pretoken.json'), 'utf8'));
    const discard = (): void => undefined;
    const replay = replayingFirstAnswer(fauna.url);
    const { handler, dispose } = createPreTokenGenerationHandler(
      { STAGE: 'local', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET: secret, USER_POOL_IDS: event.userPoolId },
      {
        createFaunaClient: (configuration) => new Client(configuration, replay),
        logger: new JsonLogger({ serviceName: 'bench', write: discard }),
        metrics: new EmfMetrics({ namespace: 'Bench', serviceName: 'bench', write: discard }),
      },
    );
    const bare = new Client({ endpoint: new URL(fauna.url), secret, query_timeout_ms: 1500, client_timeout_buffer_ms: 500, max_attempts: 1 }, replay);
    let requestNumber = 0;
    const context = () => ({ awsRequestId: `bench-${++requestNumber}`, functionName: 'bench', getRemainingTimeInMillis: () => 5000 }) as never;
    // The events are copied before the clock starts: the copy is the harness's work.
    const events = Array.from({ length: (ROUNDS + 1) * INVOCATIONS_PER_ROUND }, () => structuredClone(event));

    const perCall = async (call: () => Promise<unknown>): Promise<number> => {
      const started = performance.now();
      for (let i = 0; i < INVOCATIONS_PER_ROUND; i++) await call();
      return ((performance.now() - started) / INVOCATIONS_PER_ROUND) * 1000;
    };
    const invoke = () => handler(events.pop(), context());
    const bareQuery = () => bare.query(signInQuery(event));
    await perCall(invoke); // warm-up: JIT and caches
    const own: number[] = [];
    const bareUs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const handlerUs = await perCall(invoke);
      const queryUs = await perCall(bareQuery);
      own.push(handlerUs - queryUs);
      bareUs.push(queryUs);
    }
    console.log(`Handler's own CPU per warm sign-in: ${median(own).toFixed(1)} µs (rounds ${own.map((us) => us.toFixed(1)).join(', ')})`);
    console.log(`Bare client.query of the same FQL, answer replayed: ${median(bareUs).toFixed(1)} µs`);
    dispose();
    bare.close();
  } finally {
    await fauna.stop();
  }
}

await main();
