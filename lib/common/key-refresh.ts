/**
 * The one retry rule for a Fauna key that Fauna refused: read the key again (the key store limits how often) and try
 * once more with it; a second refusal is final. Shared by the sign-in and the token revocation.
 */
import { FaunaUnauthorizedError } from './errors.ts';

/** Where a function's Fauna key comes from (handlers/common/middleware/secret-store.ts owns the cache and its limits). */
export interface FaunaKeySource {
  /** The key as currently cached (a read, no I/O: every sign-in waits on it). */
  currentSecret(): string;
  /**
   * Reads the key again after Fauna refused `rejected`; `null` when the store may not be asked again yet (at most one
   * refetch per container per interval).
   */
  refreshSecret(rejected: string): Promise<string | null>;
}

export interface KeyRefreshOutcomes {
  /** The key was refused and could not be read again yet: returns what to throw (the refusal, or a caller's error). */
  refetchLimited(refusal: FaunaUnauthorizedError): Error;
  /** The key was refused and read again; the attempt is repeated with the new key. */
  refetched(): void;
}

/**
 * Runs `attempt` with the current key and, if Fauna refuses it (`FaunaUnauthorizedError`), once more with a key read
 * again from the store.
 *
 * @throws whatever `attempt` throws, or what `outcomes.refetchLimited` returns
 */
export async function withKeyRefresh<T>(
  keys: FaunaKeySource,
  outcomes: KeyRefreshOutcomes,
  attempt: (secret: string) => Promise<T>,
): Promise<T> {
  const secret = keys.currentSecret();
  try {
    return await attempt(secret);
  } catch (error) {
    if (!(error instanceof FaunaUnauthorizedError)) throw error;
    // The key was probably rotated: read it again, at most once per interval; a second refusal is final.
    const refreshed = await keys.refreshSecret(secret);
    if (refreshed === null) throw outcomes.refetchLimited(error);
    outcomes.refetched();
    return attempt(refreshed);
  }
}
