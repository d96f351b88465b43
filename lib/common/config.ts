/**
 * The service's settings, parsed and validated once at cold start from the environment the handler passes in.
 * Every failure names the variable and says how to set it (they come from per-stage `params` in serverless.yml).
 */
import { ConfigError } from './errors.ts';
import { parseIdentityAttributes } from './identity-data.ts';

export const DEFAULT_TOKEN_TTL_SECONDS = 3900; // Cognito's default ID-token lifetime (60 min) plus 5 min of clock skew
export const MIN_TOKEN_TTL_SECONDS = 60;
export const MAX_TOKEN_TTL_SECONDS = 90_000; // the longest ID-token lifetime Cognito allows (1 day) plus 1 hour
/** Live Fauna tokens an identity may hold: one per device that refreshes, with room to spare (docs/token-lifecycle.md). */
export const DEFAULT_MAX_TOKENS_PER_IDENTITY = 10;
/** fauna/tokens.fsl refuses more (maxTokensCeiling), so that a leaked trigger key cannot hoard secrets either. */
export const MAX_MAX_TOKENS_PER_IDENTITY = 100;
export const DEFAULT_SECRET_CLAIM_NAME = 'fauna_token_secret';
export const DEFAULT_USER_ID_CLAIM_NAME = 'userId';
export const DEFAULT_SSM_CACHE_TTL_SECONDS = 900;
export const MAX_SSM_CACHE_TTL_SECONDS = 86_400;
/** At most one key refetch per container per this many seconds after Fauna refused the key. */
export const DEFAULT_SSM_REFETCH_INTERVAL_SECONDS = 30;
/** How long past its TTL a cached key may still be used while SSM fails (stale-while-error). */
export const DEFAULT_SSM_STALE_MAX_SECONDS = 3600;
export const DEFAULT_FAUNA_QUERY_TIMEOUT_MS = 1500;
export const MIN_FAUNA_QUERY_TIMEOUT_MS = 100;
export const MAX_FAUNA_QUERY_TIMEOUT_MS = 3000; // two attempts must still fit in Cognito's fixed 5 s budget
export const LOCAL_STAGE = 'local';
/** Keep Fauna's HTTP/2 session across warm invocations (Lambda freezes the container in between). */
export const DEFAULT_FAUNA_SESSION_IDLE_MS = 60_000;
/** On the local stage the session must not keep `serverless invoke local` alive after the answer. */
export const LOCAL_FAUNA_SESSION_IDLE_MS = 100;

/** Claims Cognito does not let a trigger add, override or suppress (ID and access tokens). */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'acr', 'amr', 'aud', 'at_hash', 'auth_time', 'azp', 'cognito:username', 'exp', 'iat', 'identities', 'iss', 'jti',
  'nbf', 'nonce', 'origin_jti', 'sub', 'token_use', 'client_id', 'scope', 'username', 'device_key', 'email',
]);

export const ClaimTarget = { id: 'id', access: 'access' } as const;
export type ClaimTarget = (typeof ClaimTarget)[keyof typeof ClaimTarget];

export const FailPolicy = { closed: 'closed', open: 'open' } as const;
export type FailPolicy = (typeof FailPolicy)[keyof typeof FailPolicy];

/** Where the Fauna key comes from: SSM everywhere, the environment only on the local stage. */
export type SecretSource =
  | { kind: 'ssm'; parameterName: string; cacheTtlSeconds: number; refetchIntervalSeconds: number; staleMaxSeconds: number }
  | { kind: 'environment'; secret: string };

/**
 * Where the ids of the user pools this function serves come from: serverless.yml has the stack write them to an SSM
 * String parameter (read in the same GetParameters call as the key, so no extra round trip; a created pool's id cannot
 * go into the function's environment, as pool → trigger → function would be a cycle). USER_POOL_IDS in the environment
 * also works (the local stage, tests, a stage that knows its pool ids at deploy time): pool ids are not secrets.
 */
export type UserPoolSource =
  | { kind: 'ssm'; parameterName: string }
  | { kind: 'environment'; ids: readonly string[] };

/** A Cognito user pool id: `<region>_<id>`. */
export const USER_POOL_ID_PATTERN = /^[\w-]+_[0-9a-zA-Z]+$/;

/**
 * Parses a served-pools value (an SSM parameter's or USER_POOL_IDS): pool ids separated by commas.
 *
 * @returns the ids, or null when the value is empty or holds something that is not a pool id
 * @example parseUserPoolIds('us-east-1_Abc123, eu-west-1_Def456') // ['us-east-1_Abc123', 'eu-west-1_Def456']
 */
export function parseUserPoolIds(raw: string): string[] | null {
  const ids = raw.split(',').map((id) => id.trim()).filter((id) => id !== '');
  return ids.length > 0 && ids.every((id) => USER_POOL_ID_PATTERN.test(id)) ? ids : null;
}

