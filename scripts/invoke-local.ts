/**
 * `npm run invoke`: the whole sign-in on this machine. Starts the local Fauna endpoint with the schema in fauna/,
 * creates the trigger's key (role pretokenTrigger), runs
 *   serverless invoke local -f preTokenGeneration -p events/pretoken.json --stage local
 * with FAUNA_ENDPOINT / FAUNA_SECRET / USER_POOL_IDS (the sample events' pool) in its environment, prints the response (token secrets shortened), and stops the
 * endpoint again, also on failure or Ctrl-C.
 *
 *   npm run invoke                              # events/pretoken.json
 *   npm run invoke -- --event events/pretoken-v2.json
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { startLocalFauna } from '../packages/fauna-local/src/index.ts';
import { createTriggerKey } from '../tools/fauna-admin.ts';
import { SAMPLE_POOL_ID } from '../stack/sample-data.ts';
import { defineCli, isEntryPoint, parseCli, runMain } from '../tools/cli.ts';
import { extractInvokeResult, maskSecrets } from '../tools/invoke-output.ts';

/** The user pool every sample event in events/ comes from: the one pool `npm run invoke` serves. */
export { SAMPLE_POOL_ID };

export const DEFAULT_EVENT = 'events/pretoken.json';
export const FUNCTION_NAME = 'preTokenGeneration';
export const LOCAL_STAGE = 'local';

/** Thrown when `serverless invoke local` fails; its (masked) output says why. */
export class InvokeLocalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvokeLocalError';
  }
}

interface CliResult { code: number | null; output: string }

function runServerless(cwd: string, eventPath: string, env: NodeJS.ProcessEnv, onChild: (child: ChildProcess) => void): Promise<CliResult> {
  const cli = path.join(cwd, 'node_modules', '.bin', 'serverless');
  return new Promise((resolve, reject) => {
    const child = spawn(cli, ['invoke', 'local', '-f', FUNCTION_NAME, '-p', eventPath, '--stage', LOCAL_STAGE], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onChild(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * Runs one local invocation end to end.
 *
 * @returns the function's response (the Cognito event with `response` filled in), unmasked, for callers that check it.
 * @throws {InvokeLocalError} when the CLI fails or prints no response.
 */
export async function invokeLocal(options: { eventPath: string; cwd?: string; log?: (text: string) => void }): Promise<unknown> {
  const cwd = options.cwd ?? process.cwd();
  const log = options.log ?? ((text: string) => console.log(text));
  // A build folder of its own: packaging the local stage at the same time must not overwrite this bundle.
  const workFolder = `.esbuild-invoke-${process.pid}`;
  const fauna = await startLocalFauna({ port: 0, schemaDir: path.join(cwd, 'fauna') });
  let child: ChildProcess | undefined;
  const stopOnSignal = (signal: NodeJS.Signals): void => {
    child?.kill(signal);
    void fauna
      .stop()
      .then(() => rm(path.join(cwd, workFolder), { recursive: true, force: true }))
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    log(`Local Fauna listening on ${fauna.url} with the schema in fauna/`);
    const key = await createTriggerKey({ endpoint: fauna.url, adminSecret: fauna.rootSecret, stage: LOCAL_STAGE, createdBy: 'invoke-local' });
    log(`Created the trigger's key ${key.id} (role pretokenTrigger)`);
    log(`serverless invoke local -f ${FUNCTION_NAME} -p ${options.eventPath} --stage ${LOCAL_STAGE}`);
    const env = {
      ...process.env,
      ESBUILD_WORK_FOLDER: workFolder,
      FAUNA_ENDPOINT: fauna.url,
      FAUNA_SECRET: key.secret,
      // An event from any other pool is refused, as on a deployed stage.
      USER_POOL_IDS: SAMPLE_POOL_ID,
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      SLS_TELEMETRY_DISABLED: '1',
    };
    const { code, output } = await runServerless(cwd, options.eventPath, env, (spawned) => (child = spawned));
    const result = extractInvokeResult(output);
    if (code !== 0 || result === undefined) {
      throw new InvokeLocalError(`serverless invoke local failed (exit ${code}). Its output:\n${maskSecrets(output)}`);
    }
    log(maskSecrets(output.slice(0, result.start)).trimEnd());
    log('Response:');
    log(maskSecrets(JSON.stringify(result.value, null, 2)));
    return result.value;
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await fauna.stop();
    await rm(path.join(cwd, workFolder), { recursive: true, force: true });
  }
}

export const CLI = defineCli({
  command: 'npm run invoke --',
  summary: `One sign-in end to end on this machine: starts a local Fauna with the schema, creates the trigger's key, runs \`sls invoke local -f ${FUNCTION_NAME} -p <event> --stage local\`, prints the logs and the response (secrets shortened), stops the Fauna.`,
  options: { event: { type: 'string', value: 'FILE', default: DEFAULT_EVENT, help: 'the Cognito event to invoke with' } },
  examples: ['npm run invoke', 'npm run invoke -- --event events/pretoken-v2.json'],
});

async function main(argv: string[]): Promise<number> {
  const values = parseCli(CLI, argv);
  if (!values) return 0;
  await invokeLocal({ eventPath: values.event });
  return 0;
}

if (isEntryPoint(import.meta.url)) {
  runMain('invoke', () => main(process.argv.slice(2)), { isKnown: (error) => error instanceof InvokeLocalError, mask: maskSecrets });
}
