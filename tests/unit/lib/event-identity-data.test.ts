import { describe, expect, it } from '@jest/globals';
import type { PreTokenGenerationEvent } from '../../../lib/sign-in/cognito-event.ts';
import { parseConfig } from '../../../lib/common/config.ts';
import { ConfigError, InvalidEventError } from '../../../lib/common/errors.ts';
import { identityDataOf } from '../../../lib/sign-in/event-identity-data.ts';

function event(groups: unknown[] | undefined, attributes: Record<string, unknown> = {}): PreTokenGenerationEvent {
  return {
    version: '1',
    triggerSource: 'TokenGeneration_Authentication',
    region: 'us-east-1',
    userPoolId: 'us-east-1_Example1',
    userName: 'u',
    callerContext: { awsSdkVersion: 'x', clientId: 'c' },
    request: { userAttributes: { sub: 's', ...attributes } as Record<string, string>, ...(groups === undefined ? {} : { groupConfiguration: { groupsToOverride: groups as string[] } }) },
    response: {},
  } as PreTokenGenerationEvent;
}

describe('identityDataOf', () => {
  it('takes the groups in order and only the allowlisted attributes the user has', () => {
    const data = identityDataOf(event(['b', 'a'], { 'custom:tenantId': 'acme', given_name: 'Ada', family_name: 'L' }), ['custom:tenantId', 'given_name', 'custom:missing']);

    expect(data).toEqual({ groups: ['b', 'a'], attributes: { 'custom:tenantId': 'acme', given_name: 'Ada' } });
  });

  it('no groupConfiguration (or no groupsToOverride): no groups; an empty allowlist: no attributes', () => {
    expect(identityDataOf(event(undefined, { 'custom:tenantId': 'acme' }), [])).toEqual({ groups: [], attributes: {} });
  });

  it.each<[string, PreTokenGenerationEvent, string[], RegExp]>([
    ['101 groups', event(Array.from({ length: 101 }, (_, i) => `g${i}`)), [], /groupsToOverride lists 101 groups; an identity stores at most 100/],
    ['an empty group name', event(['ok', '']), [], /groupsToOverride\/1 must be a group name of 1 to 128 characters/],
    ['a group name of 129 characters', event(['x'.repeat(129)]), [], /groupsToOverride\/0 must be a group name/],
    ['an allowlisted attribute of 2049 characters', event([], { 'custom:tenantId': 'x'.repeat(2049) }), ['custom:tenantId'], /userAttributes\/custom:tenantId must be a string of at most 2048/],
  ])('%s: InvalidEventError naming the part of the event, never its value', (_label, input, allowlist, message) => {
    let thrown: unknown;
    try {
      identityDataOf(input, allowlist);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(InvalidEventError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain('xxxxxxxx');
  });
});

describe('IDENTITY_ATTRIBUTES at cold start (parseConfig)', () => {
  const required = { STAGE: 'dev', FAUNA_ENDPOINT: 'https://fauna.example.internal:8443', FAUNA_SECRET_PARAMETER: '/p/k', USER_POOL_ID_PARAMETER: '/p/pool' };

  it('parses the allowlist', () => {
    expect(parseConfig({ ...required, IDENTITY_ATTRIBUTES: 'custom:tenantId, given_name' }).identityAttributes).toEqual(['custom:tenantId', 'given_name']);
  });

  it('refuses an attribute the identity keeps by its own rules, naming the setting', () => {
    expect(() => parseConfig({ ...required, IDENTITY_ATTRIBUTES: 'email' })).toThrow(ConfigError);
    expect(() => parseConfig({ ...required, IDENTITY_ATTRIBUTES: 'email' })).toThrow(/IDENTITY_ATTRIBUTES may not list email/);
  });
});
