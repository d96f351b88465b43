/**
 * Starts a Node.js program as a child process in its own process group and stops the whole group again:
 * serverless-offline and cognito-local each spawn helpers (esbuild, worker threads), and none may outlive the
 * stack. See `orphan-guard.ts` for the case where this process dies before it can stop them.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stripVTControlCharacters } from 'node:util';
import { LocalStackStartError } from './errors.ts';
import { onExit } from './shutdown-hooks.ts';

/** Long enough for serverless-offline to bundle the handler on a loaded two-core machine. */
export const DEFAULT_READY_TIMEOUT_MS = 90_000;
/** How long a process may take to shut down after SIGTERM before its group gets SIGKILL. */
export const DEFAULT_STOP_GRACE_MS = 5_000;
/** Output lines kept per process, for error messages and `--verbose` style debugging. */
export const DEFAULT_OUTPUT_LINES = 200;

const ORPHAN_GUARD = new URL('./orphan-guard.ts', import.meta.url).href;

export interface NodeProcessOptions {
  /** Shown in errors, e.g. `serverless-offline`. */
  name: string;
  /** The script to run and its arguments. */
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Called with each line of output (stdout and stderr); the process is ready when it returns true. */
  isReady: (line: string) => boolean;
  /** Defaults to {@link DEFAULT_READY_TIMEOUT_MS}. */
  readyTimeoutMs?: number;
  /** Receives every output line, e.g. to echo it; output is always kept for error messages too. */
  onOutput?: (line: string) => void;
}

/** A running child process group. */
export interface NodeProcess {
  readonly pid: number;
  /** The most recent output lines, oldest first. */
  output(): readonly string[];
  /** Ends the process group (SIGTERM, then SIGKILL after the grace period); resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node <args>` (the same Node binary as this process) detached into its own process group and
 * resolves when `isReady` accepts a line of its output.
 *
 * @throws {LocalStackStartError} when the process cannot be spawned, exits before it is ready, or is not ready
 * within the timeout; the error carries its last output lines. The process group is stopped before the throw.
 */
export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const child = spawn(process.execPath, ['--import', ORPHAN_GUARD, ...options.args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    unregisterExitKill();
  });
  const unregisterExitKill = onExit(() => {
    if (!hasExited && child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  });

  const handle: NodeProcess = {
    pid: child.pid ?? -1,
    output: () => [...output],
    stop: (graceMs = DEFAULT_STOP_GRACE_MS) => stopGroup(child, exited, () => hasExited, graceMs),
  };

  try {
    await waitUntilReady(child, options, output, readyTimeoutMs);
    return handle;
  } catch (error) {
    await handle.stop();
    throw error;
  }
}

function waitUntilReady(
  child: ChildProcess,
  options: NodeProcessOptions,
  output: string[],
  readyTimeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => {
      settle(new LocalStackStartError(`${options.name} was not ready within ${readyTimeoutMs} ms.`, { output: output.slice(-40) }));
    }, readyTimeoutMs);

    const onLine = (rawLine: string): void => {
      // Both tools colour their logs; colour codes would break matching and clutter error messages.
      const line = stripVTControlCharacters(rawLine);
      output.push(line);
      if (output.length > DEFAULT_OUTPUT_LINES) output.shift();
      options.onOutput?.(line);
      if (!settled && options.isReady(line)) settle();
    };
    // Keep reading after readiness too: a child whose pipe fills up blocks on its next log line.
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
    }
    child.once('error', (error) => {
      settle(new LocalStackStartError(`Could not start ${options.name}: ${error.message}`, { output, cause: error }));
    });
    child.once('exit', (code, signal) => {
      settle(
        new LocalStackStartError(
          `${options.name} exited (${signal ?? `code ${code}`}) before it was ready.`,
          { output: output.slice(-40) },
        ),
      );
    });
  });
}

async function stopGroup(child: ChildProcess, exited: Promise<void>, hasExited: () => boolean, graceMs: number): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (!hasExited()) {
    signalGroup(pid, 'SIGTERM');
    const inTime = await Promise.race([exited.then(() => true), delay(graceMs).then(() => false)]);
    if (!inTime) {
      signalGroup(pid, 'SIGKILL');
      await exited;
    }
  }
  // The leader is gone; helpers it started in its group (esbuild) may not be.
  if (groupExists(pid)) signalGroup(pid, 'SIGKILL');
  child.stdin?.destroy();
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function groupExists(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
