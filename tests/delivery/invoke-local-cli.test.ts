/**
 * The Serverless CLI (osls) as a person types it, `npx sls …`, in a private copy of the service (its own esbuild
 * folders), on the default stage `local`: the documented `sls invoke local` signs in against a local Fauna the local
 * stage starts itself; a Fauna that is not there, a function that fails at init and a refused event each end the
 * command with a clear message and a non-zero exit (a hang fails the test by its timeout); a deploy without --stage
 * is refused before any AWS call. No AWS credentials anywhere: nothing here may need them.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyService } from '../../stack/service-copy.ts';
import { LOCAL_FAUNA_RECIPE } from '../../stack/invoke-local-fauna.ts';
import { extractInvokeResult } from '../../tools/invoke-output.ts';

const ROOT = path.join(import.meta.dirname, '../..');
const INVOKE = 'npx sls invoke local -f preTokenGeneration -p events/pretoken.json';

let root: string;

/** This environment without AWS credentials or a Fauna: as on a fresh machine. */
function freshEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('FAUNA_') && name !== 'USER_POOL_IDS' && name !== 'NODE_OPTIONS'));
  return { ...env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`, AWS_CONFIG_FILE: path.join(root, 'no-aws-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(root, 'no-aws-credentials'), AWS_EC2_METADATA_DISABLED: 'true', SLS_TELEMETRY_DISABLED: '1', ...extra };
}

/** Runs `command` through the shell, as typed, in `cwd`. */
function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function serviceCopy(name: string): Promise<string> {
  return copyService(ROOT, path.join(root, name));
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sls-invoke-local-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('npx sls invoke local on the default stage (the real CLI, a local Fauna it starts)', () => {
  let service: string;
  beforeAll(async () => {
    service = await serviceCopy('service');
  });

  it(`${INVOKE}: signs in with nothing set, and the CLI warns about nothing`, async () => {
    const { code, output } = await sh(INVOKE, service, freshEnvironment());
    const result = extractInvokeResult(output)?.value as { response?: { claimsOverrideDetails?: { claimsToAddOrOverride?: Record<string, string> } } } | undefined;
    expect({ code, claims: Object.keys(result?.response?.claimsOverrideDetails?.claimsToAddOrOverride ?? {}).sort() }).toEqual({ code: 0, claims: ['fauna_token_secret', 'userId'] });
    expect(output).toContain('Local stage: started a local Fauna at http://127.0.0.1:');
    expect(output).not.toMatch(/Warning|lambdaVersion|unrecognized property/);
  }, 90_000);

  it('an event from a pool the stage does not serve: refused, with the error class named as in the source, not minified', async () => {
    const event = JSON.parse(await readFile(path.join(service, 'events/pretoken.json'), 'utf8')) as { userPoolId: string };
    await writeFile(path.join(service, 'events/other-pool.json'), JSON.stringify({ ...event, userPoolId: 'us-east-1_OtherPool' }));
    const { code, output } = await sh('npx sls invoke local -f preTokenGeneration -p events/other-pool.json', service, freshEnvironment());
    const errorType = /"errorType": "(\w+)"/.exec(output)?.[1];
    // The fail policy's answer to Cognito (lib/sign-in/fail-policy.ts); minified, it was "Ir".
    expect({ code, errorType }).toEqual({ code: 1, errorType: 'SignInRejectedError' });
    expect(await readFile(path.join(ROOT, 'lib/sign-in/fail-policy.ts'), 'utf8')).toContain('export class SignInRejectedError extends Error');
  }, 90_000);

  it('FAUNA_SECRET set and nothing at FAUNA_ENDPOINT: stops before invoking, with the recipe', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const { code, output } = await sh(INVOKE, service, freshEnvironment({ FAUNA_SECRET: 'fnNotARealKeyButLongEnough000000', FAUNA_ENDPOINT: endpoint }));
    expect(code).toBe(1);
    expect(output).toContain(`Nothing answers at FAUNA_ENDPOINT ${endpoint} (ECONNREFUSED). ${LOCAL_FAUNA_RECIPE}`);
  }, 90_000);

  it('FAUNA_ENDPOINT set without FAUNA_SECRET: stops before invoking, naming what to set', async () => {
    const { code, output } = await sh(INVOKE, service, freshEnvironment({ FAUNA_ENDPOINT: 'http://127.0.0.1:8443' }));
    expect(code).toBe(1);
    expect(output).toContain('FAUNA_ENDPOINT is set (http://127.0.0.1:8443) but FAUNA_SECRET is not');
  }, 90_000);

  it('npx sls deploy without --stage is refused on the local stage, before any AWS call', async () => {
    const { code, output } = await sh('npx sls deploy', service, freshEnvironment());
    expect(code).toBe(1);
    expect(output).toContain('The local stage runs only on this machine and is never deployed (it is the default stage)');
    expect(output).not.toMatch(/credentials/i);
  }, 90_000);
});

describe('npx sls invoke local with a function that fails at init (a stand-in handler; the real CLI)', () => {
  it('exits non-zero with the error, its class name kept, although the function left a timer running', async () => {
    const service = await serviceCopy('fails-at-init');
    // The stand-in keeps the event loop alive the way an open client or server would, then throws while loading.
    await writeFile(path.join(service, 'handlers/pre-token-generation.ts'), [
      'class InitFailure extends Error {}',
      'setInterval(() => undefined, 1000);',
      "throw new InitFailure('failed at init on purpose');",
      'export const handler = async (event: unknown) => event;',
      '',
    ].join('\n'));
    const { code, output } = await sh(INVOKE, service, freshEnvironment());
    expect(code).toBe(1);
    expect(output).toContain('InitFailure');
    expect(output).toContain('failed at init on purpose');
    expect(output).toContain('Exception encountered when loading');
  }, 90_000);
});
