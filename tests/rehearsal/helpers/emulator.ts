/**
 * The AWS emulator of the deploy rehearsal: moto_server (moto 5) started by tests/rehearsal/emulator/moto_rehearsal.py,
 * which adds the two things moto lacks (Cognito pools in CloudFormation, custom resources without Docker) before it
 * starts moto's own server. One per suite, on 127.0.0.1 and a free port; stopped with its whole process group.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const LAUNCHER = join(REPO, 'tests', 'rehearsal', 'emulator', 'moto_rehearsal.py');
const READY_TIMEOUT_MS = 90_000;

export interface Emulator {
  url: string;
  /** What the emulator printed (requests, the custom resources' runs): for a failed test's message. */
  output(): string;
  stop(): Promise<void>;
}

export class EmulatorUnavailableError extends Error {
  constructor(reason: string) {
    super(`The deploy rehearsal needs moto_server (moto 5): ${reason}. Install it with pipx install 'moto[server]==5.2.1'; .ci/run skips the rehearsal, saying so, where moto_server is absent.`);
    this.name = 'EmulatorUnavailableError';
  }
}

/** The Python that has moto: $REHEARSAL_PYTHON, moto_server's own interpreter (a pipx venv), or python3. */
export function motoPython(): string {
  const which = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' });
  const motoServer = which.stdout.trim();
  if (which.status !== 0 || motoServer === '') throw new EmulatorUnavailableError('moto_server is not on PATH');
  const shebang = /^#!\s*(\S+)/.exec(readFileSync(motoServer, 'utf8').split('\n', 1)[0] ?? '')?.[1];
  const candidates = [process.env.REHEARSAL_PYTHON, shebang && /python/.test(shebang) ? shebang : undefined, 'python3'].filter((c): c is string => !!c);
  for (const python of candidates) {
    if (spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0) return python;
  }
  throw new EmulatorUnavailableError(`none of ${candidates.join(', ')} can import moto (set REHEARSAL_PYTHON to moto's Python)`);
}

/** Whether `url` answers 200; no kept-alive connection is left behind (it would hold the test run open). */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
  });
}

export async function startEmulator(): Promise<Emulator> {
  const python = motoPython();
  const port = await getPort({ host: '127.0.0.1' });
  const child: ChildProcess = spawn(python, [LAUNCHER, '127.0.0.1', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The custom resources' handlers run with this Node; the Lambda runtime's modules (@aws-sdk/*) from the repo's.
    env: { ...process.env, REHEARSAL_NODE: process.execPath, REHEARSAL_NODE_PATH: join(REPO, 'node_modules'), PYTHONUNBUFFERED: '1' },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    // The grace timer is cleared once the emulator has exited: left pending, it kept jest alive 5 s after the last test.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (grace = setTimeout(resolve, 5000)))]);
    clearTimeout(grace);
    if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    child.stdout!.destroy();
    child.stderr!.destroy();
  };
  const started = Date.now();
  while (Date.now() - started < READY_TIMEOUT_MS) {
    if (child.exitCode !== null) throw new EmulatorUnavailableError(`the launcher exited with ${child.exitCode}: ${output.slice(-2000)}`);
    if (await answers(`${url}/moto-api/data.json`)) return { url, output: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new EmulatorUnavailableError(`it did not answer on ${url} within ${READY_TIMEOUT_MS / 1000} s: ${output.slice(-2000)}`);
}

/**
 * The environment of every command the rehearsal runs: fake credentials, the emulator as every service's endpoint
 * (AWS SDK v3, which osls 4 uses, honours AWS_ENDPOINT_URL), and nothing of the caller's own AWS setup.
 */
export function rehearsalEnv(emulator: Emulator): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_')) env[name] = value;
  return {
    ...env,
    NODE_OPTIONS: '',
    AWS_ENDPOINT_URL: emulator.url,
    AWS_ACCESS_KEY_ID: 'rehearsal',
    AWS_SECRET_ACCESS_KEY: 'rehearsal',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };
}

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs a command as typed in the repository's folder (npm run deploy -- --stage dev, npx serverless remove …). */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
