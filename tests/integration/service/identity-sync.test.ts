/**
 * Rights follow Cognito changes, against the local Fauna through the real handlers (Middy chains included): the
 * sample CloudTrail events of events/cloudtrail/ change the identity's groups and attributes, and the rights of the
 * token the user already holds follow on its next query, with no new sign-in. Stubbed with aws-sdk-client-mock: SSM
 * (both keys) and Cognito's AdminGetUser, the only AWS APIs involved.
 *
 * The local Fauna runs the product schema (fauna/): the `catalog-editors` right under test is the real role
 * `catalogEditor` of fauna/roles.fsl, whose membership predicate reads the identity's stored groups.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AuthenticationError, fql, type Query } from 'fauna';
import { startLocalFauna } from '../../../packages/fauna-local/src/index.ts';
import { type LocalFauna, queryAs, SCHEMA_DIR, triggerKey } from '../../helpers/local-fauna.ts';
import { idTokenClaims, SERVED_POOL_ID, type ServiceUnderTest as Service, signInEvent, startService, stubSsm } from '../../helpers/service.ts';
import { revocationEventFor, type RevocationService, revokeKey, startRevocationService } from '../../helpers/revocation-service.ts';

const TRIGGER_PARAMETER = '/cognito-fauna/dev/fauna-secret';
const REVOKE_PARAMETER = '/cognito-fauna/dev/fauna-revoke-secret';
const POOL_ID = 'us-east-1_EXAMPLE12';
const OTHER_CLIENT = '9other0client0id0abcdefg';

const ssm = stubSsm();
const cognito = mockClient(CognitoIdentityProviderClient);
let fauna: LocalFauna;
let trigger: Service;
let revoker: RevocationService;
let users = 0;

function newUser(): { sub: string; email: string } {
  users += 1;
  return { sub: `2222${String(users).padStart(4, '0')}-aaaa-4bbb-8ccc-${String(Date.now()).padStart(12, '0')}`, email: `sync${users}.${Date.now()}@example.com` };
}

async function signIn(user: { sub: string; email: string }, clientId?: string): Promise<string> {
  const event = signInEvent(user.sub, user.email, 'pretoken-refresh.json');
  if (clientId !== undefined) event.callerContext.clientId = clientId;
  return String(idTokenClaims(await trigger.invoke(event)).fauna_token_secret);
}

/** 'allowed', or the Fauna error code the query got with `secret` ('unauthorized' on 401). */
function codeOf(secret: string, query: Query): Promise<string> {
  return queryAs(fauna, secret, query).then(
    () => 'allowed',
    (error: { code?: string }) => (error instanceof AuthenticationError ? 'unauthorized' : String(error.code)),
  );
}

const createProduct = (secret: string) => codeOf(secret, fql`Product.create({ name: "lamp" })`);
const identityOf = (secret: string) => queryAs<{ groups?: string[]; attributes?: Record<string, string> }>(fauna, secret, fql`Query.identity()`);

/** Cognito's AdminGetUser answers `attributes` for the user (by sub, as the function asks for it). */
function cognitoHolds(user: { sub: string }, attributes: Record<string, string>): void {
  const UserAttributes = Object.entries({ sub: user.sub, ...attributes }).map(([Name, Value]) => ({ Name, Value }));
  cognito.on(AdminGetUserCommand, { UserPoolId: POOL_ID, Username: user.sub }).resolves({ Username: 'user', UserAttributes });
}

beforeAll(async () => {
  fauna = await startLocalFauna({ port: 0, schemaDir: SCHEMA_DIR });
  const [triggerSecret, revokeSecret] = [(await triggerKey(fauna)).secret, (await revokeKey(fauna)).secret];
  const answer = (name: string, value: string) => ({ Parameters: [{ Name: name, Type: 'SecureString' as const, Value: value, Version: 1 }], InvalidParameters: [] });
  ssm.on(GetParametersCommand, { Names: [TRIGGER_PARAMETER] }).resolves(answer(TRIGGER_PARAMETER, triggerSecret));
  ssm.on(GetParametersCommand, { Names: [REVOKE_PARAMETER] }).resolves(answer(REVOKE_PARAMETER, revokeSecret));
  trigger = startService({ STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: TRIGGER_PARAMETER, USER_POOL_IDS: SERVED_POOL_ID });
  revoker = startRevocationService({ STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: REVOKE_PARAMETER, USER_POOL_IDS: POOL_ID, IDENTITY_ATTRIBUTES: 'custom:tenantId,custom:plan' });
});

