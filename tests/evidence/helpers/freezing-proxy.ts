/**
 * A TCP proxy that can play what a NAT or load balancer does to a Lambda container's connection while the container is
 * frozen: `freezeExisting()` makes every connection open at that moment a black hole (bytes in either direction are
 * swallowed, nothing is closed, no RST), while connections opened afterwards are forwarded normally.
 */
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface FreezingProxy {
  url: string;
  /** Connections accepted so far. */
  connections(): number;
  /** Turns every connection open now into a silent black hole. */
  freezeExisting(): void;
  stop(): Promise<void>;
}

export async function startFreezingProxy(target: URL): Promise<FreezingProxy> {
  const open = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  let accepted = 0;
  const server = createServer((client) => {
    accepted++;
    const upstream = connect(Number(target.port), target.hostname);
    const link = { client, upstream, frozen: false };
    open.add(link);
    client.on('data', (chunk) => {
      if (!link.frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!link.frozen) client.write(chunk);
    });
    const end = () => {
      open.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', () => {
      // A frozen link stays silent even when the far end goes away: that is the fault.
      if (!link.frozen) end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => accepted,
    freezeExisting() {
      for (const link of open) link.frozen = true;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const link of open) {
          link.client.destroy();
          link.upstream.destroy();
        }
        open.clear();
        server.close(() => resolve());
      }),
  };
}
