/**
 * The Cognito CloudTrail events that revoke a user's Fauna tokens or change the groups and attributes its rights
 * follow, as EventBridge delivers them ("AWS API Call via CloudTrail"), and `parseRevocationEvent`, which picks out
 * the pool, the user, the operation and what it changed (group name, attribute names, app client) where visible.
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
export const SignOutEventName = {
  globalSignOut: 'GlobalSignOut',
  adminUserGlobalSignOut: 'AdminUserGlobalSignOut',
  adminDisableUser: 'AdminDisableUser',
  adminDeleteUser: 'AdminDeleteUser',
  deleteUser: 'DeleteUser',
} as const;

/** The operations that change a user's groups: the identity's `groups` follow (fauna/identity-sync.fsl). */
export const GroupEventName = {
  adminAddUserToGroup: 'AdminAddUserToGroup',
  adminRemoveUserFromGroup: 'AdminRemoveUserFromGroup',
} as const;

/** The operations that change a user's attributes: the identity's allowlisted `attributes` follow. */
export const AttributeEventName = {
  adminUpdateUserAttributes: 'AdminUpdateUserAttributes',
  updateUserAttributes: 'UpdateUserAttributes',
  adminDeleteUserAttributes: 'AdminDeleteUserAttributes',
  deleteUserAttributes: 'DeleteUserAttributes',
} as const;

/** Revoking one app client's refresh token (Amplify's default sign-out): that client's Fauna tokens go. */
export const ClientSignOutEventName = { revokeToken: 'RevokeToken' } as const;

/** Every operation the function handles (the EventBridge rule's eventName list, serverless/token-revocation.yml). */
export const RevocationEventName = { ...SignOutEventName, ...GroupEventName, ...AttributeEventName, ...ClientSignOutEventName } as const;
export type RevocationEventName = (typeof RevocationEventName)[keyof typeof RevocationEventName];

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const COGNITO_EVENT_SOURCE = 'aws.cognito-idp';
export const COGNITO_API_SOURCE = 'cognito-idp.amazonaws.com';

/** The EventBridge envelope with the CloudTrail record in `detail` (only the fields this service reads). */
export interface CloudTrailEvent {
  id?: string;
  'detail-type': string;
  source: string;
  /** The account the event was recorded in (EventBridge's envelope). */
  account?: string;
  region?: string;
  detail: {
    eventName: string;
    eventSource: string;
    eventID?: string;
    eventTime?: string;
    /** CloudTrail's copy of the envelope's account and region. */
    recipientAccountId?: string;
    awsRegion?: string;
    /** Present (with any value) when the call failed. */
    errorCode?: unknown;
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
  /**
   * Set when the call failed (AccessDenied, UserNotFoundException): nothing happened, nothing is revoked. Any
   * `errorCode` present counts, whatever its value (`""`, an object, null): only its absence means success. A
   * non-string code is described by its type, e.g. `(object)`.
   */
  errorCode: string | undefined;
  /** AdminAddUserToGroup / AdminRemoveUserFromGroup: `requestParameters.groupName`, unless hidden. */
  groupName: string | undefined;
  /**
   * Attribute events: the names the call set (`userAttributes[].name`) or deleted (`userAttributeNames`); undefined
   * when CloudTrail hid them (or any of them), so that the caller cannot tell which attributes changed.
   */
  attributeNames: readonly string[] | undefined;
  /** RevokeToken: the app client (`requestParameters.clientId`), unless hidden. */
  clientId: string | undefined;
  /** The AWS account the call was made in (the envelope's `account`, or CloudTrail's `recipientAccountId`). */
  account: string | undefined;
  /** The region the call was made in (the envelope's `region`, or CloudTrail's `awsRegion`). */
  region: string | undefined;
}

const NAMES: ReadonlySet<string> = new Set(Object.values(RevocationEventName));
/** Cognito writes this kind of marker where it hides a value ("HIDDEN_DUE_TO_SECURITY_REASONS" and variants). */
const HIDDEN = /^HIDDEN_/;
const POOL_ARN = /:userpool\/([\w-]+_[0-9A-Za-z]+)$/;
const POOL_ID = /^[\w-]+_[0-9A-Za-z]+$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * Reads a revocation request out of an EventBridge event.
 *
 * @throws {InvalidRevocationEventError} when the event is not one of the Cognito operations handled, or names no pool
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
    groupName: visible(request.groupName),
    attributeNames: attributeNamesOf(request),
    clientId: visible(request.clientId),
    errorCode: describeErrorCode(detail),
    account: oneOf('account', envelope.account, detail.recipientAccountId, ACCOUNT_ID),
    region: oneOf('region', envelope.region, detail.awsRegion, REGION),
  };
}

/** `errorCode` as text when the key is present at all (a failed call), else undefined (the call succeeded). */
function describeErrorCode(detail: object): string | undefined {
  if (!Object.hasOwn(detail, 'errorCode')) return undefined;
  const code = (detail as { errorCode?: unknown }).errorCode;
  if (code === undefined) return undefined;
  return typeof code === 'string' && code !== '' ? code : `(${code === null ? 'null' : typeof code === 'string' ? 'empty' : typeof code})`;
}

/**
 * The envelope's value and CloudTrail's copy of it, which must agree (an event whose two say different accounts or
 * regions was not written by EventBridge and CloudTrail, so nothing in it can be trusted).
 */
function oneOf(what: string, envelope: unknown, detail: unknown, shape: RegExp): string | undefined {
  const values = [envelope, detail].filter((value) => value !== undefined && value !== null);
  for (const value of values) {
    if (typeof value !== 'string' || !shape.test(value)) throw new InvalidRevocationEventError(`the event's ${what} is malformed`);
  }
  if (values.length === 2 && values[0] !== values[1]) {
    throw new InvalidRevocationEventError(`the envelope's ${what} (${String(values[0])}) and CloudTrail's (${String(values[1])}) differ`);
  }
  return values[0] as string | undefined;
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A string value Cognito did not hide, else undefined. */
function visible(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && !HIDDEN.test(value) ? value : undefined;
}

/**
 * The attribute names of an attribute event: `userAttributes: [{ name, value }]` (update) or `userAttributeNames`
 * (delete). Undefined when the list is absent, hidden as a whole, or any name in it is hidden or malformed.
 */
function attributeNamesOf(request: Record<string, unknown>): readonly string[] | undefined {
  const list = Array.isArray(request.userAttributes)
    ? request.userAttributes.map((entry: unknown) => visible((entry as { name?: unknown } | null)?.name))
    : Array.isArray(request.userAttributeNames)
      ? request.userAttributeNames.map((name: unknown) => visible(name))
      : undefined;
  if (list === undefined || list.some((name) => name === undefined)) return undefined;
  return list as string[];
}

function poolFromResources(resources: unknown): string | undefined {
  if (!Array.isArray(resources)) return undefined;
  for (const resource of resources) {
    const match = typeof resource?.ARN === 'string' ? POOL_ARN.exec(resource.ARN) : null;
    if (match) return match[1];
  }
  return undefined;
}
