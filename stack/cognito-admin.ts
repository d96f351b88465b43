/**
 * What an administrator does in the Cognito console before the guide's "Test user access": a user pool, an app
 * client that allows `USER_PASSWORD_AUTH` (cognito-local has no SRP) and a confirmed user with a permanent
 * password. Done through the AWS SDK, pointed at cognito-local.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';

/** cognito-local checks no signature, but the SDK will not send a request without credentials and a region. */
const LOCAL_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

export interface PoolWithClient {
  userPoolId: string;
  clientId: string;
}

export interface CreatedUser {
  /** What the user signs in with (their email: the pool uses email as username). */
  username: string;
  /** Cognito's stable user id, the `sub` claim. */
  sub: string;
}

/** Thrown when cognito-local refuses or answers without the expected field. */
export class CognitoAdminError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CognitoAdminError';
  }
}

/** A Cognito admin client for a local (or any) endpoint. Call `destroy()` when done. */
export function cognitoAdminClient(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({ ...LOCAL_CLIENT_CONFIG, endpoint });
}

/**
 * Creates a user pool (email as username) and an app client without secret that allows `USER_PASSWORD_AUTH`
 * and refresh.
 *
 * @throws {CognitoAdminError} when the pool or client is not created.
 */
export async function createPoolWithClient(client: CognitoIdentityProviderClient, poolName: string): Promise<PoolWithClient> {
  const pool = await client.send(new CreateUserPoolCommand({ PoolName: poolName, UsernameAttributes: ['email'] }));
  const userPoolId = pool.UserPool?.Id;
  if (!userPoolId) throw new CognitoAdminError(`CreateUserPool "${poolName}" returned no pool id.`);
  const appClient = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: `${poolName}-app`,
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const clientId = appClient.UserPoolClient?.ClientId;
  if (!clientId) throw new CognitoAdminError(`CreateUserPoolClient for pool ${userPoolId} returned no client id.`);
  return { userPoolId, clientId };
}

/**
 * Creates a user with a verified email and sets a permanent password (AdminSetUserPassword `Permanent: true`),
 * so the first sign-in needs no new-password challenge. No invitation is sent.
 *
 * @throws {CognitoAdminError} when the user is not created.
 */
export async function createConfirmedUser(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  credentials: { email: string; password: string },
): Promise<CreatedUser> {
  const created = await client.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: credentials.email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: credentials.email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  const sub = created.User?.Attributes?.find((attribute) => attribute.Name === 'sub')?.Value;
  if (!sub) throw new CognitoAdminError(`AdminCreateUser for ${credentials.email} returned no sub attribute.`);
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPoolId,
      Username: credentials.email,
      Password: credentials.password,
      Permanent: true,
    }),
  );
  return { username: credentials.email, sub };
}
