import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationError, QueryRuntimeError, ThrottlingError } from 'fauna';
import { createSubResolver } from '../../../handlers/revocation/cognito-users.ts';
import type { CloudTrailEvent } from '../../../lib/revocation/cloudtrail-event.ts';
import { parseRevocationEvent } from '../../../lib/revocation/cloudtrail-event.ts';
import type { FaunaClientProvider, QueryClient } from '../../../lib/common/fauna-client.ts';
import { FunctionHomeUnknownError, RevocationQueryError, UserLookupError, UserNotResolvedError } from '../../../lib/revocation/revocation-errors.ts';
import { handleRevocationEvent, type RevocationDependencies, revokeTokensOf } from '../../../lib/revocation/revocation.ts';

const POOL = 'us-east-1_EXAMPLE12';
const event = (name: string) => JSON.parse(readFileSync(new URL(`../../../events/cloudtrail/${name}`, import.meta.url), 'utf8')) as CloudTrailEvent;
const failure = (code: string) => ({ error: { code, message: 'refused' } });

/** A query client that answers each call with the next of `answers` (a value, or an error to throw). */
function clientAnswering(...answers: unknown[]): QueryClient & { calls: number } {
  const client = {
    calls: 0,
    async query() {
      const answer = answers[client.calls++];
      if (answer instanceof Error) throw answer;
      return { data: answer } as never;
    },
  };
  return client as QueryClient & { calls: number };
}

function deps(client: QueryClient, overrides: Partial<RevocationDependencies> = {}): RevocationDependencies {
  const fauna: FaunaClientProvider = { clientFor: () => client, warmUp: async () => undefined, reopenedConnections: () => 0, close: () => undefined };
  return {
    userPoolId: POOL,
    home: { account: '123456789012', region: 'us-east-1' },
    homeMayBeUnknown: false,
    fauna,
    currentSecret: () => 'fnCurrentKey',
    refreshSecret: async () => 'fnNewKey',
    resolveSub: async () => null,
    readUser: async () => null,
    identityAttributes: [],
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { addMetric: () => undefined },
    now: () => 0,
    ...overrides,
  };
}

describe('revokeTokensOf (the revokeTokens query), with a stub query client', () => {
  it('maps an unavailable Fauna to a transient error and a refusal to a permanent one, with the revoke key\'s advice', async () => {
    await expect(revokeTokensOf(clientAnswering(new ThrottlingError(failure('throttle') as never, 429)), 's')).rejects.toMatchObject({ name: 'FaunaUnavailableError', transient: true });
    await expect(revokeTokensOf(clientAnswering(new QueryRuntimeError(failure('permission_denied') as never, 400)), 's')).rejects.toMatchObject({ name: 'FaunaQueryError', transient: false, code: 'permission_denied', message: expect.stringMatching(/^Fauna refused revokeTokens \(permission_denied\).*tokenRevoker role/) });
  });

  it('refuses an answer of the wrong shape (schema not pushed)', async () => {
    await expect(revokeTokensOf(clientAnswering({ deleted: 'three' }), 's')).rejects.toThrow(/unexpected shape/);
  });
});

