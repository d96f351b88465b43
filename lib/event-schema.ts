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
    version: { type: 'string', pattern: '^[0-3]$' },
    triggerSource: { type: 'string', enum: Object.values(TriggerSource) },
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' },
    userPoolId: { type: 'string', pattern: '^[\\w-]+_[0-9a-zA-Z]+$' },
    userName: { type: ['string', 'null'] },
    callerContext: {
      type: 'object',
      required: ['clientId'],
      properties: { awsSdkVersion: { type: 'string' }, clientId: nonBlank },
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
  // A user sign-in must name the user: Cognito's `sub` and an email (the identity's keys in Fauna).
  if: { type: 'object', properties: { triggerSource: { type: 'string', not: { const: TriggerSource.clientCredentials } } } },
  then: {
    type: 'object',
    properties: {
      request: {
        type: 'object',
        properties: {
          userAttributes: {
            type: 'object',
            required: ['sub', 'email'],
            properties: {
              sub: nonBlank,
              email: { type: 'string', pattern: '^\\s*[^@\\s]+@[^@\\s]+\\s*$' },
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
