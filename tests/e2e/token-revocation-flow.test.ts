/**
 * Revocation end to end in the local stack: a user signs in through cognito-local (the trigger runs in serverless
 * offline against the local Fauna), then the real revokeFaunaTokens handler gets the CloudTrail event an
 * AdminUserGlobalSignOut of that user would produce (events/cloudtrail/admin-user-global-sign-out.json with the
 * user's pool and sub; cognito-local has no AdminUserGlobalSignOut and no CloudTrail, so the event is built, not
 * delivered). The ID token's secret stops working; a new sign-in works. Nothing is stubbed.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { AuthenticationError } from 'fauna';
import { faunaClientForUser, readIdentity } from '../../examples/query-as-user.ts';
import { faunaSecretOf, idTokenClaims, USER_ID_CLAIM } from '../../examples/signin.ts';
import type { SignInConfig } from '../../examples/signin.ts';
import { createRevokeFaunaTokensHandler, type RevokeFaunaTokensHandler } from '../../handlers/create-revoke-handler.ts';
import type { CloudTrailEvent } from '../../lib/cloudtrail-event.ts';
import type { CreatedUser } from '../../stack/cognito-admin.ts';
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
});
