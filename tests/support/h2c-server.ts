/**
 * An HTTP/2 cleartext server on 127.0.0.1 (free port) that can be stopped at once: http2 servers do not list their
 * sessions, and a held-open stream (a hung fault, a pending forward) would keep `close()` waiting, so the sessions are
 * tracked here and destroyed on stop. The fault injector and the recording proxy are both built on it.
 */
import { createServer, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface H2cServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts the server; `onStream` handles every request stream (stream errors are the handler's to expect or ignore). */
export async function startH2cServer(
  onStream: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void,
  onStop: () => void = () => undefined,
): Promise<H2cServer> {
  const server = createServer();
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined); // a client may reset a stream it gave up on; that is expected here
    onStream(stream, headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.destroy();
        onStop();
      }),
  };
}
