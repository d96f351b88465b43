/**
 * One benchmark "container": a fresh Node process that loads a bundle and invokes it, started by `bench/bench.ts`
 * with `fork`. Results go back over IPC because the handler's own log lines own stdout, as they do on Lambda.
 *
 * Nothing is imported at the top but Node built-ins, so a cold import is timed from a clean module cache.
 *
 * Modes (argv[2] is a JSON `ChildTask`):
 * - `cold`: time the module import (init) and the first invocation, then `warmInvocations` more; pauses after the
 *   first invocation until the parent has read its request counters.
 * - `warm`: interleave invocations of the handler with a bare `client.query` of the same FQL, `rounds` × `perRound`;
 *   `paced`: before each round, say `warm-ready` and wait for the parent, which takes rounds of two children in turn.
 * - `hang`: invoke against a Fauna that never answers and time each fail-closed answer.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export type ChildTask =
  | { mode: 'cold'; bundle: string; kind: 'handler' | 'baseline'; warmInvocations: number }
  | { mode: 'warm'; bundle: string; rounds: number; perRound: number; paced?: boolean }
  | { mode: 'hang'; bundle: string; invocations: number };

export type ChildMessage =
  | { type: 'first-done'; initMs: number; firstMs: number }
  | { type: 'cold-done'; warmMs: number[] }
  | { type: 'warm-ready' }
  | { type: 'warm-round'; handlerMs: number[]; bareMs: number[] }
  | { type: 'hang-done'; answers: { ms: number; outcome: string }[] }
  | { type: 'failed'; message: string };

type Handler = (event: unknown, context?: unknown) => Promise<unknown>;

const EVENT = JSON.parse(readFileSync(new URL('../events/pretoken.json', import.meta.url), 'utf8')) as {
  userPoolId: string;
  triggerSource: string;
  callerContext: { clientId: string };
  request: { userAttributes: Record<string, string> };
};

let requestNumber = 0;
function context(): object {
  return { awsRequestId: `bench-${++requestNumber}`, functionName: 'bench', getRemainingTimeInMillis: () => 5000 };
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

function waitForParent(): Promise<void> {
  return new Promise((resolve) => process.once('message', () => resolve()));
}

async function timedCall(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

async function load(bundle: string): Promise<{ handler: Handler; initMs: number }> {
  const started = performance.now();
  const module = (await import(pathToFileURL(bundle).href)) as { handler: Handler };
  return { handler: module.handler, initMs: performance.now() - started };
}

async function cold(task: Extract<ChildTask, { mode: 'cold' }>): Promise<void> {
  const { handler, initMs } = await load(task.bundle);
  const firstMs = await timedCall(() => handler(structuredClone(EVENT), context()));
  await send({ type: 'first-done', initMs, firstMs });
  await waitForParent();
  const warmMs: number[] = [];
  for (let i = 0; i < task.warmInvocations; i++) warmMs.push(await timedCall(() => handler(structuredClone(EVENT), context())));
  await send({ type: 'cold-done', warmMs });
}

async function warm(task: Extract<ChildTask, { mode: 'warm' }>): Promise<void> {
  const { handler } = await load(task.bundle);
  // Loaded only here: in cold mode an already-loaded driver (and node:http2) would flatter the import being timed.
  const { Client } = await import('fauna');
  const { signInQuery } = await import('./baseline-event.ts');
  // The same query the service sends, with the same values and client settings (lib/sign-in/sign-in-query.ts, lib/common/fauna-client.ts).
  const bare = new Client({
    endpoint: new URL(process.env.FAUNA_ENDPOINT!),
    secret: process.env.BENCH_FAUNA_SECRET!,
    query_timeout_ms: 1500,
    client_timeout_buffer_ms: 500,
    max_attempts: 1,
    http2_session_idle_ms: 60_000,
  });
  const bareQuery = () => bare.query(signInQuery(EVENT));
  // Events are cloned before the clock starts: the copy is the harness's work, not the handler's.
  const events = Array.from({ length: task.rounds * task.perRound + 50 }, () => structuredClone(EVENT));
  const invoke = () => handler(events.pop(), context());

  for (let i = 0; i < 50; i++) {
    await invoke();
    await bareQuery();
  }
  for (let round = 0; round < task.rounds; round++) {
    if (task.paced) {
      await send({ type: 'warm-ready' });
      await waitForParent();
    }
    const handlerMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < task.perRound; i++) {
      // Alternate which goes first so neither always runs right after the other's garbage.
      if (i % 2 === 0) {
        handlerMs.push(await timedCall(invoke));
        bareMs.push(await timedCall(bareQuery));
      } else {
        bareMs.push(await timedCall(bareQuery));
        handlerMs.push(await timedCall(invoke));
      }
    }
    await send({ type: 'warm-round', handlerMs, bareMs });
  }
  bare.close();
}

async function hang(task: Extract<ChildTask, { mode: 'hang' }>): Promise<void> {
  const { handler } = await load(task.bundle);
  const answers: { ms: number; outcome: string }[] = [];
  for (let i = 0; i < task.invocations; i++) {
    const started = performance.now();
    let outcome: string;
    try {
      await handler(structuredClone(EVENT), context());
      outcome = 'answered without the claim';
    } catch (error) {
      outcome = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    answers.push({ ms: performance.now() - started, outcome });
  }
  await send({ type: 'hang-done', answers });
}

const task = JSON.parse(process.argv[2] ?? '{}') as ChildTask;
try {
  if (task.mode === 'cold') await cold(task);
  else if (task.mode === 'warm') await warm(task);
  else await hang(task);
} catch (error) {
  await send({ type: 'failed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}
process.exit(0);