describe('handleRevocationEvent, with stub dependencies', () => {
  it('retries with the refetched key after a 401, and gives up transiently when the key store was asked too recently', async () => {
    // Arrange
    const unauthorized = () => new AuthenticationError(failure('unauthorized') as never, 401);
    const refetched = clientAnswering(unauthorized(), { userId: '1', deleted: 2 });
    const limited = clientAnswering(unauthorized());

    // Act
    const answer = await handleRevocationEvent(event('admin-disable-user.json'), deps(refetched));
    const attempt = handleRevocationEvent(event('admin-disable-user.json'), deps(limited, { refreshSecret: async () => null }));

    // Assert
    expect(answer).toMatchObject({ outcome: 'revoked', deleted: 2 });
    expect(refetched.calls).toBe(2);
    await expect(attempt).rejects.toBeInstanceOf(RevocationQueryError);
    await expect(attempt).rejects.toMatchObject({ transient: true });
  });

  it.each([
    ['another account', { account: '210987654321' }, /account 123456789012, this function runs in 210987654321/],
    ['another region', { region: 'eu-west-1' }, /region us-east-1, this function runs in eu-west-1/],
  ])('ignores an event of %s than the function\'s own, without calling Fauna', async (_label, home, reason) => {
    // Arrange
    const client = clientAnswering({ userId: '1', deleted: 2 });

    // Act
    const answer = await handleRevocationEvent(event('admin-disable-user.json'), deps(client, { home: { account: '123456789012', region: 'us-east-1', ...home } }));

    // Assert
    expect(answer).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(reason) });
    expect(client.calls).toBe(0);
  });

  it('ignores an event that names no account when the function knows its own', async () => {
    const anonymous = event('admin-disable-user.json') as CloudTrailEvent & Record<string, unknown>;
    delete anonymous.account;
    delete anonymous.detail.recipientAccountId;
    const client = clientAnswering({ userId: '1', deleted: 2 });
    expect(await handleRevocationEvent(anonymous, deps(client))).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('(none named)') });
    expect(client.calls).toBe(0);
  });

  it('refuses (permanently) when it cannot tell its own account, except on the local stage, which checks what it knows', async () => {
    // Arrange
    const client = clientAnswering({ userId: '1', deleted: 2 });
    const unknown = { account: undefined, region: 'us-east-1' };

    // Act
    const refused = handleRevocationEvent(event('admin-disable-user.json'), deps(client, { home: unknown }));
    const local = await handleRevocationEvent(event('admin-disable-user.json'), deps(client, { home: unknown, homeMayBeUnknown: true }));
    const localElsewhere = await handleRevocationEvent(event('admin-disable-user.json'), deps(client, { home: { account: undefined, region: 'eu-west-1' }, homeMayBeUnknown: true }));

    // Assert
    await expect(refused).rejects.toBeInstanceOf(FunctionHomeUnknownError);
    await expect(refused).rejects.toMatchObject({ transient: false });
    expect(local).toMatchObject({ outcome: 'revoked', deleted: 2 });
    expect(localElsewhere).toMatchObject({ outcome: 'ignored' });
    expect(client.calls).toBe(1);
  });

  it.each([
    ['an empty string', ''],
    ['an object', { code: 'AccessDenied' }],
    ['null', null],
    ['a number', 403],
  ])('treats an errorCode of %s as a failed call: nothing revoked', async (_label, errorCode) => {
    // Arrange
    const failed = event('admin-disable-user.json');
    (failed.detail as Record<string, unknown>).errorCode = errorCode;
    const client = clientAnswering({ userId: '1', deleted: 2 });

    // Act
    const answer = await handleRevocationEvent(failed, deps(client));

    // Assert
    expect(answer).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('call failed') });
    expect(client.calls).toBe(0);
  });

  it('gives up permanently on an event with neither a sub nor a visible user name', async () => {
    // Arrange
    const anonymous = event('admin-delete-user.json');
    anonymous.detail.additionalEventData = null;

    // Act + Assert
    await expect(handleRevocationEvent(anonymous, deps(clientAnswering()))).rejects.toBeInstanceOf(UserNotResolvedError);
  });

  it('reads a sub from additionalEventData.userSub too, and a pool-less resources list is no pool', () => {
    const withUserSub = event('global-sign-out.json');
    withUserSub.detail.additionalEventData = { userSub: 'sub-1', userPoolId: POOL };
    expect(parseRevocationEvent(withUserSub).sub).toBe('sub-1');
    const noPool = event('global-sign-out.json');
    noPool.detail.additionalEventData = { sub: 'sub-1' };
    noPool.detail.resources = [{ ARN: 'arn:aws:s3:::bucket' }];
    expect(() => parseRevocationEvent(noPool)).toThrow(/names no user pool/);
  });
});

