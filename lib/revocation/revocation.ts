/**
 * Revoking a user's Fauna tokens, and making the identity follow Cognito's group and attribute changes, start to end,
 * with every dependency passed in: read the CloudTrail event, check it is this stage's, find the user's sub (from the
 * event, else from the user name through Cognito), run the one Fauna query the operation needs (`revokeTokens`,
 * fauna/tokens.fsl; `changeIdentityGroup`, `setIdentityAttributes`, `revokeClientTokens`, fauna/identity-sync.fsl),
 * and count what happened. What each event carries, and what falls back to revoking: docs/token-lifecycle.md.
 */
import { fql } from 'fauna';
import {
  AttributeEventName,
  type CloudTrailEvent,
  ClientSignOutEventName,
  GroupEventName,
  parseRevocationEvent,
  type RevocationRequest,
} from './cloudtrail-event.ts';
import { changeIdentityGroup, revokeClientTokens, setIdentityAttributes } from './identity-sync.ts';
import { FaunaUnauthorizedError, mapFaunaError } from '../common/errors.ts';
import type { FaunaClientProvider, QueryClient } from '../common/fauna-client.ts';
import { type FaunaKeySource, withKeyRefresh } from '../common/key-refresh.ts';
import type { FunctionHome } from './function-home.ts';
import { FunctionHomeUnknownError, REVOKE_KEY_ADVICE, RevocationQueryError, UserNotResolvedError } from './revocation-errors.ts';
import type { ServiceLogger, ServiceMetrics } from '../common/observability.ts';

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
  /** Group or attribute changes written to an identity (not counting replays that changed nothing). */
  identityChanges: 'IdentityChanges',
} as const;

/** What `revokeTokens` answered: the identity's id (null when no identity has the sub) and how many tokens went. */
export interface RevocationResult {
  userId: string | null;
  deleted: number;
}

/** How one event ended, returned by the Lambda (and shown by `sls invoke`). */
export type RevocationOutcome =
  /** `fallback` says why an event that should have changed the identity revoked its tokens instead. */
  | { outcome: 'revoked'; eventName: string; userId: string | null; deleted: number; fallback?: string }
  | { outcome: 'client_revoked'; eventName: string; userId: string | null; deleted: number; clientId: string }
  | { outcome: 'groups_updated'; eventName: string; userId: string | null; groups: string[]; changed: boolean }
  | { outcome: 'attributes_updated'; eventName: string; userId: string | null; changed: boolean; tenantChanged: boolean; deleted: number }
  | { outcome: 'ignored'; eventName: string; reason: string };

/**
 * Deletes every token of the identity with Cognito sub `sub`, in one query through the `revokeTokens` UDF.
 * Idempotent: a second call deletes nothing.
 *
 * @throws {CognitoFaunaError} as `mapFaunaError` maps Fauna's failure (`transient` when Fauna was unavailable), with
 *   the revoke key's advice; {@link FaunaUnauthorizedError} when Fauna rejected the key (the caller may refetch it once)
 */
