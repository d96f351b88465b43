import { createServer } from 'node:net';
import type { Server } from 'node:net';

/** The only address the local stack binds: nothing it starts is reachable from another machine. */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * Asks the OS for `count` distinct free TCP ports on `host`: listens on port 0 that many times at once (so no
 * port comes back twice), then closes again.
 *
 * Some tools of the stack (serverless-offline, cognito-local) must be told their port up front and cannot
 * report one the OS chose, so there is a short window in which another process could take the port; callers
 * retry the start on fresh ports when that happens (see {@link startWithPortRetry}).
 */
export async function findFreePorts(count: number, host: string = LOOPBACK_HOST): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      servers.push(server);
      ports.push(await listenOnAnyPort(server, host));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** One free TCP port on `host`; see {@link findFreePorts}. */
export async function findFreePort(host: string = LOOPBACK_HOST): Promise<number> {
  const [port] = await findFreePorts(1, host);
  return port ?? 0;
}

function listenOnAnyPort(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      if (port > 0) resolve(port);
      else reject(new Error(`The OS returned no port for ${host}`));
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
