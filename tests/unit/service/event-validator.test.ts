import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { validate } from '../../../lib/generated/event-validator.ts';
import { renderEventValidatorModule } from '../../../scripts/lib/render-event-validator.ts';

const eventsDir = new URL('../../../events/', import.meta.url);
const load = (path: string): unknown => JSON.parse(readFileSync(new URL(path, eventsDir), 'utf8'));
const validEvents = readdirSync(eventsDir).filter((name) => name.endsWith('.json'));
const invalidEvents = readdirSync(new URL('invalid/', eventsDir)).map((name) => `invalid/${name}`);

describe('the precompiled event validator', () => {
  it('is up to date with lib/event-schema.ts (run npm run build:validator if this fails)', () => {
    // Arrange
    const committed = readFileSync(new URL('../../../lib/generated/event-validator.ts', import.meta.url), 'utf8');

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
});
