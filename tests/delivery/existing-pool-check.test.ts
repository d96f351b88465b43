/**
 * serverless/existing-pool-check.cjs: at deploy, the pool named existingPoolName must be the one pool existingPoolId
 * names, the id the served-pool parameter and the revocation rule use. Cognito is stubbed with aws-sdk-client-mock
 * here; the deploy rehearsal (tests/rehearsal/deploy.test.ts) runs the same check inside `npm run deploy` against
 * moto_server.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';

const require = createRequire(import.meta.url);
const CHECK_MODULE = '../../serverless/existing-pool-check.cjs';
// Resolve the SDK the way the plugin does, so that the stub replaces the very class it uses.
const { CognitoIdentityProviderClient, ListUserPoolsCommand } = require(require.resolve('@aws-sdk/client-cognito-identity-provider', { paths: [require.resolve(CHECK_MODULE)] })) as typeof import('@aws-sdk/client-cognito-identity-provider');

interface Target {
  name: string;
  servedId?: string;
  revokedId: string;
}
const check = require(CHECK_MODULE) as {
  poolsNamed(client: unknown, name: string): Promise<string[]>;
  existingPoolTarget(service: unknown): Target | undefined;
  checkPoolIdentity(target: Target, matches: string[], where: { stage: string; region: string }): void;
  PoolIdentityError: new (message: string) => Error;
};

const cognitoMock = mockClient(CognitoIdentityProviderClient);
afterEach(() => {
  cognitoMock.reset();
});

const WHERE = { stage: 'prod', region: 'eu-west-1' };
const POOL = 'eu-west-1_AbCdEf123';
const OTHER = 'eu-west-1_ZyXwVu987';

describe('one pool identity for an existing pool (serverless/existing-pool-check.cjs)', () => {
  it('finds every pool with the name across ListUserPools pages (Cognito stubbed with aws-sdk-client-mock)', async () => {
    // Arrange
    cognitoMock.on(ListUserPoolsCommand)
      .resolvesOnce({ UserPools: [{ Id: OTHER, Name: 'someone-else' }, { Id: POOL, Name: 'cognito-fauna-prod' }], NextToken: 'page-2' })
      .resolvesOnce({ UserPools: [{ Id: 'eu-west-1_Third1', Name: 'cognito-fauna-prod' }] });

    // Act
    const matches = await check.poolsNamed(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), 'cognito-fauna-prod');

    // Assert
    expect(matches).toEqual([POOL, 'eu-west-1_Third1']);
    expect(cognitoMock.commandCalls(ListUserPoolsCommand).map((call) => call.args[0].input)).toEqual([{ MaxResults: 60 }, { MaxResults: 60, NextToken: 'page-2' }]);
  });

  it('reads the attached pool name, the served id and the revoked id from the resolved service; nothing for a created pool', () => {
    // Arrange
    const existing = {
      functions: { preTokenGeneration: { events: [{ cognitoUserPool: { pool: 'cognito-fauna-prod', existing: true } }] }, revokeFaunaTokens: { events: [{ eventBridge: {} }] } },
      provider: { compiledCloudFormationTemplate: { Resources: { CognitoFaunaUserPoolIdParameter: { Properties: { Value: POOL } } } } },
      custom: { tokenRevocation: { userPoolId: POOL } },
    };
    const created = { functions: { preTokenGeneration: { events: [{ cognitoUserPool: { pool: 'CognitoFaunaUsers' } }] } }, custom: { tokenRevocation: { userPoolId: { Ref: 'CognitoUserPoolCognitoFaunaUsers' } } } };

    // Act / Assert
    expect(check.existingPoolTarget(existing)).toEqual({ name: 'cognito-fauna-prod', servedId: POOL, revokedId: POOL });
    expect(check.existingPoolTarget(created)).toBeUndefined();
  });

  it('passes when exactly one pool has the name and it is the served and revoked id', () => {
    expect(() => check.checkPoolIdentity({ name: 'cognito-fauna-prod', servedId: POOL, revokedId: POOL }, [POOL], WHERE)).not.toThrow();
  });

  it.each([
    ['the name is another pool', [OTHER], `The user pool named 'cognito-fauna-prod' (existingPoolName) is ${OTHER}, but existingPoolId is ${POOL}: the trigger would be attached to ${OTHER} while the function serves, and revocation watches, ${POOL}`],
    ['no pool has the name', [], `Stage prod attaches the trigger to the user pool named 'cognito-fauna-prod' (existingPoolName), but no pool in eu-west-1 has that name`],
    ['several pools have the name', [OTHER, POOL], `2 user pools in eu-west-1 are named 'cognito-fauna-prod' (${OTHER}, ${POOL}): the framework attaches the trigger to the first one ListUserPools returns`],
  ])('fails the deploy when %s, naming the ids and the fix', (_, matches, message) => {
    // Act
    const attempt = () => check.checkPoolIdentity({ name: 'cognito-fauna-prod', servedId: POOL, revokedId: POOL }, matches, WHERE);

    // Assert
    expect(attempt).toThrow(check.PoolIdentityError);
    expect(attempt).toThrow(message);
  });

  it('fails when the served-pool parameter and the revocation rule name different pools', () => {
    expect(() => check.checkPoolIdentity({ name: 'cognito-fauna-prod', servedId: POOL, revokedId: OTHER }, [POOL], WHERE)).toThrow(`Stage prod serves user pool ${POOL} (userPoolIdParameter) but revokes tokens for ${OTHER}`);
  });
});
