/**
 * Revoking a user's Fauna tokens, start to end, with every dependency passed in: read the CloudTrail event, find the
 * user's sub (from the event, else from the user name through Cognito), run the one Fauna query (`revokeTokens`,
 * fauna/tokens.fsl) that deletes all of the identity's tokens, and count what happened.
 */
import { fql } from 'fauna';
import { type CloudTrailEvent, parseRevocationEvent, type RevocationRequest } from './cloudtrail-event.ts';
import { FaunaUnauthorizedError, FaunaUnavailableError, mapFaunaError } from './errors.ts';
import type { FaunaClientProvider, QueryClient } from './fauna-client.ts';
import { type FaunaKeySource, withKeyRefresh } from './key-refresh.ts';
import type { FunctionHome } from './function-home.ts';
import { FunctionHomeUnknownError, RevocationQueryError, UserNotResolvedError } from './revocation-errors.ts';
import type { ServiceLogger, ServiceMetrics } from './observability.ts';

/**
 * Names apart from the trigger's (same namespace, same `service` dimension): the trigger's alarms on FaunaKeyRefetches
 * and its latency figures must not count the revocation function's queries.
 */
export const RevocationMetricName = {
  tokensRevoked: 'TokensRevoked',
  revocations: 'Revocations',
  failures: 'RevocationFailures',
  faunaLatency: 'RevocationFaunaLatency',
  keyRefetches: 'RevocationKeyRefetches',
} as const;

/** What `revokeTokens` answered: the identity's id (null when no identity has the sub) and how many tokens went. */
export interface RevocationResult {
  userId: string | null;
  deleted: number;
}

/** How one event ended, returned by the Lambda (and shown by `sls invoke`). */
export type RevocationOutcome =
  | { outcome: 'revoked'; eventName: string; userId: string | null; deleted: number }
  | { outcome: 'ignored'; eventName: string; reason: string };

/**
 * Deletes every token of the identity with Cognito sub `sub`, in one query through the `revokeTokens` UDF.
 * Idempotent: a second call deletes nothing.
 *
 * @throws {RevocationQueryError} with `transient` set when Fauna was unavailable
 * @throws {FaunaUnauthorizedError} when Fauna rejected the key (the caller may refetch it once)
 */
export async function revokeTokensOf(client: QueryClient, sub: string): Promise<RevocationResult> {
  let data: unknown;
  try {
    data = (await client.query(fql`revokeTokens(${sub})`)).data;
  } catch (error) {
    const mapped = mapFaunaError(error);
    if (mapped instanceof FaunaUnauthorizedError) {
      throw new FaunaUnauthorizedError('Fauna rejected the key (unauthorized). Store a valid key with the tokenRevoker role in the revoke key\'s SSM parameter (docs/token-lifecycle.md).', { cause: error });
    }
    const code = (mapped as { code?: string }).code;
    throw new RevocationQueryError(
      mapped instanceof FaunaUnavailableError
        ? mapped.message
        : `Fauna refused revokeTokens${code ? ` (${code})` : ''}. Push the schema in fauna/ and give the key the tokenRevoker role.`,
      mapped instanceof FaunaUnavailableError,
      code,
      { cause: error },
    );
  }
  const value = (data ?? {}) as Record<string, unknown>;
  if (!(typeof value.userId === 'string' || value.userId === null) || typeof value.deleted !== 'number') {
    throw new RevocationQueryError('revokeTokens returned an unexpected shape (expected userId, deleted). Push the schema in fauna/ again.', false, undefined);
  }
  return { userId: value.userId, deleted: value.deleted };
}

/** Everything the revocation needs, passed in; the revoke key comes through {@link FaunaKeySource}. */
export interface RevocationDependencies extends FaunaKeySource {
  /** The pool this stage serves; events from any other pool are ignored (the EventBridge rule should not send them). */
  userPoolId: string;
  /**
   * The account and region this function runs in; events of any other are ignored. An unknown account is refused
   * ({@link FunctionHomeUnknownError}) unless `homeMayBeUnknown` (the local stage, whose tools pass no function ARN).
   */
  home: FunctionHome;
  homeMayBeUnknown: boolean;
  fauna: FaunaClientProvider;
  /** The sub of a pool user by user name, or null when Cognito has no such user (AdminGetUser). */
  resolveSub(username: string): Promise<string | null>;
  logger: ServiceLogger;
  metrics: ServiceMetrics;
  now(): number;
}

