import { createServer } from 'node:net';

/** The only address the local stack binds: nothing it starts is reachable from another machine. */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * Asks the OS for a free TCP port on `host` by listening on port 0 and closing again.
 *
 * Some tools of the stack (serverless-offline, cognito-local) must be told their port up front and cannot
 * report one the OS chose, so there is a short window in which another process could take the port; callers
 * retry the start on a fresh port when that happens (see `startWithPortRetry`).
 */
export async function findFreePort(host: string = LOOPBACK_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`The OS returned no port for ${host}`))));
    });
  });
}

/** How many times a process that lost its port to another process is started again on a fresh port. */
export const DEFAULT_PORT_ATTEMPTS = 3;

/**
 * Runs `start` with freshly chosen ports until it succeeds or `attempts` are used up. Only failures that
 * `isPortConflict` recognises are retried; anything else is thrown at once.
 */
export async function startWithPortRetry<T>(
  start: () => Promise<T>,
  isPortConflict: (error: unknown) => boolean,
  attempts: number = DEFAULT_PORT_ATTEMPTS,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= attempts || !isPortConflict(error)) throw error;
    }
  }
}
