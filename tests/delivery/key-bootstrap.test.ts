/**
 * scripts/bootstrap-key.ts against the local Fauna endpoint (real driver and keys) with SSM stubbed by
 * aws-sdk-client-mock: the stub records the PutParameter call, which is how the stored secret is read back.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AuthenticationError, fql, ServiceError } from 'fauna';
import { startLocalFauna } from '../../packages/fauna-local/src/index.ts';
import type { LocalFauna } from '../../packages/fauna-local/src/index.ts';
import { bootstrapKey, KeyBootstrapRefusedError, KeyStoreError } from '../../scripts/bootstrap-key.ts';
import type { BootstrapKeyOptions } from '../../scripts/bootstrap-key.ts';
import { deleteKey, listTriggerKeyIds } from '../../tools/fauna-admin.ts';
import { queryAs } from '../helpers/local-fauna.ts';

const ROOT_SECRET = 'fnAdminRootSecretForKeyBootstrapTests1';
const PARAMETER = '/cognito-fauna/test/fauna-key';
const KMS_KEY = 'alias/cognito-fauna-test';

const ssmMock = mockClient(SSMClient);
let fauna: LocalFauna;
const lines: string[] = [];

beforeEach(async () => {
  ssmMock.reset();
  ssmMock.on(PutParameterCommand).resolves({ Version: 1, Tier: 'Standard' });
  fauna = await startLocalFauna({ port: 0, rootSecret: ROOT_SECRET, schemaDir: 'fauna' });
  lines.length = 0;
});

afterEach(async () => {
  await fauna.stop();
});

function options(overrides: Partial<BootstrapKeyOptions> = {}): BootstrapKeyOptions {
  return { endpoint: fauna.url, adminSecret: ROOT_SECRET, stage: 'test', parameterName: PARAMETER, kmsKeyId: KMS_KEY, createdBy: 'jest', ...overrides };
}

const deps = (sleep?: (ms: number) => Promise<void>) => ({ ssm: new SSMClient({ region: 'us-east-1' }), log: (line: string) => lines.push(line), sleep });

/** The secrets stored through PutParameter so far, in order. */
const storedSecrets = () => ssmMock.commandCalls(PutParameterCommand).map((call) => call.args[0].input.Value!);

/** Runs `text` with `secret` against the suite's local Fauna (tests/helpers/local-fauna.ts). */
const query = <T>(secret: string, text: ReturnType<typeof fql>): Promise<T> => queryAs<T>(fauna, secret, text);

const signIn = (secret: string, sub: string) => query<{ userId: string; secret: string }>(secret, fql`signIn(${sub}, ${`${sub}@example.com`}, true, 60, { userPoolId: "us-east-1_Test1", clientId: "test", triggerSource: "TokenGeneration_Authentication" }, 10)`);