export interface Config {
  stage: string;
  userPoolSource: UserPoolSource;
  faunaEndpoint: URL;
  secretSource: SecretSource;
  tokenTtlSeconds: number;
  /** The most live tokens one identity keeps; signIn deletes the oldest beyond it in the same transaction. */
  maxTokensPerIdentity: number;
  /** Cognito attribute names copied onto the identity at every sign-in (IDENTITY_ATTRIBUTES; empty = none). */
  identityAttributes: readonly string[];
  /** Which V2/V3 tokens carry the claims (V1 events only ever customise the ID token). */
  claimTargets: readonly ClaimTarget[];
  secretClaimName: string;
  userIdClaimName: string;
  suppressEmail: boolean;
  failPolicy: FailPolicy;
  faunaQueryTimeoutMs: number;
  /** How long an idle HTTP/2 session to Fauna stays open (derived from the stage). */
  faunaSessionIdleMs: number;
}

export type Environment = Record<string, string | undefined>;

const HOW_TO_SET = 'Set it in the stage\'s params in serverless.yml';
const CLAIM_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
const SSM_PARAMETER_PATTERN = /^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter)?\/?[A-Za-z0-9_.\-/]+$/;

/**
 * Parses and validates the service settings.
 *
 * @param env - the environment (the handler passes `process.env`; `lib/` never reads it itself)
 * @returns the typed settings, defaults applied
 * @throws {ConfigError} naming the first setting that is missing or malformed
 * @example parseConfig({ STAGE: 'dev', FAUNA_ENDPOINT: 'https://fauna.internal:8443', FAUNA_SECRET_PARAMETER: '/cognito-fauna/dev/fauna-secret' })
 */
export function parseConfig(env: Environment): Config {
  const stage = required(env, 'STAGE', 'the deployment stage, e.g. dev');
  const secretClaimName = claimName(env, 'SECRET_CLAIM_NAME', DEFAULT_SECRET_CLAIM_NAME);
  const userIdClaimName = claimName(env, 'USER_ID_CLAIM_NAME', DEFAULT_USER_ID_CLAIM_NAME);
  if (secretClaimName === userIdClaimName) {
    throw new ConfigError('USER_ID_CLAIM_NAME', `must differ from SECRET_CLAIM_NAME (both are "${secretClaimName}")`, `${HOW_TO_SET} (userIdClaimName).`);
  }
  const faunaEndpoint = endpoint(env);
  const source = secretSource(env, stage);
  return {
    stage,
    userPoolSource: userPoolSource(env, source),
    faunaEndpoint,
    secretSource: source,
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', DEFAULT_TOKEN_TTL_SECONDS, MIN_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS),
    maxTokensPerIdentity: integer(env, 'MAX_TOKENS_PER_IDENTITY', DEFAULT_MAX_TOKENS_PER_IDENTITY, 1, MAX_MAX_TOKENS_PER_IDENTITY),
    identityAttributes: parseIdentityAttributes(env.IDENTITY_ATTRIBUTES),
    claimTargets: claimTargets(env),
    secretClaimName,
    userIdClaimName,
    suppressEmail: boolean(env, 'SUPPRESS_EMAIL', true),
    failPolicy: oneOf(env, 'FAIL_POLICY', Object.values(FailPolicy), FailPolicy.closed),
    faunaQueryTimeoutMs: integer(env, 'FAUNA_QUERY_TIMEOUT_MS', DEFAULT_FAUNA_QUERY_TIMEOUT_MS, MIN_FAUNA_QUERY_TIMEOUT_MS, MAX_FAUNA_QUERY_TIMEOUT_MS),
    faunaSessionIdleMs: stage === LOCAL_STAGE ? LOCAL_FAUNA_SESSION_IDLE_MS : DEFAULT_FAUNA_SESSION_IDLE_MS,
  };
}

