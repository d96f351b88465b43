/**
 * The Cognito CloudTrail events that revoke a user's Fauna tokens, as EventBridge delivers them ("AWS API Call via
 * CloudTrail"), and `parseRevocationEvent`, which picks out the pool, the user and the operation.
 *
 * What the events carry (docs/token-lifecycle.md, "Revocation events", has the sources): Cognito records the user's
 * `sub` but not the user name for requests about a user, so `requestParameters.username` is usually replaced by a
 * "HIDDEN…" marker and the sub is in `additionalEventData.sub`. Admin calls (IAM-signed) carry
 * `requestParameters.userPoolId`; calls a user makes with an access token (GlobalSignOut, DeleteUser) carry no
 * parameters but the hidden token, so their pool is read from `additionalEventData.userPoolId` or the event's
 * `resources`.
 */
import { InvalidRevocationEventError } from './revocation-errors.ts';

/** The operations after which a user must lose their Fauna tokens. */
export const RevocationEventName = {
  globalSignOut: 'GlobalSignOut',
  adminUserGlobalSignOut: 'AdminUserGlobalSignOut',
  adminDisableUser: 'AdminDisableUser',
  adminDeleteUser: 'AdminDeleteUser',
  deleteUser: 'DeleteUser',
} as const;
export type RevocationEventName = (typeof RevocationEventName)[keyof typeof RevocationEventName];

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const COGNITO_EVENT_SOURCE = 'aws.cognito-idp';
export const COGNITO_API_SOURCE = 'cognito-idp.amazonaws.com';

/** The EventBridge envelope with the CloudTrail record in `detail` (only the fields this service reads). */
export interface CloudTrailEvent {
  id?: string;
  'detail-type': string;
  source: string;
  region?: string;
  detail: {
    eventName: string;
    eventSource: string;
    eventID?: string;
    eventTime?: string;
    errorCode?: string;
    requestParameters?: Record<string, unknown> | null;
    additionalEventData?: Record<string, unknown> | null;
    resources?: { ARN?: string; type?: string }[];
  };
}

/** What a revocation needs to know: which user of which pool, and why. */
export interface RevocationRequest {
  eventName: RevocationEventName;
  /** CloudTrail's id of the API call (the same on a replay), for the logs. */
  eventId: string | undefined;
  userPoolId: string;
  /** The user's Cognito sub when the event has it (the usual case). */
  sub: string | undefined;
  /** The user name the call named, when CloudTrail did not hide it; resolved to a sub with AdminGetUser. */
  username: string | undefined;
  /** Set when the call failed (AccessDenied, UserNotFoundException): nothing happened, nothing is revoked. */
  errorCode: string | undefined;
}

const NAMES: ReadonlySet<string> = new Set(Object.values(RevocationEventName));
/** Cognito writes this kind of marker where it hides a value ("HIDDEN_DUE_TO_SECURITY_REASONS" and variants). */
const HIDDEN = /^HIDDEN_/;
const POOL_ARN = /:userpool\/([\w-]+_[0-9A-Za-z]+)$/;
const POOL_ID = /^[\w-]+_[0-9A-Za-z]+$/;

/**
 * Reads a revocation request out of an EventBridge event.
 *
 * @throws {InvalidRevocationEventError} when the event is not one of the five Cognito operations, or names no pool
 * @example parseRevocationEvent(JSON.parse(readFileSync('events/cloudtrail/admin-user-global-sign-out.json', 'utf8')))
 */
export function parseRevocationEvent(event: unknown): RevocationRequest {
  const envelope = (event ?? {}) as Partial<CloudTrailEvent>;
  const detail = envelope.detail;
  if (envelope['detail-type'] !== CLOUDTRAIL_DETAIL_TYPE || envelope.source !== COGNITO_EVENT_SOURCE || !detail || typeof detail !== 'object') {
    throw new InvalidRevocationEventError(`expected an "${CLOUDTRAIL_DETAIL_TYPE}" event from ${COGNITO_EVENT_SOURCE}`);
  }
  if (detail.eventSource !== COGNITO_API_SOURCE || !NAMES.has(detail.eventName)) {
    throw new InvalidRevocationEventError(`expected one of ${[...NAMES].join(', ')} from ${COGNITO_API_SOURCE}`);
  }
  const request = objectOrEmpty(detail.requestParameters);
  const additional = objectOrEmpty(detail.additionalEventData);
  const userPoolId = visible(request.userPoolId) ?? visible(additional.userPoolId) ?? poolFromResources(detail.resources);
  if (userPoolId === undefined || !POOL_ID.test(userPoolId)) {
    throw new InvalidRevocationEventError('the event names no user pool (requestParameters.userPoolId, additionalEventData.userPoolId or a userpool ARN in resources)');
  }
  return {
    eventName: detail.eventName as RevocationEventName,
    eventId: typeof detail.eventID === 'string' ? detail.eventID : envelope.id,
    userPoolId,
    sub: visible(additional.sub) ?? visible(additional.userSub),
    username: visible(request.username),
    errorCode: typeof detail.errorCode === 'string' && detail.errorCode !== '' ? detail.errorCode : undefined,
  };
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A string value Cognito did not hide, else undefined. */
function visible(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && !HIDDEN.test(value) ? value : undefined;
}

function poolFromResources(resources: unknown): string | undefined {
  if (!Array.isArray(resources)) return undefined;
  for (const resource of resources) {
    const match = typeof resource?.ARN === 'string' ? POOL_ARN.exec(resource.ARN) : null;
    if (match) return match[1];
  }
  return undefined;
}
