/**
 * A small HTTP proxy between cognito-local and serverless-offline's Lambda endpoint, in this process.
 *
 * It exists for one deviation of cognito-local from Amazon Cognito: cognito-local sends every trigger event with
 * `"region": "local"`, where Cognito sends the pool's AWS region (e.g. `us-east-1`). The service validates the
 * event as Cognito sends it and rightly refuses `local`, so the proxy puts a real region in before the event
 * reaches the function. It also records which trigger sources were invoked (never the payloads, which carry the
 * user's email), so tests can see that a refresh really ran the trigger.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { LOOPBACK_HOST } from './free-port.ts';

/** The region written into events; serverless.yml's default region. */
export const DEFAULT_EVENT_REGION = 'us-east-1';
/** cognito-local's fixed `region` value (services/lambda.js `createLambdaEvent`). */
export const COGNITO_LOCAL_REGION = 'local';

/**
 * Longer than any client's idle keep-alive (Node's agents close idle sockets after 5 s), so that cognito-local,
 * not the proxy, always closes an idle connection, and never one it is about to send on.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Response headers not copied from serverless-offline: the proxy sends the body whole, with its own framing. */
const HOP_BY_HOP_HEADERS = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'content-encoding']);

/** One call of a trigger, as seen by the proxy. */
export interface TriggerInvocation {
  /** The Lambda function name from the invoke path. */
  functionName: string;
  /** The event's `triggerSource`, e.g. `TokenGeneration_RefreshTokens`. */
  triggerSource: string | undefined;
  /** serverless-offline's HTTP status. */
  status: number;
  /** The Lambda's `X-Amz-Function-Error` (`Unhandled` when the handler threw), if any. */
  functionError: string | undefined;
}

export interface TriggerProxy {
  /** The Lambda endpoint to give cognito-local. */
  url: string;
  /** Every invocation so far, oldest first. */
  invocations(): readonly TriggerInvocation[];
  /** Points the proxy at serverless-offline once it runs (it starts after cognito-local has made the stack's pool). */
  retarget(target: string): void;
  stop(): Promise<void>;
}

export interface TriggerProxyOptions {
  /** serverless-offline's Lambda endpoint; may be given later with `retarget`. */
  target?: string;
  /** Default {@link DEFAULT_EVENT_REGION}. */
  region?: string;
}

/**
 * Starts the proxy on a free port of 127.0.0.1.
 *
 * @example
 * const proxy = await startTriggerProxy({ target: offline.lambdaEndpoint });
 * // configure cognito-local's LambdaClient.endpoint = proxy.url
 */
export async function startTriggerProxy(options: TriggerProxyOptions): Promise<TriggerProxy> {
  const region = options.region ?? DEFAULT_EVENT_REGION;
  const invocations: TriggerInvocation[] = [];
  let target = options.target;
  const server = createServer((request, response) => {
    const forwarding = target === undefined
      ? Promise.reject(new Error('serverless offline is not started yet'))
      : forward(request, response, target, region, invocations);
    forwarding.catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: `Trigger proxy could not reach serverless offline: ${error instanceof Error ? error.message : String(error)}` }));
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const port = await listen(server);
  return {
    url: `http://${LOOPBACK_HOST}:${port}`,
    invocations: () => [...invocations],
    retarget: (next) => {
      target = next;
    },
    stop: () => close(server),
  };
}

async function forward(
  request: IncomingMessage,
  response: ServerResponse,
  target: string,
  region: string,
  invocations: TriggerInvocation[],
): Promise<void> {
  const body = withRegion(await readBody(request), region);
  const upstream = await send(new URL(request.url ?? '/', target), request.method ?? 'POST', request.headers['content-type'], body.text);
  const functionError = headerValue(upstream.headers['x-amz-function-error']);
  invocations.push({ functionName: functionNameOf(request.url), triggerSource: body.triggerSource, status: upstream.status, functionError });
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value !== undefined && !HOP_BY_HOP_HEADERS.has(name)) headers[name] = value;
  }
  response.writeHead(upstream.status, headers);
  response.end(upstream.body);
}

interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One request to serverless-offline on a fresh connection (`agent: false`): a pooled keep-alive socket can be
 * closed by the server just as a request goes out on it, and a trigger call must not fail for that.
 */
function send(url: URL, method: string, contentType: string | undefined, body: string): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(url, { method, agent: false, headers: { 'content-type': contentType ?? 'application/json' } }, (answer) => {
      readBody(answer).then(
        (text) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.from(text, 'utf8') }),
        reject,
      );
    });
    upstream.once('error', reject);
    upstream.end(method === 'GET' || method === 'HEAD' ? undefined : body);
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Replaces cognito-local's `region: "local"`; any other body passes through untouched. */
function withRegion(text: string, region: string): { text: string; triggerSource: string | undefined } {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    return { text, triggerSource: undefined };
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return { text, triggerSource: undefined };
  const record = event as Record<string, unknown>;
  const triggerSource = typeof record.triggerSource === 'string' ? record.triggerSource : undefined;
  if (record.region !== COGNITO_LOCAL_REGION) return { text, triggerSource };
  return { text: JSON.stringify({ ...record, region }), triggerSource };
}

/** `/2015-03-31/functions/<name>/invocations` → `<name>`. */
function functionNameOf(path: string | undefined): string {
  const match = /\/functions\/([^/]+)\//.exec(path ?? '');
  return match?.[1] === undefined ? '' : decodeURIComponent(match[1]);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK_HOST, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
