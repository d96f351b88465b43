import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = new URL('../../../', import.meta.url).pathname;
const node = path.join(root, 'node_modules', '.bin', 'node');
const entryModule = path.join(root, 'handlers', 'pre-token-generation.ts');

/** Loads the Lambda entry module in a fresh Node process, as a cold start does, with exactly `env`. */
function coldStart(env: Record<string, string>): { status: number | null; output: string } {
  const run = spawnSync(node, ['--input-type=module', '-e', `await import(${JSON.stringify(entryModule)}); console.log('loaded');`], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the Lambda entry module at cold start (real module load, no stubs)', () => {
  it('loads with a valid local configuration', () => {
    // Act
    const result = coldStart({ STAGE: 'local', FAUNA_ENDPOINT: 'http://127.0.0.1:8443', FAUNA_SECRET: 'fnAcoldStartCheckKey0000', USER_POOL_IDS: 'local_Abc123' });

    // Assert
    expect(result.output).toContain('loaded');
    expect(result.status).toBe(0);
  });

  it('refuses to start without FAUNA_ENDPOINT and says how to set it', () => {
    // Act
    const result = coldStart({ STAGE: 'dev', FAUNA_SECRET_PARAMETER: '/cognito-fauna/dev/fauna-secret' });

    // Assert
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('FAUNA_ENDPOINT is not set');
    expect(result.output).toContain('serverless.yml');
  });

  it('refuses to start on a deployed stage given FAUNA_SECRET, without printing the key', () => {
    // Arrange
    const key = 'fnAmustNotBePrintedAnywhere00';

    // Act
    const result = coldStart({ STAGE: 'prod', FAUNA_ENDPOINT: 'https://fauna.internal', FAUNA_SECRET_PARAMETER: '/p', FAUNA_SECRET: key });

    // Assert
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('only the local stage may take the Fauna key from the environment');
    expect(result.output).not.toContain(key);
  });
});
