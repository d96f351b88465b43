/**
 * An SSM emulator for tests: a small HTTP server on 127.0.0.1:0 that speaks AWS JSON 1.1 for `GetParameters`
 * (SecureStrings, decrypted only when asked), records every request, and can be told to answer with an SSM error
 * body or to accept requests and never answer. Not the real service: only what the trigger's client uses.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SsmFault =
  | { kind: 'error'; status: number; type: string; message: string }
  /** AWS's XML error form (`<ErrorResponse><Error><Code>…`), as some emulators and proxies answer. */
  | { kind: 'xml-error'; status: number; type: string; message: string }
  | { kind: 'hang' };

export interface RecordedSsmRequest {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface SsmEmulator {
  url: string;
  requests: RecordedSsmRequest[];
  /** Every later request gets this answer (null: answer normally). */
  setFault(fault: SsmFault | null): void;
  stop(): Promise<void>;
}

const JSON_11 = 'application/x-amz-json-1.1';

/** What SSM returns for a SecureString read without decryption: the ciphertext, never the value. */
export const encrypted = (value: string): string => `AQICAHh${Buffer.from(value).toString('base64')}`;

export async function startSsmEmulator(parameters: Record<string, string>): Promise<SsmEmulator> {
  const requests: RecordedSsmRequest[] = [];
  let fault: SsmFault | null = null;
  const hanging = new Set<ServerResponse>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      requests.push({ headers: request.headers, body });
      if (fault?.kind === 'hang') {
        hanging.add(response);
        return;
      }
      if (fault?.kind === 'xml-error') {
        response.writeHead(fault.status, { 'content-type': 'text/xml', 'x-amzn-requestid': `emulator-${requests.length}` });
        response.end(`<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type><Code>${fault.type}</Code><Message>${fault.message.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}</Message></Error><RequestId>emulator-${requests.length}</RequestId></ErrorResponse>`);
        return;
      }
      if (fault?.kind === 'error') {
        response.writeHead(fault.status, { 'content-type': JSON_11, 'x-amzn-requestid': `emulator-${requests.length}` });
        response.end(JSON.stringify({ __type: `com.amazonaws.ssm#${fault.type}`, message: fault.message }));
        return;
      }
      const target = String(request.headers['x-amz-target'] ?? '');
      if (target !== 'AmazonSSM.GetParameters' || !String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=')) {
        response.writeHead(400, { 'content-type': JSON_11 });
        response.end(JSON.stringify({ __type: 'UnknownOperationException', message: `the SSM emulator does not implement ${target} (or the request is unsigned)` }));
        return;
      }
      const names = Array.isArray(body.Names) ? body.Names.map(String) : [];
      const found = names.filter((name) => name in parameters);
      response.writeHead(200, { 'content-type': JSON_11, 'x-amzn-requestid': `emulator-${requests.length}` });
      response.end(
        JSON.stringify({
          Parameters: found.map((name) => ({
            Name: name,
            Type: 'SecureString',
            Value: body.WithDecryption === true ? parameters[name] : encrypted(parameters[name]!),
            Version: 1,
            DataType: 'text',
          })),
          InvalidParameters: names.filter((name) => !(name in parameters)),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFault: (next) => (fault = next),
    async stop() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
