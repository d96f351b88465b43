import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { validate } from '../../../../lib/sign-in/generated/event-validator.ts';
import { renderEventValidatorModule } from '../../../../tools/render-event-validator.ts';

const eventsDir = new URL('../../../../events/', import.meta.url);
const load = (path: string): unknown => JSON.parse(readFileSync(new URL(path, eventsDir), 'utf8'));
const validEvents = readdirSync(eventsDir).filter((name) => name.endsWith('.json'));
const invalidEvents = readdirSync(new URL('invalid/', eventsDir)).map((name) => `invalid/${name}`);
/** Events a strict reading would refuse and the service answers safely instead (docs/security.md, "Lenient input"). */
const lenientEvents = readdirSync(new URL('lenient/', eventsDir)).map((name) => `lenient/${name}`);

describe('the precompiled event validator', () => {
  it('is up to date with lib/sign-in/event-schema.ts (run npm run build:validator if this fails)', () => {
    // Arrange
    const committed = readFileSync(new URL('../../../../lib/sign-in/generated/event-validator.ts', import.meta.url), 'utf8');

    // Act
    const fresh = renderEventValidatorModule();

    // Assert
    expect(committed).toBe(fresh);
  });

  it.each(validEvents)('accepts the sample event %s', (name) => {
    expect(validate(load(name))).toBe(true);
  });

  it.each(invalidEvents)('rejects the invalid sample event %s', (name) => {
    expect(validate(load(name))).toBe(false);
  });

  it.each(lenientEvents)('accepts the lenient sample event %s (lib/sign-in/sign-in.ts decides what it means)', (name) => {
    expect(validate(load(name))).toBe(true);
  });

  it.each([
    ['an attribute value of 2,048 characters (Cognito\'s longest)', { 'custom:bio': 'b'.repeat(2048) }, true],
    ['an attribute value of 2,049 characters', { 'custom:bio': 'b'.repeat(2049) }, false],
    ['a 2,048-character value of emoji (counted in code points, as Cognito counts)', { 'custom:bio': '😀'.repeat(2048) }, true],
    ['a 5 MB attribute value', { 'custom:bio': 'x'.repeat(5 * 1024 * 1024) }, false],
    ['an attribute name of 32 characters', { [`custom:${'n'.repeat(25)}`]: 'x' }, true],
    ['an attribute name of 33 characters', { [`custom:${'n'.repeat(26)}`]: 'x' }, false],
    ['100 attributes in all', Object.fromEntries(Array.from({ length: 96 }, (_, i) => [`custom:a${i}`, 'x'])), true],
    ['101 attributes in all', Object.fromEntries(Array.from({ length: 97 }, (_, i) => [`custom:a${i}`, 'x'])), false],
    ['an email of 2,049 characters', { email: `${'a'.repeat(2037)}@example.com` }, false],
  ])('bounds user attributes as Cognito does: %s', (_label, attributes, accepted) => {
    // Arrange: the sample event holds 4 attributes
    const event = load('pretoken.json') as { request: { userAttributes: Record<string, string> } };
    Object.assign(event.request.userAttributes, attributes);

    // Act + Assert
    expect(validate(event)).toBe(accepted);
  });

  it.each([
    ['a new TokenGeneration_ source', 'TokenGeneration_PasskeySignIn', true],
    ['a TokenGeneration_ source of 64 characters', `TokenGeneration_${'A'.repeat(48)}`, true],
    ['a TokenGeneration_ source of 65 characters (longer than signIn stores)', `TokenGeneration_${'A'.repeat(49)}`, false],
    ['another trigger\'s source', 'PreSignUp_SignUp', false],
    ['a TokenGeneration_ source with punctuation', 'TokenGeneration_Hosted-Auth', false],
  ])('trigger source: %s', (_label, triggerSource, accepted) => {
    expect(validate({ ...(load('pretoken.json') as object), triggerSource })).toBe(accepted);
  });

  it('requires the sub of a known user source, but not of an unknown one (passed through without claims)', () => {
    const event = load('invalid/missing-sub.json') as Record<string, unknown>;
    expect(validate(event)).toBe(false);
    expect(validate({ ...event, triggerSource: 'TokenGeneration_SomethingNew' })).toBe(true);
  });

  it.each([
    ['groupsToOverride', { groupsToOverride: Array(501).fill('g') }],
    ['a group name', { groupsToOverride: ['g'.repeat(129)] }],
    ['a role ARN', { iamRolesToOverride: ['r'.repeat(2049)] }],
    ['preferredRole', { preferredRole: 'r'.repeat(2049) }],
  ])('bounds request.groupConfiguration: too long a %s is refused', (_label, groupConfiguration) => {
    expect(validate({ ...(load('pretoken.json') as object), request: { ...(load('pretoken.json') as { request: object }).request, groupConfiguration } })).toBe(false);
  });

  it('names the missing attribute without quoting any value of the event', () => {
    // Arrange
    const event = load('invalid/missing-sub.json');

    // Act
    validate(event);
    const messages = (validate as unknown as { errors: { instancePath: string; message: string }[] }).errors
      .map((error) => `${error.instancePath} ${error.message}`);

    // Assert
    expect(messages).toContain("/request/userAttributes must have required property 'sub'");
    expect(messages.join('\n')).not.toContain('Ada.Lovelace');
  });

  it.each(['us-east-1', 'us-gov-west-1', 'cn-north-1', 'us-isob-east-1', 'eusc-de-east-1', 'ap-southeast-5', 'il-central-1'])(
    'accepts the region name %s (every AWS partition)',
    (region) => {
      expect(validate({ ...(load('pretoken.json') as object), region })).toBe(true);
    },
  );

  it.each(['US-EAST-1', 'us-east', 'useast1', 'local', 'us-east-100'])('rejects the region name %j', (region) => {
    expect(validate({ ...(load('pretoken.json') as object), region })).toBe(false);
  });

  it('accepts a user without an email (phone-only), and an email_verified of any type (an IdP mapping may send a boolean)', () => {
    // Arrange
    const phoneOnly = load('pretoken-no-email.json');
    const booleanVerified = load('lenient/email-verified-boolean.json');
    const withVerified = (value: unknown) => {
      const event = load('pretoken.json') as { request: { userAttributes: Record<string, unknown> } };
      event.request.userAttributes.email_verified = value;
      return event;
    };

    // Act / Assert
    expect(validate(phoneOnly)).toBe(true);
    expect(validate(booleanVerified)).toBe(true);
    for (const value of ['TRUE', 'yes', 1, null, false, ['true']]) expect(validate(withVerified(value))).toBe(true);
    expect(validate(withVerified('t'.repeat(2049)))).toBe(false);
  });
});
