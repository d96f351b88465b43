/**
 * Token lifecycle against the local Fauna, through the real handlers (Middy chains included): the cap on live tokens
 * per identity, and revocation by each sample CloudTrail event of events/cloudtrail/. Stubbed with
 * aws-sdk-client-mock: SSM (both keys) and Cognito's AdminGetUser, the only AWS APIs involved.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AuthenticationError, fql } from 'fauna';
import { DEFAULT_MAX_TOKENS_PER_IDENTITY } from '../../../lib/common/config.ts';
import { type LocalFauna, queryAs, startFauna, triggerKey } from '../../helpers/local-fauna.ts';
import { idTokenClaims, SERVED_POOL_ID, type ServiceUnderTest as Service, signInEvent, startService, stubSsm } from '../../helpers/service.ts';
import type { CloudTrailEvent } from '../../../lib/revocation/cloudtrail-event.ts';
import { cloudTrailEvent, emfRecords, revocationEventFor, type RevocationService, revokeKey, startRevocationService } from '../../helpers/revocation-service.ts';

const TRIGGER_PARAMETER = '/cognito-fauna/dev/fauna-secret';
const REVOKE_PARAMETER = '/cognito-fauna/dev/fauna-revoke-secret';
const POOL_ID = 'us-east-1_EXAMPLE12';
const REVOCATION_EVENTS = ['admin-user-global-sign-out.json', 'admin-disable-user.json', 'admin-delete-user.json', 'global-sign-out.json', 'delete-user.json'];

const ssm = stubSsm();
const cognito = mockClient(CognitoIdentityProviderClient);
let fauna: LocalFauna;
let trigger: Service;
let revoker: RevocationService | undefined;
let users = 0;

function newUser(): { sub: string; email: string } {
  users += 1;
  return { sub: `1111${String(users).padStart(4, '0')}-aaaa-4bbb-8ccc-${String(Date.now()).padStart(12, '0')}`, email: `life${users}.${Date.now()}@example.com` };
}

function holdSecrets(triggerSecret: string, revokeSecret: string): void {
  const answer = (name: string, value: string) => ({ Parameters: [{ Name: name, Type: 'SecureString' as const, Value: value, Version: 1 }], InvalidParameters: [] });
  ssm.on(GetParametersCommand, { Names: [TRIGGER_PARAMETER] }).resolves(answer(TRIGGER_PARAMETER, triggerSecret));
  ssm.on(GetParametersCommand, { Names: [REVOKE_PARAMETER] }).resolves(answer(REVOKE_PARAMETER, revokeSecret));
}

function startRevoker(): RevocationService {
  revoker = startRevocationService({ STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: REVOKE_PARAMETER, USER_POOL_IDS: POOL_ID });
  return revoker;
}

async function signIn(user: { sub: string; email: string }): Promise<string> {
  const claims = idTokenClaims(await trigger.invoke(signInEvent(user.sub, user.email, 'pretoken-refresh.json')));
  return String(claims.fauna_token_secret);
}

/** True when Fauna still accepts the secret (Query.identity() answers), false on 401. */
async function works(secret: string): Promise<boolean> {
  try {
    await queryAs(fauna, secret, fql`Query.identity()`);
    return true;
  } catch (error) {
    if (error instanceof AuthenticationError) return false;
    throw error;
  }
}

const liveTokens = (sub: string) => queryAs<number>(fauna, fauna.rootSecret, fql`Token.byDocument(Customer.bySub(${sub}).first()!).count()`);

beforeAll(async () => {
  fauna = await startFauna();
  const [triggerSecret, revokeSecret] = [(await triggerKey(fauna)).secret, (await revokeKey(fauna)).secret];
  holdSecrets(triggerSecret, revokeSecret);
  trigger = startService({ STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: TRIGGER_PARAMETER, USER_POOL_IDS: SERVED_POOL_ID });
});

afterEach(() => {
  revoker?.dispose();
  revoker = undefined;
  cognito.reset();
});

afterAll(async () => {
  trigger.dispose();
  ssm.restore();
  cognito.restore();
  await fauna.stop();
});

