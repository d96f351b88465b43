/** Builds the answer Cognito expects from a Pre Token Generation trigger: the whole event, with `response` filled in. */
import {
  type ClaimsOverride,
  type PreTokenGenerationEvent,
  TriggerSource,
  usesV2Response,
} from './cognito-event.ts';
import { ClaimTarget } from '../common/config.ts';

/** The claims to add: what the sign-in query returned. */
export interface IdentityClaims {
  userId: string;
  secret: string;
}

export interface ResponseOptions {
  secretClaimName: string;
  userIdClaimName: string;
  suppressEmail: boolean;
  /** Which tokens carry the claims on V2/V3 events; V1 events only ever customise the ID token. */
  claimTargets: readonly ClaimTarget[];
}

const EMAIL_CLAIM = 'email';

/**
 * Returns the event with its `response` set for the event's version:
 * V1 → `claimsOverrideDetails` (string values, ID token); V2/V3 → `claimsAndScopeOverrideDetails` with the claims in the
 * ID token, the access token or both. With `claims` null (fail-open) only the email suppression is applied.
 * Machine-to-machine (client credentials) events are returned untouched. The input event is not modified.
 */
export function buildCognitoResponse(
  event: PreTokenGenerationEvent,
  claims: IdentityClaims | null,
  options: ResponseOptions,
): PreTokenGenerationEvent {
  if (event.triggerSource === TriggerSource.clientCredentials) return event;

  // V1 accepts only string values; both claims are strings on every version so clients parse them the same way.
  const added: Record<string, string> | null = claims
    ? { [options.secretClaimName]: claims.secret, [options.userIdClaimName]: claims.userId }
    : null;
  const idToken = claimsOverride(added, options.suppressEmail);

  if (!usesV2Response(event)) {
    return { ...event, response: { ...event.response, claimsOverrideDetails: idToken } };
  }

  const details: { idTokenGeneration?: ClaimsOverride; accessTokenGeneration?: ClaimsOverride } = {};
  const inIdToken = options.claimTargets.includes(ClaimTarget.id);
  const inAccessToken = options.claimTargets.includes(ClaimTarget.access);
  // Email suppression concerns the ID token (the access token carries no email), whatever the claim targets are.
  const idTokenOverride = claimsOverride(inIdToken ? added : null, options.suppressEmail);
  if (Object.keys(idTokenOverride).length > 0) details.idTokenGeneration = idTokenOverride;
  if (inAccessToken && added) details.accessTokenGeneration = { claimsToAddOrOverride: added };
  return { ...event, response: { ...event.response, claimsAndScopeOverrideDetails: details } };
}

function claimsOverride(added: Record<string, string> | null, suppressEmail: boolean): ClaimsOverride {
  const override: ClaimsOverride = {};
  if (added) override.claimsToAddOrOverride = added;
  if (suppressEmail) override.claimsToSuppress = [EMAIL_CLAIM];
  return override;
}
