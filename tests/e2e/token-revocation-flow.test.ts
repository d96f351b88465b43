/**
 * Revocation end to end in the local stack: a user signs in through cognito-local (the trigger runs in serverless
 * offline against the local Fauna), then the real revokeFaunaTokens handler gets the CloudTrail event an
 * AdminUserGlobalSignOut of that user would produce (events/cloudtrail/admin-user-global-sign-out.json with the
 * user's pool and sub; cognito-local has no AdminUserGlobalSignOut and no CloudTrail, so the event is built, not
 * delivered). The ID token's secret stops working; a new sign-in works. Then a group change: cognito-local adds
 * the user to a group and removes them again (real calls), and the handler gets the AdminAddUserToGroup and
 * AdminRemoveUserFromGroup events those would produce: the identity the user's existing secret reads follows, with no
 * new sign-in. And the right itself: a member of catalog-editors signs in through cognito-local, its secret creates a
 * Product (role catalogEditor, fauna/roles.fsl); after AdminRemoveUserFromGroup in cognito-local and its event to the
 * handler, the same secret is refused the next create. Nothing is stubbed.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { AdminRemoveUserFromGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationError, fql } from 'fauna';
import { faunaClientForUser, readIdentity, tryCreateProduct, type WriteOutcome } from '../../examples/query-as-user.ts';
import { faunaSecretOf, idTokenClaims, USER_ID_CLAIM } from '../../examples/signin.ts';
import type { SignInConfig } from '../../examples/signin.ts';
import { createRevokeFaunaTokensHandler, type RevokeFaunaTokensHandler } from '../../handlers/revocation/create-revoke-handler.ts';
import type { CloudTrailEvent } from '../../lib/revocation/cloudtrail-event.ts';
import { cognitoAdminClient, type CreatedUser } from '../../stack/cognito-admin.ts';
import { addUserToGroup } from '../../stack/cognito-groups.ts';
import { startLocalStack } from '../../stack/index.ts';
import type { LocalStack } from '../../stack/index.ts';
import { createTriggerKey } from '../../tools/fauna-admin.ts';
import { captureText, recordSecret } from '../helpers/log-capture.ts';
import { LogLines, observabilityWritingTo } from '../helpers/log-lines.ts';
import { SignInClient } from './helpers/sign-in-client.ts';
import { confirmedUserIn } from './helpers/stack-user.ts';

const STACK_START_TIMEOUT_MS = 180_000;
const STACK_STOP_TIMEOUT_MS = 30_000;
const EMAIL = 'ada.revoked@example.com';
const PASSWORD = 'E2e-Passw0rd!';

function adminUserGlobalSignOutOf(userPoolId: string, sub: string): CloudTrailEvent {
  const event = JSON.parse(readFileSync(new URL('../../events/cloudtrail/admin-user-global-sign-out.json', import.meta.url), 'utf8')) as CloudTrailEvent;
  event.detail.requestParameters = { ...event.detail.requestParameters, userPoolId };
  event.detail.additionalEventData = { ...event.detail.additionalEventData, sub };
  return event;
}

/** The sample group event `name` (events/cloudtrail/) as CloudTrail would record it for this user and pool. */
function groupEventOf(name: string, userPoolId: string, sub: string, groupName: string): CloudTrailEvent {
  const event = JSON.parse(readFileSync(new URL(`../../events/cloudtrail/${name}`, import.meta.url), 'utf8')) as CloudTrailEvent;
  event.detail.requestParameters = { ...event.detail.requestParameters, userPoolId, groupName };
  event.detail.additionalEventData = { ...event.detail.additionalEventData, sub };
  return event;
}

