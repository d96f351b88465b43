/**
 * The process handling of the local stack (`stack/`), with real child processes: readiness, stopping a
 * whole process group, failing loudly, no orphans when the owner dies, and free ports so that stacks can run
 * side by side.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startCognitoLocal } from '../../stack/cognito-local.ts';
import { LocalStackStartError } from '../../stack/errors.ts';
import { startWithPortRetry } from '../../stack/free-port.ts';
import { startNodeProcess } from '../../stack/node-process.ts';
import { isRunning, waitUntilGone } from './helpers/processes.ts';

const HELPERS = fileURLToPath(new URL('./helpers/', import.meta.url));
const GONE_WITHIN_MS = 10_000;

interface IdlePids {
  pid: number;
  helperPid: number;
}

function parsePids(line: string): IdlePids {
  return JSON.parse(line) as IdlePids;
}

/** Starts `helpers/stack-owner.ts` and waits for the pids of the idle process it started. */
async function startOwner(args: string[], env: Record<string, string> = {}): Promise<{ owner: ChildProcess; pids: IdlePids }> {
  const owner = spawn(process.execPath, [join(HELPERS, 'stack-owner.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const pidsLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: owner.stdout! }).on('line', (line) => {
      if (line.includes('"ready"')) resolve(line);
    });
    owner.once('exit', (code) => reject(new Error(`the owner exited early (code ${code})`)));
  });
  return { owner, pids: parsePids(pidsLine) };
}

describe('local stack processes', () => {
  it('reports a process ready on its ready line, and stop() ends it together with the helper it started', async () => {
    // Arrange
    let pidsLine = '';
    const child = await startNodeProcess({
      name: 'idle process',
      args: [join(HELPERS, 'idle-process.ts')],
      cwd: HELPERS,
      env: process.env,
      isReady: (line) => {
        if (line.includes('"ready"')) pidsLine = line;
        return pidsLine !== '';
      },
    });
    const pids = parsePids(pidsLine);
    const runningBeforeStop = [pids.pid, pids.helperPid].filter(isRunning);

    // Act
    await child.stop();

    // Assert
    expect(runningBeforeStop).toEqual([pids.pid, pids.helperPid]);
    expect(await waitUntilGone([pids.pid, pids.helperPid], GONE_WITHIN_MS)).toEqual([]);
  });

  it('fails with a LocalStackStartError that carries the output when the process exits before it is ready', async () => {
    // Arrange
    const start = startNodeProcess({
      name: 'failing process',
      args: [join(HELPERS, 'fails-at-start.ts')],
      cwd: HELPERS,
      env: process.env,
      isReady: () => false,
    });

    // Act
    const error = await start.catch((caught: unknown) => caught);

    // Assert
    expect(error).toBeInstanceOf(LocalStackStartError);
    expect((error as LocalStackStartError).message).toContain('failing process exited (code 3) before it was ready');
    expect((error as LocalStackStartError).output).toContain('Error: functions.preTokenGeneration.handler points to a missing file');
  });

  it('ends a started process group when its owner is killed without stopping it (orphan guard)', async () => {
    // Arrange
    const { owner, pids } = await startOwner([]);

    // Act
    owner.kill('SIGKILL');

    // Assert
    expect(await waitUntilGone([pids.pid, pids.helperPid], GONE_WITHIN_MS)).toEqual([]);
  });

  it('stops the started processes gracefully on SIGTERM of their owner, which then ends by that signal', async () => {
    // Arrange
    const noteDir = await mkdtemp(join(tmpdir(), 'stack-owner-'));
    const noteFile = join(noteDir, 'term-note');
    const { owner, pids } = await startOwner(['--stop-on-signal'], { TERM_NOTE_FILE: noteFile });
    const ownerExit = new Promise<NodeJS.Signals | null>((resolve) => owner.once('exit', (_code, signal) => resolve(signal)));

    try {
      // Act
      owner.kill('SIGTERM');
      const signal = await ownerExit;

      // Assert
      expect(signal).toBe('SIGTERM');
      expect(await readFile(noteFile, 'utf8')).toBe('stopped by SIGTERM');
      expect(await waitUntilGone([pids.pid, pids.helperPid], GONE_WITHIN_MS)).toEqual([]);
    } finally {
      await rm(noteDir, { recursive: true, force: true });
    }
  });

  it('runs two cognito-local instances at once, each on a free port of 127.0.0.1 with its own data folder', async () => {
    // Arrange
    const dataRoot = await mkdtemp(join(tmpdir(), 'cognito-local-pair-'));
    const options = (name: string) => ({
      dataDir: join(dataRoot, name),
      lambdaEndpoint: 'http://127.0.0.1:9',
      preTokenGenerationFunction: 'unused-local-preTokenGeneration',
    });
    const started = await Promise.allSettled([startCognitoLocal(options('a')), startCognitoLocal(options('b'))]);

    try {
      // Act
      const [first, second] = started.map((result) => {
        if (result.status === 'rejected') throw result.reason;
        return result.value;
      });
      const health = await Promise.all([first, second].map(async (cognito) => (await fetch(`${cognito!.url}/health`)).json()));

      // Assert
      expect(first!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(second!.url).not.toBe(first!.url);
      expect(health).toEqual([{ ok: true }, { ok: true }]);
    } finally {
      await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
      await rm(dataRoot, { recursive: true, force: true });
    }
  });

  it('starts again on fresh ports after a port conflict, but not after any other failure', async () => {
    // Arrange
    const portConflict = new LocalStackStartError('lost the port', { output: ['Error: listen EADDRINUSE: address already in use'] });
    const badConfig = new LocalStackStartError('bad config', { output: ['Error: invalid serverless.yml'] });
    const isPortConflict = (error: unknown) => error instanceof LocalStackStartError && error.output.some((line) => line.includes('EADDRINUSE'));
    let conflictAttempts = 0;
    let badConfigAttempts = 0;

    // Act
    const afterConflict = await startWithPortRetry(async () => {
      conflictAttempts += 1;
      if (conflictAttempts === 1) throw portConflict;
      return 'started';
    }, isPortConflict);
    const afterBadConfig = await startWithPortRetry(async () => {
      badConfigAttempts += 1;
      throw badConfig;
    }, isPortConflict).catch((error: unknown) => error);

    // Assert
    expect(afterConflict).toBe('started');
    expect(conflictAttempts).toBe(2);
    expect(afterBadConfig).toBe(badConfig);
    expect(badConfigAttempts).toBe(1);
  });
});