afterEach(() => {
  cognito.reset();
});

afterAll(async () => {
  revoker.dispose();
  trigger.dispose();
  ssm.restore();
  cognito.restore();
  await fauna.stop();
});

describe('group changes (AdminAddUserToGroup / AdminRemoveUserFromGroup) reach the token the user already holds', () => {
  it('runs the product schema: the right under test is role catalogEditor of fauna/roles.fsl, granted by the stored groups', async () => {
    const role = await queryAs<{ membership: unknown; privileges: unknown }>(fauna, fauna.rootSecret, fql`Role.byName("catalogEditor")!`);
    expect(JSON.stringify(role.membership)).toContain('catalog-editors');
    expect(role.privileges).toEqual(expect.arrayContaining([expect.objectContaining({ resource: 'Product', actions: expect.objectContaining({ create: true, write: true }) })]));
  });

  it('a group removal event takes the Product-create right away on the next query with the same token, no new sign-in', async () => {
    // Arrange: one sign-in, one token, then Cognito adds the user to catalog-editors
    const user = newUser();
    const secret = await signIn(user);
    const before = await createProduct(secret);
    const added = await revoker.invoke(revocationEventFor('admin-add-user-to-group.json', POOL_ID, user.sub));
    const whileMember = await createProduct(secret);

    // Act
    const removed = await revoker.invoke(revocationEventFor('admin-remove-user-from-group.json', POOL_ID, user.sub));
    const replay = await revoker.invoke(revocationEventFor('admin-remove-user-from-group.json', POOL_ID, user.sub));

    // Assert
    expect(before).toBe('permission_denied');
    expect(added).toMatchObject({ outcome: 'groups_updated', groups: ['catalog-editors'], changed: true });
    expect(whileMember).toBe('allowed');
    expect(removed).toMatchObject({ outcome: 'groups_updated', groups: [], changed: true });
    expect(replay).toMatchObject({ outcome: 'groups_updated', groups: [], changed: false });
    expect(await createProduct(secret)).toBe('permission_denied');
    // Same token, still signed in: it reads the catalogue and its identity, which shows the stored groups.
    expect(await codeOf(secret, fql`Product.all().count()`)).toBe('allowed');
    expect((await identityOf(secret)).groups).toEqual([]);
  });

  it('keeps the user\'s other groups when one is removed, and another user is untouched', async () => {
    // Arrange
    const [user, other] = [newUser(), newUser()];
    const [secret, otherSecret] = [await signIn(user), await signIn(other)];
    const other_group = revocationEventFor('admin-add-user-to-group.json', POOL_ID, user.sub);
    other_group.detail.requestParameters!.groupName = 'beta-testers';
    await revoker.invoke(other_group);
    await revoker.invoke(revocationEventFor('admin-add-user-to-group.json', POOL_ID, user.sub));
    await revoker.invoke(revocationEventFor('admin-add-user-to-group.json', POOL_ID, other.sub));

    // Act
    await revoker.invoke(revocationEventFor('admin-remove-user-from-group.json', POOL_ID, user.sub));

    // Assert
    expect((await identityOf(secret)).groups).toEqual(['beta-testers']);
    expect(await createProduct(otherSecret)).toBe('allowed');
  });

  it('revokes the user\'s tokens when CloudTrail hides the group name (the next sign-in stores the groups again)', async () => {
    const user = newUser();
    const secret = await signIn(user);
    const answer = await revoker.invoke(revocationEventFor('variants/admin-remove-user-from-group-hidden-group.json', POOL_ID, user.sub));
    expect(answer).toMatchObject({ outcome: 'revoked', deleted: 1, fallback: 'the event hides the group name' });
    expect(await codeOf(secret, fql`Query.identity()`)).toBe('unauthorized');
  });
});

