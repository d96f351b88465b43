/**
 * A stand-in for `@aws-sdk/client-ssm` (hence the folder's name): the part of it that `@middy/ssm` uses (`SSMClient`, `GetParametersCommand`,
 * `GetParametersByPathCommand`), in one small module. The deployed bundle uses it instead of the SDK (esbuild `alias`
 * in serverless.yml `custom.esbuild`), because loading the SDK was most of the function's cold start; Jest keeps the
 * real SDK, so `aws-sdk-client-mock` still works there.
 *
 * Same behaviour where the service depends on it: SigV4-signed POST in the AWS JSON 1.1 protocol (signed by `aws4`, a
 * maintained zero-dependency signer; docs/delivery.md says why it and not `aws4fetch` or `@aws-lite`); credentials and
 * region from the Lambda environment; `AWS_ENDPOINT_URL_SSM` / `AWS_ENDPOINT_URL` honoured; the SDK's client options
 * `maxAttempts` and `requestHandler.{connectionTimeout,requestTimeout}` (always throwing on timeout); errors named as
 * the SDK names them (`ParameterNotFound`, `AccessDeniedException`, `ThrottlingException`, `TimeoutError`, …) with
 * `$fault` and `$metadata.httpStatusCode`; the SDK's standard retry of throttling and transient failures; `send`'s
 * `abortSignal` option (the request in flight is destroyed and no retry is made; the error is `AbortError`, as the SDK's).
 *
 * Not supported, because a Lambda function does not need them: credential sources other than the environment (or
 * static `credentials`), `awsClientAssumeRole`, X-Ray capture, middleware stacks, and every other SSM operation.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
// node:https comes almost free because the Fauna driver already loads node:http2; node:http would add ~15 ms to
// every cold start, so it is only loaded for a plain-http endpoint (an emulator in tests or on the local stack).
import { request as httpsRequest } from 'node:https';
import aws4 from 'aws4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present with temporary credentials, as Lambda's are. */
  sessionToken?: string;
}

/** The SDK's defaults (`@smithy/util-retry`): 3 attempts, backoff bases of 100 ms (500 ms when throttled), 20 s cap. */
export const DEFAULT_MAX_ATTEMPTS = 3;
export const RETRY_DELAY_BASE_MS = 100;
export const THROTTLING_RETRY_DELAY_BASE_MS = 500;
export const MAX_RETRY_DELAY_MS = 20_000;
/** Used when the caller sets no requestTimeout: a bound rather than the SDK's "wait forever". */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

const SIGNING_SERVICE = 'ssm';
const THROTTLING_CODES = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottledException', 'TooManyRequestsException',
  'ProvisionedThroughputExceededException', 'TransactionInProgressException', 'RequestLimitExceeded',
  'BandwidthLimitExceeded', 'LimitExceededException', 'RequestThrottled', 'SlowDown', 'PriorRequestNotComplete',
]);
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

export interface SsmClientOptions {
  region?: string;
  /** Static credentials; without them the Lambda environment's (`AWS_ACCESS_KEY_ID`, …) are used. */
  credentials?: AwsCredentials;
  endpoint?: string | URL;
  maxAttempts?: number;
  requestHandler?: { connectionTimeout?: number; requestTimeout?: number; throwOnRequestTimeout?: boolean };
}

export interface ResponseMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts: number;
}

/** An error answer of SSM, or a failure on the way there, named like the SDK's (`error.name` is SSM's error code). */
export class SsmServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: ResponseMetadata;
  /** SSM's own error type, as the SDK copies it from the body (`@middy/util` looks at it). */
  readonly __type: string | undefined;

  constructor(code: string, message: string, metadata: ResponseMetadata, options?: ErrorOptions) {
    super(message, options);
    this.name = code;
    this.$fault = (metadata.httpStatusCode ?? 0) >= 500 ? 'server' : 'client';
    this.$metadata = metadata;
    this.__type = metadata.httpStatusCode === undefined ? undefined : code;
  }
}

abstract class SsmCommand<Input extends object> {
  abstract readonly operation: string;
  readonly input: Input;
  constructor(input: Input) {
    this.input = input;
  }
}

export class GetParametersCommand extends SsmCommand<{ Names: string[]; WithDecryption?: boolean }> {
  readonly operation = 'GetParameters';
}

export class GetParametersByPathCommand extends SsmCommand<{ Path: string; NextToken?: string; Recursive?: boolean; WithDecryption?: boolean }> {
  readonly operation = 'GetParametersByPath';
}

