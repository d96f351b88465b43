/**
 * The ids of the user pools this function serves. Deployed stages: an SSM String parameter the stack writes (a created
 * pool's id cannot be put into the function's environment: pool → trigger → function ARN would be a cycle), fetched by
 * the secret store in the same GetParameters call as the key. Local stage: USER_POOL_IDS.
 */
import type { UserPoolSource } from '../../../lib/common/config.ts';
import { parseUserPoolIds } from '../../../lib/common/config.ts';
import { ServedPoolsUnavailableError } from '../../../lib/common/errors.ts';

/** The name the secret store fetches the served pool ids under (see `ssmParameters` in secret-store.ts). */
export const SERVED_POOLS_PARAMETER = 'servedUserPoolIds';

export interface ServedPools {
  /** Companion parameters for the secret store's GetParameters call (empty when the ids come from the environment). */
  ssmParameters: Record<string, string>;
  /**
   * The served pool ids for this invocation.
   *
   * @param fetched - the value the secret store fetched under {@link SERVED_POOLS_PARAMETER} (undefined on the local
   *   stage, or when it was not fetched); the caller reads it, so this module never reaches into the store
   */
  ids(fetched: string | undefined): readonly string[];
}

export function createServedPools(source: UserPoolSource): ServedPools {
  if (source.kind === 'environment') {
    const ids = source.ids;
    return { ssmParameters: {}, ids: () => ids };
  }
  const { parameterName } = source;
  // Parsed once per value the store fetched, not on every sign-in (the value changes only when SSM is read again).
  let parsed: { value: string; ids: readonly string[] | null } | undefined;
  return {
    ssmParameters: { [SERVED_POOLS_PARAMETER]: parameterName },
    ids(fetched) {
      const value = fetched ?? '';
      if (parsed?.value !== value) parsed = { value, ids: parseUserPoolIds(value) };
      if (parsed.ids === null) throw new ServedPoolsUnavailableError(parameterName);
      return parsed.ids;
    },
  };
}
