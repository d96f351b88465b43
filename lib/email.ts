/** Email handling: one normal form for lookups, one redacted form for logs. */

/**
 * The form every email is stored and looked up in: surrounding whitespace removed, lower-cased, so that
 * `" Ada@Example.COM "` and `"ada@example.com"` find the same identity.
 *
 * @example normaliseEmail(' Ada@Example.COM ') // 'ada@example.com'
 */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
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
