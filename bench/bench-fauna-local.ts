/**
 * `npm run bench:fauna-local`: throughput and latency of the local Fauna endpoint under the sign-in workload.
 *
 * Starts `npm run fauna:local` as a child process on a free port with the project's schema (`fauna/`: Customer with
 * unique email and sub plus indexes, the `signIn` UDF running as server, the `pretokenTrigger` call-only role), creates
 * a trigger key, then runs two phases with 16 concurrent real `fauna` driver clients, each on its own HTTP/2 session
 * (like 16 Lambda containers), each sending its next query when the previous one answered:
 *   1. baseline: the trivial query `1` (transport + driver + HTTP layer, almost no engine work);
 *   2. workload: `signIn(sub, email, emailVerified, ttl, meta, maxTokens)`: identity upsert by sub/email plus Token.create, over a pool of users
 *      so both the create and the find-and-mint paths run.
 * Prints queries/s, p50/p95/p99 latency and the workload/baseline ratio. Targets (2 cores): ≥ 2,000 q/s, p99 ≤ 10 ms.
 *
 * Flags: --clients N (16), --seconds S (5 per phase), --users N (2000), --in-process (server in this process),
 * --url URL (an endpoint already running with `--schema-dir fauna` and root secret `secret`, e.g. one under --cpu-prof).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, fql, type Query } from 'fauna';
import { startLocalFauna } from '../packages/fauna-local/src/index.ts';
import { defineCli, parseCliOrExit } from '../tools/cli.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_QPS = 2_000;
const TARGET_P99_MS = 10;
const WARMUP_MS = 500;
const WARMUP_SECONDS = 2;
const TOKEN_TTL_SECONDS = 3600;

interface PhaseResult {
  name: string;
  /** Server and client (this process) CPU per measured query, in ms, when known. */
  serverCpuPerQuery?: number;
  clientCpuPerQuery?: number;
  queries: number;
  errors: number;
  seconds: number;
  qps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface Endpoint {
  url: string;
  rootSecret: string;
  /** CPU time (user + system, ms) the server has used so far, when it can be read (child process on Linux). */
  serverCpuMs(): number | undefined;
  stop(): Promise<void>;
}

/** utime + stime of a process from /proc, in ms; undefined where /proc is unavailable. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // Fields 14 and 15 (utime, stime) in clock ticks; Linux uses 100 ticks per second.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

export const CLI = defineCli({
  command: 'npm run bench:fauna-local --',
  summary: 'Throughput and latency of the local Fauna under the sign-in workload (16 concurrent driver clients); targets on 2 cores: ≥ 2,000 q/s, p99 ≤ 10 ms.',
  options: {
    clients: { type: 'string', value: 'N', default: '16', help: 'concurrent driver clients' },
    seconds: { type: 'string', value: 'S', default: '5', help: 'seconds per phase' },
    users: { type: 'string', value: 'N', default: '2000', help: 'users the workload signs in' },
    'in-process': { type: 'boolean', default: false, help: 'run the server in this process' },
    url: { type: 'string', value: 'URL', help: "an endpoint already running with --schema-dir fauna and root secret 'secret' (e.g. one under --cpu-prof)" },
  },
});
const values = parseCliOrExit(CLI);
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const USERS = Number(values.users);

/** Runs the server as `npm run fauna:local` does, on a free port, and reads the URL it prints. */
async function startChildEndpoint(): Promise<Endpoint> {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'packages/fauna-local/src/cli.ts'), '--port', '0', '--schema-dir', join(ROOT, 'fauna')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the local Fauna process exited early (code ${code})`)));
  });
  return {
    url,
    rootSecret: 'secret',
    serverCpuMs: () => processCpuMs(child.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function startInProcessEndpoint(): Promise<Endpoint> {
  const fauna = await startLocalFauna({ port: 0, schemaDir: join(ROOT, 'fauna') });
  return { url: fauna.url, rootSecret: fauna.rootSecret, serverCpuMs: () => undefined, stop: () => fauna.stop() };
}

/** Closed-loop load: every client sends its next query as soon as the previous one answered. */
async function runPhase(
  name: string,
  clients: Client[],
  makeQuery: (client: number, n: number) => Query,
  seconds: number,
  serverCpuMs: () => number | undefined,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let cpuAtStart: { server: number | undefined; client: NodeJS.CpuUsage } | undefined;
  setTimeout(() => (cpuAtStart = { server: serverCpuMs(), client: process.cpuUsage() }), WARMUP_MS).unref();
  let errors = 0;
  const warmupEnds = performance.now() + WARMUP_MS;
  const ends = warmupEnds + seconds * 1000;
  let measuredStart = 0;
  await Promise.all(
    clients.map(async (client, index) => {
      for (let n = 0; ; n += 1) {
        const started = performance.now();
        if (started >= ends) return;
        try {
          await client.query(makeQuery(index, n));
        } catch {
          errors += 1;
        }
        const finished = performance.now();
        if (started >= warmupEnds) {
          if (measuredStart === 0) measuredStart = warmupEnds;
          latencies.push(finished - started);
        }
      }
    }),
  );
  const elapsed = (performance.now() - warmupEnds) / 1000;
  const serverNow = serverCpuMs();
  const clientCpu = cpuAtStart === undefined ? undefined : process.cpuUsage(cpuAtStart.client);
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    name,
    queries: latencies.length,
    errors,
    seconds: elapsed,
    qps: latencies.length / elapsed,
    p50: pick(0.5),
    p95: pick(0.95),
    p99: pick(0.99),
    max: latencies.at(-1) ?? NaN,
    ...(serverNow !== undefined && cpuAtStart?.server !== undefined ? { serverCpuPerQuery: (serverNow - cpuAtStart.server) / latencies.length } : {}),
    ...(clientCpu === undefined ? {} : { clientCpuPerQuery: (clientCpu.user + clientCpu.system) / 1000 / latencies.length }),
  };
}

/** The trigger's query: spread over a pool of users, so creates, finds and email updates all happen. */
function signInQuery(client: number, n: number): Query {
  const user = (client * 7919 + n) % USERS;
  return fql`signIn(${`sub-${user}`}, ${`user-${user}@example.com`}, true, ${TOKEN_TTL_SECONDS}, { userPoolId: "us-east-1_Bench1", clientId: "bench", triggerSource: "TokenGeneration_Authentication" }, 10)`;
}

function print(result: PhaseResult): void {
  const ms = (value: number) => value.toFixed(2).padStart(7);
  console.log(
    `${result.name.padEnd(9)} ${result.qps.toFixed(0).padStart(6)} q/s   p50 ${ms(result.p50)} ms   p95 ${ms(result.p95)} ms   p99 ${ms(result.p99)} ms   max ${ms(result.max)} ms   (${result.queries} queries, ${result.errors} errors, ${result.seconds.toFixed(1)} s)`,
  );
  const cpu = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(3)} ms`);
  const clientLabel = values['in-process'] ? 'this process (server and clients)' : 'driver clients';
  console.log(`${''.padEnd(9)} CPU per query: server ${cpu(result.serverCpuPerQuery)}, ${clientLabel} ${cpu(result.clientCpuPerQuery)}`);
}