export async function revokeTokensOf(client: QueryClient, sub: string): Promise<RevocationResult> {
  let data: unknown;
  try {
    data = (await client.query(fql`revokeTokens(${sub})`)).data;
  } catch (error) {
    throw mapFaunaError(error, { ...REVOKE_KEY_ADVICE, query: 'revokeTokens' });
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
  /** A pool user's sub and current attributes by user name or sub, or null when Cognito has no such user (AdminGetUser). */
  readUser(username: string): Promise<{ sub: string; attributes: Readonly<Record<string, string>> } | null>;
  /** IDENTITY_ATTRIBUTES: the attributes an identity carries; attribute events about others change nothing. */
  identityAttributes: readonly string[];
  logger: ServiceLogger;
  metrics: ServiceMetrics;
  now(): number;
}

/**
 * Handles one EventBridge event: revokes the user's Fauna tokens (all, or one app client's), changes the identity's
 * groups or attributes, or ignores the event when the call failed or concerned another pool, account or region.
 *
 * @throws {CognitoFaunaError} (revocation-errors.ts, or Fauna's and the key store's) on failure; the caller counts and logs it
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
  if (GROUP_EVENTS.has(request.eventName)) return changeGroup(request, deps);
  if (ATTRIBUTE_EVENTS.has(request.eventName)) return changeAttributes(request, deps);
  if (request.eventName === ClientSignOutEventName.revokeToken) return revokeClient(request, deps);
  return revokeAll(request, deps, await subOf(request, deps));
}

const GROUP_EVENTS: ReadonlySet<string> = new Set(Object.values(GroupEventName));
const ATTRIBUTE_EVENTS: ReadonlySet<string> = new Set(Object.values(AttributeEventName));

/** Deletes every token of the identity; `fallback` says why, when the event asked for something finer. */
async function revokeAll(request: RevocationRequest, deps: RevocationDependencies, sub: string, fallback?: string): Promise<RevocationOutcome> {
  const result = await withFaunaKey(deps, (client) => revokeTokensOf(client, sub));
  deps.metrics.addMetric(RevocationMetricName.revocations, 'Count', 1);
  deps.metrics.addMetric(RevocationMetricName.tokensRevoked, 'Count', result.deleted);
  deps.logger.info('Revoked the Fauna tokens of a Cognito user', {
    eventName: request.eventName,
    cloudTrailEventId: request.eventId,
    sub,
    userId: result.userId,
    deleted: result.deleted,
    identityFound: result.userId !== null,
    ...(fallback === undefined ? {} : { fallback }),
  });
  return { outcome: 'revoked', eventName: request.eventName, userId: result.userId, deleted: result.deleted, ...(fallback === undefined ? {} : { fallback }) };
}

/**
 * AdminAddUserToGroup / AdminRemoveUserFromGroup: the one group is added to or removed from the identity's `groups`,
 * so that the roles' predicates follow on the identity's next query without a new sign-in. When CloudTrail hid the
 * group name, the identity cannot be told what changed: its tokens are revoked, and the next sign-in stores the
 * groups Cognito then reports.
 */
async function changeGroup(request: RevocationRequest, deps: RevocationDependencies): Promise<RevocationOutcome> {
  const sub = await subOf(request, deps);
  const group = request.groupName;
  if (group === undefined) return revokeAll(request, deps, sub, 'the event hides the group name');
  const member = request.eventName === GroupEventName.adminAddUserToGroup;
  const result = await withFaunaKey(deps, (client) => changeIdentityGroup(client, sub, group, member));
  if (result.changed) deps.metrics.addMetric(RevocationMetricName.identityChanges, 'Count', 1);
  deps.logger.info(member ? 'Added a group to a Cognito user\'s identity' : 'Removed a group from a Cognito user\'s identity', {
    eventName: request.eventName,
    cloudTrailEventId: request.eventId,
    sub,
    userId: result.userId,
    group,
    changed: result.changed,
    identityFound: result.userId !== null,
  });
  return { outcome: 'groups_updated', eventName: request.eventName, userId: result.userId, groups: result.groups, changed: result.changed };
}

/**
 * Attribute events: CloudTrail hides the values (and may hide the names), so the current values are read from
 * Cognito (AdminGetUser) and the identity's allowlisted attributes replaced by them; setIdentityAttributes revokes the
 * tokens in the same query when the tenant attribute changed. An event whose visible names are all outside the
 * allowlist changes nothing. A user Cognito cannot find (deleted since, or a federated user whose sub is not a user
 * name) falls back to revoking.
 */
async function changeAttributes(request: RevocationRequest, deps: RevocationDependencies): Promise<RevocationOutcome> {
  const allowed = new Set(deps.identityAttributes);
  if (allowed.size === 0) return ignore(deps, request, 'no attribute is allowlisted (IDENTITY_ATTRIBUTES is empty), so identities carry none');
  if (request.attributeNames !== undefined && !request.attributeNames.some((name) => allowed.has(name))) {
    return ignore(deps, request, `none of the attributes it changed (${request.attributeNames.join(', ')}) is allowlisted in IDENTITY_ATTRIBUTES`);
  }
  const lookup = request.username ?? request.sub;
  if (lookup === undefined) throw new UserNotResolvedError(`the ${request.eventName} event has neither additionalEventData.sub nor a visible requestParameters.username`);
  const user = await deps.readUser(lookup);
  if (user === null) {
    if (request.sub === undefined) throw new UserNotResolvedError(`the ${request.eventName} event has no sub and Cognito no longer knows the user it names (deleted?)`);
    return revokeAll(request, deps, request.sub, 'Cognito could not return the user\'s current attributes');
  }
  if (request.sub !== undefined && user.sub !== request.sub) {
    throw new UserNotResolvedError(`Cognito answered a different user than the event's sub for the ${request.eventName} event`);
  }
  const attributes = Object.fromEntries(Object.entries(user.attributes).filter(([name]) => allowed.has(name)));
  const result = await withFaunaKey(deps, (client) => setIdentityAttributes(client, user.sub, attributes));
  if (result.changed) deps.metrics.addMetric(RevocationMetricName.identityChanges, 'Count', 1);
  if (result.tenantChanged) {
    deps.metrics.addMetric(RevocationMetricName.revocations, 'Count', 1);
    deps.metrics.addMetric(RevocationMetricName.tokensRevoked, 'Count', result.deleted);
  }
  deps.logger.info('Updated the attributes of a Cognito user\'s identity', {
    eventName: request.eventName,
    cloudTrailEventId: request.eventId,
    sub: user.sub,
    userId: result.userId,
    // Names only: attribute values are the user's data and stay out of the logs.
    attributeNames: Object.keys(attributes),
    changed: result.changed,
    tenantChanged: result.tenantChanged,
    deleted: result.deleted,
    identityFound: result.userId !== null,
  });
  return { outcome: 'attributes_updated', eventName: request.eventName, userId: result.userId, changed: result.changed, tenantChanged: result.tenantChanged, deleted: result.deleted };
}

/**
 * RevokeToken (a refresh token of one app client): the identity's tokens minted for that client go, the others stay.
 * The call is made with the refresh token alone, which CloudTrail hides; without a sub in the event nothing can tell
 * whose token it was, so the event is ignored and says so (docs/token-lifecycle.md, "RevokeToken").
 */
async function revokeClient(request: RevocationRequest, deps: RevocationDependencies): Promise<RevocationOutcome> {
  const sub = request.sub;
  if (sub === undefined) {
    return ignore(deps, request, 'the RevokeToken event does not identify the user (no additionalEventData.sub; the refresh token is hidden), so no identity can be chosen');
  }
  const clientId = request.clientId;
  if (clientId === undefined) return revokeAll(request, deps, sub, 'the event hides the app client id');
  const result = await withFaunaKey(deps, (client) => revokeClientTokens(client, sub, clientId));
  deps.metrics.addMetric(RevocationMetricName.revocations, 'Count', 1);
  deps.metrics.addMetric(RevocationMetricName.tokensRevoked, 'Count', result.deleted);
  deps.logger.info('Revoked the Fauna tokens of one app client of a Cognito user', {
    eventName: request.eventName,
    cloudTrailEventId: request.eventId,
    sub,
    clientId,
    userId: result.userId,
    deleted: result.deleted,
    identityFound: result.userId !== null,
  });
  return { outcome: 'client_revoked', eventName: request.eventName, userId: result.userId, deleted: result.deleted, clientId };
}

/** Runs one Fauna call with the revoke key, rereading the key once on a 401, and times it. */
function withFaunaKey<T>(deps: RevocationDependencies, run: (client: QueryClient) => Promise<T>): Promise<T> {
  return withKeyRefresh(deps, {
    // Transient: Lambda retries the event later, when the key store may be asked again.
    refetchLimited: (refusal) =>
      new RevocationQueryError('Fauna rejected the revoke key, and the key store was asked for it too recently to ask again; the event will be retried.', true, 'unauthorized', { cause: refusal }),
    refetched: () => {
      deps.logger.warn('Fauna rejected the cached revoke key; refetched it once');
      deps.metrics.addMetric(RevocationMetricName.keyRefetches, 'Count', 1);
    },
  }, async (secret) => {
    const started = deps.now();
    try {
      return await run(deps.fauna.clientFor(secret));
    } finally {
      deps.metrics.addMetric(RevocationMetricName.faunaLatency, 'Milliseconds', deps.now() - started);
    }
  });
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
