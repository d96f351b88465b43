/**
 * shims/aws-sdk-client-ssm (the SSM client of the deployed bundle, signed with aws4) against an SSM emulator on
 * 127.0.0.1:0 (not the real SSM: see helpers/ssm-emulator.ts). With @middy/ssm: middy-ssm-with-ssm-lite.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { GetParametersCommand, SSMClient, type SsmClientOptions, SsmServiceError, xmlErrorFields } from '../../../shims/aws-sdk-client-ssm/index.ts';
import { SSM_CLIENT_OPTIONS } from '../../../handlers/common/middleware/secret-store.ts';
import { SecretUnavailableError, summariseError } from '../../../lib/common/errors.ts';
import { encrypted, type SsmEmulator, startSsmEmulator } from './helpers/ssm-emulator.ts';

const PARAMETER = '/cognito-fauna/test/fauna-secret';
const VALUE = 'fnAssmLiteTestValue0000';
const CREDENTIALS = { accessKeyId: 'AKIDSSMLITETEST', secretAccessKey: 'ssm-lite-test-secret' };

let emulator: SsmEmulator;
const options = (extra: Partial<SsmClientOptions> = {}): SsmClientOptions => ({
  region: 'eu-west-1',
  credentials: CREDENTIALS,
  endpoint: emulator.url,
  ...extra,
});
const getKey = (client: SSMClient, names = [PARAMETER]) => client.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
const failureOf = async (promise: Promise<unknown>): Promise<SsmServiceError> => {
  try {
    await promise;
  } catch (error) {
    return error as SsmServiceError;
  }
  throw new Error('expected the call to fail');
};

beforeAll(async () => {
  emulator = await startSsmEmulator({ [PARAMETER]: VALUE });
});
afterEach(() => {
  emulator.setFault(null);
  emulator.requests.length = 0;
});
afterAll(async () => {
  await emulator.stop();
});

describe('ssm-lite against an SSM emulator (real HTTP on 127.0.0.1)', () => {
  it('reads a SecureString decrypted with a signed AmazonSSM.GetParameters call in AWS JSON 1.1', async () => {
    // Act
    const answer = await getKey(new SSMClient(options()));

    // Assert
    expect(answer.Parameters).toEqual([{ Name: PARAMETER, Type: 'SecureString', Value: VALUE, Version: 1, DataType: 'text' }]);
    expect(answer.InvalidParameters).toEqual([]);
    expect(answer.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1 });
    const [request] = emulator.requests;
    expect(request!.body).toEqual({ Names: [PARAMETER], WithDecryption: true });
    expect(request!.headers['x-amz-target']).toBe('AmazonSSM.GetParameters');
    expect(request!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDSSMLITETEST\/\d{8}\/eu-west-1\/ssm\/aws4_request, SignedHeaders=[a-z;-]+, Signature=[0-9a-f]{64}$/);
  });

  it('returns the ciphertext when decryption is not asked for (the request carries WithDecryption as given)', async () => {
    // Act
    const answer = await new SSMClient(options()).send(new GetParametersCommand({ Names: [PARAMETER], WithDecryption: false }));

    // Assert
    expect((answer.Parameters as { Value: string }[])[0]!.Value).toBe(encrypted(VALUE));
  });

  it('reports unknown names in InvalidParameters, as SSM does', async () => {
    // Act
    const answer = await getKey(new SSMClient(options()), [PARAMETER, '/missing']);

    // Assert
    expect(answer.InvalidParameters).toEqual(['/missing']);
  });

  it('takes credentials, region, session token and endpoint from the Lambda environment', async () => {
    // Arrange
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_REGION: 'ap-southeast-2',
      AWS_ACCESS_KEY_ID: 'ASIAFROMENVIRONMENT',
      AWS_SECRET_ACCESS_KEY: 'from-environment',
      AWS_SESSION_TOKEN: 'session-token-from-environment',
      AWS_ENDPOINT_URL_SSM: emulator.url,
    });

    // Act
    try {
      await getKey(new SSMClient());
    } finally {
      for (const key of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_SSM']) {
        if (key in saved) process.env[key] = saved[key];
        else delete process.env[key];
      }
    }

    // Assert
    const [request] = emulator.requests;
    expect(request!.headers.authorization).toContain('Credential=ASIAFROMENVIRONMENT/');
    expect(request!.headers.authorization).toContain('/ap-southeast-2/ssm/aws4_request');
    expect(request!.headers['x-amz-security-token']).toBe('session-token-from-environment');
  });

  it.each([
    { status: 400, type: 'ParameterNotFound', message: 'Parameter /x not found.', attempts: 1 },
    { status: 400, type: 'AccessDeniedException', message: 'User is not authorized to perform: ssm:GetParameters', attempts: 1 },
    { status: 400, type: 'ThrottlingException', message: 'Rate exceeded', attempts: 2 },
    { status: 500, type: 'InternalServerError', message: 'Internal failure', attempts: 2 },
  ])('turns an SSM $type answer (HTTP $status) into an error named $type with $$metadata, after $attempts attempt(s)', async (row) => {
    // Arrange
    emulator.setFault({ kind: 'error', status: row.status, type: row.type, message: row.message });

    // Act
    const error = await failureOf(getKey(new SSMClient(options({ maxAttempts: 2 }))));

    // Assert
    expect(error).toBeInstanceOf(SsmServiceError);
    expect(error.name).toBe(row.type);
    expect(error.message).toBe(row.message);
    expect(error.$metadata).toMatchObject({ httpStatusCode: row.status, attempts: row.attempts });
    expect(error.$fault).toBe(row.status >= 500 ? 'server' : 'client');
    expect(emulator.requests).toHaveLength(row.attempts);
  });

  it.each([
    { status: 400, type: 'ParameterNotFound', message: 'Parameter /x not found.', attempts: 1 },
    { status: 503, type: 'ServiceUnavailable', message: 'Please <retry> & wait', attempts: 2 },
  ])('reads the <Code> of an XML error body (HTTP $status $type), as some emulators and proxies send', async (row) => {
    // Arrange
    emulator.setFault({ kind: 'xml-error', status: row.status, type: row.type, message: row.message });

    // Act
    const error = await failureOf(getKey(new SSMClient(options({ maxAttempts: 2 }))));

    // Assert
    expect(error).toBeInstanceOf(SsmServiceError);
    expect(error.name).toBe(row.type);
    expect(error.message).toBe(row.message);
    expect(error.$metadata).toMatchObject({ httpStatusCode: row.status, attempts: row.attempts });
  });

  it('finds no code in an HTML error page (the HTTP status names the failure then)', () => {
    // Act
    const fields = xmlErrorFields('<html><body>502 Bad Gateway</body></html>');

    // Assert
    expect(fields).toEqual({});
  });

  it('lets the service name the cause of an SSM failure in its log summary', async () => {
    // Arrange
    emulator.setFault({ kind: 'error', status: 400, type: 'AccessDeniedException', message: 'denied' });
    const error = await failureOf(getKey(new SSMClient(options())));

    // Act
    const summary = summariseError(new SecretUnavailableError(PARAMETER, { cause: error }));

    // Assert
    expect(summary).toMatchObject({ name: 'SecretUnavailableError', cause: 'AccessDeniedException', source: 'key store' });
  });

  it('throws a TimeoutError within the bound of the service settings (2 attempts of 1 s) when SSM accepts and never answers', async () => {
    // Arrange
    emulator.setFault({ kind: 'hang' });
    const started = performance.now();

    // Act
    const error = await failureOf(getKey(new SSMClient({ ...options(), ...SSM_CLIENT_OPTIONS })));

    // Assert
    const elapsed = performance.now() - started;
    expect(error.name).toBe('TimeoutError');
    expect(error.$metadata.attempts).toBe(SSM_CLIENT_OPTIONS.maxAttempts);
    expect(emulator.requests).toHaveLength(SSM_CLIENT_OPTIONS.maxAttempts);
    expect(elapsed).toBeGreaterThanOrEqual(SSM_CLIENT_OPTIONS.maxAttempts * SSM_CLIENT_OPTIONS.requestHandler.requestTimeout - 50);
    expect(elapsed).toBeLessThan(SSM_CLIENT_OPTIONS.maxAttempts * SSM_CLIENT_OPTIONS.requestHandler.requestTimeout + 600);
  });

  it('honours send\'s abortSignal: a hung call is destroyed when the signal aborts, without a retry, as AbortError', async () => {
    // Arrange
    emulator.setFault({ kind: 'hang' });
    const abort = new AbortController();
    const client = new SSMClient({ ...options(), ...SSM_CLIENT_OPTIONS, requestHandler: { requestTimeout: 60_000 } });

    // Act: abort once SSM has the request (the request timeout alone would wait a minute)
    const outcome = failureOf(client.send(new GetParametersCommand({ Names: [PARAMETER], WithDecryption: true }), { abortSignal: abort.signal }));
    while (emulator.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    abort.abort(new Error('the deadline passed'));
    const error = await outcome;

    // Assert
    expect(error).toMatchObject({ name: 'AbortError', cause: expect.objectContaining({ message: 'the deadline passed' }) });
    expect(error.$metadata.attempts).toBe(1);
    expect(emulator.requests).toHaveLength(1);
  });

  it('sends nothing when the signal is already aborted, and stops a retry back-off when it aborts meanwhile', async () => {
    // Arrange
    emulator.setFault({ kind: 'error', status: 400, type: 'ThrottlingException', message: 'Rate exceeded' });
    const aborted = AbortSignal.abort(new Error('too late'));
    const abort = new AbortController();
    const client = new SSMClient({ ...options(), maxAttempts: 50 });

    // Act
    const before = await failureOf(client.send(new GetParametersCommand({ Names: [PARAMETER] }), { abortSignal: aborted }));
    const sentBefore = emulator.requests.length;
    const during = failureOf(client.send(new GetParametersCommand({ Names: [PARAMETER] }), { abortSignal: abort.signal }));
    while (emulator.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    abort.abort(new Error('the deadline passed'));
    const error = await during;

    // Assert
    expect(before.name).toBe('AbortError');
    expect(sentBefore).toBe(0);
    expect(error.name).toBe('AbortError');
    expect(emulator.requests.length).toBeLessThan(50);
  });
});
