/**
 * The sign-in, start to end, with every dependency passed in: pick the user out of the event, run the one Fauna query
 * (refetching the key once if Fauna says it is unauthorized), and build Cognito's response.
 */
import type { PreTokenGenerationEvent } from './cognito-event.ts';
import { TriggerSource } from './cognito-event.ts';
import { buildCognitoResponse } from './cognito-response.ts';
import type { Config } from './config.ts';
import { normaliseEmail, redactEmail } from './email.ts';
import type { Deadline } from './deadline.ts';
import { FaunaUnauthorizedError, InvalidEventError } from './errors.ts';
import type { FaunaClientProvider } from './fauna-client.ts';
import { type IdentityGrant, signInIdentity } from './identity.ts';

/** Structured logging; the Powertools Logger satisfies it. */
export interface SignInLogger {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

/** CloudWatch EMF metrics; the Powertools Metrics satisfies it. */
export interface SignInMetrics {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void;
}

export const MetricName = {
  signIns: 'SignIns',
  newIdentities: 'NewIdentities',
  failures: 'SignInFailures',
  faunaLatency: 'FaunaLatency',
  keyRefetches: 'FaunaKeyRefetches',
  keyRefetchesLimited: 'FaunaKeyRefetchesLimited',
  staleKeyServed: 'FaunaKeyServedStale',
  connectionsReopened: 'FaunaConnectionsReopened',
  passThroughs: 'ClientCredentialsPassThroughs',
} as const;

export type SignInSettings = Pick<
  Config,
  'tokenTtlSeconds' | 'maxTokensPerIdentity' | 'secretClaimName' | 'userIdClaimName' | 'suppressEmail' | 'claimTargets' | 'faunaQueryTimeoutMs'
>;

export interface SignInDependencies {
  settings: SignInSettings;
  fauna: FaunaClientProvider;
  /** The Fauna key as currently cached. */
  currentSecret(): Promise<string>;
  /**
   * Reads the key again from its store after Fauna answered `unauthorized` to `rejected`, and returns it; `null` when
   * the store may not be asked again yet (at most one refetch per container per interval).
   */
  refreshSecret(rejected: string): Promise<string | null>;
  /** The invocation's deadline: every step gets at most the time it leaves. */
  deadline: Deadline;
  logger: SignInLogger;
  metrics: SignInMetrics;
  /** Milliseconds, for latency; injectable so tests control it. */
  now(): number;
}

/**
 * Handles one Pre Token Generation event: machine-to-machine events pass through untouched; user events get the
 * Fauna token secret and identity id as claims.
 *
 * @throws {SignInError} on any failure; the caller applies the fail policy
 */
export async function handlePreTokenGeneration(
  event: PreTokenGenerationEvent,
  deps: SignInDependencies,
): Promise<PreTokenGenerationEvent> {
  if (event.triggerSource === TriggerSource.clientCredentials) {
    deps.logger.info('Client-credentials token: passed through without a Fauna identity');
    deps.metrics.addMetric(MetricName.passThroughs, 'Count', 1);
    return event;
  }
  const { sub, email: rawEmail } = event.request.userAttributes;
  if (!sub || !rawEmail) throw new InvalidEventError(['/request/userAttributes must have sub and email']);
  const email = normaliseEmail(rawEmail);
  const request = {
    sub,
    email,
    ttlSeconds: deps.settings.tokenTtlSeconds,
    meta: { userPoolId: event.userPoolId, clientId: event.callerContext.clientId, triggerSource: event.triggerSource },
    maxTokens: deps.settings.maxTokensPerIdentity,
  };

  const grant = await withKeyRefresh(deps, (secret) => timedSignIn(deps, secret, request));

  deps.metrics.addMetric(MetricName.signIns, 'Count', 1);
  if (grant.created) deps.metrics.addMetric(MetricName.newIdentities, 'Count', 1);
  deps.logger.info('Sign-in granted a Fauna token', {
    userId: grant.userId,
    created: grant.created,
    email: redactEmail(email),
    tokenExpiresAt: grant.expiresAt.toISOString(),
  });
  return buildCognitoResponse(event, { userId: grant.userId, secret: grant.secret }, deps.settings);
}

async function withKeyRefresh(
  deps: SignInDependencies,
  attempt: (secret: string) => Promise<IdentityGrant>,
): Promise<IdentityGrant> {
  const secret = await deps.currentSecret();
  try {
    return await attempt(secret);
  } catch (error) {
    if (!(error instanceof FaunaUnauthorizedError)) throw error;
    // The key was probably rotated: read it again, at most once per interval; a second refusal is final.
    const refreshed = await deps.refreshSecret(secret);
    if (refreshed === null) {
      deps.logger.warn('Fauna rejected the cached key; not refetched (the key store was asked recently)');
      deps.metrics.addMetric(MetricName.keyRefetchesLimited, 'Count', 1);
      throw error;
    }
    deps.logger.warn('Fauna rejected the cached key; refetched it once');
    deps.metrics.addMetric(MetricName.keyRefetches, 'Count', 1);
    return attempt(refreshed);
  }
}

async function timedSignIn(
  deps: SignInDependencies,
  secret: string,
  request: Parameters<typeof signInIdentity>[1],
): Promise<IdentityGrant> {
  const started = deps.now();
  try {
    return await signInIdentity(deps.fauna.clientFor(secret), request, deps.deadline, deps.settings.faunaQueryTimeoutMs);
  } finally {
    deps.metrics.addMetric(MetricName.faunaLatency, 'Milliseconds', deps.now() - started);
  }
}
