import getPort from 'get-port';

/** The only address the local stack binds: nothing it starts is reachable from another machine. */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * `count` distinct free TCP ports on `host`, from `get-port` (which asks the OS for port 0 and keeps the ports it
 * handed out locked for a while, so two calls in a row never return the same port).
 *
 * Some tools of the stack (serverless-offline, cognito-local) must be told their port up front and cannot
 * report one the OS chose, so there is a short window in which another process could take the port; callers
 * retry the start on fresh ports when that happens (see {@link startWithPortRetry}).
 */
export async function findFreePorts(count: number, host: string = LOOPBACK_HOST): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await getPort({ host, exclude: ports });
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

/** One free TCP port on `host`; see {@link findFreePorts}. */
export async function findFreePort(host: string = LOOPBACK_HOST): Promise<number> {
  return getPort({ host });
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
