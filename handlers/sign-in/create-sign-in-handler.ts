/**
 * Builds the Pre Token Generation handler: configuration parsed once, then the Middy chain
 * (deadline → telemetry → fail policy → event validation → Fauna key) around `lib/sign-in/sign-in.ts`.
 * During init the SSM fetch and the Fauna connection's handshake run side by side.
 */
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { ClientConfiguration, Client, HTTPClient } from 'fauna';
import type { PreTokenGenerationEvent } from '../../lib/sign-in/cognito-event.ts';
import { type Environment, LOCAL_STAGE, parseConfig } from '../../lib/common/config.ts';
import { Deadline, STEPS_END_BY_MS } from '../../lib/common/deadline.ts';
import { DeadlineExceededError, FailureSource } from '../../lib/common/errors.ts';
import { createFaunaClientProvider } from '../../lib/common/fauna-client.ts';
import { MetricName } from '../../lib/common/observability.ts';
import { addFaunaClaims } from '../../lib/sign-in/sign-in.ts';
import { eventValidationMiddleware } from './middleware/event-validation.ts';
import { failPolicyMiddleware } from './middleware/fail-policy.ts';
import { localKeyGuardMiddleware } from './middleware/local-key-guard.ts';
import { telemetryMiddleware, triggerEventKeys } from '../common/middleware/telemetry.ts';
import { deadlineMiddleware, type InvocationContext } from '../common/middleware/deadline.ts';
import { createSecretStore, SSM_CLIENT_OPTIONS } from '../common/middleware/secret-store.ts';
import { createServedPools, SERVED_POOLS_PARAMETER } from './middleware/served-pools.ts';
import { parseAtColdStart } from '../common/parse-at-cold-start.ts';
import type { EmfMetrics } from '../common/telemetry/emf-metrics.ts';
import type { JsonLogger } from '../common/telemetry/json-logger.ts';
import { createTelemetry } from '../common/telemetry/service-telemetry.ts';

/**
 * Middy's own early timeout, kept back from Lambda's remaining time: a backstop behind the deadline (lib/common/deadline.ts)
 * for a handler that overran it anyway. With the function timeout of 5 s (serverless.yml) it fires 4 s into the
 * invocation, after the deadline's 3.8 s, and the fail policy still answers before Cognito's 5 s.
 */
export const MIDDY_TIMEOUT_EARLY_MS = 1000;

/** Replaceable parts, for tests and local runs. */
export interface HandlerOverrides {
  logger?: JsonLogger;
  metrics?: EmfMetrics;
  /** Options for the SSM client (tests point it nowhere; aws-sdk-client-mock intercepts it). */
  ssmClientOptions?: object;
  createFaunaClient?: (configuration: ClientConfiguration, httpClient: HTTPClient) => Client;
  /**
   * `performance.now()` when the container's init began. The Lambda entry point passes 0 (the process's start, which
   * in Lambda is the init's start); by default it is the moment this function is called (tests, local runs).
   */
  initStartedAt?: number;
  /** Wall-clock milliseconds for the Fauna connection's idle check (tests simulate a frozen container). */
  wallClock?: () => number;
  /** Monotonic milliseconds for the key cache (tests move time forward). */
  monotonicClock?: () => number;
}

export interface PreTokenGenerationHandler {
  handler: MiddyfiedHandler<PreTokenGenerationEvent, PreTokenGenerationEvent, Error, InvocationContext>;
  /** Closes the Fauna client and forgets the cached key. */
  dispose(): void;
}

/**
 * @param env - the Lambda environment (`process.env`); see the README's "Configuration"
 * @throws {ConfigError} at cold start when a setting is missing or malformed
 */
export function createPreTokenGenerationHandler(env: Environment, overrides: HandlerOverrides = {}): PreTokenGenerationHandler {
  const { logger, metrics } = createTelemetry(env, overrides);
  const config = parseAtColdStart(parseConfig, env, logger);
  logger.appendPersistentKeys({ stage: config.stage });

  const initStartedAt = overrides.initStartedAt ?? performance.now();
  const initDeadline = new Deadline(initStartedAt + STEPS_END_BY_MS);
  const fauna = createFaunaClientProvider({
    endpoint: config.faunaEndpoint,
    queryTimeoutMs: config.faunaQueryTimeoutMs,
    sessionIdleMs: config.faunaSessionIdleMs,
    createClient: overrides.createFaunaClient,
    wallClock: overrides.wallClock,
  });
  // The SSM prefetch starts inside createSecretStore; the Fauna handshake alongside it, without a key.
  const servedPools = createServedPools(config.userPoolSource);
  const secrets = createSecretStore(config.secretSource, {
    companions: servedPools.ssmParameters,
    awsClientOptions: overrides.ssmClientOptions ?? SSM_CLIENT_OPTIONS,
    initDeadline,
    logger,
    metrics,
    now: overrides.monotonicClock,
  });
  void fauna.warmUp();

  let reopened = 0;
  const handleTriggerEvent = async (event: PreTokenGenerationEvent, context: InvocationContext): Promise<PreTokenGenerationEvent> => {
    const deadline = context.deadline ?? initDeadline;
    try {
      return await addFaunaClaims(event, {
        settings: config,
        fauna,
        currentSecret: () => secrets.current(),
        refreshSecret: (rejected) => secrets.refresh(rejected, deadline),
        servedUserPoolIds: () => servedPools.ids(secrets.parameter(SERVED_POOLS_PARAMETER)),
        deadline,
        logger,
        metrics,
        now: () => performance.now(),
      });
    } finally {
      if (fauna.reopenedConnections() > reopened) {
        reopened = fauna.reopenedConnections();
        logger.info('Re-opened the Fauna connection: it had been idle long enough to have died while the container was frozen');
        metrics.addMetric(MetricName.connectionsReopened, 'Count', 1);
      }
    }
  };

  const handler = middy<PreTokenGenerationEvent, PreTokenGenerationEvent, Error, InvocationContext>(handleTriggerEvent, {
    timeoutEarlyInMillis: MIDDY_TIMEOUT_EARLY_MS,
    timeoutEarlyResponse: () => {
      throw new DeadlineExceededError('handler', FailureSource.identityService, 'cut off');
    },
  })
    // First in the chain: the invocation starts now; on a cold start, Cognito's clock started with the init.
    .use(deadlineMiddleware(({ invokedAt, lambdaRemainingMs, coldStart }) =>
      Deadline.forInvocation({
        invokedAt,
        initStartedAt: coldStart ? initStartedAt : undefined,
        // Not every caller passes a full Lambda context (local tools); then only the budget bounds the deadline.
        lambdaRemainingMs: lambdaRemainingMs ?? Infinity,
      })))
    // Never the event itself on a log line: it holds the user's email.
    .use(telemetryMiddleware({ logger, metrics, eventKeys: triggerEventKeys }))
    .use(failPolicyMiddleware({ failPolicy: config.failPolicy, responseOptions: config, logger, metrics }))
    .use(eventValidationMiddleware({ acceptLocalVersionZero: config.stage === LOCAL_STAGE }));
  if (secrets.middleware) handler.use(secrets.middleware);
  // Local stage only (deployed stages read the key from SSM): refuse an admin or server key where the trigger's belongs.
  const { secretSource } = config;
  if (config.stage === LOCAL_STAGE && secretSource.kind === 'environment') {
    handler.use(localKeyGuardMiddleware({ query: (query) => fauna.clientFor(secretSource.secret).query(query) }));
  }

  return {
    handler,
    dispose() {
      fauna.close();
      secrets.dispose();
    },
  };
}