describe('bounded tokens: signIn keeps at most MAX_TOKENS_PER_IDENTITY live tokens (SSM stubbed with aws-sdk-client-mock)', () => {
  it(`after N+5 refreshes (N = ${DEFAULT_MAX_TOKENS_PER_IDENTITY}, the default) exactly the newest N secrets work, and the newest always does`, async () => {
    // Arrange
    const user = newUser();
    const secrets: string[] = [];

    // Act
    for (let i = 0; i < DEFAULT_MAX_TOKENS_PER_IDENTITY + 5; i++) {
      secrets.push(await signIn(user));
      // Assess (each round): the secret just minted works, and the identity never holds more than N tokens.
      expect(await works(secrets.at(-1)!)).toBe(true);
      expect(await liveTokens(user.sub)).toBe(Math.min(i + 1, DEFAULT_MAX_TOKENS_PER_IDENTITY));
    }

    // Assert
    const working = await Promise.all(secrets.map(works));
    expect(working.filter(Boolean)).toHaveLength(DEFAULT_MAX_TOKENS_PER_IDENTITY);
    expect(working).toEqual(secrets.map((_, i) => i >= 5));
  });

  it('honours a smaller MAX_TOKENS_PER_IDENTITY, and caps one user without touching another', async () => {
    // Arrange
    const capped = startService({ STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: TRIGGER_PARAMETER, USER_POOL_IDS: SERVED_POOL_ID, MAX_TOKENS_PER_IDENTITY: '2' });
    const [user, other] = [newUser(), newUser()];
    const otherSecret = await signIn(other);

    // Act
    const secrets: string[] = [];
    try {
      for (let i = 0; i < 4; i++) secrets.push(String(idTokenClaims(await capped.invoke(signInEvent(user.sub, user.email))).fauna_token_secret));
    } finally {
      capped.dispose();
    }

    // Assert
    expect(await Promise.all(secrets.map(works))).toEqual([false, false, true, true]);
    expect(await works(otherSecret)).toBe(true);
  });
});

describe('a backlog of tokens minted before the cap existed', () => {
  it('shrinks by at most 50 per sign-in (trimBatchSize), never grows, ends at N, and the newest secret always works', async () => {
    // Arrange: one sign-in, then 119 more tokens as an uncapped trigger would have left them
    const user = newUser();
    await signIn(user);
    for (let i = 0; i < 119; i++) {
      await queryAs(fauna, fauna.rootSecret, fql`Token.create({ document: Customer.bySub(${user.sub}).first()!, ttl: Time.now().add(3600, "seconds") })`);
    }

    // Act
    const counts: number[] = [await liveTokens(user.sub)];
    for (let i = 0; i < 4; i++) {
      const secret = await signIn(user);
      expect(await works(secret)).toBe(true);
      counts.push(await liveTokens(user.sub));
    }

    // Assert
    expect(counts).toEqual([120, 71, 22, DEFAULT_MAX_TOKENS_PER_IDENTITY, DEFAULT_MAX_TOKENS_PER_IDENTITY]);
  });
});

