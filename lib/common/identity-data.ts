/**
 * What an identity carries besides its `sub` and email: the user's Cognito groups and the stage's allowlisted Cognito
 * attributes. The roles in fauna/roles.fsl decide rights from them, so the sign-in (signIn) and the Cognito-change
 * path both store them, and both check the same bounds, here and again in Fauna (checkIdentityData,
 * fauna/identity-data.fsl), because any holder of a key that may call those functions can call them with anything.
 *
 * Bounds follow Cognito's own limits: a user belongs to at most 100 groups, a group name has 1 to 128 characters
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html,
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateGroup.html); a custom
 * attribute's name has at most 20 characters after `custom:` and its value at most 2048
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SchemaAttributeType.html).
 */
import { ConfigError } from './errors.ts';

export const IDENTITY_DATA_BOUNDS = {
  maxGroups: 100,
  maxGroupNameLength: 128,
  /** Attributes a stage may allowlist (IDENTITY_ATTRIBUTES). */
  maxAttributes: 25,
  maxAttributeNameLength: 64,
  maxAttributeValueLength: 2048,
} as const;

/** The groups and attributes stored on an identity. */
export interface IdentityData {
  groups: readonly string[];
  attributes: Readonly<Record<string, string>>;
}

/** A Cognito attribute name: a standard one (`email`, `given_name`, …) or `custom:<name>` / `dev:custom:<name>`. */
const ATTRIBUTE_NAME = /^(?:(?:dev:)?custom:)?[A-Za-z0-9_:-]{1,}$/;

/** Attributes that are never copied to the identity: the sub is its key; email has its own verified-only rule. */
const NEVER_ALLOWLISTED: ReadonlySet<string> = new Set(['sub', 'email', 'email_verified', 'phone_number_verified']);

/**
 * Parses IDENTITY_ATTRIBUTES (param identityAttributes): a comma-separated list of Cognito attribute names, empty by
 * default. Refuses, naming the setting and the fix, names that are malformed, duplicated, too many or never stored.
 */
export function parseIdentityAttributes(value: string | undefined): readonly string[] {
  const raw = (value ?? '').trim();
  if (raw === '') return [];
  const names = raw.split(',').map((name) => name.trim());
  const setting = 'IDENTITY_ATTRIBUTES';
  const fix = 'Set param identityAttributes in serverless.yml to a comma-separated list of Cognito attribute names, e.g. custom:tenantId';
  if (names.length > IDENTITY_DATA_BOUNDS.maxAttributes) {
    throw new ConfigError(setting, `lists ${names.length} attributes; at most ${IDENTITY_DATA_BOUNDS.maxAttributes} may be stored on an identity`, fix);
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (name.length === 0 || name.length > IDENTITY_DATA_BOUNDS.maxAttributeNameLength || !ATTRIBUTE_NAME.test(name)) {
      throw new ConfigError(setting, `has an invalid attribute name ${JSON.stringify(name.slice(0, 80))}`, fix);
    }
    if (NEVER_ALLOWLISTED.has(name)) {
      throw new ConfigError(setting, `may not list ${name}: the identity keeps it by its own rules`, 'Remove it from param identityAttributes');
    }
    if (seen.has(name)) throw new ConfigError(setting, `lists ${name} twice`, fix);
    seen.add(name);
  }
  return names;
}