/**
 * Handles one EventBridge event: revokes the user's Fauna tokens, or ignores the event when the call failed or
 * concerned another pool.
 *
 * @throws {RevocationError} or {SignInError} (Fauna, key store) on failure; the caller counts and logs it
 */
export async function handleRevocationEvent(event: CloudTrailEvent, deps: RevocationDependencies): Promise<RevocationOutcome> {
  const request = parseRevocationEvent(event);
  if (request.errorCode !== undefined) {
    return ignore(deps, request, `the ${request.eventName} call failed (${request.errorCode}), so the user was not signed out`);
  }
  const foreign = foreignHome(request, deps);
  if (foreign !== null) return ignore(deps, request, foreign);
  if (request.userPoolId !== deps.userPoolId) {
    return ignore(deps, request, `the event is for pool ${request.userPoolId}, this stage serves ${deps.userPoolId}`);
  }
  const sub = await subOf(request, deps);
  const result = await withKeyRefresh(deps, {
    // Transient: Lambda retries the event later, when the key store may be asked again.
    refetchLimited: (refusal) =>
      new RevocationQueryError('Fauna rejected the revoke key, and the key store was asked for it too recently to ask again; the event will be retried.', true, 'unauthorized', { cause: refusal }),
    refetched: () => {
      deps.logger.warn('Fauna rejected the cached revoke key; refetched it once');
      deps.metrics.addMetric(RevocationMetricName.keyRefetches, 'Count', 1);
    },
  }, (secret) => timedRevoke(deps, secret, sub));

  deps.metrics.addMetric(RevocationMetricName.revocations, 'Count', 1);
  deps.metrics.addMetric(RevocationMetricName.tokensRevoked, 'Count', result.deleted);
  deps.logger.info('Revoked the Fauna tokens of a Cognito user', {
    eventName: request.eventName,
    cloudTrailEventId: request.eventId,
    sub,
    userId: result.userId,
    deleted: result.deleted,
    identityFound: result.userId !== null,
  });
  return { outcome: 'revoked', eventName: request.eventName, userId: result.userId, deleted: result.deleted };
}

/** Why the event is not of this function's account and region, or null when it is (or, locally, cannot be told). */
function foreignHome(request: RevocationRequest, deps: RevocationDependencies): string | null {
  const { account, region } = deps.home;
  if (account === undefined && !deps.homeMayBeUnknown) throw new FunctionHomeUnknownError();
  if (account !== undefined && request.account !== account) {
    return `the event is for account ${request.account ?? '(none named)'}, this function runs in ${account}`;
  }
  if (region !== undefined && request.region !== region) {
    return `the event is for region ${request.region ?? '(none named)'}, this function runs in ${region}`;
  }
  return null;
}

function ignore(deps: RevocationDependencies, request: RevocationRequest, reason: string): RevocationOutcome {
  deps.logger.warn('Revocation event ignored', { eventName: request.eventName, cloudTrailEventId: request.eventId, reason });
  return { outcome: 'ignored', eventName: request.eventName, reason };
}

async function subOf(request: RevocationRequest, deps: RevocationDependencies): Promise<string> {
  if (request.sub !== undefined) return request.sub;
  if (request.username === undefined) {
    throw new UserNotResolvedError(`the ${request.eventName} event has neither additionalEventData.sub nor a visible requestParameters.username`);
  }
  const sub = await deps.resolveSub(request.username);
  if (sub === null) {
    throw new UserNotResolvedError(`the ${request.eventName} event has no sub and Cognito no longer knows the user it names (deleted?)`);
  }
  return sub;
}

async function timedRevoke(deps: RevocationDependencies, secret: string, sub: string): Promise<RevocationResult> {
  const started = deps.now();
  try {
    return await revokeTokensOf(deps.fauna.clientFor(secret), sub);
  } finally {
    deps.metrics.addMetric(RevocationMetricName.faunaLatency, 'Milliseconds', deps.now() - started);
  }
}
