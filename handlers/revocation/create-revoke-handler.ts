/**
 * Builds the revocation handler: configuration parsed once, then the Middy chain
 * (telemetry → deadline → failure accounting → Fauna key) around `lib/revocation/revocation.ts`.
 * EventBridge invokes it asynchronously: a transient failure is thrown so that Lambda retries the event (revoking is
 * idempotent); a permanent one is counted, logged and answered, because a retry could not help.
 */
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import type { Client, ClientConfiguration } from 'fauna';
import type { CloudTrailEvent } from '../../lib/revocation/cloudtrail-event.ts';
import { type Environment, LOCAL_STAGE } from '../../lib/common/config.ts';
import { type FunctionHome, functionHome } from '../../lib/revocation/function-home.ts';
import { CognitoFaunaError, summariseError } from '../../lib/common/errors.ts';
import { createFaunaClientProvider } from '../../lib/common/fauna-client.ts';
import { parseRevocationConfig } from '../../lib/revocation/revocation-config.ts';
import { handleRevocationEvent, RevocationMetricName, type RevocationOutcome } from '../../lib/revocation/revocation.ts';
import { createUserReader } from './cognito-users.ts';
import { Deadline, LAMBDA_MARGIN_MS } from '../../lib/common/deadline.ts';
import { deadlineMiddleware, type InvocationContext } from '../common/middleware/deadline.ts';
import { createSecretStore, SSM_CLIENT_OPTIONS } from '../common/middleware/secret-store.ts';
import { parseAtColdStart } from '../common/parse-at-cold-start.ts';
import { telemetryMiddleware } from '../common/middleware/telemetry.ts';
import type { EmfMetrics } from '../common/telemetry/emf-metrics.ts';
import type { JsonLogger } from '../common/telemetry/json-logger.ts';
import { createTelemetry } from '../common/telemetry/service-telemetry.ts';

/** The context with the invocation's deadline (the key store bounds its SSM calls by it). */
type ContextWithSecret = InvocationContext;

/**
 * The revocation function has no Cognito budget to keep: its steps may use Lambda's time minus a margin (timeout
 * 10 s in serverless.yml). The init's SSM prefetch gets this much.
 */
export const REVOCATION_INIT_BUDGET_MS = 5000;
/** When a caller passes no Lambda context (local tools): the function's timeout. */
export const REVOCATION_DEFAULT_REMAINING_MS = 10_000;

export interface RevokeHandlerOverrides {
  logger?: JsonLogger;
  metrics?: EmfMetrics;
  ssmClientOptions?: object;
  /** Replaces the AdminGetUser lookup (tests pass aws-sdk-client-mock'd options instead, see cognitoClientOptions). */
  cognitoClientOptions?: object;
  createFaunaClient?: (configuration: ClientConfiguration) => Client;
}

export type RevocationAnswer = RevocationOutcome | { outcome: 'failed'; error: string };

export interface RevokeFaunaTokensHandler {
  handler: MiddyfiedHandler<CloudTrailEvent, RevocationAnswer, Error, ContextWithSecret>;
  dispose(): void;
}

/**
 * @param env - the Lambda environment (`process.env`): the trigger's Fauna variables with the revoke key's
 *   FAUNA_SECRET_PARAMETER, plus USER_POOL_IDS (the one pool) and IDENTITY_ATTRIBUTES (the trigger's allowlist)
 * @throws {ConfigError} at cold start when a setting is missing or malformed
 */
export function createRevokeFaunaTokensHandler(env: Environment, overrides: RevokeHandlerOverrides = {}): RevokeFaunaTokensHandler {
  const { logger, metrics } = createTelemetry(env, overrides);
  const config = parseAtColdStart(parseRevocationConfig, env, logger);
  logger.appendPersistentKeys({ stage: config.stage, userPoolId: config.userPoolId });

  const fauna = createFaunaClientProvider({
    endpoint: config.faunaEndpoint,
    queryTimeoutMs: config.faunaQueryTimeoutMs,
    sessionIdleMs: config.faunaSessionIdleMs,
    createClient: overrides.createFaunaClient,
  });
  const initDeadline = new Deadline(performance.now() + REVOCATION_INIT_BUDGET_MS);
  const secrets = createSecretStore(config.secretSource, {
    awsClientOptions: overrides.ssmClientOptions ?? SSM_CLIENT_OPTIONS,
    initDeadline,
    logger,
    metrics,
  });
  // One AdminGetUser reader for both needs: a sub for an event that names the user only, current attributes for an
  // attribute event (CloudTrail hides the values).
  const readUser = createUserReader(config.userPoolId, overrides.cognitoClientOptions);
  const resolveSub = async (username: string) => (await readUser(username))?.sub ?? null;
  const userPoolId = config.userPoolId;
  // A container runs one function, so its home is read from the first invocation's context and kept.
  let home: FunctionHome | undefined;

  const revoke = async (event: CloudTrailEvent, context: ContextWithSecret): Promise<RevocationAnswer> =>
    handleRevocationEvent(event, {
      userPoolId,
      home: (home ??= functionHome(context.invokedFunctionArn, config.region)),
      homeMayBeUnknown: config.stage === LOCAL_STAGE,
      fauna,
      currentSecret: () => secrets.current(),
      refreshSecret: (rejected) => secrets.refresh(rejected, context.deadline ?? initDeadline),
      resolveSub,
      readUser,
      identityAttributes: config.identityAttributes,
      logger,
      metrics,
      now: () => performance.now(),
    });

  const handler = middy<CloudTrailEvent, RevocationAnswer, Error, ContextWithSecret>(revoke)
    .use(telemetryMiddleware({ logger, metrics }))
    // No Cognito budget here: Lambda's remaining time, less a margin to answer in.
    .use(deadlineMiddleware(({ invokedAt, lambdaRemainingMs }) =>
      new Deadline(invokedAt + (lambdaRemainingMs ?? REVOCATION_DEFAULT_REMAINING_MS) - LAMBDA_MARGIN_MS)))
    .use(failureAccounting(logger, metrics));
  if (secrets.middleware) handler.use(secrets.middleware as MiddlewareObj<CloudTrailEvent, RevocationAnswer, Error, ContextWithSecret>);

  return {
    handler,
    dispose() {
      fauna.close();
      secrets.dispose();
    },
  };
}

/** Counts and logs every failure once; rethrows the transient ones so that Lambda's async retries run. */
function failureAccounting(logger: JsonLogger, metrics: EmfMetrics): MiddlewareObj<CloudTrailEvent, RevocationAnswer, Error, ContextWithSecret> {
  return {
    onError: function revocationOnError(request) {
      const error = request.error;
      const transient = error instanceof CognitoFaunaError ? error.transient : true;
      metrics.addMetric(RevocationMetricName.failures, 'Count', 1);
      logger.error('Revocation failed', { error: summariseError(error), retried: transient });
      // Middy returns a response set here instead of throwing; the logger and metrics middlewares still flush.
      if (!transient) request.response = { outcome: 'failed', error: error?.name ?? 'Error' };
    },
  };
}
