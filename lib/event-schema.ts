/**
 * JSON Schema of the Pre Token Generation event (V1, V2 and V3). It is compiled to a standalone validator at build time
 * by `scripts/build-validator.ts` (output: `lib/generated/event-validator.ts`) so that cold starts pay nothing for ajv.
 * Error messages name paths and rules, never values, so an invalid event's email does not reach a log line.
 */
import { TriggerSource } from './cognito-event.ts';

const nonBlank = { type: 'string', pattern: '\\S' } as const;
const stringArray = { type: 'array', items: { type: 'string' } } as const;

export const preTokenGenerationEventSchema = {
  $id: 'https://cognito-fauna.local/schemas/pre-token-generation-event.json',
  type: 'object',
  required: ['version', 'triggerSource', 'region', 'userPoolId', 'callerContext', 'request', 'response'],
  properties: {
    // "1" V1_0, "2" V2_0, "3" V3_0; "0" is cognito-local's, accepted on the local stage only (eventValidationMiddleware).
    version: { type: 'string', enum: ['0', '1', '2', '3'] },
    triggerSource: { type: 'string', enum: Object.values(TriggerSource) },
    // Every partition's names: us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1, ap-southeast-5.
    region: { type: 'string', pattern: '^[a-z]{2,4}(-[a-z]+)+-\\d{1,2}$' },
    // Bounded as signIn bounds the token's meta (fauna/functions.fsl), so a valid event never trips its checks.
    userPoolId: { type: 'string', maxLength: 128, pattern: '^[\\w-]+_[0-9a-zA-Z]+$' },
    userName: { type: ['string', 'null'] },
    callerContext: {
      type: 'object',
      required: ['clientId'],
      properties: { awsSdkVersion: { type: 'string' }, clientId: { ...nonBlank, maxLength: 128 } },
    },
    request: {
      type: 'object',
      required: ['userAttributes'],
      properties: {
        userAttributes: { type: 'object', additionalProperties: { type: 'string' } },
        groupConfiguration: {
          type: 'object',
          properties: {
            groupsToOverride: stringArray,
            iamRolesToOverride: stringArray,
            preferredRole: { type: ['string', 'null'] },
          },
        },
        clientMetadata: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
        scopes: stringArray,
      },
    },
    response: { type: 'object' },
  },
  // A user sign-in must name the user: Cognito's `sub` (the identity's key in Fauna). The email is optional (phone-only
  // and federated users may have none); `email_verified` comes as the string Cognito sends.
  if: { type: 'object', properties: { triggerSource: { type: 'string', not: { const: TriggerSource.clientCredentials } } } },
  then: {
    type: 'object',
    properties: {
      request: {
        type: 'object',
        properties: {
          userAttributes: {
            type: 'object',
            required: ['sub'],
            properties: {
              sub: { ...nonBlank, maxLength: 128 },
              email: { type: 'string', maxLength: 254, pattern: '^\\s*[^@\\s]+@[^@\\s]+\\s*$' },
              email_verified: { type: 'string', enum: ['true', 'false'] },
            },
          },
        },
      },
    },
  },
  else: {
    // Client credentials exist only in V3 events.
    type: 'object',
    properties: { version: { type: 'string', const: '3' } },
  },
} as const;
