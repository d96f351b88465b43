/**
 * What the service reports besides its answer: the logger and metrics interfaces every part of the service writes to
 * (lib/ and the middlewares alike), and the metric names.
 */
/** Structured logging; `handlers/common/telemetry/json-logger.ts` implements it. */
export interface ServiceLogger {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

/** CloudWatch EMF metrics; `handlers/common/telemetry/emf-metrics.ts` implements it. */
export interface ServiceMetrics {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void;
}

/** The service's CloudWatch metrics (EMF), by name; serverless/alarms.yml alarms on some of them. */
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
  /** Sign-ins refused because the verified email belongs to an identity bound to another user. */
  identityConflicts: 'IdentityConflicts',
  /** Sign-ins whose new verified email is held by another identity (granted their own identity; email not moved). */
  emailsHeld: 'IdentityEmailHeld',
  /** Identities without `sub` linked to their owner's first verified sign-in. */
  identitiesLinked: 'IdentitiesLinked',
  /** Sign-in queries run again because a concurrent sign-in of the same user got in the way (lib/sign-in/sign-in-query.ts). */
  concurrentSignInRetries: 'ConcurrentSignInRetries',
  /** Events from a user pool this function does not serve (refused). */
  foreignPools: 'ForeignUserPoolEvents',
  /** Sign-ins whose `email` attribute is not an address: ignored, the identity found by `sub` alone (docs/security.md). */
  malformedEmailsIgnored: 'MalformedEmailsIgnored',
  /** Events with a `TokenGeneration_*` trigger source this version does not know: accepted (docs/security.md). */
  unknownTriggerSources: 'UnknownTriggerSources',
} as const;
