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
import { ForeignUserPoolError, IdentityConflictError, InvalidEventError } from './errors.ts';
import type { FaunaClientProvider } from './fauna-client.ts';
import { grantIdentity, type IdentityGrant, SignInOutcome } from './identity.ts';
import { type FaunaKeySource, withKeyRefresh } from './key-refresh.ts';
import { MetricName, type ServiceLogger, type ServiceMetrics } from './observability.ts';

export type SignInSettings = Pick<
  Config,
  'tokenTtlSeconds' | 'maxTokensPerIdentity' | 'secretClaimName' | 'userIdClaimName' | 'suppressEmail' | 'claimTargets' | 'faunaQueryTimeoutMs'
>;

/** Everything the sign-in needs, passed in; the Fauna key comes through {@link FaunaKeySource}. */
export interface SignInDependencies extends FaunaKeySource {
  settings: SignInSettings;
  fauna: FaunaClientProvider;
  /** The invocation's deadline: every step gets at most the time it leaves. */
  deadline: Deadline;
  /** The ids of the user pools this function serves; events from any other pool are refused before Fauna is called. */
  servedUserPoolIds(): readonly string[];
  logger: ServiceLogger;
  metrics: ServiceMetrics;
  /** Milliseconds, for latency; injectable so tests control it. */
  now(): number;
}

/**
 * Handles one Pre Token Generation event: machine-to-machine events pass through untouched; user events get the
 * Fauna token secret and identity id as claims.
 *
 * @throws {SignInError} on any failure; the caller applies the fail policy
 */
export async function addFaunaClaims(
  event: PreTokenGenerationEvent,
  deps: SignInDependencies,
): Promise<PreTokenGenerationEvent> {
  if (event.triggerSource === TriggerSource.clientCredentials) {
    deps.logger.info('Client-credentials token: passed through without a Fauna identity');
    deps.metrics.addMetric(MetricName.passThroughs, 'Count', 1);
    return event;
  }
  const servedPools = deps.servedUserPoolIds();
  if (!servedPools.includes(event.userPoolId)) {
    deps.metrics.addMetric(MetricName.foreignPools, 'Count', 1);
    throw new ForeignUserPoolError(
      `The event comes from user pool ${event.userPoolId}, which this function does not serve; refused. If it should, set the served pool id (see docs/security.md, "Served user pools").`,
    );
  }
  const { sub, email: rawEmail, email_verified: emailVerifiedAttribute } = event.request.userAttributes;
  if (!sub) throw new InvalidEventError(['/request/userAttributes must have sub']);
  const email = rawEmail === undefined ? null : normaliseEmail(rawEmail);
  const request = {
    sub,
    email,
    // Cognito sends attributes as strings; anything but "true" (absent, "false") leaves the email untrusted.
    emailVerified: email !== null && emailVerifiedAttribute === 'true',
    ttlSeconds: deps.settings.tokenTtlSeconds,
    meta: { userPoolId: event.userPoolId, clientId: event.callerContext.clientId, triggerSource: event.triggerSource },
    maxTokens: deps.settings.maxTokensPerIdentity,
  };
  const redacted = email === null ? null : redactEmail(email);

  let grant: IdentityGrant;
  try {
    grant = await withKeyRefresh(deps, {
      refetchLimited: (refusal) => {
        deps.logger.warn('Fauna rejected the cached key; not refetched (the key store was asked recently)');
        deps.metrics.addMetric(MetricName.keyRefetchesLimited, 'Count', 1);
        return refusal;
      },
      refetched: () => {
        deps.logger.warn('Fauna rejected the cached key; refetched it once');
        deps.metrics.addMetric(MetricName.keyRefetches, 'Count', 1);
      },
    }, (secret) => timedSignIn(deps, secret, request));
  } catch (error) {
    if (error instanceof IdentityConflictError) {
      deps.metrics.addMetric(MetricName.identityConflicts, 'Count', 1);
      deps.logger.warn('Sign-in refused: the verified email belongs to an identity bound to another Cognito user', {
        outcome: 'identity_conflict',
        email: redacted,
      });
    }
    throw error;
  }

  deps.metrics.addMetric(MetricName.signIns, 'Count', 1);
  if (grant.created) deps.metrics.addMetric(MetricName.newIdentities, 'Count', 1);
  if (grant.outcome === SignInOutcome.linked) deps.metrics.addMetric(MetricName.identitiesLinked, 'Count', 1);
  if (grant.outcome === SignInOutcome.emailHeld) {
    deps.metrics.addMetric(MetricName.emailsHeld, 'Count', 1);
    deps.logger.warn('Verified email not stored: another identity holds it; the user keeps their own identity', {
      outcome: grant.outcome,
      userId: grant.userId,
      email: redacted,
    });
  }
  deps.logger.info('Sign-in granted a Fauna token', {
    userId: grant.userId,
    created: grant.created,
    outcome: grant.outcome,
    email: redacted,
    emailVerified: request.emailVerified,
    tokenExpiresAt: grant.expiresAt,
  });
  return buildCognitoResponse(event, { userId: grant.userId, secret: grant.secret }, deps.settings);
}

async function timedSignIn(
  deps: SignInDependencies,
  secret: string,
  request: Parameters<typeof grantIdentity>[1],
): Promise<IdentityGrant> {
  const started = deps.now();
  try {
    return await grantIdentity(deps.fauna.clientFor(secret), request, deps.deadline, deps.settings.faunaQueryTimeoutMs, {
      onRetry: (retry) => {
        deps.metrics.addMetric(MetricName.concurrentSignInRetries, 'Count', 1);
        deps.logger.warn('Sign-in query run again: a concurrent sign-in of the same user got in the way', { ...retry });
      },
    });
  } finally {
    deps.metrics.addMetric(MetricName.faunaLatency, 'Milliseconds', deps.now() - started);
  }
}