describe('attacks', () => {
  it('an AdminAddUserToGroup event of another pool cannot give this pool\'s user a group', async () => {
    // Arrange
    const user = newUser();
    const secret = await signIn(user);

    // Act
    const answer = await revoker.invoke(revocationEventFor('admin-add-user-to-group.json', 'us-east-1_OtherPool9', user.sub));

    // Assert
    expect(answer).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('us-east-1_OtherPool9') });
    expect((await identityOf(secret)).groups ?? []).toEqual([]);
    expect(await createProduct(secret)).toBe('permission_denied');
  });

  it('a user\'s token cannot call the Cognito-change functions nor write its own groups, attributes or tenant', async () => {
    // Arrange
    const user = newUser();
    const secret = await signIn(user);

    // Act
    const codes = await Promise.all([
      codeOf(secret, fql`changeIdentityGroup(${user.sub}, "catalog-editors", true)`),
      codeOf(secret, fql`setIdentityAttributes(${user.sub}, { "custom:tenantId": "other" })`),
      codeOf(secret, fql`revokeClientTokens(${user.sub}, "x")`),
      codeOf(secret, fql`Query.identity()!.update({ groups: ["catalog-editors"] })`),
      codeOf(secret, fql`Customer.byId(Query.identity()!.id)!.update({ attributes: { "custom:tenantId": "other" } })`),
    ]);

    // Assert
    expect(codes).toEqual(['permission_denied', 'permission_denied', 'permission_denied', 'permission_denied', 'permission_denied']);
    expect(await identityOf(secret)).not.toHaveProperty('groups');
  });

  it('the revoke key\'s functions check their arguments: a bad group, attribute set or sub is refused before anything is written', async () => {
    // Arrange
    const { secret } = await revokeKey(fauna);
    const user = newUser();
    await signIn(user);

    // Act
    const codes = await Promise.all([
      codeOf(secret, fql`changeIdentityGroup(${user.sub}, "", true)`),
      codeOf(secret, fql`changeIdentityGroup(${user.sub}, ${'g'.repeat(129)}, true)`),
      codeOf(secret, fql`changeIdentityGroup(${user.sub}, "catalog-editors", "yes")`),
      codeOf(secret, fql`changeIdentityGroup("", "catalog-editors", true)`),
      codeOf(secret, fql`setIdentityAttributes(${user.sub}, { "custom:tenantId": 7 })`),
      codeOf(secret, fql`setIdentityAttributes(${user.sub}, ["custom:tenantId"])`),
      codeOf(secret, fql`revokeClientTokens(${user.sub}, "")`),
      codeOf(secret, fql`Customer.bySub(${user.sub}).first()!.update({ groups: ["catalog-editors"] })`),
    ]);

    // Assert
    expect(codes).toEqual(['abort', 'abort', 'abort', 'abort', 'abort', 'abort', 'abort', 'permission_denied']);
    expect(await queryAs(fauna, fauna.rootSecret, fql`Customer.bySub(${user.sub}).first()!.groups`)).toBeNull();
  });
});

