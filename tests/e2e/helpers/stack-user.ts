/**
 * A confirmed user in a pool of the local stack's cognito-local, and the config examples/signin.ts signs them in
 * with (USER_PASSWORD_AUTH: cognito-local has no SRP).
 */
import type { SignInConfig } from '../../../examples/signin.ts';
import { cognitoAdminClient, createConfirmedUser, createPoolWithClient, type CreatedUser, type PoolWithClient } from '../../../stack/cognito-admin.ts';

export async function confirmedUserIn(
  cognitoUrl: string,
  pool: PoolWithClient,
  credentials: { email: string; password: string },
): Promise<{ user: CreatedUser; signInConfig: SignInConfig }> {
  const admin = cognitoAdminClient(cognitoUrl);
  try {
    const user = await createConfirmedUser(admin, pool.userPoolId, credentials);
    return { user, signInConfig: { ...pool, endpoint: `${cognitoUrl}/`, authenticationFlow: 'USER_PASSWORD_AUTH' } };
  } finally {
    admin.destroy();
  }
}

/** A pool of its own in the same cognito-local (the stack's function does not serve it), with a confirmed user. */
export async function confirmedUserInNewPool(
  cognitoUrl: string,
  poolName: string,
  credentials: { email: string; password: string },
): Promise<{ user: CreatedUser; signInConfig: SignInConfig }> {
  const admin = cognitoAdminClient(cognitoUrl);
  let pool: PoolWithClient;
  try {
    pool = await createPoolWithClient(admin, poolName);
  } finally {
    admin.destroy();
  }
  return confirmedUserIn(cognitoUrl, pool, credentials);
}
