/**
 * `npm run tokens:revoke` against the local Fauna endpoint: by --sub as a command (no AWS call, nothing stubbed), and
 * by --user in-process with Cognito's AdminGetUser stubbed with aws-sdk-client-mock (no Cognito here).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { AuthenticationError, Client, fql } from 'fauna';
import { startLocalFauna, type LocalFauna } from '../../packages/fauna-local/src/index.ts';
import { createTriggerKey } from '../../tools/fauna-admin.ts';
import { RevokeCommandError, revokeUserTokens } from '../../scripts/revoke-tokens.ts';
import { runScript } from './helpers/run-script.ts';

const ROOT_SECRET = 'fnAdminRootSecretForRevokeCliTests0001';
const POOL_ID = 'us-east-1_EXAMPLE12';
let fauna: LocalFauna;
let revokeSecret: string;
let revokeKeyId: string;
let root: Client;
const cognito = mockClient(CognitoIdentityProviderClient);

beforeAll(async () => {
  fauna = await startLocalFauna({ port: 0, rootSecret: ROOT_SECRET, schemaDir: 'fauna' });
  ({ secret: revokeSecret, id: revokeKeyId } = await createTriggerKey({ endpoint: fauna.url, adminSecret: ROOT_SECRET, stage: 'ci-test', createdBy: 'jest', role: 'tokenRevoker' }));
  root = new Client({ endpoint: new URL(fauna.url), secret: ROOT_SECRET, http2_session_idle_ms: 100 });
});

afterEach(() => {
  cognito.reset();
});

afterAll(async () => {
  root.close();
  cognito.restore();
  await fauna.stop();
});

/** Signs `sub` in `times` times (as the trigger would) and returns the secrets. */
async function tokensFor(sub: string, times: number): Promise<string[]> {
  const secrets: string[] = [];
  for (let i = 0; i < times; i++) secrets.push((await root.query<{ secret: string }>(fql`signIn(${sub}, ${`${sub}@example.com`}, true, 600, { userPoolId: "us-east-1_Test1", clientId: "test", triggerSource: "TokenGeneration_Authentication" }, 10)`)).data.secret);
  return secrets;
}

async function works(secret: string): Promise<boolean> {
  const client = new Client({ endpoint: new URL(fauna.url), secret, http2_session_idle_ms: 100 });
  try {
    await client.query(fql`Query.identity()`);
    return true;
  } catch (error) {
    if (error instanceof AuthenticationError) return false;
    throw error;
  } finally {
    client.close();
  }
}

const run = (args: string[], secret = revokeSecret) => runScript('scripts/revoke-tokens.ts', ['--stage', 'ci-test', '--endpoint', fauna.url, ...args], { FAUNA_REVOKE_SECRET: secret });

describe('npm run tokens:revoke --sub (as a command, against the local Fauna endpoint)', () => {
  it('deletes every token of the user, prints how many and never a secret; a second run deletes none', async () => {
    // Arrange
    const secrets = await tokensFor('cli-sub-1', 3);
    const [otherSecret] = await tokensFor('cli-sub-2', 1);

    // Act
    const first = await run(['--sub', 'cli-sub-1']);
    const second = await run(['--sub', 'cli-sub-1']);
    const nobody = await run(['--sub', 'cli-sub-nobody']);

    // Assert
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/^Deleted 3 Fauna token\(s\) of identity \d+ \(sub cli-sub-1\) on stage ci-test\.\n$/);
    expect(second.output).toContain('Deleted 0 Fauna token(s)');
    expect(nobody.output).toContain('No Fauna identity has sub cli-sub-nobody');
    expect(await Promise.all(secrets.map(works))).toEqual([false, false, false]);
    expect(await works(otherSecret!)).toBe(true);
    for (const secret of [...secrets, otherSecret!, revokeSecret, ROOT_SECRET]) expect(first.output + second.output + nobody.output).not.toContain(secret);
  });

  it('refuses to run without exactly one of --sub and --user', async () => {
    // Act
    const both = await run(['--sub', 'a', '--user', 'b']);
    const neither = await run([]);

    // Assert
    expect(both.code).toBe(2);
    expect(neither.code).toBe(2);
    expect(both.output).toContain('Pass exactly one of --sub');
  });

  it('explains a rejected key without printing it', async () => {
    // Act
    const result = await run(['--sub', 'cli-sub-1'], 'fnNotTheRevokeKey00000000000000000000');

    // Assert
    expect(result.code).toBe(1);
    expect(result.output).toContain('tokenRevoker');
    expect(result.output).not.toContain('fnNotTheRevokeKey');
  });
});

describe('tokens:revoke --user, resolving the sub with AdminGetUser (Cognito stubbed with aws-sdk-client-mock)', () => {
  const client = () => new CognitoIdentityProviderClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

  it('finds the sub of the user name in the pool and deletes that identity’s tokens', async () => {
    // Arrange
    const secrets = await tokensFor('cli-sub-3', 2);
    cognito.on(AdminGetUserCommand, { UserPoolId: POOL_ID, Username: 'grace@example.com' }).resolves({ Username: 'grace', UserAttributes: [{ Name: 'sub', Value: 'cli-sub-3' }] });
    const lines: string[] = [];

    // Act
    const result = await revokeUserTokens(
      { stage: 'ci-test', endpoint: fauna.url, secret: revokeSecret, target: { username: 'grace@example.com', userPoolId: POOL_ID } },
      { cognito: client(), log: (line) => lines.push(line) },
    );

    // Assert
    expect(result).toMatchObject({ sub: 'cli-sub-3', deleted: 2 });
    expect(await Promise.all(secrets.map(works))).toEqual([false, false]);
    expect(lines).toEqual([expect.stringContaining('Deleted 2 Fauna token(s)')]);
  });

  it('says to use --sub when Cognito no longer has the user', async () => {
    // Arrange
    cognito.on(AdminGetUserCommand).rejects(Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' }));

    // Act
    const attempt = revokeUserTokens(
      { stage: 'ci-test', endpoint: fauna.url, secret: revokeSecret, target: { username: 'gone@example.com', userPoolId: POOL_ID } },
      { cognito: client(), log: () => undefined },
    );

    // Assert
    await expect(attempt).rejects.toThrow(RevokeCommandError);
    await expect(attempt).rejects.toThrow(/--sub/);
  });
});

describe('npm run key:bootstrap --role tokenRevoker (as a command, against the local Fauna endpoint)', () => {
  it('lists the stage’s revoke keys apart from its trigger keys', async () => {
    // Arrange
    const trigger = await createTriggerKey({ endpoint: fauna.url, adminSecret: ROOT_SECRET, stage: 'ci-test', createdBy: 'jest' });
    const env = { FAUNA_ENDPOINT: fauna.url, FAUNA_ADMIN_SECRET: ROOT_SECRET };

    // Act
    const revokers = await runScript('scripts/bootstrap-key.ts', ['--stage', 'ci-test', '--list-keys', '--role', 'tokenRevoker'], env);
    const triggers = await runScript('scripts/bootstrap-key.ts', ['--stage', 'ci-test', '--list-keys'], env);

    // Assert
    expect(revokers.output).toBe(`Trigger keys of stage ci-test: ${revokeKeyId}\n`);
    expect(triggers.output).toBe(`Trigger keys of stage ci-test: ${trigger.id}\n`);
  });
});