describe('attribute changes: values read from Cognito (AdminGetUser), the tenant change revokes', () => {
  it('stores an allowlisted attribute change and keeps the token; a tenant change revokes every token of the identity', async () => {
    // Arrange
    const user = newUser();
    const secret = await signIn(user);

    // Act 1: the plan changes (allowlisted, not the tenant); names not in IDENTITY_ATTRIBUTES are not stored
    cognitoHolds(user, { 'custom:plan': 'gold', given_name: 'Ada' });
    const plan = await revoker.invoke(revocationEventFor('variants/admin-update-user-attributes-hidden-names.json', POOL_ID, user.sub));
    const afterPlan = await identityOf(secret);

    // Act 2: the user's tenant is set (UpdateUserAttributes, made with the user's access token)
    cognitoHolds(user, { 'custom:plan': 'gold', 'custom:tenantId': 'acme' });
    const tenant = await revoker.invoke(revocationEventFor('update-user-attributes.json', POOL_ID, user.sub));

    // Assert
    expect(plan).toMatchObject({ outcome: 'attributes_updated', changed: true, tenantChanged: false, deleted: 0 });
    expect(afterPlan.attributes).toEqual({ 'custom:plan': 'gold' });
    expect(tenant).toMatchObject({ outcome: 'attributes_updated', changed: true, tenantChanged: true, deleted: 1 });
    expect(await codeOf(secret, fql`Query.identity()`)).toBe('unauthorized');
    expect(await queryAs(fauna, fauna.rootSecret, fql`Customer.bySub(${user.sub}).first()!.attributes`)).toEqual({ 'custom:plan': 'gold', 'custom:tenantId': 'acme' });
    expect(cognito.commandCalls(AdminGetUserCommand).map((call) => call.args[0].input)).toEqual([
      { UserPoolId: POOL_ID, Username: user.sub },
      { UserPoolId: POOL_ID, Username: user.sub },
    ]);
  });

  it('a deleted tenant attribute (AdminDeleteUserAttributes) removes it and revokes; a replay changes nothing', async () => {
    // Arrange: the user has a tenant (setting it revoked the first token), then signs in again
    const user = newUser();
    await signIn(user);
    cognitoHolds(user, { 'custom:tenantId': 'acme' });
    await revoker.invoke(revocationEventFor('admin-update-user-attributes.json', POOL_ID, user.sub));
    const secret = await signIn(user);
    cognito.reset();
    cognitoHolds(user, {});

    // Act
    const deleted = await revoker.invoke(revocationEventFor('admin-delete-user-attributes.json', POOL_ID, user.sub));
    const replay = await revoker.invoke(revocationEventFor('admin-delete-user-attributes.json', POOL_ID, user.sub));

    // Assert
    expect(deleted).toMatchObject({ outcome: 'attributes_updated', changed: true, tenantChanged: true, deleted: 1 });
    expect(replay).toMatchObject({ outcome: 'attributes_updated', changed: false, tenantChanged: false, deleted: 0 });
    expect(await codeOf(secret, fql`Query.identity()`)).toBe('unauthorized');
    expect(await queryAs(fauna, fauna.rootSecret, fql`Customer.bySub(${user.sub}).first()!.attributes`)).toEqual({});
  });

  it('ignores a change of an attribute outside the allowlist without asking Cognito', async () => {
    const user = newUser();
    const secret = await signIn(user);
    const answer = await revoker.invoke(revocationEventFor('variants/admin-update-user-attributes-not-allowlisted.json', POOL_ID, user.sub));
    expect(answer).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('given_name') });
    expect(cognito.commandCalls(AdminGetUserCommand)).toHaveLength(0);
    expect(await codeOf(secret, fql`Query.identity()`)).toBe('allowed');
  });
});

describe('RevokeToken (one app client signs out)', () => {
  it('revokes the tokens minted for that app client only; the user\'s other client keeps working', async () => {
    // Arrange: two sign-ins through the sample's client, one through another client
    const user = newUser();
    const event = revocationEventFor('revoke-token.json', POOL_ID, user.sub);
    const revokedClient = String(event.detail.requestParameters!.clientId);
    const [first, second, other] = [await signIn(user, revokedClient), await signIn(user, revokedClient), await signIn(user, OTHER_CLIENT)];

    // Act
    const answer = await revoker.invoke(event);

    // Assert
    expect(answer).toMatchObject({ outcome: 'client_revoked', clientId: revokedClient, deleted: 2 });
    expect(await Promise.all([first, second, other].map((secret) => codeOf(secret, fql`Query.identity()`)))).toEqual(['unauthorized', 'unauthorized', 'allowed']);
  });

  it('ignores a RevokeToken event that does not identify the user, and says why', async () => {
    const user = newUser();
    const secret = await signIn(user);
    const answer = await revoker.invoke(revocationEventFor('variants/revoke-token-no-sub.json', POOL_ID, user.sub));
    expect(answer).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('does not identify the user') });
    expect(await codeOf(secret, fql`Query.identity()`)).toBe('allowed');
  });
});