interface HttpAnswer { status: number; headers: IncomingMessage['headers']; body: string }

/** Sends SSM API calls; one instance per container, as `@middy/ssm` creates it. */
export class SSMClient {
  readonly #options: SsmClientOptions;

  constructor(options: SsmClientOptions = {}) {
    this.#options = options;
  }

  /**
   * Sends `command`; resolves with SSM's JSON answer plus `$metadata`, rejects with an {@link SsmServiceError}, or with
   * an `AbortError` once `options.abortSignal` is aborted (at once, whatever SSM is sending).
   */
  async send(command: SsmCommand<object>, options: SendOptions = {}): Promise<Record<string, unknown> & { $metadata: ResponseMetadata }> {
    const maxAttempts = Math.max(1, this.#options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    const signal = options.abortSignal;
    for (let attempt = 1; ; attempt++) {
      try {
        if (signal?.aborted) throw abortError(signal);
        const answer = await this.#attempt(command, signal);
        const metadata = { httpStatusCode: answer.status, requestId: header(answer.headers, 'x-amzn-requestid'), attempts: attempt };
        if (answer.status >= 200 && answer.status < 300) return { ...parseJson(answer.body), $metadata: metadata };
        throw errorFromAnswer(answer, metadata);
      } catch (error) {
        if (attempt >= maxAttempts || !isRetryable(error) || signal?.aborted) throw withAttempts(signal?.aborted ? abortError(signal) : error, attempt);
        await sleep(retryDelayMs(error, attempt), signal);
      }
    }
  }

  /** Nothing to release: requests go through Node's global agent. Present because the SDK's client has it. */
  destroy(): void {}

  async #attempt(command: SsmCommand<object>, signal: AbortSignal | undefined): Promise<HttpAnswer> {
    if (typeof command.operation !== 'string') {
      // An SDK command object: the bundle must alias @aws-sdk/client-ssm as a whole, never mix the two.
      throw new TypeError('This SSM client sends only its own commands; alias @aws-sdk/client-ssm to shims/aws-sdk-client-ssm/index.ts for the whole bundle.');
    }
    const env = process.env;
    const region = this.#options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('Region is missing: set AWS_REGION (Lambda sets it).');
    const credentials = this.#options.credentials ?? environmentCredentials(env);
    if (!credentials) {
      throw Object.assign(new Error('Could not load credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set.'), { name: 'CredentialsProviderError' });
    }
    const url = new URL(String(this.#options.endpoint ?? env.AWS_ENDPOINT_URL_SSM ?? env.AWS_ENDPOINT_URL ?? defaultEndpoint(region)));
    const body = JSON.stringify(command.input);
    const headers = signedSsmHeaders({ url, operation: command.operation, body, region, credentials, date: new Date() });
    const handler = this.#options.requestHandler ?? {};
    const send = url.protocol === 'http:' ? (await import('node:http')).request : httpsRequest;
    return post(send, url, headers, body, handler.connectionTimeout, handler.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS, signal);
  }
}

/** What one SSM call needs signed: the endpoint, the operation (`GetParameters`, …) and its JSON body. */
export interface SsmRequestToSign {
  url: URL;
  operation: string;
  body: string;
  region: string;
  credentials: AwsCredentials;
  /** The signing time (sent as `x-amz-date`). */
  date: Date;
}

/**
 * The headers of one signed AWS JSON 1.1 POST to SSM, `authorization` included (Signature Version 4, computed by
 * `aws4`). Every header returned is signed.
 */
export function signedSsmHeaders(request: SsmRequestToSign): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': String(Buffer.byteLength(request.body)),
    host: request.url.host,
    // aws4 signs at the time in x-amz-date when it is set, so the caller (and a test) decides the signing time.
    'x-amz-date': request.date.toISOString().replace(/[-:]|\.\d{3}/g, ''),
    'x-amz-target': `AmazonSSM.${request.operation}`,
  };
  const signed = aws4.sign(
    { host: request.url.host, path: request.url.pathname, method: 'POST', service: SIGNING_SERVICE, region: request.region, headers, body: request.body },
    request.credentials,
  );
  return Object.fromEntries(Object.entries(signed.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
}

function environmentCredentials(env: NodeJS.ProcessEnv): AwsCredentials | undefined {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

const defaultEndpoint = (region: string): string => `https://ssm.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}/`;

function post(
  send: typeof httpsRequest,
  url: URL,
  headers: Record<string, string>,
  body: string,
  connectionTimeoutMs: number | undefined,
  requestTimeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const fail = (request: ClientRequest, message: string) => {
      request.destroy(Object.assign(new Error(message), { name: 'TimeoutError' }));
    };
    const request = send(url, { method: 'POST', headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text });
      });
      response.on('error', reject);
    });
    // One bound for the whole exchange, so a server that accepts and never answers cannot hold the sign-in.
    timer = setTimeout(() => fail(request, `SSM did not answer within requestTimeout (${requestTimeoutMs} ms).`), requestTimeoutMs);
    if (connectionTimeoutMs !== undefined) {
      const connectTimer = setTimeout(() => fail(request, `Could not connect to SSM within connectionTimeout (${connectionTimeoutMs} ms).`), connectionTimeoutMs);
      request.once('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once('connect', () => clearTimeout(connectTimer));
      });
      request.once('close', () => clearTimeout(connectTimer));
    }
    const onAbort = (): void => {
      request.destroy(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.once('close', () => signal?.removeEventListener('abort', onAbort));
    request.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(body);
  });
}

