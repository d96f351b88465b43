/**
 * stack/free-port.ts over get-port: distinct ports that are free to bind on the loopback address (real sockets).
 */
import { createServer } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { findFreePort, findFreePorts, LOOPBACK_HOST } from '../../../stack/free-port.ts';

const bind = (port: number) =>
  new Promise<() => Promise<void>>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, LOOPBACK_HOST, () => resolve(() => new Promise((done) => server.close(() => done()))));
  });

describe('free ports for the local stack (get-port)', () => {
  it('returns the asked number of distinct ports, each of which can then be bound on 127.0.0.1', async () => {
    // Act
    const ports = await findFreePorts(4);

    // Assert
    expect(new Set(ports).size).toBe(4);
    const closers = await Promise.all(ports.map(bind));
    await Promise.all(closers.map((close) => close()));
  });

  it('does not hand out a port that was just handed out, even before it is bound', async () => {
    // Act
    const first = await findFreePort();
    const second = await findFreePort();

    // Assert
    expect(first).toBeGreaterThan(0);
    expect(second).not.toBe(first);
  });
});