describe('revocation through the real revokeFaunaTokens handler (SSM and Cognito stubbed with aws-sdk-client-mock)', () => {
  it.each(REVOCATION_EVENTS)('%s: every earlier secret of the user gets 401, other users keep theirs, a replay is harmless', async (name) => {
    // Arrange
    const [user, other] = [newUser(), newUser()];
    const userSecrets = [await signIn(user), await signIn(user), await signIn(user)];
    const otherSecret = await signIn(other);
    const handler = startRevoker();
    const event = revocationEventFor(name, POOL_ID, user.sub);

    // Act
    const first = await handler.invoke(event);
    const replay = await handler.invoke(event);

    // Assert
    expect(first).toMatchObject({ outcome: 'revoked', eventName: event.detail.eventName, deleted: 3, userId: expect.stringMatching(/^\d+$/) });
    expect(replay).toMatchObject({ outcome: 'revoked', deleted: 0 });
    expect(await Promise.all(userSecrets.map(works))).toEqual([false, false, false]);
    expect(await works(otherSecret)).toBe(true);
    expect(await works(await signIn(user))).toBe(true);
    expect(emfRecords(handler.logs)[0]).toMatchObject({ TokensRevoked: 3, Revocations: 1, service: 'cognito-fauna' });
    expect(cognito.commandCalls(AdminGetUserCommand)).toHaveLength(0);
  });

  it('resolves the sub with AdminGetUser when the event names the user but has no sub', async () => {
    // Arrange
    const user = newUser();
    const secret = await signIn(user);
    cognito.on(AdminGetUserCommand, { UserPoolId: POOL_ID, Username: 'ada@example.com' }).resolves({ Username: 'ada', UserAttributes: [{ Name: 'sub', Value: user.sub }] });
    const handler = startRevoker();

    // Act
    const answer = await handler.invoke(revocationEventFor('variants/admin-disable-user-username-only.json', POOL_ID, user.sub));

    // Assert
    expect(answer).toMatchObject({ outcome: 'revoked', deleted: 1 });
    expect(await works(secret)).toBe(false);
    expect(cognito.commandCalls(AdminGetUserCommand)).toHaveLength(1);
  });

  it('counts a RevocationFailure and answers (no retry) when Cognito no longer knows a user the event names only by name', async () => {
    // Arrange
    cognito.on(AdminGetUserCommand).rejects(Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' }));
    const handler = startRevoker();

    // Act
    const answer = await handler.invoke(revocationEventFor('variants/admin-disable-user-username-only.json', POOL_ID, 'unused'));

    // Assert
    expect(answer).toEqual({ outcome: 'failed', error: 'UserNotResolvedError' });
    expect(emfRecords(handler.logs)[0]).toMatchObject({ RevocationFailures: 1 });
    expect(handler.logs.records('Revocation failed')[0]).toMatchObject({ error: { name: 'UserNotResolvedError' }, retried: false });
    expect(handler.logs.text).not.toContain('ada@example.com');
  });

  it('ignores a call that failed (AccessDenied) and an event of another pool: the user keeps their tokens', async () => {
    // Arrange
    const user = newUser();
    const secret = await signIn(user);
    const handler = startRevoker();

    // Act
    const denied = await handler.invoke(revocationEventFor('variants/admin-delete-user-access-denied.json', POOL_ID, user.sub));
    const elsewhere = await handler.invoke(revocationEventFor('admin-user-global-sign-out.json', 'us-east-1_OtherPool9', user.sub));

    // Assert
    expect(denied).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('AccessDenied') });
    expect(elsewhere).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('us-east-1_OtherPool9') });
    expect(await works(secret)).toBe(true);
  });

  it.each([
    ['another account', (event: CloudTrailEvent) => Object.assign(event, { account: '210987654321' }, { detail: { ...event.detail, recipientAccountId: '210987654321' } }), 'account 210987654321'],
    ['another region', (event: CloudTrailEvent) => Object.assign(event, { region: 'eu-west-1' }, { detail: { ...event.detail, awsRegion: 'eu-west-1' } }), 'region eu-west-1'],
    ['errorCode ""', (event: CloudTrailEvent) => Object.assign(event, { detail: { ...event.detail, errorCode: '' } }), 'failed'],
    ['an errorCode object', (event: CloudTrailEvent) => Object.assign(event, { detail: { ...event.detail, errorCode: { code: 'AccessDenied' } } }), 'failed'],
  ])('ignores an event of %s (the function runs in 123456789012, us-east-1 by its ARN): the user keeps their tokens', async (_label, change, reason) => {
    // Arrange
    const user = newUser();
    const secret = await signIn(user);
    const handler = startRevoker();

    // Act
    const answer = await handler.invoke(change(revocationEventFor('admin-user-global-sign-out.json', POOL_ID, user.sub)));

    // Assert
    expect(answer).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining(reason) });
    expect(await works(secret)).toBe(true);
  });

  it('answers "revoked, 0 deleted" for a user who never signed in to Fauna', async () => {
    // Arrange
    const handler = startRevoker();

    // Act
    const answer = await handler.invoke(revocationEventFor('admin-delete-user.json', POOL_ID, newUser().sub));

    // Assert
    expect(answer).toEqual({ outcome: 'revoked', eventName: 'AdminDeleteUser', userId: null, deleted: 0 });
  });

  it('rejects an event that is not a Cognito revocation event without retrying it', async () => {
    // Arrange
    const handler = startRevoker();
    const event = cloudTrailEvent('admin-disable-user.json');
    event.detail.eventName = 'AdminEnableUser';

    // Act
    const answer = await handler.invoke(event);

    // Assert
    expect(answer).toEqual({ outcome: 'failed', error: 'InvalidRevocationEventError' });
  });

  it('throws when Fauna is unreachable, so that Lambda retries the event, and counts the failure', async () => {
    // Arrange
    const down = startRevocationService({ STAGE: 'dev', FAUNA_ENDPOINT: 'http://127.0.0.1:9', FAUNA_SECRET_PARAMETER: REVOKE_PARAMETER, USER_POOL_IDS: POOL_ID });

    // Act
    const outcome = down.invoke(revocationEventFor('admin-disable-user.json', POOL_ID, newUser().sub));

    // Assert
    try {
      await expect(outcome).rejects.toMatchObject({ name: 'FaunaUnavailableError', transient: true });
      expect(emfRecords(down.logs)[0]).toMatchObject({ RevocationFailures: 1 });
    } finally {
      down.dispose();
    }
  });

  it('gives the revoke key (role tokenRevoker) nothing but revokeTokens: no sign-in, no reads, no token minting', async () => {
    // Arrange
    const { secret } = await revokeKey(fauna);
    const user = newUser();
    await signIn(user);
    const codeOf = (query: ReturnType<typeof fql>) => queryAs(fauna, secret, query).then(() => 'allowed', (error: { code?: string }) => error.code);

    // Act
    const codes = await Promise.all([
      codeOf(fql`signIn("x", "x@example.com", true, 60, { userPoolId: "us-east-1_Test1", clientId: "test", triggerSource: "TokenGeneration_Authentication" }, 10)`),
      codeOf(fql`Customer.bySub(${user.sub}).first()!.email`),
      codeOf(fql`Token.create({ document: Customer.bySub(${user.sub}).first()! })`),
      codeOf(fql`trimTokens(Customer.bySub(${user.sub}).first()!, 1)`),
      codeOf(fql`revokeTokens(${user.sub})`),
    ]);

    // Assert
    expect(codes).toEqual(['permission_denied', 'permission_denied', 'permission_denied', 'permission_denied', 'allowed']);
  });

  it('rereads the revoke key from SSM once when Fauna rejects the cached one (rotation), and counts the refetch', async () => {
    // Arrange
    const parameter = '/cognito-fauna/dev/fauna-revoke-secret-rotated';
    const { secret } = await revokeKey(fauna);
    const answer = (value: string) => ({ Parameters: [{ Name: parameter, Type: 'SecureString' as const, Value: value, Version: 1 }], InvalidParameters: [] });
    ssm.on(GetParametersCommand, { Names: [parameter] }).resolvesOnce(answer('fnDeletedRevokeKey000000000000000000000')).resolves(answer(secret));
    const user = newUser();
    const userSecret = await signIn(user);
    const handler = startRevocationService({ STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: parameter, USER_POOL_IDS: POOL_ID });

    // Act
    let outcome;
    try {
      outcome = await handler.invoke(revocationEventFor('admin-disable-user.json', POOL_ID, user.sub));
    } finally {
      handler.dispose();
    }

    // Assert
    expect(outcome).toMatchObject({ outcome: 'revoked', deleted: 1 });
    expect(await works(userSecret)).toBe(false);
    expect(emfRecords(handler.logs)[0]).toMatchObject({ RevocationKeyRefetches: 1, TokensRevoked: 1 });
    expect(emfRecords(handler.logs)[0]).not.toHaveProperty('FaunaKeyRefetches');
    expect(handler.logs.text).not.toContain('fnDeletedRevokeKey');
  });

  it('stops at cold start with a ConfigError naming USER_POOL_IDS when the pool id is a wildcard, or two pools', () => {
    for (const value of ['*', 'us-east-1_EXAMPLE12,us-east-1_Other99']) {
      expect(() => startRevocationService({ STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: REVOKE_PARAMETER, USER_POOL_IDS: value })).toThrow(
        expect.objectContaining({ name: 'ConfigError', setting: 'USER_POOL_IDS' }),
      );
    }
  });
});
