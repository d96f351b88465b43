/** Process inspection for the local stack tests (Linux `/proc`, with a portable fallback). */
import { readFileSync } from 'node:fs';

/** Whether a process exists and is not a zombie (a killed process whose parent has not reaped it yet). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the parenthesised command name, which may itself contain spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return !process.platform.startsWith('linux');
    } catch {
      return false;
    }
  }
}

/** Polls until none of `pids` runs; resolves with those still running at the deadline (empty = all gone). */
export async function waitUntilGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = pids.filter(isRunning);
    if (running.length === 0 || Date.now() >= deadline) return running;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
