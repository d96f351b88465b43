/**
 * Builds the Pre Token Generation handler: configuration parsed once, then the Middy chain
 * (logger → metrics → log context → fail policy → event validation → Fauna key) around `lib/sign-in.ts`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { ClientConfiguration, Client } from 'fauna';
import type { PreTokenGenerationEvent } from '../lib/cognito-event.ts';
import { type Environment, LOCAL_STAGE, parseConfig } from '../lib/config.ts';
import { summariseError } from '../lib/errors.ts';
import { createFaunaClientProvider } from '../lib/fauna-client.ts';
import { handlePreTokenGeneration } from '../lib/sign-in.ts';
import { eventValidationMiddleware } from './middleware/event-validation.ts';
import { failPolicyMiddleware } from './middleware/fail-policy.ts';
import { logContextMiddleware } from './middleware/log-context.ts';
import { type ContextWithSecret, createSecretStore, SSM_CLIENT_OPTIONS } from './middleware/secret-store.ts';
import { createServedPools } from './middleware/served-pools.ts';

export const SERVICE_NAME = 'cognito-fauna';
export const METRICS_NAMESPACE = 'CognitoFauna';

/** Replaceable parts, for tests and local runs. */
export interface HandlerOverrides {
  logger?: Logger;
  metrics?: Metrics;
  /** Options for the SSM client (tests point it nowhere; aws-sdk-client-mock intercepts it). */
  ssmClientOptions?: object;
  createFaunaClient?: (configuration: ClientConfiguration) => Client;
}

export interface PreTokenGenerationHandler {
  handler: MiddyfiedHandler<PreTokenGenerationEvent, PreTokenGenerationEvent, Error, ContextWithSecret>;
  /** Closes the Fauna client and forgets the cached key. */
  dispose(): void;
}

/**
 * @param env - the Lambda environment (`process.env`); see README "Configuration"
 * @throws {ConfigError} at cold start when a setting is missing or malformed
 */
export function createPreTokenGenerationHandler(env: Environment, overrides: HandlerOverrides = {}): PreTokenGenerationHandler {
  const logger = overrides.logger ?? new Logger({ serviceName: SERVICE_NAME });
  const metrics = overrides.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  let config;
  try {
    config = parseConfig(env);
  } catch (error) {
    logger.error('Invalid configuration: the function cannot start', { error: summariseError(error) });
    throw error;
  }
  logger.appendPersistentKeys({ stage: config.stage });

  const fauna = createFaunaClientProvider({
    endpoint: config.faunaEndpoint,
    queryTimeoutMs: config.faunaQueryTimeoutMs,
    sessionIdleMs: config.faunaSessionIdleMs,
    createClient: overrides.createFaunaClient,
  });
  const servedPools = createServedPools(config.userPoolSource);
  const secrets = createSecretStore(config.secretSource, overrides.ssmClientOptions ?? SSM_CLIENT_OPTIONS, servedPools.ssmParameters);

  const signIn = async (event: PreTokenGenerationEvent, context: ContextWithSecret): Promise<PreTokenGenerationEvent> =>
    handlePreTokenGeneration(event, {
      settings: config,
      fauna,
      currentSecret: () => secrets.current(context),
      refreshSecret: () => secrets.refresh(event, context),
      servedUserPoolIds: async () => servedPools.ids(context),
      logger,
      metrics,
      now: () => performance.now(),
    });

  const handler = middy<PreTokenGenerationEvent, PreTokenGenerationEvent, Error, ContextWithSecret>(signIn)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(logContextMiddleware(logger))
    .use(failPolicyMiddleware({ failPolicy: config.failPolicy, responseOptions: config, logger, metrics }))
    .use(eventValidationMiddleware({ acceptLocalVersionZero: config.stage === LOCAL_STAGE }));
  if (secrets.middleware) handler.use(secrets.middleware);

  return {
    handler,
    dispose() {
      fauna.close();
      secrets.dispose();
    },
  };
}
