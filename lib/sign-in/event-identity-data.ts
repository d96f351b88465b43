/**
 * The groups and allowlisted attributes a Pre Token Generation event carries for the identity (issue 22): the user's
 * Cognito groups (`request.groupConfiguration.groupsToOverride`, present in V1_0, V2_0 and V3_0 events) and the
 * attributes IDENTITY_ATTRIBUTES names, keyed by their Cognito names. Checked against {@link IDENTITY_DATA_BOUNDS}
 * here, before any Fauna call, so that an event Fauna's checkIdentityData would refuse fails with a clear error
 * instead of a round trip; signIn checks the same bounds again, since any holder of the trigger key can call it.
 */
import type { PreTokenGenerationEvent } from './cognito-event.ts';
import { InvalidEventError } from '../common/errors.ts';
import { IDENTITY_DATA_BOUNDS, type IdentityData } from '../common/identity-data.ts';

/**
 * @param allowlist - the parsed IDENTITY_ATTRIBUTES (Config.identityAttributes)
 * @returns the groups in Cognito's order and the allowlisted attributes the user has (an attribute the user lacks is
 *   left out, so that adding one to the allowlist never invents a value)
 * @throws {InvalidEventError} naming the part of the event out of bounds (never its value)
 */
export function identityDataOf(event: PreTokenGenerationEvent, allowlist: readonly string[]): IdentityData {
  const groups = event.request.groupConfiguration?.groupsToOverride ?? [];
  const problems: string[] = [];
  if (groups.length > IDENTITY_DATA_BOUNDS.maxGroups) {
    problems.push(`/request/groupConfiguration/groupsToOverride lists ${groups.length} groups; an identity stores at most ${IDENTITY_DATA_BOUNDS.maxGroups} (Cognito's own limit per user)`);
  }
  groups.forEach((group, index) => {
    if (typeof group !== 'string' || group.length < 1 || group.length > IDENTITY_DATA_BOUNDS.maxGroupNameLength) {
      problems.push(`/request/groupConfiguration/groupsToOverride/${index} must be a group name of 1 to ${IDENTITY_DATA_BOUNDS.maxGroupNameLength} characters`);
    }
  });
  const attributes: Record<string, string> = {};
  const userAttributes = event.request.userAttributes as Record<string, unknown>;
  for (const name of allowlist) {
    const value = userAttributes[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > IDENTITY_DATA_BOUNDS.maxAttributeValueLength) {
      problems.push(`/request/userAttributes/${name} must be a string of at most ${IDENTITY_DATA_BOUNDS.maxAttributeValueLength} characters to be stored on the identity (IDENTITY_ATTRIBUTES lists it)`);
      continue;
    }
    attributes[name] = value;
  }
  if (problems.length > 0) throw new InvalidEventError(problems);
  return { groups: [...groups], attributes };
}
