/**
 * Settings of the revocation function: the trigger's Fauna settings (same variables, same checks, its own key
 * parameter) plus the pool it serves. Parsed once at cold start.
 */
import { type Config, type Environment, parseConfig } from '../common/config.ts';
import { ConfigError } from '../common/errors.ts';
import { parseIdentityAttributes } from '../common/identity-data.ts';

export interface RevocationConfig extends Pick<Config, 'stage' | 'faunaEndpoint' | 'secretSource' | 'faunaQueryTimeoutMs' | 'faunaSessionIdleMs'> {
  /** The Cognito user pool whose sign-outs, disables and deletes revoke tokens. */
  userPoolId: string;
  /**
   * AWS_REGION, which Lambda sets: the function's region where the Lambda context carries no function ARN (local
   * tools); otherwise the ARN's region counts (lib/revocation/function-home.ts).
   */
  region: string | undefined;
  /**
   * IDENTITY_ATTRIBUTES, the same allowlist the trigger stores at sign-in: an attribute event changes the identity's
   * `attributes` only for these names.
   */
  identityAttributes: readonly string[];
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * @throws {ConfigError} naming the first setting that is missing or malformed
 * @example parseRevocationConfig({ STAGE: 'dev', FAUNA_ENDPOINT: 'https://fauna.internal:8443', FAUNA_SECRET_PARAMETER: '/cognito-fauna/dev/fauna-revoke-secret', USER_POOL_IDS: 'us-east-1_Abc123' })
 */
export function parseRevocationConfig(env: Environment): RevocationConfig {
  const { stage, faunaEndpoint, secretSource, faunaQueryTimeoutMs, faunaSessionIdleMs, userPoolSource } = parseConfig(env);
  // The pool is known when the stack is built (the EventBridge rule names it), so it comes from the environment.
  if (userPoolSource.kind !== 'environment' || userPoolSource.ids.length !== 1) {
    throw new ConfigError(
      'USER_POOL_IDS',
      'must hold exactly the one pool id whose events revoke tokens',
      'serverless.yml sets it for revokeFaunaTokens (serverless/token-revocation.yml); for an existing pool set the stage param existingPoolId.',
    );
  }
  const region = env.AWS_REGION?.trim() || undefined;
  if (region !== undefined && !REGION.test(region)) {
    throw new ConfigError('AWS_REGION', `is not an AWS region ("${region}")`, 'Lambda sets it; for a local run set it to the region of the stage, e.g. us-east-1, or unset it.');
  }
  const identityAttributes = parseIdentityAttributes(env.IDENTITY_ATTRIBUTES);
  return { stage, faunaEndpoint, secretSource, faunaQueryTimeoutMs, faunaSessionIdleMs, userPoolId: userPoolSource.ids[0]!, region, identityAttributes };
}
