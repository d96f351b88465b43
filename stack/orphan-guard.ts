/**
 * Preloaded (`node --import`) into every process the local stack starts. The stack holds the write end of the
 * process's stdin pipe; when the stack's own process dies without a chance to clean up (SIGKILL, a crashed
 * test worker), the pipe closes and this guard kills the process's whole group, so no server is left behind.
 */
import { isMainThread } from 'node:worker_threads';

function killOwnProcessGroup(): void {
  try {
    // Started detached, this process leads its own group: the negative pid reaches it and every descendant.
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    process.exit(1);
  }
}

// Worker threads (serverless-offline runs handlers in them) have no stdin of their own to watch.
if (isMainThread && !process.stdin.isTTY) {
  process.stdin.on('end', killOwnProcessGroup);
  process.stdin.on('error', killOwnProcessGroup);
  process.stdin.resume();
  // Watching must not keep a process alive that would otherwise exit by itself (a CLI printing an error).
  (process.stdin as { unref?: () => void }).unref?.();
}
