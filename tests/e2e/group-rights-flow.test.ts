/**
 * Rights from Cognito groups, end to end with real processes (issue 22): cognito-local manages the group
 * (CreateGroup, AdminAddUserToGroup) and calls the Pre Token Generation function in serverless offline, which stores
 * the user's groups on the Fauna identity in the local Fauna; the roles in fauna/roles.fsl then let a member of
 * catalog-editors create a Product that a user outside the group cannot. The stack runs the V2_0 trigger version, as
 * the dev and staging stages do: cognito-local sends V1_0 events and no groups, so the local trigger path converts
 * the event, fills in the groups and converts the answer back (stack/trigger-event-fixups.ts). Nothing is stubbed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fql } from 'fauna';
import { faunaClientForUser, tryCreateProduct } from '../../examples/query-as-user.ts';
import { faunaSecretOf, idTokenClaims } from '../../examples/signin.ts';
import type { SignInConfig } from '../../examples/signin.ts';
import { cognitoAdminClient } from '../../stack/cognito-admin.ts';
import { addUserToGroup } from '../../stack/cognito-groups.ts';
import { startLocalStack, type LocalStack } from '../../stack/index.ts';
import { captureText, recordSecret } from '../helpers/log-capture.ts';
import { SignInClient } from './helpers/sign-in-client.ts';
import { confirmedUserIn } from './helpers/stack-user.ts';

const STACK_START_TIMEOUT_MS = 180_000;
const STACK_STOP_TIMEOUT_MS = 30_000;
const PASSWORD = 'E2e-Passw0rd!';
const EDITOR = 'editor@example.com';
const READER = 'reader@example.com';

describe('Cognito groups become Fauna rights through cognito-local, serverless offline (V2_0 events) and the local Fauna', () => {
  let stack: LocalStack | undefined;
  let editorConfig: SignInConfig;
  let readerConfig: SignInConfig;
  const client = new SignInClient();

  function running(): LocalStack {
    if (stack === undefined) throw new Error('The local stack did not start (see beforeAll).');
    return stack;
  }

  async function asUser<T>(secret: string, work: (c: ReturnType<typeof faunaClientForUser>) => Promise<T>): Promise<T> {
    recordSecret(secret, 'fauna_token_secret from an e2e ID token');
    const fauna = faunaClientForUser(secret, running().fauna.url);
    try {
      return await work(fauna);
    } finally {
      fauna.close();
    }
  }

  beforeAll(async () => {
    stack = await startLocalStack({ triggerVersion: 'V2_0', onOutput: (source, line) => captureText(source, `${line}\n`) });
    ({ signInConfig: editorConfig } = await confirmedUserIn(stack.cognitoUrl, stack.userPool, { email: EDITOR, password: PASSWORD }));
    ({ signInConfig: readerConfig } = await confirmedUserIn(stack.cognitoUrl, stack.userPool, { email: READER, password: PASSWORD }));
    const admin = cognitoAdminClient(stack.cognitoUrl);
    try {
      await addUserToGroup(admin, stack.userPool.userPoolId, EDITOR, 'catalog-editors');
    } finally {
      admin.destroy();
    }
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await client.close();
    await stack?.stop();
  }, STACK_STOP_TIMEOUT_MS);

  it('the member of catalog-editors gets a token whose secret creates a Product; its identity holds the group', async () => {
    const signedIn = await client.signIn(editorConfig, { username: EDITOR, password: PASSWORD });

    const { groups, write } = await asUser(faunaSecretOf(signedIn.session), async (fauna) => ({
      groups: (await fauna.query<string[]>(fql`Query.identity()!.groups`)).data,
      write: await tryCreateProduct(fauna, 'Lamp, added by an editor'),
    }));

    expect(groups).toEqual(['catalog-editors']);
    expect(write.allowed).toBe(true);
    expect(running().triggerInvocations().at(-1)).toMatchObject({ triggerSource: 'TokenGeneration_Authentication', eventVersion: '2', status: 200 });
  });

  it('a user outside the group signs in the same way and cannot create a Product', async () => {
    const signedIn = await client.signIn(readerConfig, { username: READER, password: PASSWORD });

    const write = await asUser(faunaSecretOf(signedIn.session), (fauna) => tryCreateProduct(fauna, 'Lamp, added by a reader'));

    expect(write).toMatchObject({ allowed: false, code: 'permission_denied' });
  });

  it("the V2_0 answer, converted back for cognito-local, still puts the claims in the ID token and suppresses the email", async () => {
    const signedIn = await client.signIn(readerConfig, { username: READER, password: PASSWORD });
    const claims = idTokenClaims(signedIn.session);

    expect(typeof claims.fauna_token_secret).toBe('string');
    expect(typeof claims.userId).toBe('string');
    expect(claims).not.toHaveProperty('email');
    recordSecret(String(claims.fauna_token_secret), 'fauna_token_secret from an e2e ID token');
  });
});
