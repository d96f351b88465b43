/**
 * JSON Schema of the Pre Token Generation event (V1, V2 and V3). It is compiled to a standalone validator at build time
 * by `scripts/build-validator.ts` (output: `lib/sign-in/generated/event-validator.ts`) so that cold starts pay nothing for ajv.
 * Error messages name paths and rules, never values, so an invalid event's email does not reach a log line.
 *
 * Every field is bounded by what Cognito documents for it (docs/security.md, "Bad input", lists the sources); the
 * event as a whole (depth, values, text) by lib/sign-in/event-bounds.ts, which runs first. Lenient where being strict would
 * lock users out and being lenient is safe (each case in docs/security.md): `email_verified` of any type (only `true`
 * or the string "true" in any case counts as verified, lib/sign-in/sign-in.ts), an email of any shape (one that is not an
 * address is ignored: identity by `sub` alone), and any `TokenGeneration_*` trigger source (an unknown one is counted).
 */
import { TriggerSource, USER_TRIGGER_SOURCES } from './cognito-event.ts';

const nonBlank = { type: 'string', pattern: '\\S' } as const;
/** Cognito's bounds: an attribute value holds at most 2,048 characters, its name at most 32 (AttributeType). */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 2048;
export const MAX_ATTRIBUTE_NAME_LENGTH = 32;
/** Standard attributes, up to 50 custom ones and Cognito's own (`cognito:user_status`, `identities`, …) fit in 100. */
export const MAX_USER_ATTRIBUTES = 100;
/** Group names are at most 128 characters (GroupType); a role ARN at most 2,048. The counts are generous bounds. */
const MAX_GROUPS = 500;
const groupNames = { type: 'array', maxItems: MAX_GROUPS, items: { type: 'string', maxLength: 128 } } as const;
const roleArns = { type: 'array', maxItems: MAX_GROUPS, items: { type: 'string', maxLength: 2048 } } as const;
/** Any `TokenGeneration_*` source, at most 64 characters (signIn's bound on the token's meta, fauna/functions.fsl). */
export const TRIGGER_SOURCE_PATTERN = '^TokenGeneration_[A-Za-z0-9]{1,48}$';

export const preTokenGenerationEventSchema = {
  $id: 'https://cognito-fauna.local/schemas/pre-token-generation-event.json',
  type: 'object',
  required: ['version', 'triggerSource', 'region', 'userPoolId', 'callerContext', 'request', 'response'],
  properties: {
    // "1" V1_0, "2" V2_0, "3" V3_0; "0" is cognito-local's, accepted on the local stage only (eventValidationMiddleware).
    version: { type: 'string', enum: ['0', '1', '2', '3'] },
    triggerSource: { type: 'string', pattern: TRIGGER_SOURCE_PATTERN },
    // Every partition's names: us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1, ap-southeast-5.
    region: { type: 'string', pattern: '^[a-z]{2,4}(-[a-z]+)+-\\d{1,2}$' },
    // Bounded as signIn bounds the token's meta (fauna/functions.fsl), so a valid event never trips its checks.
    userPoolId: { type: 'string', maxLength: 128, pattern: '^[\\w-]+_[0-9a-zA-Z]+$' },
    // Cognito's user names are at most 128 characters.
    userName: { type: ['string', 'null'], maxLength: 128 },
    callerContext: {
      type: 'object',
      required: ['clientId'],
      properties: { awsSdkVersion: { type: 'string', maxLength: 256 }, clientId: { ...nonBlank, maxLength: 128 } },
    },
    request: {
      type: 'object',
      required: ['userAttributes'],
      properties: {
        userAttributes: {
          type: 'object',
          maxProperties: MAX_USER_ATTRIBUTES,
          propertyNames: { maxLength: MAX_ATTRIBUTE_NAME_LENGTH },
          properties: {
            sub: { ...nonBlank, maxLength: 128 },
            // Any shape: one that is not an address is ignored (lib/sign-in/sign-in.ts), never a refusal.
            email: { type: 'string', maxLength: MAX_ATTRIBUTE_VALUE_LENGTH },
            // Any type: an IdP's attribute mapping may send "True" or a boolean; lib/sign-in/sign-in.ts decides what counts.
            email_verified: { anyOf: [{ type: 'string', maxLength: MAX_ATTRIBUTE_VALUE_LENGTH }, { not: { type: 'string' } }] },
          },
          additionalProperties: { type: 'string', maxLength: MAX_ATTRIBUTE_VALUE_LENGTH },
        },
        groupConfiguration: {
          type: 'object',
          properties: {
            groupsToOverride: groupNames,
            iamRolesToOverride: roleArns,
            preferredRole: { type: ['string', 'null'], maxLength: 2048 },
          },
        },
        clientMetadata: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
        scopes: { type: 'array', items: { type: 'string' } },
      },
    },
    response: { type: 'object' },
  },
  allOf: [
    {
      // A user sign-in must name the user: Cognito's `sub` (the identity's key in Fauna). The email is optional
      // (phone-only and federated users may have none). An unknown `TokenGeneration_*` source need not: without a sub
      // it is passed through without claims (lib/sign-in/sign-in.ts).
      if: { type: 'object', properties: { triggerSource: { enum: USER_TRIGGER_SOURCES } } },
      then: {
        type: 'object',
        properties: {
          request: { type: 'object', properties: { userAttributes: { type: 'object', required: ['sub'], properties: { sub: { type: 'string' } } } } },
        },
      },
    },
    {
      // Client credentials exist only in V3 events.
      if: { type: 'object', properties: { triggerSource: { const: TriggerSource.clientCredentials } } },
      then: { type: 'object', properties: { version: { type: 'string', const: '3' } } },
    },
  ],
} as const;
