import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { validate } from '../../../../lib/generated/event-validator.ts';
import { renderEventValidatorModule } from '../../../../scripts/lib/render-event-validator.ts';

const eventsDir = new URL('../../../../events/', import.meta.url);
const load = (path: string): unknown => JSON.parse(readFileSync(new URL(path, eventsDir), 'utf8'));
const validEvents = readdirSync(eventsDir).filter((name) => name.endsWith('.json'));
const invalidEvents = readdirSync(new URL('invalid/', eventsDir)).map((name) => `invalid/${name}`);

describe('the precompiled event validator', () => {
  it('is up to date with lib/event-schema.ts (run npm run build:validator if this fails)', () => {
    // Arrange
    const committed = readFileSync(new URL('../../../../lib/generated/event-validator.ts', import.meta.url), 'utf8');

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

  it('accepts a user without an email (phone-only) and refuses an email_verified that is not the string Cognito sends', () => {
    // Arrange
    const phoneOnly = load('pretoken-no-email.json');
    const booleanVerified = load('invalid/email-verified-not-a-string.json');

    // Act / Assert
    expect(validate(phoneOnly)).toBe(true);
    expect(validate(booleanVerified)).toBe(false);
  });
});
