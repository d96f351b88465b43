/**
 * Settings of the revocation function: the trigger's Fauna settings (same variables, same checks, its own key
 * parameter) plus the pool it serves. Parsed once at cold start.
 */
import { type Config, type Environment, parseConfig } from './config.ts';
import { ConfigError } from './errors.ts';

export interface RevocationConfig extends Pick<Config, 'stage' | 'faunaEndpoint' | 'secretSource' | 'faunaQueryTimeoutMs' | 'faunaSessionIdleMs'> {
  /** The Cognito user pool whose sign-outs, disables and deletes revoke tokens. */
  userPoolId: string;
}

const POOL_ID = /^[\w-]+_[0-9A-Za-z]+$/;

/**
 * @throws {ConfigError} naming the first setting that is missing or malformed
 * @example parseRevocationConfig({ STAGE: 'dev', FAUNA_ENDPOINT: 'https://fauna.internal:8443', FAUNA_SECRET_PARAMETER: '/cognito-fauna/dev/fauna-revoke-secret', USER_POOL_ID: 'us-east-1_Abc123' })
 */
export function parseRevocationConfig(env: Environment): RevocationConfig {
  const { stage, faunaEndpoint, secretSource, faunaQueryTimeoutMs, faunaSessionIdleMs } = parseConfig(env);
  const userPoolId = env.USER_POOL_ID?.trim() ?? '';
  if (!POOL_ID.test(userPoolId)) {
    throw new ConfigError(
      'USER_POOL_ID',
      userPoolId === '' ? 'is not set; it must hold the id of the pool whose events revoke tokens' : `is not a user pool id ("${userPoolId}")`,
      'Set the stage param existingPoolId to the pool\'s id (e.g. us-east-1_Abc123) for an existing pool; a created pool sets it itself.',
    );
  }
  return { stage, faunaEndpoint, secretSource, faunaQueryTimeoutMs, faunaSessionIdleMs, userPoolId };
}
