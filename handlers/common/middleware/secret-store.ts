/**
 * The one owner of "the current Fauna key" (and of every other SSM parameter the function reads): where it comes from,
 * how long it is trusted, when it is fetched again, and what happens when SSM fails.
 *
 * - Cold start: every parameter is prefetched during init, in ONE GetParameters call, SecureStrings decrypted. No SSM
 *   call on a warm invocation. Every read, the init's and each refetch, is the same call through the same client
 *   (`readAll` below), so there is one way to read SSM and one way to match its answer.
 * - Every later read, whatever its cause, is limited to one per container per `SSM_REFETCH_INTERVAL_SECONDS` (an
 *   incident, a deleted key or SSM throttling, must not turn into a storm of SSM calls from the whole fleet):
 *   - the cold-start read failed: the next invocations fail at once (key store unavailable) without asking SSM, until
 *     the interval since the failure has passed; then one read is tried again;
 *   - after `SSM_CACHE_TTL_SECONDS`: fetched again; if SSM fails, the cached values keep being used for at most
 *     `SSM_STALE_MAX_SECONDS` more (stale-while-error, logged and counted);
 *   - after Fauna answers `unauthorized`: fetched again (a successful cold-start read does not count against this
 *     first refetch: the key may have been rotated just after it).
 * - Every call is bounded by the invocation's deadline (lib/common/deadline.ts): the SSM client gets an abort signal, and a
 *   call still running when the deadline passes is abandoned.
 * - On the local stage only, the key comes from the environment.
 */
import type { MiddlewareObj } from '@middy/core';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { InvocationContext } from './deadline.ts';
import type { SecretSource } from '../../../lib/common/config.ts';
import { type Deadline, Step } from '../../../lib/common/deadline.ts';
import { SecretUnavailableError, summariseError } from '../../../lib/common/errors.ts';
import { MetricName, type ServiceLogger, type ServiceMetrics } from '../../../lib/common/observability.ts';

/** The name under which the Fauna key is fetched (see {@link ssmParameters}). */
export const FAUNA_KEY = 'faunaSecret';
/** SDK settings so that one slow SSM answer cannot eat the budget (the deadline bounds the whole call as well). */
export const SSM_CLIENT_OPTIONS = {
  maxAttempts: 2,
  // throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout passes and keeps waiting.
  requestHandler: { connectionTimeout: 500, requestTimeout: 1000, throwOnRequestTimeout: true },
} as const;
/** The shortest time worth starting an SSM call with (one round trip in region is a few ms; a KMS decrypt more). */
export const MIN_SSM_CALL_MS = 50;
/**
 * Kept back from an SSM refetch for the Fauna attempt that follows it: the refetch may use the rest.
 * (One Fauna attempt needs its client buffer plus a minimal query time; see lib/common/fauna-client.ts.)
 */
export const FAUNA_RESERVE_MS = 800;

/**
 * Every SSM parameter the function reads, by the name the code uses: the key and the companions the caller names (the
 * served user pool ids, handlers/sign-in/middleware/served-pools.ts). They are fetched together, in one GetParameters call;
 * read a companion with `store.parameter(name)`.
 */
export function ssmParameters(source: Extract<SecretSource, { kind: 'ssm' }>, companions: Record<string, string> = {}): Record<string, string> {
  return { [FAUNA_KEY]: source.parameterName, ...companions };
}

export interface KeyStoreOptions {
  /** The SSM client's options (tests point it at a stub or a fake endpoint). */
  awsClientOptions?: object;
  /** The deadline of the init's prefetch (the first invocation's deadline counts from the same instant). */
  initDeadline: Deadline;
  logger: ServiceLogger;
  metrics: ServiceMetrics;
  /** Monotonic milliseconds (`performance.now`); replaceable for tests. */
  now?: () => number;
  /** Other parameters to fetch in the same GetParameters call as the key, by the name `parameter()` reads them with. */
  companions?: Record<string, string>;
}

