/**
 * A fake SSM endpoint for the benchmark's child processes (aws-sdk-client-mock cannot reach into another process):
 * it answers `GetParameters` in the AWS JSON 1.1 protocol with one SecureString, and counts the requests, so the
 * benchmark can show that a warm invocation makes none. Set `AWS_ENDPOINT_URL_SSM` to its URL. Binds 127.0.0.1:0;
 * over HTTPS when given a certificate (the client then needs it in `NODE_EXTRA_CA_CERTS`).
 */
import { createServer, type RequestListener } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface FakeSsm {
  url: string;
  /** GetParameters requests received so far. */
  requests(): number;
  stop(): Promise<void>;
}

/** A certificate for 127.0.0.1, so the fake answers over HTTPS like SSM (the TLS setup is part of a cold start). */
export interface FakeSsmTls {
  key: string;
  cert: string;
}

export async function startFakeSsm(parameters: Record<string, string>, tls?: FakeSsmTls): Promise<FakeSsm> {
  let received = 0;
  const listener: RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      if (target !== 'AmazonSSM.GetParameters') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'UnknownOperationException', message: `fake SSM does not implement ${target}` }));
        return;
      }
      received++;
      const { Names = [] } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { Names?: string[] };
      const found = Names.filter((name) => name in parameters);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify({
          Parameters: found.map((name) => ({ Name: name, Type: 'SecureString', Value: parameters[name], Version: 1, DataType: 'text' })),
          InvalidParameters: Names.filter((name) => !(name in parameters)),
        }),
      );
    });
  };
  const server = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests: () => received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
