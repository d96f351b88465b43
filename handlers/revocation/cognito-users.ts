/**
 * Reads a pool user with Cognito's AdminGetUser: the sub, for revocation events that name the user but do not carry
 * the sub, and the user's current attributes, for attribute events whose values CloudTrail hides. The SDK is loaded
 * on first use only (most events need no lookup), and the bundle leaves it out: the Lambda runtime ships it
 * (serverless.yml `custom.esbuild.exclude`).
 */
import type { AdminGetUserCommandOutput } from '@aws-sdk/client-cognito-identity-provider';
import { UserLookupError } from '../../lib/revocation/revocation-errors.ts';

/** Request budget for one lookup: the function's own timeout still leaves room for the Fauna query. */
export const COGNITO_CLIENT_OPTIONS = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 500, requestTimeout: 1500, throwOnRequestTimeout: true },
} as const;

/** A pool user as the revocation function needs it: the sub and every attribute Cognito returned, by name. */
export interface PoolUser {
  sub: string;
  attributes: Readonly<Record<string, string>>;
}

/**
 * @returns a function that answers the user named `username` (a user name, an alias, or a local user's sub: Cognito
 *   accepts each as AdminGetUser's Username), or null when the pool has no such user (deleted)
 * @throws {UserLookupError} (from the returned function) when Cognito fails for any other reason
 */
export function createUserReader(userPoolId: string, clientOptions: object = COGNITO_CLIENT_OPTIONS): (username: string) => Promise<PoolUser | null> {
  let loading: Promise<(username: string) => Promise<AdminGetUserCommandOutput>> | undefined;
  const adminGetUser = () =>
    (loading ??= import('@aws-sdk/client-cognito-identity-provider').then((sdk) => {
      const client = new sdk.CognitoIdentityProviderClient(clientOptions);
      return (username: string) => client.send(new sdk.AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }));
    }));

  return async function readUser(username) {
    const send = await adminGetUser();
    let user: AdminGetUserCommandOutput;
    try {
      user = await send(username);
    } catch (error) {
      if ((error as { name?: string } | null)?.name === 'UserNotFoundException') return null;
      throw new UserLookupError({ cause: error });
    }
    const attributes: Record<string, string> = {};
    for (const { Name, Value } of user.UserAttributes ?? []) if (Name !== undefined && Value !== undefined) attributes[Name] = Value;
    return attributes.sub === undefined ? null : { sub: attributes.sub, attributes };
  };
}

/**
 * @returns a function that answers the user's sub, or null when the pool has no such user (deleted)
 * @throws {UserLookupError} (from the returned function) when Cognito fails for any other reason
 */
export function createSubResolver(userPoolId: string, clientOptions: object = COGNITO_CLIENT_OPTIONS): (username: string) => Promise<string | null> {
  const readUser = createUserReader(userPoolId, clientOptions);
  return async (username) => (await readUser(username))?.sub ?? null;
}
