/**
 * The deployed artefact itself: the handler bundled with serverless.yml's `custom.esbuild` options (the SSM SDK
 * aliased to shims/aws-sdk-client-ssm/index.ts) into a temporary folder outside the repository, run in fresh Node processes
 * against the real local Fauna endpoint and an SSM emulator on 127.0.0.1:0 (not the real SSM). Nothing is stubbed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import type { PreTokenGenerationEvent } from '../../../lib/sign-in/cognito-event.ts';
import { serverlessEsbuildOptions, SERVICE_DIR } from '../../../tools/esbuild-options.ts';
import { captureText } from '../../helpers/log-capture.ts';
import { type EvidenceFauna, startEvidenceFauna } from '../../helpers/local-fauna.ts';
import { grantedClaims, signInEvent } from '../../helpers/service.ts';
import type { BundleChildReport } from './helpers/bundle-child.ts';
import { type SsmEmulator, startSsmEmulator } from './helpers/ssm-emulator.ts';

const PARAMETER = '/cognito-fauna/bundle/fauna-secret';
/** The served user pool id, as the stack writes it (a String parameter, read in the same call as the key). */
const POOL_PARAMETER = '/cognito-fauna/bundle/user-pool-id';
const SERVED_POOL_ID = 'us-east-1_Example1';
const CHILD = join(SERVICE_DIR, 'tests', 'integration', 'aws', 'helpers', 'bundle-child.ts');

let buildDir: string;
let bundleFile: string;
let metafile: Metafile;
let fauna: EvidenceFauna;

/** Runs the bundle in a fresh process with a Lambda-like environment; its log lines go to the secrets audit. */
function runContainer(ssm: SsmEmulator, events: PreTokenGenerationEvent[]): Promise<{ reports: BundleChildReport[]; logs: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [bundleFile, JSON.stringify(events)], {
      env: {
        PATH: process.env.PATH,
        NODE_OPTIONS: '',
        STAGE: 'bundle',
        FAUNA_ENDPOINT: fauna.url,
        FAUNA_SECRET_PARAMETER: PARAMETER,
        USER_POOL_ID_PARAMETER: POOL_PARAMETER,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'ASIABUNDLETEST',
        AWS_SECRET_ACCESS_KEY: 'bundle-test-secret',
        AWS_SESSION_TOKEN: 'bundle-test-session',
        AWS_ENDPOINT_URL_SSM: ssm.url,
        AWS_LAMBDA_FUNCTION_NAME: 'cognito-fauna-bundle-preTokenGeneration',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let logs = '';
    let reports: BundleChildReport[] | undefined;
    child.stdout!.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
    child.on('message', (message) => (reports = message as BundleChildReport[]));
    child.on('error', reject);
    child.on('exit', (code) => {
      captureText('bundled handler (child process)', logs);
      if (reports) resolve({ reports, logs });
      else reject(new Error(`bundle child exited ${code} without a report: ${logs.slice(-2000)}`));
    });
  });
}

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), 'cognito-fauna-bundle-'));
  bundleFile = join(buildDir, 'preTokenGeneration.mjs');
  const result = await build({
    ...serverlessEsbuildOptions(),
    entryPoints: [join(SERVICE_DIR, 'handlers', 'pre-token-generation.ts')],
    outfile: bundleFile,
    metafile: true,
    logLevel: 'error',
  });
  metafile = result.metafile;
  fauna = await startEvidenceFauna();
}, 60_000);

afterAll(async () => {
  await fauna?.stop();
  rmSync(buildDir, { recursive: true, force: true });
});