describe('key bootstrap against the local Fauna endpoint (SSM stubbed with aws-sdk-client-mock)', () => {
  it('stores a SecureString with the configured KMS key and prints only the key id', async () => {
    // Act
    const result = await bootstrapKey(options(), deps());

    // Assert
    const [put] = ssmMock.commandCalls(PutParameterCommand);
    expect(put!.args[0].input).toMatchObject({ Name: PARAMETER, Type: 'SecureString', KeyId: KMS_KEY, Overwrite: true });
    expect(lines.join('\n')).toContain(result.keyId);
    expect(lines.join('\n')).not.toContain(storedSecrets()[0]);
  });

  it('stores a secret that can call signIn and nothing else (SSM stubbed)', async () => {
    // Arrange
    await bootstrapKey(options(), deps());
    const [secret] = storedSecrets();

    // Act
    const signedIn = await signIn(secret!, 'sub-1');
    const [readAll, readOne, create, makeKey] = await Promise.allSettled([
      query<unknown[]>(secret!, fql`Customer.all().toArray()`),
      query<unknown>(secret!, fql`Customer.byId(${signedIn.userId})!.email`),
      query(secret!, fql`Customer.create({ email: "x@example.com", sub: "x" })`),
      query(secret!, fql`Key.create({ role: "admin" })`),
    ]);

    // Assert
    expect(signedIn.secret).toMatch(/^fn/);
    // Denied outright, or the unreadable documents are filtered out: either way no identity is visible.
    if (readAll.status === 'fulfilled') expect(readAll.value).toEqual([]);
    else expect(readAll.reason).toBeInstanceOf(ServiceError);
    for (const denied of [readOne, create, makeKey]) {
      expect(denied.status).toBe('rejected');
      expect((denied as PromiseRejectedResult).reason).toBeInstanceOf(ServiceError);
    }
  });

  it('refuses a second bootstrap of the same stage without --rotate and stores nothing (SSM stubbed)', async () => {
    // Arrange
    await bootstrapKey(options(), deps());

    // Act
    const again = bootstrapKey(options(), deps());

    // Assert
    await expect(again).rejects.toBeInstanceOf(KeyBootstrapRefusedError);
    expect(storedSecrets()).toHaveLength(1);
  });

  it('keeps the old secret working after a rotation until the old key is deleted (SSM stubbed)', async () => {
    // Arrange
    const first = await bootstrapKey(options(), deps());

    // Act
    const rotated = await bootstrapKey(options({ rotate: true }), deps());
    const [oldSecret, newSecret] = storedSecrets();
    const oldStillWorks = await signIn(oldSecret!, 'sub-old');
    await deleteKey({ endpoint: fauna.url, adminSecret: ROOT_SECRET, keyId: first.keyId });

    // Assert
    expect(rotated.oldKeyIds).toEqual([first.keyId]);
    expect(rotated.deletedKeyIds).toEqual([]);
    expect(lines.join('\n')).toContain(`--delete-key ${first.keyId}`);
    expect(oldStillWorks.userId).toBeTruthy();
    await expect(signIn(oldSecret!, 'sub-old')).rejects.toBeInstanceOf(AuthenticationError);
    expect((await signIn(newSecret!, 'sub-new')).userId).toBeTruthy();
  });

  it('deletes the old key only after waiting for the cache expiry when --delete-old-after is given (SSM stubbed)', async () => {
    // Arrange
    const first = await bootstrapKey(options(), deps());
    const [oldSecret] = storedSecrets();
    let oldWorkedDuringWait = false;
    const sleep = async (ms: number) => {
      expect(ms).toBe(360_000);
      oldWorkedDuringWait = Boolean((await signIn(oldSecret!, 'sub-wait')).userId);
    };

    // Act
    const rotated = await bootstrapKey(options({ rotate: true, deleteOldAfterSeconds: 360 }), deps(sleep));

    // Assert
    expect(oldWorkedDuringWait).toBe(true);
    expect(rotated.deletedKeyIds).toEqual([first.keyId]);
    await expect(signIn(oldSecret!, 'sub-after')).rejects.toBeInstanceOf(AuthenticationError);
    expect(await listTriggerKeyIds({ endpoint: fauna.url, adminSecret: ROOT_SECRET, stage: 'test' })).toEqual([rotated.keyId]);
  });

  it('deletes the new key again when SSM refuses to store it (SSM stubbed to fail)', async () => {
    // Arrange
    ssmMock.on(PutParameterCommand).rejects(Object.assign(new Error('User is not authorized to perform ssm:PutParameter'), { name: 'AccessDeniedException' }));

    // Act
    const failed = bootstrapKey(options(), deps());

    // Assert
    await expect(failed).rejects.toBeInstanceOf(KeyStoreError);
    await expect(failed).rejects.toMatchObject({ message: expect.stringContaining('AccessDeniedException') });
    expect(await listTriggerKeyIds({ endpoint: fauna.url, adminSecret: ROOT_SECRET, stage: 'test' })).toEqual([]);
  });

  it('never puts a key secret or the admin secret in its output or errors (SSM stubbed)', async () => {
    // Arrange
    const outputs: string[] = [];
    await bootstrapKey(options(), deps());
    await bootstrapKey(options({ rotate: true, deleteOldAfterSeconds: 1 }), deps(async () => {}));
    const refusal = await bootstrapKey(options(), deps()).catch((error: Error) => error.message);
    outputs.push(...lines, String(refusal));

    // Act
    const leaks = [...storedSecrets(), ROOT_SECRET].filter((secret) => outputs.some((line) => line.includes(secret)));

    // Assert
    expect(storedSecrets()).toHaveLength(2);
    expect(leaks).toEqual([]);
  });
});
