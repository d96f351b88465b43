/**
 * The deployed combination of the key store: the real @middy/ssm and handlers/common/middleware/secret-store.ts with
 * `@aws-sdk/client-ssm` replaced by shims/aws-sdk-client-ssm/index.ts, as the bundle's esbuild `alias` replaces it (here with
 * jest.unstable_mockModule, which swaps the module the same way; nothing is stubbed), against the SSM emulator on
 * 127.0.0.1:0.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { type SsmEmulator, startSsmEmulator } from './helpers/ssm-emulator.ts';

jest.unstable_mockModule('@aws-sdk/client-ssm', () => import('../../../shims/aws-sdk-client-ssm/index.ts'));
const { createSecretStore, SSM_CLIENT_OPTIONS } = await import('../../../handlers/common/middleware/secret-store.ts');
const { SecretUnavailableError, summariseError } = await import('../../../lib/common/errors.ts');
const { SsmServiceError } = await import('../../../shims/aws-sdk-client-ssm/index.ts');
const { Deadline } = await import('../../../lib/common/deadline.ts');

const quiet = { logger: { info: () => undefined, warn: () => undefined, error: () => undefined }, metrics: { addMetric: () => undefined } };
/** The store's options: a deadline 4 s away (a sign-in's), quiet logs. */
const storeOptions = (awsClientOptions: object) => ({ awsClientOptions, initDeadline: new Deadline(performance.now() + 4000), ...quiet });
const source = (parameterName: string) => ({ kind: 'ssm' as const, parameterName, cacheTtlSeconds: 900, refetchIntervalSeconds: 30, staleMaxSeconds: 3600 });

const PARAMETER = '/cognito-fauna/test/middy-fauna-secret';
const VALUE = 'fnAmiddySsmLiteValue000';

let emulator: SsmEmulator;
const stores: { dispose(): void }[] = [];
const store = () => {
  const created = createSecretStore(
    source(PARAMETER),
    storeOptions({ ...SSM_CLIENT_OPTIONS, region: 'us-east-1', credentials: { accessKeyId: 'AKIDMIDDY', secretAccessKey: 'middy-test' }, endpoint: emulator.url }),
  );
  stores.push(created);
  return created;
};
const request = (context: object) => ({ event: {}, context, response: undefined, error: undefined, internal: {} });

beforeAll(async () => {
  emulator = await startSsmEmulator({ [PARAMETER]: VALUE });
});
afterEach(() => {
  for (const created of stores.splice(0)) created.dispose();
  emulator.setFault(null);
  emulator.requests.length = 0;
});
afterAll(async () => {
  await emulator.stop();
});

describe('@middy/ssm with ssm-lite in place of the SDK (module swapped as in the bundle; SSM emulator, real HTTP)', () => {
  it('uses ssm-lite, not the SDK, when @aws-sdk/client-ssm is aliased', async () => {
    // Act
    const { SSMClient } = await import('@aws-sdk/client-ssm');

    // Assert
    expect(new SSMClient({})).toBeInstanceOf((await import('../../../shims/aws-sdk-client-ssm/index.ts')).SSMClient);
  });

  it('holds the decrypted key and asks SSM once across several invocations', async () => {
    // Arrange
    const secrets = store();
    const contexts = [{}, {}, {}] as Context[];

    // Act
    const keys: string[] = [];
    for (const context of contexts) {
      await secrets.middleware!.before!(request(context) as never);
      keys.push(secrets.current());
    }

    // Assert
    expect(keys).toEqual([VALUE, VALUE, VALUE]);
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0]!.body).toEqual({ Names: [PARAMETER], WithDecryption: true });
  });

  it('reads the key again on refresh', async () => {
    // Arrange
    const secrets = store();
    const context = {} as Context;
    await secrets.middleware!.before!(request(context) as never);

    // Act
    const refreshed = await secrets.refresh('fnArejectedKey', new Deadline(performance.now() + 4000));

    // Assert
    expect(refreshed).toBe(VALUE);
    expect(emulator.requests).toHaveLength(2);
  });

  it.each(['AccessDeniedException', 'ThrottlingException'])('fails with SecretUnavailableError whose log summary names the SSM error %s', async (type) => {
    // Arrange
    emulator.setFault({ kind: 'error', status: 400, type, message: `emulated ${type}` });
    const secrets = store();

    // Act
    let failure: unknown;
    try {
      await secrets.middleware!.before!(request({}) as never);
    } catch (error) {
      failure = error;
    }

    // Assert
    expect(failure).toBeInstanceOf(SecretUnavailableError);
    expect((failure as Error).cause).toBeInstanceOf(SsmServiceError);
    expect(summariseError(failure)).toMatchObject({ name: 'SecretUnavailableError', source: 'key store', cause: type });
  });

  it('fails with SecretUnavailableError naming ParameterNotFound when the parameter does not exist (InvalidParameters)', async () => {
    // Arrange
    const secrets = createSecretStore(
      source('/cognito-fauna/test/missing'),
      storeOptions({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDMIDDY', secretAccessKey: 'middy-test' }, endpoint: emulator.url }),
    );
    stores.push(secrets);

    // Act
    let failure: unknown;
    try {
      await secrets.middleware!.before!(request({}) as never);
    } catch (error) {
      failure = error;
    }

    // Assert
    expect(failure).toBeInstanceOf(SecretUnavailableError);
    expect(summariseError(failure).cause).toBe('ParameterNotFound');
    expect(emulator.requests).toHaveLength(1);
  });
});
