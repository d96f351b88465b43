/**
 * A local stack that cannot start cleans up after itself: the error names the part that failed and shows its
 * output, the local Fauna it had already started is stopped, and its temporary files are gone.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStackStartError, REPO_ROOT, startLocalStack } from '../../stack/index.ts';

/** A service whose serverless.yml loads no serverless-offline plugin, so `serverless offline start` fails at once. */
const SERVICE_WITHOUT_OFFLINE = `service: broken
frameworkVersion: '4'
provider:
  name: aws
  runtime: nodejs22.x
functions:
  preTokenGeneration:
    handler: handlers/missing.handler
`;

describe('a local stack that fails to start', () => {
  it('throws a LocalStackStartError with serverless output, stops the local Fauna it started and removes its files', async () => {
    // Arrange
    const scratch = await mkdtemp(join(tmpdir(), 'stack-failure-'));
    const repoRoot = join(scratch, 'service');
    const tempRoot = join(scratch, 'temp');
    await Promise.all([mkdir(repoRoot), mkdir(tempRoot)]);
    await writeFile(join(repoRoot, 'serverless.yml'), SERVICE_WITHOUT_OFFLINE);
    const reports: string[] = [];

    try {
      // Act
      const error = await startLocalStack({
        repoRoot,
        schemaDir: join(REPO_ROOT, 'fauna'),
        tempRoot,
        stopOnSignal: false,
        onOutput: (source, line) => reports.push(`[${source}] ${line}`),
      }).catch((caught: unknown) => caught);

      // Assert
      expect(error).toBeInstanceOf(LocalStackStartError);
      expect((error as LocalStackStartError).message).toContain('serverless offline exited (code 1) before it was ready');
      expect((error as LocalStackStartError).output.join('\n')).toContain('command "offline start" not found');
      const faunaUrl = /local Fauna at (http:\/\/127\.0\.0\.1:\d+)/.exec(reports.join('\n'))?.[1];
      expect(faunaUrl).toBeDefined();
      await expect(fetch(`${faunaUrl}/ping`)).rejects.toThrow();
      expect(await readdir(tempRoot)).toEqual([]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
