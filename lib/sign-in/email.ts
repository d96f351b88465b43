/** Email handling: one normal form for lookups, one redacted form for logs. */

/** The longest address SMTP can carry (RFC 5321: a 256-octet path minus the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

/** One `@` between two runs without whitespace or `@`, surrounding whitespace allowed (it is trimmed). */
const ADDRESS_SHAPE = /^\s*[^@\s]+@[^@\s]+\s*$/u;

/**
 * Whether an `email` attribute is usable as an address: the shape above and at most {@link MAX_EMAIL_LENGTH} characters
 * (code points, as the event schema and signIn count). One that is not is ignored, never a refusal (lib/sign-in/sign-in.ts).
 *
 * @example isEmailAddress(' Ada@Example.com ') // true
 * @example isEmailAddress('ada@@example.com') // false
 */
export function isEmailAddress(raw: string): boolean {
  if (!ADDRESS_SHAPE.test(raw)) return false;
  if (raw.length <= MAX_EMAIL_LENGTH) return true; // never more code points than UTF-16 units
  let codePoints = 0;
  for (const _ of raw) if (++codePoints > MAX_EMAIL_LENGTH) return false;
  return true;
}

/**
 * The form every email is stored and looked up in, or `null` when the address has no form that is safe to use as a key.
 *
 * 1. Surrounding whitespace is removed.
 * 2. Unicode NFC, so that the composed and decomposed spellings of one address are one key
 *    (`"Ame\u0301lie@x.fr"` and `"Am\u00e9lie@x.fr"` → `"am\u00e9lie@x.fr"`).
 * 3. Lower case by `toLowerCase` only: no case folding (`toUpperCase`, `casefold`), which merges distinct addresses
 *    (`"stra\u00dfe@x.de"` would become `"strasse@x.de"`).
 * 4. An address holding a character that NFC replaces by a *different* character (a canonical singleton such as
 *    the Kelvin sign U+212A, which NFC turns into the Latin `K`, or the Ohm sign U+2126) has no safe key: NFC would make
 *    `"\u212Aate@example.com"` the same identity as `"kate@example.com"`, a different mailbox. Such an address is
 *    answered with `null`, so the sign-in keeps an identity keyed by the Cognito `sub` alone, like an unverified one.
 *
 * @example normaliseEmail(' Ada@Example.COM ') // 'ada@example.com'
 * @example normaliseEmail('\u212Aate@example.com') // null (never 'kate@example.com')
 */
export function normaliseEmail(raw: string): string | null {
  const trimmed = raw.trim();
  // Nearly every address is ASCII, where NFC changes nothing: skip the per-character check on every sign-in.
  if (ASCII_ONLY.test(trimmed)) return trimmed.toLowerCase();
  if (hasCanonicalSingleton(trimmed)) return null;
  return trimmed.normalize('NFC').toLowerCase().normalize('NFC');
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * Whether a code point of `text`, on its own, is changed by NFC. A lone code point is only changed when NFC maps it to
 * another character (singletons like U+212A, composition exclusions); composing neighbours (`e` + U+0301) is not.
 */
function hasCanonicalSingleton(text: string): boolean {
  for (const char of text) {
    if (char.normalize('NFC') !== char) return true;
  }
  return false;
}

/**
 * An email safe to put in a log line: the first character of the local part, then `***`, then the domain.
 * Anything that does not look like an email is fully masked.
 *
 * @example redactEmail('ada@example.com') // 'a***@example.com'
 */
export function redactEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}
