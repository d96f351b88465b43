/**
 * Finds secrets in captured log output: recorded secrets verbatim, and anything shaped like a Fauna secret
 * (`fn` + URL-safe base64), which also catches secrets minted in suites that did not record them.
 */
import type { CapturedWrite } from '../../helpers/log-capture.ts';

/**
 * Fauna secrets are `fn` followed by URL-safe base64 (real ones are about 40 characters). 30 is long enough that no
 * English word or identifier in a log line matches by chance.
 */
export const FAUNA_SECRET_SHAPE = /(?<![A-Za-z0-9_-])fn[A-Za-z0-9_-]{30,}/g;

/** A maximal run of base64url characters, long enough to hold a secret worth recording. */
const WORD = /[A-Za-z0-9_-]{16,}/g;

/** One leak, described without the secret itself: the audit's failure message is a log line too. */
export interface Leak {
  kind: string;
  /** The first four characters and the length, enough to tell which secret it was. */
  secretHint: string;
  file: string;
  source: string;
}

/** A secret reduced to something safe to print. */
export function hintOf(secret: string): string {
  return `${secret.slice(0, 4)}… (${secret.length} chars)`;
}

/**
 * Every occurrence of a recorded secret, and every Fauna-shaped secret, in the captured writes.
 * Writes are joined per file first, so a secret split across two writes of the same stream is still found.
 */
export function findLeaks(writes: CapturedWrite[], secrets: { kind: string; secret: string }[]): Leak[] {
  const leaks: Leak[] = [];
  const textPerStream = new Map<string, string>();
  for (const write of writes) {
    const key = `${write.file}\u0000${write.source}`;
    // Stream writes may split a line, so they are joined as they are; each console call is a whole message.
    const separator = write.source === 'stdout' || write.source === 'stderr' ? '' : '\n';
    textPerStream.set(key, (textPerStream.get(key) ?? '') + write.text + separator);
  }
  // Secrets made of base64url characters (every Fauna secret) are found as whole words (delimited by any other
  // character, as in JSON, `Bearer …` or `key=…`), in one pass over the text; any other secret is searched for
  // verbatim. Checking thousands of minted secrets one by one against megabytes of logs would take seconds.
  const wordSecrets = new Map<string, string>();
  const otherSecrets: { kind: string; secret: string }[] = [];
  for (const entry of secrets) {
    if (/^[A-Za-z0-9_-]+$/.test(entry.secret)) wordSecrets.set(entry.secret, entry.kind);
    else otherSecrets.push(entry);
  }
  for (const [key, text] of textPerStream) {
    const [file = '', source = ''] = key.split('\u0000');
    for (const [word] of text.matchAll(WORD)) {
      const kind = wordSecrets.get(word);
      if (kind !== undefined) leaks.push({ kind, secretHint: hintOf(word), file, source });
    }
    for (const { kind, secret } of otherSecrets) {
      if (text.includes(secret)) leaks.push({ kind, secretHint: hintOf(secret), file, source });
    }
    for (const match of text.matchAll(FAUNA_SECRET_SHAPE)) {
      if (!secrets.some(({ secret }) => secret === match[0])) {
        leaks.push({ kind: 'Fauna-shaped secret (not recorded)', secretHint: hintOf(match[0]), file, source });
      }
    }
  }
  return leaks;
}
