/**
 * What the local trigger path changes in cognito-local's Pre Token Generation events so that the function gets what
 * Amazon Cognito would send it (issue 22). Two deviations of cognito-local 5.x:
 *
 * 1. It sends `groupConfiguration: {}` (services/lambda.js, with a TODO in services/tokenGenerator.js), where Cognito
 *    sends the user's groups in `groupsToOverride`. {@link withUserGroups} fills them in from cognito-local's own group
 *    membership (AdminListGroupsForUser), so that a group added with AdminAddUserToGroup reaches the trigger.
 * 2. It only sends V1_0-shaped events (labelled version "0") and only reads a V1_0 answer (`claimsOverrideDetails`), where Cognito
 *    sends the stage's trigger version (serverless.yml `triggerVersion`: V2_0 on dev and staging). For a V2_0 stage,
 *    {@link toTriggerVersion} turns the event into the V2_0 form (version "2", `scopes`, the
 *    `claimsAndScopeOverrideDetails` response field) and {@link answerForCognitoLocal} turns the function's V2_0 answer
 *    back into the V1_0 form cognito-local applies (the ID token's claims; cognito-local has no access-token claims).
 *
 * Cognito's event shapes: https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
 */
import { readFile } from 'node:fs/promises';
import { AdminListGroupsForUserCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { parse } from 'yaml';

export type TriggerVersion = 'V1_0' | 'V2_0' | 'V3_0';
export const TRIGGER_VERSIONS: readonly TriggerVersion[] = ['V1_0', 'V2_0', 'V3_0'];

type Json = Record<string, unknown>;

/** The scopes Cognito puts in a V2_0 user-flow event for an app client with the default scopes. */
export const DEFAULT_V2_SCOPES: readonly string[] = ['openid', 'email', 'aws.cognito.signin.user.admin'];

/** `params.default` merged with `params.<stage>` of a serverless.yml (string values only). */
export async function readStageParams(serverlessFile: string, stage: string): Promise<Record<string, string>> {
  const config = parse(await readFile(serverlessFile, 'utf8')) as { params?: Record<string, Record<string, unknown> | undefined> } | null;
  const merged = { ...config?.params?.default, ...config?.params?.[stage] };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => typeof value === 'string')) as Record<string, string>;
}

/** The trigger version in a stage's merged serverless.yml params; V1_0 when unset. */
export function stageTriggerVersion(params: Readonly<Record<string, string>>, stage: string): TriggerVersion {
  const value = params.triggerVersion ?? 'V1_0';
  if (!(TRIGGER_VERSIONS as readonly string[]).includes(value)) {
    throw new Error(`serverless.yml params.${stage}.triggerVersion is ${JSON.stringify(value)}; it must be one of ${TRIGGER_VERSIONS.join(', ')}.`);
  }
  return value as TriggerVersion;
}

/** Fills `request.groupConfiguration.groupsToOverride` from the user's groups, if cognito-local left it out. */
export async function withUserGroups(event: Json, admin: Pick<CognitoIdentityProviderClient, 'send'>): Promise<Json> {
  const request = event.request as Json | undefined;
  const configuration = (request?.groupConfiguration ?? {}) as Json;
  if (request === undefined || Array.isArray(configuration.groupsToOverride)) return event;
  const { userPoolId, userName } = event;
  if (typeof userPoolId !== 'string' || typeof userName !== 'string') return event;
  const groups: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await admin.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: userName, NextToken: nextToken }));
    for (const group of page.Groups ?? []) if (group.GroupName) groups.push(group.GroupName);
    nextToken = page.NextToken;
  } while (nextToken);
  return { ...event, request: { ...request, groupConfiguration: { iamRolesToOverride: [], preferredRole: null, ...configuration, groupsToOverride: groups } } };
}

/** The event as Cognito sends it for `version`; V1_0 and events of another kind pass through unchanged. */
export function toTriggerVersion(event: Json, version: TriggerVersion): Json {
  // cognito-local labels its V1_0-shaped events version "0" (Cognito's V1_0 events say "1"): both are converted.
  if (version === 'V1_0' || (event.version !== '0' && event.version !== '1') || typeof event.triggerSource !== 'string' || !event.triggerSource.startsWith('TokenGeneration_')) return event;
  const request = (event.request ?? {}) as Json;
  return {
    ...event,
    version: version === 'V2_0' ? '2' : '3',
    request: { ...request, scopes: Array.isArray(request.scopes) ? request.scopes : [...DEFAULT_V2_SCOPES] },
    response: { claimsAndScopeOverrideDetails: null },
  };
}

/**
 * The function's answer in the V1_0 form cognito-local applies: a V2_0/V3_0 answer's ID-token claims become
 * `claimsOverrideDetails` (cognito-local issues no customised access token, so access-token claims are dropped);
 * any other answer passes through unchanged.
 */
export function answerForCognitoLocal(answer: Json): Json {
  const response = answer.response as Json | undefined;
  const details = response?.claimsAndScopeOverrideDetails as Json | null | undefined;
  if (response === undefined || details === undefined) return answer;
  const id = (details?.idTokenGeneration ?? {}) as Json;
  const v1: Json = {};
  if (id.claimsToAddOrOverride !== undefined) v1.claimsToAddOrOverride = id.claimsToAddOrOverride;
  if (id.claimsToSuppress !== undefined) v1.claimsToSuppress = id.claimsToSuppress;
  if (details?.groupOverrideDetails !== undefined) v1.groupOverrideDetails = details.groupOverrideDetails;
  return { ...answer, version: '1', response: { claimsOverrideDetails: v1 } };
}