async function main(): Promise<void> {
  const endpoint =
    values.url !== undefined
      ? { url: values.url, rootSecret: 'secret', serverCpuMs: () => undefined, stop: async () => undefined }
      : values['in-process']
        ? await startInProcessEndpoint()
        : await startChildEndpoint();
  const admin = new Client({ endpoint: new URL(endpoint.url), secret: endpoint.rootSecret });
  try {
    const { data: key } = await admin.query<{ secret: string }>(fql`Key.create({ role: "pretokenTrigger" }) { secret }`);
    // A distinct http2_session_idle_ms gives each client its own cached HTTP/2 session (the driver keys sessions by it).
    const clients = Array.from(
      { length: CLIENTS },
      (_, i) => new Client({ endpoint: new URL(endpoint.url), secret: key.secret, http2_session_idle_ms: 5_000 + i }),
    );
    console.log(`local Fauna at ${endpoint.url} (${values['in-process'] ? 'in this process' : 'child process'}); ${CLIENTS} driver clients, ${SECONDS} s per phase after ${WARMUP_MS} ms warm-up`);

    // Unmeasured warm-up of both queries, so neither phase pays for JIT compilation and first-time allocations.
    await runPhase('warm-up', clients, (client, n) => (n % 2 === 0 ? fql`1` : signInQuery(client, n)), WARMUP_SECONDS, endpoint.serverCpuMs);
    const baseline = await runPhase('baseline', clients, () => fql`1`, SECONDS, endpoint.serverCpuMs);
    print(baseline);
    const workload = await runPhase('signIn', clients, signInQuery, SECONDS, endpoint.serverCpuMs);
    print(workload);
    for (const client of clients) client.close();

    console.log(`signIn / baseline throughput: ${(workload.qps / baseline.qps).toFixed(2)}; p99 ratio ${(workload.p99 / baseline.p99).toFixed(2)}`);
    const meets = workload.qps >= TARGET_QPS && workload.p99 <= TARGET_P99_MS && workload.errors === 0;
    console.log(`target ≥ ${TARGET_QPS} q/s and p99 ≤ ${TARGET_P99_MS} ms with no errors: ${meets ? 'met' : 'NOT met'}`);
    process.exitCode = meets ? 0 : 1;
  } finally {
    admin.close();
    await endpoint.stop();
  }
}

await main();
