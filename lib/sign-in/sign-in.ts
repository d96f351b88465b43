/**
 * The sign-in, start to end, with every dependency passed in: pick the user out of the event, run the one Fauna query
 * (refetching the key once if Fauna says it is unauthorized), and build Cognito's response.
 */
import type { PreTokenGenerationEvent } from './cognito-event.ts';
import { isKnownTriggerSource, TriggerSource } from './cognito-event.ts';
import { buildCognitoResponse } from './cognito-response.ts';
import type { Config } from '../common/config.ts';
import { isEmailAddress, normaliseEmail, redactEmail } from './email.ts';
import { identityDataOf } from './event-identity-data.ts';
import type { Deadline } from '../common/deadline.ts';
import { ForeignUserPoolError, IdentityConflictError, InvalidEventError } from '../common/errors.ts';
import type { FaunaClientProvider } from '../common/fauna-client.ts';
import { grantIdentity, type IdentityGrant, SignInOutcome } from './sign-in-query.ts';
import { type FaunaKeySource, withKeyRefresh } from '../common/key-refresh.ts';
import { MetricName, type ServiceLogger, type ServiceMetrics } from '../common/observability.ts';

export type SignInSettings = Pick<
  Config,
  'tokenTtlSeconds' | 'maxTokensPerIdentity' | 'identityAttributes' | 'secretClaimName' | 'userIdClaimName' | 'suppressEmail' | 'claimTargets' | 'faunaQueryTimeoutMs'
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
 * @throws {CognitoFaunaError} on any failure; the caller applies the fail policy
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
  // A source Cognito added after this version: accepted, so that it cannot fail every sign-in until a code change.
  const knownSource = isKnownTriggerSource(event.triggerSource);
  if (!knownSource) {
    deps.metrics.addMetric(MetricName.unknownTriggerSources, 'Count', 1);
    deps.logger.warn('Unknown trigger source: accepted (docs/security.md, "Lenient input")', { triggerSource: event.triggerSource });
  }
  const attributes = event.request.userAttributes;
  const { sub, email: rawEmail } = attributes;
  if (!sub) {
    if (knownSource) throw new InvalidEventError(['/request/userAttributes must have sub']);
    // No user to give an identity to (a machine-to-machine flow, perhaps): answered as client credentials are.
    deps.logger.info('Unknown trigger source without a user (no sub): passed through without a Fauna identity');
    deps.metrics.addMetric(MetricName.passThroughs, 'Count', 1);
    return event;
  }
  const email = rawEmail === undefined ? null : usableEmail(rawEmail, deps);
  // Groups and allowlisted attributes (issue 22), bounds-checked before Fauna is called.
  const identityData = identityDataOf(event, deps.settings.identityAttributes);
  const request = {
    sub,
    email,
    // Only `true` or "true" in any case counts as verified: anything else (absent, "false", "yes", 1) leaves the email
    // untrusted, which is safe (the identity is found by sub alone), never a refusal.
    emailVerified: email !== null && isVerified((attributes as Record<string, unknown>).email_verified),
    ttlSeconds: deps.settings.tokenTtlSeconds,
    meta: { userPoolId: event.userPoolId, clientId: event.callerContext.clientId, triggerSource: event.triggerSource },
    maxTokens: deps.settings.maxTokensPerIdentity,
    identityData,
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

/** An IdP's attribute mapping may send `email_verified` as a boolean or as "True"; both mean verified. */
function isVerified(attribute: unknown): boolean {
  return attribute === true || (typeof attribute === 'string' && attribute.length === 4 && attribute.toLowerCase() === 'true');
}

/** The normal form of a usable email; null (ignored, counted) for one that is not an address. */
function usableEmail(raw: string, deps: Pick<SignInDependencies, 'logger' | 'metrics'>): string | null {
  if (isEmailAddress(raw)) return normaliseEmail(raw);
  deps.metrics.addMetric(MetricName.malformedEmailsIgnored, 'Count', 1);
  deps.logger.warn('The email attribute is not an address: ignored, the identity is found by sub alone (docs/security.md, "Lenient input")');
  return null;
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
