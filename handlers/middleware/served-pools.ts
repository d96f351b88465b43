/**
 * The ids of the user pools this function serves. Deployed stages: an SSM String parameter the stack writes (a created
 * pool's id cannot be put into the function's environment: pool → trigger → function ARN would be a cycle), fetched by
 * the secret store in the same GetParameters call as the key. Local stage: USER_POOL_IDS.
 */
import type { UserPoolSource } from '../../lib/config.ts';
import { parseUserPoolIds } from '../../lib/config.ts';
import { ServedPoolsUnavailableError } from '../../lib/errors.ts';
import { companionValue, type ContextWithSecret } from './secret-store.ts';

/** The context property @middy/ssm writes the served pool ids to. */
export const SERVED_POOLS_CONTEXT_KEY = 'servedUserPoolIds';

export interface ServedPools {
  /** Extra parameters for the secret store's GetParameters call (empty when the ids come from the environment). */
  ssmParameters: Record<string, string>;
  /** The served pool ids for this invocation. */
  ids(context: ContextWithSecret): readonly string[];
}

export function createServedPools(source: UserPoolSource): ServedPools {
  if (source.kind === 'environment') {
    const ids = source.ids;
    return { ssmParameters: {}, ids: () => ids };
  }
  const { parameterName } = source;
  return {
    ssmParameters: { [SERVED_POOLS_CONTEXT_KEY]: parameterName },
    ids(context) {
      const ids = parseUserPoolIds(companionValue(context, SERVED_POOLS_CONTEXT_KEY) ?? '');
      if (ids === null) throw new ServedPoolsUnavailableError(parameterName);
      return ids;
    },
  };
}