export interface SecretStore {
  /** The middleware that makes sure the values are there before the handler runs, if this store needs one. */
  middleware: MiddlewareObj<unknown, unknown, Error, InvocationContext> | null;
  /** The key for this invocation (after the middleware ran); synchronous, as it only reads the cache. */
  current(): string;
  /** Another fetched parameter by its name in {@link ssmParameters}, if fetched. */
  parameter(name: string): string | undefined;
  /**
   * Fetches the values again because Fauna refused `rejected`; returns the key, or `null` if SSM was asked less than
   * the refetch interval ago (then nothing is fetched).
   */
  refresh(rejected: string, deadline: Deadline): Promise<string | null>;
  /** Forgets the cached values (tests, shutdown). */
  dispose(): void;
}

/** Builds the store for the configured source. */
export function createSecretStore(source: SecretSource, options: KeyStoreOptions): SecretStore {
  if (source.kind === 'environment') {
    const secret = source.secret;
    return { middleware: null, current: () => secret, parameter: () => undefined, refresh: async () => null, dispose: () => undefined };
  }
  return ssmSecretStore(source, options);
}

interface Fetched {
  values: Record<string, string>;
  /** `now()` when SSM answered. */
  fetchedAt: number;
}

function ssmSecretStore(source: Extract<SecretSource, { kind: 'ssm' }>, options: KeyStoreOptions): SecretStore {
  const now = options.now ?? (() => performance.now());
  const parameters = ssmParameters(source, options.companions);
  const ttlMs = source.cacheTtlSeconds * 1000;
  const refetchIntervalMs = source.refetchIntervalSeconds * 1000;
  const staleMaxMs = source.staleMaxSeconds * 1000;
  const { logger, metrics } = options;

  const client = new SSMClient(options.awsClientOptions ?? SSM_CLIENT_OPTIONS);

  let fetched: Fetched | null = null;
  let firstReadDone = false;
  /** When the last read that counts against the interval was made: every read but a successful first one. */
  let lastLimitedReadAt = -Infinity;
  const mayReadAgain = (): boolean => now() - lastLimitedReadAt >= refetchIntervalMs;

  const unavailable = (cause: unknown): SecretUnavailableError => new SecretUnavailableError(source.parameterName, { cause });

  /** One GetParameters call for every parameter, bounded by `deadline` (the SDK call gets its abort signal). */
  const readAll = async (deadline: Deadline, step: Step): Promise<Fetched> => {
    const names = Object.values(parameters);
    const command = new GetParametersCommand({ Names: names, WithDecryption: true });
    const answer = await deadline.run(step, MIN_SSM_CALL_MS, (_budgetMs, abortSignal) => client.send(command, { abortSignal }));
    const byName = new Map((answer.Parameters ?? []).map((parameter) => [parameter.Name, parameter.Value]));
    const values: Record<string, string> = {};
    for (const [name, parameterName] of Object.entries(parameters)) {
      // Asked for by ARN, SSM answers with the parameter's name: match it by the ARN's tail.
      const value = byName.get(parameterName) ?? [...byName.entries()].find(([key]) => parameterName.endsWith(`:parameter${key}`))?.[1];
      // A name SSM does not have comes back in InvalidParameters, not as an error: name it as GetParameter would.
      if (typeof value !== 'string' || value === '') throw notFound(parameterName);
      values[name] = value;
    }
    return { values, fetchedAt: now() };
  };

  // The init's read starts now, during init, bounded by the init's deadline; the first invocation awaits it.
  const initialRead = readAll(options.initDeadline, Step.ssmFetch);
  initialRead.catch(() => undefined); // its failure is the first invocation's to report, not an unhandled rejection

  /** The init's read, awaited within the invocation's deadline. */
  const fromPrefetch = (deadline: Deadline): Promise<Fetched> => deadline.run(Step.ssmFetch, 0, () => initialRead);

  /** A read after the init's: counts against the interval. */
  const fetchAll = async (deadline: Deadline, step: Step): Promise<Fetched> => {
    lastLimitedReadAt = now();
    return readAll(deadline, step);
  };

  /** The cache expired: fetch again, or keep the cached values while SSM fails (bounded). */
  const renewExpired = async (cached: Fetched, deadline: Deadline): Promise<void> => {
    const age = now() - cached.fetchedAt;
    if (mayReadAgain()) {
      try {
        fetched = await fetchAll(deadline.reserving(FAUNA_RESERVE_MS), Step.ssmRefetch);
        return;
      } catch (error) {
        if (age > ttlMs + staleMaxMs) throw unavailable(error);
        logger.warn('SSM failed after the key cache expired; using the cached key (stale-while-error)', {
          error: summariseError(error),
          ageSeconds: Math.round(age / 1000),
        });
      }
    } else if (age > ttlMs + staleMaxMs) {
      throw unavailable(new Error('SSM failed recently and the cached key is too old to use'));
    }
    metrics.addMetric(MetricName.staleKeyServed, 'Count', 1);
  };

  /**
   * The cold-start read, or (after it failed) one more read per interval; no SSM call in between. Invocations that
   * arrive while a read is under way wait for that one (a container serves one at a time in Lambda; tests run more).
   */
  let readInFlight: Promise<Fetched> | null = null;
  const firstOrRetriedRead = (deadline: Deadline): Promise<Fetched> => {
    readInFlight ??= readOnce(deadline).finally(() => {
      readInFlight = null;
    });
    return readInFlight;
  };
  const readOnce = async (deadline: Deadline): Promise<Fetched> => {
    if (!firstReadDone) {
      firstReadDone = true;
      try {
        return await fromPrefetch(deadline);
      } catch (error) {
        lastLimitedReadAt = now();
        throw unavailable(error);
      }
    }
    if (!mayReadAgain()) {
      metrics.addMetric(MetricName.keyRefetchesLimited, 'Count', 1);
      throw unavailable(readLimited(source.refetchIntervalSeconds));
    }
    try {
      return await fetchAll(deadline.reserving(FAUNA_RESERVE_MS), Step.ssmFetch);
    } catch (error) {
      throw unavailable(error);
    }
  };

  return {
    middleware: {
      before: async function faunaKeyBefore(request) {
        const deadline = request.context.deadline ?? options.initDeadline;
        if (fetched === null) {
          fetched = await firstOrRetriedRead(deadline);
        } else if (now() - fetched.fetchedAt >= ttlMs) {
          await renewExpired(fetched, deadline);
        }
      },
    },
    current() {
      const secret = fetched?.values[FAUNA_KEY];
      if (secret === undefined) throw unavailable(undefined);
      return secret;
    },
    parameter: (name) => fetched?.values[name],
    async refresh(rejected, deadline) {
      if (!mayReadAgain()) {
        // Someone else may have refetched meanwhile: a newer key than the rejected one is worth a try.
        const latest = fetched?.values[FAUNA_KEY];
        return latest !== undefined && latest !== rejected ? latest : null;
      }
      try {
        fetched = await fetchAll(deadline.reserving(FAUNA_RESERVE_MS), Step.ssmRefetch);
      } catch (error) {
        throw unavailable(error);
      }
      return fetched.values[FAUNA_KEY]!;
    },
    dispose() {
      fetched = null;
    },
  };
}

/** Why SSM was not asked: the cold-start read failed less than the interval ago. */
function readLimited(intervalSeconds: number): Error {
  return Object.assign(
    new Error(`SSM failed less than SSM_REFETCH_INTERVAL_SECONDS (${intervalSeconds} s) ago; it is asked again at most once per interval`),
    { name: 'KeyStoreReadLimited' },
  );
}

/** A name missing from SSM's answer, named like the error of SSM's own GetParameter. */
function notFound(parameterName: string): Error {
  return Object.assign(new Error(`SSM has no parameter ${parameterName}`), { name: 'ParameterNotFound' });
}
