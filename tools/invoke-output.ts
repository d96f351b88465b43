/** Reading and printing what `serverless invoke local` writes: the function's logs, then its result as indented JSON. */

/** A Fauna secret (key or token): `fn` followed by URL-safe base64. */
const FAUNA_SECRET_PATTERN = /\bfn[A-Za-z0-9_-]{20,}/g;
/** How much of a secret stays visible when printed. */
export const VISIBLE_SECRET_CHARS = 6;

/**
 * Shortens every Fauna secret in `text` to its first characters and an ellipsis, so output can be shown safely.
 *
 * @example maskSecrets('"fauna_token_secret": "fnEAbCdEfGhIjKlMnOpQrStUv"') // '"fauna_token_secret": "fnEAbC…"'
 */
export function maskSecrets(text: string): string {
  return text.replace(FAUNA_SECRET_PATTERN, (secret) => `${secret.slice(0, VISIBLE_SECRET_CHARS)}…`);
}

/**
 * Finds the function's result in the CLI output: the last top-level JSON object, printed over several lines and
 * starting with a line that is only `{` (the function's own log lines are one-line JSON).
 *
 * @returns the parsed result and where it starts in `output`, or undefined when there is none
 */
export function extractInvokeResult(output: string): { value: unknown; start: number } | undefined {
  const lines = output.split('\n');
  for (let index = lines.length - 1; index >= 0; index--) {
    if (lines[index]?.trimEnd() !== '{') continue;
    const candidate = lines.slice(index).join('\n').trim();
    try {
      const start = lines.slice(0, index).join('\n').length;
      return { value: JSON.parse(candidate), start };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