function read(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function required(env: Environment, name: string, what: string): string {
  const value = read(env, name);
  if (value === undefined) throw new ConfigError(name, `is not set; it must hold ${what}`, `${HOW_TO_SET}.`);
  return value;
}

function endpoint(env: Environment): URL {
  const raw = required(env, 'FAUNA_ENDPOINT', 'the URL of your Fauna endpoint (Fauna\'s hosted service is gone, so there is no default)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new ConfigError('FAUNA_ENDPOINT', 'is not a URL', `${HOW_TO_SET} (faunaEndpoint), e.g. https://fauna.internal:8443.`, { cause: error });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('FAUNA_ENDPOINT', `must be an http(s) URL, not ${url.protocol}`, `${HOW_TO_SET} (faunaEndpoint).`);
  }
  return url;
}

function secretSource(env: Environment, stage: string): SecretSource {
  const secret = read(env, 'FAUNA_SECRET');
  if (secret !== undefined) {
    if (stage !== LOCAL_STAGE) {
      throw new ConfigError(
        'FAUNA_SECRET',
        `is set on stage "${stage}", but only the local stage may take the Fauna key from the environment`,
        'Remove it and store the key in the SSM SecureString named by FAUNA_SECRET_PARAMETER.',
      );
    }
    return { kind: 'environment', secret };
  }
  const parameterName = read(env, 'FAUNA_SECRET_PARAMETER');
  if (parameterName === undefined) {
    const local = stage === LOCAL_STAGE ? ' (or, on the local stage only, FAUNA_SECRET)' : '';
    throw new ConfigError('FAUNA_SECRET_PARAMETER', `is not set; it must name the SSM SecureString holding the Fauna key${local}`, `${HOW_TO_SET} (faunaSecretParameter).`);
  }
  if (!SSM_PARAMETER_PATTERN.test(parameterName) || parameterName.endsWith('/')) {
    throw new ConfigError('FAUNA_SECRET_PARAMETER', 'is not an SSM parameter name or ARN (a path ending in "/" is not allowed)', `${HOW_TO_SET} (faunaSecretParameter), e.g. /cognito-fauna/dev/fauna-secret.`);
  }
  const cacheTtlSeconds = integer(env, 'SSM_CACHE_TTL_SECONDS', DEFAULT_SSM_CACHE_TTL_SECONDS, 1, MAX_SSM_CACHE_TTL_SECONDS);
  const refetchIntervalSeconds = integer(env, 'SSM_REFETCH_INTERVAL_SECONDS', DEFAULT_SSM_REFETCH_INTERVAL_SECONDS, 1, 3600);
  const staleMaxSeconds = integer(env, 'SSM_STALE_MAX_SECONDS', DEFAULT_SSM_STALE_MAX_SECONDS, 0, MAX_SSM_CACHE_TTL_SECONDS);
  return { kind: 'ssm', parameterName, cacheTtlSeconds, refetchIntervalSeconds, staleMaxSeconds };
}

function userPoolSource(env: Environment, secrets: SecretSource): UserPoolSource {
  const listed = read(env, 'USER_POOL_IDS');
  if (listed !== undefined) {
    const ids = parseUserPoolIds(listed);
    if (ids === null) throw new ConfigError('USER_POOL_IDS', `must list user pool ids separated by commas, got "${listed}"`, 'e.g. us-east-1_Abc123; the local stack sets it to the pool it creates.');
    return { kind: 'environment', ids };
  }
  const parameterName = read(env, 'USER_POOL_ID_PARAMETER');
  if (parameterName === undefined) {
    throw new ConfigError('USER_POOL_ID_PARAMETER', 'is not set; it must name the SSM parameter holding the id(s) of the user pool(s) this function serves (or USER_POOL_IDS must list them)', `${HOW_TO_SET} (userPoolIdParameter).`);
  }
  if (!SSM_PARAMETER_PATTERN.test(parameterName) || parameterName.endsWith('/')) {
    throw new ConfigError('USER_POOL_ID_PARAMETER', 'is not an SSM parameter name or ARN', `${HOW_TO_SET} (userPoolIdParameter), e.g. /cognito-fauna/dev/user-pool-id.`);
  }
  if (secrets.kind !== 'ssm') {
    throw new ConfigError('USER_POOL_ID_PARAMETER', 'is set while the Fauna key comes from FAUNA_SECRET (nothing would read it from SSM)', 'On the local stage set USER_POOL_IDS instead.');
  }
  return { kind: 'ssm', parameterName };
}

function integer(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`, `${HOW_TO_SET}, or leave it unset for ${fallback}.`);
  }
  return Number(raw);
}

function boolean(env: Environment, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(name, `must be "true" or "false", got "${raw}"`, `${HOW_TO_SET}, or leave it unset for ${fallback}.`);
}

function oneOf<T extends string>(env: Environment, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`, `${HOW_TO_SET}, or leave it unset for ${fallback}.`);
  }
  return raw as T;
}

function claimName(env: Environment, name: string, fallback: string): string {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!CLAIM_NAME_PATTERN.test(raw) || raw.startsWith('dev:') || raw.startsWith('cognito:')) {
    throw new ConfigError(name, `is not a usable claim name ("${raw}"): use letters, digits, _ . : - and no dev: or cognito: prefix`, `${HOW_TO_SET}, or leave it unset for ${fallback}.`);
  }
  if (RESERVED_CLAIMS.has(raw)) {
    throw new ConfigError(name, `names a claim Cognito reserves or this service suppresses ("${raw}")`, `${HOW_TO_SET} to another name, or leave it unset for ${fallback}.`);
  }
  return raw;
}

function claimTargets(env: Environment): ClaimTarget[] {
  const raw = read(env, 'CLAIM_TARGETS');
  if (raw === undefined) return [ClaimTarget.id];
  const parts = raw.split(',').map((part) => part.trim().toLowerCase());
  const allowed: readonly string[] = Object.values(ClaimTarget);
  if (parts.some((part) => !allowed.includes(part))) {
    throw new ConfigError('CLAIM_TARGETS', `must be "id", "access" or "id,access", got "${raw}"`, `${HOW_TO_SET} (claimTargets), or leave it unset for "id".`);
  }
  return Object.values(ClaimTarget).filter((target) => parts.includes(target));
}
