/**
 * Finds a pool user's sub by user name with Cognito's AdminGetUser, for revocation events that name the user but do
 * not carry the sub. The SDK is loaded on first use only (most events carry the sub), and the bundle leaves it out:
 * the Lambda runtime ships it (serverless.yml `custom.esbuild.exclude`).
 */
import type { AdminGetUserCommandOutput } from '@aws-sdk/client-cognito-identity-provider';
import { UserLookupError } from '../../lib/revocation-errors.ts';

/** Request budget for one lookup: the function's own timeout still leaves room for the Fauna query. */
export const COGNITO_CLIENT_OPTIONS = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 500, requestTimeout: 1500, throwOnRequestTimeout: true },
} as const;

/**
 * @returns a function that answers the user's sub, or null when the pool has no such user (deleted)
 * @throws {UserLookupError} (from the returned function) when Cognito fails for any other reason
 */
export function createSubResolver(userPoolId: string, clientOptions: object = COGNITO_CLIENT_OPTIONS): (username: string) => Promise<string | null> {
  let loading: Promise<(username: string) => Promise<AdminGetUserCommandOutput>> | undefined;
  const adminGetUser = () =>
    (loading ??= import('@aws-sdk/client-cognito-identity-provider').then((sdk) => {
      const client = new sdk.CognitoIdentityProviderClient(clientOptions);
      return (username: string) => client.send(new sdk.AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }));
    }));

  return async function resolveSub(username) {
    const send = await adminGetUser();
    try {
      const user = await send(username);
      return user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? null;
    } catch (error) {
      if ((error as { name?: string } | null)?.name === 'UserNotFoundException') return null;
      throw new UserLookupError({ cause: error });
    }
  };
}