function header(headers: IncomingMessage['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  const parsed: unknown = JSON.parse(body);
  return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}

// AWS JSON 1.1: the code is in x-amzn-errortype or the body's __type/code, possibly as `namespace#Code:extra`. Some
// emulators and proxies answer in AWS's XML error form instead (`<Error><Code>…</Code><Message>…</Message>`).
function errorFromAnswer(answer: HttpAnswer, metadata: ResponseMetadata): SsmServiceError {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = parseJson(answer.body);
  } catch {
    // Not JSON: an XML error body, or a proxy's error page (then the status code still names the failure).
    parsed = xmlErrorFields(answer.body);
  }
  const raw = header(answer.headers, 'x-amzn-errortype') ?? stringField(parsed, '__type') ?? stringField(parsed, 'code') ?? `Http${answer.status}Error`;
  const code = raw.split(':')[0]!.split('#').pop()!;
  const message = stringField(parsed, 'message') ?? stringField(parsed, 'Message') ?? `SSM answered HTTP ${answer.status} (${code}).`;
  return new SsmServiceError(code, message, metadata);
}

/** `code` and `message` of an AWS XML error body (the first `<Code>` and `<Message>`, entities decoded); else `{}`. */
export function xmlErrorFields(body: string): Record<string, string> {
  const element = (name: string): string | undefined => {
    const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(body);
    return match ? decodeXmlText(match[1]!.trim()) : undefined;
  };
  const code = element('Code');
  if (!code) return {};
  const message = element('Message');
  return message ? { code, message } : { code };
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeXmlText = (text: string): string => text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => XML_ENTITIES[name]!);

const stringField = (object: Record<string, unknown>, key: string): string | undefined => (typeof object[key] === 'string' ? object[key] : undefined);

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (THROTTLING_CODES.has(error.name) || TRANSIENT_CODES.has(error.name)) return true;
  if (error instanceof SsmServiceError) {
    const status = error.$metadata.httpStatusCode ?? 0;
    return status === 429 || TRANSIENT_STATUS.has(status);
  }
  return TRANSIENT_NETWORK_CODES.has(String((error as { code?: unknown }).code));
}

function retryDelayMs(error: unknown, attempt: number): number {
  const base = error instanceof Error && THROTTLING_CODES.has(error.name) ? THROTTLING_RETRY_DELAY_BASE_MS : RETRY_DELAY_BASE_MS;
  return Math.floor(Math.min(MAX_RETRY_DELAY_MS, Math.random() * 2 ** (attempt - 1) * base));
}

function withAttempts(error: unknown, attempts: number): unknown {
  if (error instanceof SsmServiceError) {
    error.$metadata.attempts = attempts;
    return error;
  }
  // Network failures and timeouts carry $metadata like the SDK's, so callers can read the attempt count.
  if (error instanceof Error && !('$metadata' in error)) Object.assign(error, { $metadata: { attempts } });
  return error;
}

/** `send`'s options, as the SDK's: only the abort signal. */
export interface SendOptions {
  abortSignal?: AbortSignal;
}

/** The error of an aborted call, named as the SDK names it; the signal's reason is its cause. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('Request aborted', { cause: signal.reason }), { name: 'AbortError' });
}

/** Waits `ms`, or less if `signal` is aborted meanwhile (then the caller sees the abort on its next check). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
