/**
 * The one place a failure becomes an answer: logs and counts it, then applies the fail policy (reject the sign-in
 * with a short message, or let it through without the Fauna claim). Must be `.use`d before the middlewares whose
 * errors it handles, and after the telemetry middleware (handlers/common/middleware/telemetry.ts), so that its logger
 * and metrics still flush: deadline → telemetry → fail policy → event validation → Fauna key.
 */
import type { MiddlewareObj } from '@middy/core';
import type { PreTokenGenerationEvent } from '../../../lib/sign-in/cognito-event.ts';
import { buildCognitoResponse, type ResponseOptions } from '../../../lib/sign-in/cognito-response.ts';
import type { FailPolicy } from '../../../lib/common/config.ts';
import { asCognitoFaunaError, summariseError } from '../../../lib/common/errors.ts';
import { applyFailPolicy } from '../../../lib/sign-in/fail-policy.ts';
import { MetricName, type ServiceLogger, type ServiceMetrics } from '../../../lib/common/observability.ts';

export interface FailPolicyOptions {
  failPolicy: FailPolicy;
  responseOptions: ResponseOptions;
  logger: ServiceLogger;
  metrics: ServiceMetrics;
}

/**
 * An `onError`-only middleware: every failure (invalid event, SSM, Fauna) is counted, logged without secrets or emails,
 * and turned into Cognito's answer by the configured fail policy.
 */
export function failPolicyMiddleware(options: FailPolicyOptions): MiddlewareObj<PreTokenGenerationEvent, PreTokenGenerationEvent> {
  return {
    onError: function failPolicyOnError(request) {
      const error = asCognitoFaunaError(request.error);
      options.metrics.addMetric(MetricName.failures, 'Count', 1);
      const outcome = applyFailPolicy(error, options.failPolicy);
      options.logger.error('Sign-in failed', {
        error: summariseError(error),
        failPolicy: options.failPolicy,
        outcome: outcome.action,
      });
      if (outcome.action === 'continueWithoutClaims') {
        request.response = buildCognitoResponse(request.event, null, options.responseOptions);
      } else {
        // Not thrown: the middlewares after this one (metrics, logger) must still run; middy throws it at the end.
        request.error = outcome.error;
      }
    },
  };
}