describe('the bundled handler, as packaged (real bundle in a fresh process; local Fauna; SSM emulator)', () => {
  it('contains the SSM stand-in signed by aws4 and neither contains nor imports any part of the AWS SDK', () => {
    // Act
    const inputs = Object.keys(metafile.inputs);
    const text = readFileSync(bundleFile, 'utf8');

    // Assert
    expect(inputs).toContain('shims/aws-sdk-client-ssm/index.ts');
    expect(inputs).toContain('node_modules/aws4/aws4.js');
    expect(inputs.filter((input) => input.includes('@aws-sdk/') || input.includes('@smithy/'))).toEqual([]);
    expect(text).not.toMatch(/["']@aws-sdk\//);
  });

  it('grants a working Fauna secret on sign-in and reads SSM once across several invocations', async () => {
    // Arrange
    const ssm = await startSsmEmulator({ [PARAMETER]: fauna.triggerKey, [POOL_PARAMETER]: SERVED_POOL_ID });
    const events = [signInEvent('bundle-user-1', 'bundle.one@example.com'), signInEvent('bundle-user-1', 'bundle.one@example.com'), signInEvent('bundle-user-2', 'bundle.two@example.com')];

    // Act
    let run;
    try {
      run = await runContainer(ssm, events);
    } finally {
      await ssm.stop();
    }

    // Assert
    expect(run.reports.map((report) => report.ok)).toEqual([true, true, true]);
    const claims = run.reports.map((report) => grantedClaims((report as { response: PreTokenGenerationEvent }).response));
    for (const claim of claims) {
      expect(claim.secret).toMatch(/^fn/);
      expect(await fauna.identityOf(claim.secret!)).toBe(claim.userId);
    }
    expect(claims[0]!.userId).toBe(claims[1]!.userId);
    expect(claims[2]!.userId).not.toBe(claims[0]!.userId);
    expect(ssm.requests).toHaveLength(1);
    expect([...(ssm.requests[0]!.body.Names as string[])].sort()).toEqual([PARAMETER, POOL_PARAMETER].sort());
    expect(ssm.requests[0]!.headers.authorization).toContain('Credential=ASIABUNDLETEST/');
    expect(ssm.requests[0]!.headers['x-amz-security-token']).toBe('bundle-test-session');
    expect(run.logs).toContain('Sign-in granted a Fauna token');
  });

  it('fails closed when SSM denies access and logs a line naming AccessDeniedException', async () => {
    // Arrange
    const ssm = await startSsmEmulator({ [PARAMETER]: fauna.triggerKey, [POOL_PARAMETER]: SERVED_POOL_ID });
    ssm.setFault({ kind: 'error', status: 400, type: 'AccessDeniedException', message: 'User is not authorized to perform: ssm:GetParameters' });

    // Act
    let run;
    try {
      run = await runContainer(ssm, [signInEvent('bundle-user-3', 'bundle.three@example.com')]);
    } finally {
      await ssm.stop();
    }

    // Assert
    expect(run.reports[0]).toMatchObject({ ok: false });
    const failure = run.logs.split('\n').find((line) => line.includes('"Sign-in failed"'));
    expect(failure).toBeDefined();
    expect(JSON.parse(failure!).error).toMatchObject({ name: 'SecretUnavailableError', cause: 'AccessDeniedException' });
  });

  it('refuses an event from a user pool the stage does not serve (pool id read from SSM with the key), before any Fauna call', async () => {
    // Arrange
    const ssm = await startSsmEmulator({ [PARAMETER]: fauna.triggerKey, [POOL_PARAMETER]: SERVED_POOL_ID });
    const foreign = signInEvent('bundle-user-4', 'bundle.four@example.com');
    foreign.userPoolId = 'us-east-1_SomeoneElse';
    const before = (await fauna.customers()).length;

    // Act
    let run;
    try {
      run = await runContainer(ssm, [foreign]);
    } finally {
      await ssm.stop();
    }

    // Assert
    expect(run.reports[0]).toMatchObject({ ok: false, name: 'SignInRejectedError' });
    const failure = run.logs.split('\n').find((line) => line.includes('"Sign-in failed"'));
    expect(JSON.parse(failure!).error).toMatchObject({ name: 'ForeignUserPoolError' });
    expect((await fauna.customers()).length).toBe(before);
  });
});
