/**
 * Reads the secret from the Authorization header. Fauna accepts `Bearer <secret>` (what the drivers send) and Basic auth
 * with the secret as the user name and an empty password (what v4 drivers and curl -u used).
 */

/** Returns the secret carried by an Authorization header value, or null when there is none. */
export function secretFromAuthorization(header: string | undefined): string | null {
  if (header === undefined) return null;
  const spaceAt = header.indexOf(' ');
  if (spaceAt <= 0) return null;
  const scheme = header.slice(0, spaceAt).toLowerCase();
  const credentials = header.slice(spaceAt + 1).trim();
  if (credentials === '') return null;
  if (scheme === 'bearer') return credentials;
  if (scheme === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    // user:password with an empty password; a bare user name is tolerated as curl-style `-u secret`.
    const colonAt = decoded.lastIndexOf(':');
    const user = colonAt === -1 ? decoded : decoded.slice(0, colonAt);
    return user === '' ? null : user;
  }
  return null;
}
