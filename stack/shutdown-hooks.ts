/**
 * Process-wide hooks that stop what the local stack started when this process is interrupted or exits.
 * Installed while at least one stack is running and removed after the last one stops, so a process that no
 * longer runs a stack keeps Node's default signal behaviour.
 */

/** Stops something asynchronously (a whole stack) on SIGINT or SIGTERM. */
export type AsyncStopper = () => Promise<void>;
/** Kills something synchronously (a process group) when the process exits; async work cannot run then. */
export type SyncKiller = () => void;

const TERMINATION_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type TerminationSignal = (typeof TERMINATION_SIGNALS)[number];

const stoppers = new Set<AsyncStopper>();
const killers = new Set<SyncKiller>();
let installed = false;

function killAllNow(): void {
  for (const kill of killers) {
    try {
      kill();
    } catch {
      // Exiting anyway: one failed kill must not keep the others from running.
    }
  }
}

async function onTerminationSignal(signal: TerminationSignal): Promise<void> {
  await Promise.allSettled([...stoppers].map((stop) => stop()));
  killAllNow();
  uninstall();
  // Re-raise so the process ends the way the signal asked (exit status 128+n) unless someone else handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

const signalListeners = new Map<TerminationSignal, () => void>(
  TERMINATION_SIGNALS.map((signal) => [signal, () => void onTerminationSignal(signal)]),
);

function install(): void {
  if (installed) return;
  installed = true;
  for (const [signal, listener] of signalListeners) process.once(signal, listener);
  process.on('exit', killAllNow);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const [signal, listener] of signalListeners) process.removeListener(signal, listener);
  process.removeListener('exit', killAllNow);
}

function uninstallWhenIdle(): void {
  if (stoppers.size === 0 && killers.size === 0) uninstall();
}

/** Registers a stopper for SIGINT/SIGTERM; returns the function that unregisters it. */
export function onTermination(stop: AsyncStopper): () => void {
  stoppers.add(stop);
  install();
  return () => {
    stoppers.delete(stop);
    uninstallWhenIdle();
  };
}

/** Registers a synchronous last-resort killer for process exit (and after a signal); returns its unregister function. */
export function onExit(kill: SyncKiller): () => void {
  killers.add(kill);
  install();
  return () => {
    killers.delete(kill);
    uninstallWhenIdle();
  };
}