describe('handleRevocationEvent: group, attribute and RevokeToken events, with stub dependencies', () => {
  const user = (attributes: Record<string, string>) => async () => ({ sub: SUB, attributes: { sub: SUB, ...attributes } });
  const SUB = '7d8ca528-4931-4254-9273-ea5ee853f271';

  it('adds and removes the named group through changeIdentityGroup, without revoking anything', async () => {
    // Arrange
    const client = clientAnswering({ userId: '1', groups: ['catalog-editors'], changed: true }, { userId: '1', groups: [], changed: true });
    const queries: string[] = [];
    const recording: QueryClient = { query: (query: never) => { queries.push(JSON.stringify((query as { encode?: () => unknown }).encode?.() ?? query)); return client.query(query); } } as never;

    // Act
    const added = await handleRevocationEvent(event('admin-add-user-to-group.json'), deps(recording));
    const removed = await handleRevocationEvent(event('admin-remove-user-from-group.json'), deps(recording));

    // Assert
    expect(added).toEqual({ outcome: 'groups_updated', eventName: 'AdminAddUserToGroup', userId: '1', groups: ['catalog-editors'], changed: true });
    expect(removed).toMatchObject({ outcome: 'groups_updated', groups: [] });
    expect(queries[0]).toContain('changeIdentityGroup');
    expect(queries[0]).toContain('true');
    expect(queries[1]).toContain('false');
  });

  it('falls back to revoking every token when CloudTrail hides the group name', async () => {
    const client = clientAnswering({ userId: '1', deleted: 3 });
    const answer = await handleRevocationEvent(event('variants/admin-remove-user-from-group-hidden-group.json'), deps(client));
    expect(answer).toEqual({ outcome: 'revoked', eventName: 'AdminRemoveUserFromGroup', userId: '1', deleted: 3, fallback: 'the event hides the group name' });
  });

  it('ignores an attribute event when nothing is allowlisted, or when every name it changed is outside the allowlist, without Cognito or Fauna', async () => {
    // Arrange
    const client = clientAnswering();
    let lookups = 0;
    const readUser = async () => { lookups++; return null; };

    // Act
    const none = await handleRevocationEvent(event('admin-update-user-attributes.json'), deps(client, { readUser }));
    const other = await handleRevocationEvent(event('variants/admin-update-user-attributes-not-allowlisted.json'), deps(client, { readUser, identityAttributes: ['custom:tenantId'] }));

    // Assert
    expect(none).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('IDENTITY_ATTRIBUTES is empty') });
    expect(other).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('given_name') });
    expect([client.calls, lookups]).toEqual([0, 0]);
  });

  it.each(['admin-update-user-attributes.json', 'update-user-attributes.json', 'admin-delete-user-attributes.json', 'delete-user-attributes.json', 'variants/admin-update-user-attributes-hidden-names.json'])(
    '%s: reads the current values from Cognito by sub and stores the allowlisted ones only',
    async (name) => {
      // Arrange
      const client = clientAnswering({ userId: '1', changed: true, tenantChanged: true, deleted: 2 });
      const asked: string[] = [];
      const readUser = async (username: string) => { asked.push(username); return user({ 'custom:tenantId': 'acme', given_name: 'Ada' })(); };

      // Act
      const answer = await handleRevocationEvent(event(name), deps(client, { readUser, identityAttributes: ['custom:tenantId', 'custom:plan'] }));

      // Assert
      expect(answer).toMatchObject({ outcome: 'attributes_updated', userId: '1', tenantChanged: true, deleted: 2 });
      expect(asked).toEqual([SUB]);
    },
  );

  it('falls back to revoking when Cognito cannot return the user, and refuses when it answers another user', async () => {
    const allow = { identityAttributes: ['custom:tenantId'] };
    const gone = await handleRevocationEvent(event('admin-update-user-attributes.json'), deps(clientAnswering({ userId: '1', deleted: 1 }), { ...allow, readUser: async () => null }));
    expect(gone).toMatchObject({ outcome: 'revoked', deleted: 1, fallback: expect.stringContaining('current attributes') });
    const impostor = handleRevocationEvent(event('admin-update-user-attributes.json'), deps(clientAnswering(), { ...allow, readUser: async () => ({ sub: 'someone-else', attributes: {} }) }));
    await expect(impostor).rejects.toBeInstanceOf(UserNotResolvedError);
  });

  it('asks Cognito by the visible user name when there is one, and refuses an event naming nobody, or nobody Cognito knows', async () => {
    // Arrange
    const allow = { identityAttributes: ['custom:tenantId'] };
    const named = event('admin-update-user-attributes.json');
    named.detail.requestParameters!.username = 'ada@example.com';
    const asked: string[] = [];
    const readUser = async (username: string) => { asked.push(username); return user({ 'custom:tenantId': 'acme' })(); };
    const anonymous = event('admin-update-user-attributes.json');
    anonymous.detail.additionalEventData = null;
    const unknown = event('admin-update-user-attributes.json');
    unknown.detail.additionalEventData = null;
    unknown.detail.requestParameters!.username = 'gone@example.com';

    // Act
    const answer = await handleRevocationEvent(named, deps(clientAnswering({ userId: '1', changed: false, tenantChanged: false, deleted: 0 }), { ...allow, readUser }));
    const nobody = handleRevocationEvent(anonymous, deps(clientAnswering(), allow));
    const gone = handleRevocationEvent(unknown, deps(clientAnswering(), { ...allow, readUser: async () => null }));

    // Assert
    expect(answer).toMatchObject({ outcome: 'attributes_updated', changed: false });
    expect(asked).toEqual(['ada@example.com']);
    await expect(nobody).rejects.toBeInstanceOf(UserNotResolvedError);
    await expect(gone).rejects.toBeInstanceOf(UserNotResolvedError);
  });

  it('falls back to revoking every token when a RevokeToken event hides the app client id', async () => {
    const hidden = event('revoke-token.json');
    hidden.detail.requestParameters!.clientId = 'HIDDEN_DUE_TO_SECURITY_REASONS';
    const answer = await handleRevocationEvent(hidden, deps(clientAnswering({ userId: '1', deleted: 4 })));
    expect(answer).toEqual({ outcome: 'revoked', eventName: 'RevokeToken', userId: '1', deleted: 4, fallback: 'the event hides the app client id' });
  });

  it('revokes the tokens of the one app client a RevokeToken names, and ignores (saying why) one that does not identify the user', async () => {
    // Arrange
    const client = clientAnswering({ userId: '1', deleted: 1 });

    // Act
    const revoked = await handleRevocationEvent(event('revoke-token.json'), deps(client));
    const anonymous = await handleRevocationEvent(event('variants/revoke-token-no-sub.json'), deps(client));

    // Assert
    expect(revoked).toEqual({ outcome: 'client_revoked', eventName: 'RevokeToken', userId: '1', deleted: 1, clientId: '1example23456789' });
    expect(anonymous).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('does not identify the user') });
    expect(client.calls).toBe(1);
  });

  it('ignores a group grant for another pool\'s user before any Fauna call (attack)', async () => {
    const foreign = event('admin-add-user-to-group.json');
    foreign.detail.requestParameters!.userPoolId = 'us-east-1_OtherPool9';
    const client = clientAnswering();
    expect(await handleRevocationEvent(foreign, deps(client))).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('us-east-1_OtherPool9') });
    expect(client.calls).toBe(0);
  });
});

