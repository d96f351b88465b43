/**
 * Where the handler gets the Fauna key: `@middy/ssm` (SecureString, fetched at cold start, cached with an explicit
 * expiry, no SSM call on a warm invocation), or on the local stage only the environment.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import ssm from '@middy/ssm';
import { clearCache } from '@middy/util';
import type { Context } from 'aws-lambda';
import type { SecretSource } from '../../lib/config.ts';
import { SecretUnavailableError } from '../../lib/errors.ts';

/** The context property @middy/ssm writes the key to. */
export const SECRET_CONTEXT_KEY = 'faunaSecret';
/** SDK settings so that a slow SSM cannot eat Cognito's 5 s budget. */
export const SSM_CLIENT_OPTIONS = {
  maxAttempts: 2,
  // throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout passes and keeps waiting, so a
  // hung SSM would hold the sign-in until Lambda's own timeout (found by tests/evidence/faults.test.ts).
  requestHandler: { connectionTimeout: 500, requestTimeout: 1000, throwOnRequestTimeout: true },
} as const;

export type ContextWithSecret = Context & { [SECRET_CONTEXT_KEY]?: unknown };

export interface SecretStore {
  /** The middleware that puts the key on the context, if this store needs one. */
  middleware: MiddlewareObj<unknown, unknown, Error, ContextWithSecret> | null;
  /** The key for this invocation. */
  current(context: ContextWithSecret): Promise<string>;
  /** Reads the key again (after Fauna refused it) and returns it; the cache is updated for later invocations. */
  refresh(event: unknown, context: ContextWithSecret): Promise<string>;
  /** Forgets the cached key (tests, shutdown). */
  dispose(): void;
}

// --- Companion parameters (issue 9): other SSM parameters fetched in the SAME GetParameters call as the key. ---
/** Context properties of companion parameters, by SSM parameter name (e.g. the served user pool ids). */
export type CompanionParameters = Record<string, string>;

/** The value @middy/ssm put on the context for a companion parameter, or undefined. */
export function companionValue(context: ContextWithSecret, contextKey: string): string | undefined {
  const value = (context as unknown as Record<string, unknown>)[contextKey];
  return typeof value === 'string' ? value : undefined;
}
// --- end of companion parameters ---

/** Builds the store for the configured source. */
export function createSecretStore(source: SecretSource, awsClientOptions: object = SSM_CLIENT_OPTIONS, companions: CompanionParameters = {}): SecretStore {
  if (source.kind === 'environment') {
    const secret = source.secret;
    return { middleware: null, current: async () => secret, refresh: async () => secret, dispose: () => undefined };
  }
  return ssmSecretStore(source.parameterName, source.cacheTtlSeconds, awsClientOptions, companions);
}

function ssmSecretStore(parameterName: string, cacheTtlSeconds: number, awsClientOptions: object, companions: CompanionParameters): SecretStore {
  const cacheKey = `cognito-fauna:fauna-secret:${parameterName}`;
  const inner = ssm({
    // One entry per parameter: @middy/ssm fetches them all in one GetParameters call.
    fetchData: { [SECRET_CONTEXT_KEY]: parameterName, ...companions },
    cacheKey,
    cacheExpiry: cacheTtlSeconds * 1000,
    setToContext: true,
    awsClientOptions,
  });
  const innerBefore = inner.before as (request: Request) => Promise<void>;

  const fetchInto = async (request: Request): Promise<void> => {
    try {
      await innerBefore(request);
    } catch (error) {
      throw new SecretUnavailableError(parameterName, { cause: ssmFailureCause(error) });
    }
  };

  const current = async (context: ContextWithSecret): Promise<string> => {
    const secret = context[SECRET_CONTEXT_KEY];
    if (typeof secret !== 'string' || secret === '') throw new SecretUnavailableError(parameterName);
    return secret;
  };

  return {
    middleware: { before: async function faunaSecretBefore(request) { await fetchInto(request as Request); } },
    current,
    async refresh(event, context) {
      clearCache([cacheKey]);
      await fetchInto({ event, context, response: undefined, error: undefined, internal: {} } as Request);
      return current(context);
    },
    dispose: () => clearCache([cacheKey]),
  };
}

/**
 * The SSM failure itself: @middy/ssm reports failed fetches as one `Error('Failed to resolve internal values')` with
 * the SDK errors in `cause.data`, so without unwrapping, logs would name the cause `Error` instead of
 * `AccessDeniedException` or `ThrottlingException`. A name missing from SSM's answer (`InvalidParameters`) becomes a
 * `ParameterNotFound` error, the name SSM's GetParameter gives it.
 */
function ssmFailureCause(error: unknown): unknown {
  const data = (error as { cause?: { data?: unknown } } | null)?.cause?.data;
  const first = Array.isArray(data) ? data[0] : undefined;
  if (!(first instanceof Error)) return error;
  if (first.name === 'Error' && first.message.startsWith('InvalidParameter ')) {
    return Object.assign(new Error(first.message, { cause: first }), { name: 'ParameterNotFound' });
  }
  return first;
}