const context = { awsRequestId: 'e2e-revocation', functionName: 'cognito-fauna-local-revokeFaunaTokens', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

describe('revocation in the local stack: sign in through cognito-local, revoke, the ID token’s secret gets 401', () => {
  let stack: LocalStack | undefined;
  let signInConfig: SignInConfig;
  let user: CreatedUser;
  let revoker: RevokeFaunaTokensHandler | undefined;
  const logs = new LogLines();
  const client = new SignInClient();

  function running(): LocalStack {
    if (stack === undefined) throw new Error('The local stack did not start (see beforeAll).');
    return stack;
  }

  async function works(secret: string): Promise<boolean> {
    const fauna = faunaClientForUser(secret, running().fauna.url);
    try {
      await readIdentity(fauna);
      return true;
    } catch (error) {
      if (error instanceof AuthenticationError) return false;
      throw error;
    } finally {
      fauna.close();
    }
  }

  beforeAll(async () => {
    stack = await startLocalStack({ onOutput: (source, line) => captureText(source, `${line}\n`) });
    // The stack's own pool: the trigger serves only that one.
    ({ user, signInConfig } = await confirmedUserIn(stack.cognitoUrl, stack.userPool, { email: EMAIL, password: PASSWORD }));
    const key = await createTriggerKey({ endpoint: stack.fauna.url, adminSecret: stack.fauna.rootSecret, stage: 'local', createdBy: 'e2e', role: 'tokenRevoker' });
    recordSecret(key.secret, 'e2e revoke key');
    const { logger, metrics } = observabilityWritingTo(logs);
    revoker = createRevokeFaunaTokensHandler(
      { STAGE: 'local', FAUNA_ENDPOINT: stack.fauna.url, FAUNA_SECRET: key.secret, USER_POOL_IDS: signInConfig.userPoolId },
      { logger, metrics },
    );
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    revoker?.dispose();
    await client.close();
    await stack?.stop();
  }, STACK_STOP_TIMEOUT_MS);

  it('revokes every secret the user’s ID tokens carry, and a new sign-in gets a working one', async () => {
    // Arrange
    const first = await client.signIn(signInConfig, { username: EMAIL, password: PASSWORD });
    const second = await client.signIn(signInConfig, { username: EMAIL, password: PASSWORD });
    const secrets = [faunaSecretOf(first.session), faunaSecretOf(second.session)];
    for (const secret of secrets) recordSecret(secret, 'fauna_token_secret from an e2e ID token');
    expect(await Promise.all(secrets.map(works))).toEqual([true, true]);
    expect(idTokenClaims(first.session).sub).toBe(user.sub);

    // Act
    const answer = await revoker!.handler(adminUserGlobalSignOutOf(signInConfig.userPoolId, user.sub), context);
    const again = await client.signIn(signInConfig, { username: EMAIL, password: PASSWORD });
    const newSecret = faunaSecretOf(again.session);
    recordSecret(newSecret, 'fauna_token_secret from an e2e ID token');

    // Assert
    expect(answer).toMatchObject({ outcome: 'revoked', eventName: 'AdminUserGlobalSignOut', deleted: 2, userId: idTokenClaims(first.session)[USER_ID_CLAIM] });
    expect(await Promise.all(secrets.map(works))).toEqual([false, false]);
    expect(await works(newSecret)).toBe(true);
    expect(idTokenClaims(again.session)[USER_ID_CLAIM]).toBe(idTokenClaims(first.session)[USER_ID_CLAIM]);
    expect(logs.records('Revoked the Fauna tokens of a Cognito user')).toEqual([expect.objectContaining({ deleted: 2, sub: user.sub })]);
  });

  it('follows a group added and removed in cognito-local: the secret the user already holds reads the new groups, no new sign-in', async () => {
    // Arrange
    const group = 'catalog-editors';
    const admin = cognitoAdminClient(running().cognitoUrl);
    const session = await client.signIn(signInConfig, { username: EMAIL, password: PASSWORD });
    const secret = faunaSecretOf(session.session);
    recordSecret(secret, 'fauna_token_secret from an e2e ID token');
    const groupsOf = async () => {
      const fauna = faunaClientForUser(secret, running().fauna.url);
      try {
        return (await fauna.query<string[] | null>(fql`Query.identity()!.groups`)).data ?? [];
      } finally {
        fauna.close();
      }
    };
    const cognitoCall = { UserPoolId: signInConfig.userPoolId, Username: EMAIL, GroupName: group };

    try {
      // Act
      await addUserToGroup(admin, signInConfig.userPoolId, EMAIL, group);
      const added = await revoker!.handler(groupEventOf('admin-add-user-to-group.json', signInConfig.userPoolId, user.sub, group), context);
      const whileMember = await groupsOf();
      await admin.send(new AdminRemoveUserFromGroupCommand(cognitoCall));
      const removed = await revoker!.handler(groupEventOf('admin-remove-user-from-group.json', signInConfig.userPoolId, user.sub, group), context);

      // Assert
      expect(added).toMatchObject({ outcome: 'groups_updated', groups: [group] });
      expect(whileMember).toEqual([group]);
      expect(removed).toMatchObject({ outcome: 'groups_updated', groups: [] });
      expect(await groupsOf()).toEqual([]);
      expect(await works(secret)).toBe(true);
    } finally {
      admin.destroy();
    }
  });

  it('takes the right away, not only the group: the editor’s secret creates a Product, and after the removal the same secret is refused', async () => {
    // Arrange: a member of catalog-editors in cognito-local signs in (the trigger stores the group on the identity)
    const group = 'catalog-editors';
    const editorEmail = 'grace.editor@example.com';
    const { user: editor } = await confirmedUserIn(running().cognitoUrl, running().userPool, { email: editorEmail, password: PASSWORD });
    const admin = cognitoAdminClient(running().cognitoUrl);
    const createWith = async (secret: string, name: string): Promise<WriteOutcome> => {
      const fauna = faunaClientForUser(secret, running().fauna.url);
      try {
        return await tryCreateProduct(fauna, name);
      } finally {
        fauna.close();
      }
    };

    try {
      await addUserToGroup(admin, signInConfig.userPoolId, editorEmail, group);
      const session = await client.signIn(signInConfig, { username: editorEmail, password: PASSWORD });
      const secret = faunaSecretOf(session.session);
      recordSecret(secret, 'fauna_token_secret from an e2e ID token');
      const whileMember = await createWith(secret, 'Lamp, added by an editor');

      // Act: Cognito removes the user from the group; the handler gets the event that call produces
      await admin.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: signInConfig.userPoolId, Username: editorEmail, GroupName: group }));
      const removed = await revoker!.handler(groupEventOf('admin-remove-user-from-group.json', signInConfig.userPoolId, editor.sub, group), context);
      const afterRemoval = await createWith(secret, 'Lamp, added by a former editor');

      // Assert
      expect(whileMember).toMatchObject({ allowed: true, id: expect.any(String) });
      expect(removed).toMatchObject({ outcome: 'groups_updated', eventName: 'AdminRemoveUserFromGroup', groups: [], changed: true });
      expect(afterRemoval).toMatchObject({ allowed: false, code: 'permission_denied' });
      // Same secret, not revoked: the user stays signed in and only the group's right went away.
      expect(await works(secret)).toBe(true);
    } finally {
      admin.destroy();
    }
  });
});
