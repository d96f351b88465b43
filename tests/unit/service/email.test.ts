import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { normaliseEmail, redactEmail } from '../../../lib/email.ts';

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.COM \n')).toBe('ada.lovelace@example.com');
  });

  it('maps every case and whitespace variant of an email to the same value', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.boolean(), fc.stringMatching(/^\s{0,3}$/), (email, upper, pad) => {
        const variant = `${pad}${upper ? email.toUpperCase() : email}${pad}`;
        expect(normaliseEmail(variant)).toBe(normaliseEmail(email));
      }),
    );
  });
});

describe('redactEmail', () => {
  it('keeps the first character and the domain only', () => {
    expect(redactEmail('ada.lovelace@example.com')).toBe('a***@example.com');
  });

  it.each(['', '@example.com', 'no-at-sign', 'trailing@'])('masks %j completely when it is not an email', (value) => {
    expect(redactEmail(value)).toBe('***');
  });

  it('never contains the local part beyond its first character', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const local = email.slice(0, email.lastIndexOf('@'));
        const redacted = redactEmail(email);
        const shownLocalPart = redacted.slice(0, redacted.indexOf('@'));
        expect(shownLocalPart).toBe(`${local[0]}***`);
      }),
    );
  });
});