describe('createSubResolver (AdminGetUser stubbed with aws-sdk-client-mock)', () => {
  it('answers the sub, null for an unknown user, and a transient UserLookupError for any other failure', async () => {
    // Arrange
    const cognito = mockClient(CognitoIdentityProviderClient);
    const resolve = createSubResolver(POOL, { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      cognito.on(AdminGetUserCommand, { Username: 'ada' }).resolves({ UserAttributes: [{ Name: 'sub', Value: 'sub-ada' }] });
      cognito.on(AdminGetUserCommand, { Username: 'bare' }).resolves({ UserAttributes: [] });
      cognito.on(AdminGetUserCommand, { Username: 'gone' }).rejects(Object.assign(new Error('gone'), { name: 'UserNotFoundException' }));
      cognito.on(AdminGetUserCommand, { Username: 'busy' }).rejects(Object.assign(new Error('slow down'), { name: 'TooManyRequestsException' }));

      // Act + Assert
      expect(await resolve('ada')).toBe('sub-ada');
      expect(await resolve('bare')).toBeNull();
      expect(await resolve('gone')).toBeNull();
      await expect(resolve('busy')).rejects.toBeInstanceOf(UserLookupError);
      await expect(resolve('busy')).rejects.toMatchObject({ transient: true });
    } finally {
      cognito.restore();
    }
  });
});
