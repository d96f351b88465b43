import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isEmailAddress, normaliseEmail, redactEmail } from '../../../lib/sign-in/email.ts';

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

describe('normaliseEmail and Unicode', () => {
  it.each([
    ['composed and decomposed spellings are one key', 'Ame\u0301lie@Example.fr', 'am\u00e9lie@example.fr'],
    ['a composed spelling stays composed', 'AM\u00c9LIE@example.fr', 'am\u00e9lie@example.fr'],
    ['non-ASCII capitals are lower-cased', '\u00c7A\u011eRI@example.com', '\u00e7a\u011fri@example.com'],
    ['no case folding: the sharp s stays an sharp s (never "ss")', 'STRA\u00dfE@example.de', 'stra\u00dfe@example.de'],
    ['the capital sharp s becomes the sharp s, not "ss"', '\u1e9e@example.de', '\u00df@example.de'],
  ])('%s', (_label, raw, expected) => {
    expect(normaliseEmail(raw)).toBe(expected);
  });

  it.each([
    ['the Kelvin sign (U+212A), which NFC turns into K', '\u212Aate@example.com'],
    ['the Ohm sign (U+2126), which NFC turns into Omega', '\u2126mega@example.com'],
    ['the Angstrom sign (U+212B), which NFC turns into A with ring', '\u212Bngstr\u00f6m@example.se'],
  ])('gives no key (null) to an address holding %s, so it can never be another address\'s identity', (_label, raw) => {
    expect(normaliseEmail(raw)).toBeNull();
  });

  it('never maps an address with a canonical singleton onto the address NFC would make of it', () => {
    expect(normaliseEmail('\u212Aate@example.com')).not.toBe(normaliseEmail('kate@example.com'));
    expect(normaliseEmail('kate@example.com')).toBe('kate@example.com');
  });

  it('answers an ASCII address (its fast path) exactly as the full rule would: trimmed, NFC, lower case', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)), maxLength: 40 }), (raw) => {
        const trimmed = raw.trim();
        expect(normaliseEmail(raw)).toBe(trimmed.normalize('NFC').toLowerCase().normalize('NFC'));
      }),
    );
  });

  it('is idempotent and gives the NFC and NFD forms of any address the same key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), (local) => {
        const raw = `${local}@example.com`;
        const key = normaliseEmail(raw);
        if (key === null) return;
        expect(normaliseEmail(key)).toBe(key);
        expect(normaliseEmail(raw.normalize('NFD'))).toBe(key);
        expect(normaliseEmail(raw.normalize('NFC'))).toBe(key);
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

describe('isEmailAddress (an email attribute that is not one is ignored, not refused)', () => {
  it.each([
    ['ada@example.com', true],
    ['  Ada@Example.COM\t', true],
    [`${'a'.repeat(242)}@example.com`, true],
    [`${'😀'.repeat(242)}@example.com`, true],
    [`${'a'.repeat(243)}@example.com`, false],
    [`${'😀'.repeat(243)}@example.com`, false],
    ['not-an-email', false],
    ['ada@@example.com', false],
    ['ada lovelace@example.com', false],
    ['@example.com', false],
    ['ada@', false],
    ['', false],
  ])('%j → %s', (raw, expected) => {
    expect(isEmailAddress(raw)).toBe(expected);
  });
});
