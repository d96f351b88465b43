/** The service's name and metrics namespace, and the logger and metrics both functions build at cold start. */
import type { Environment } from '../../../lib/common/config.ts';
import { EmfMetrics } from './emf-metrics.ts';
import { JsonLogger, logLevelFrom } from './json-logger.ts';

/** The `service` field of every log line and the one metric dimension (serverless/alarms.yml alarms on it). */
export const SERVICE_NAME = 'cognito-fauna';
export const METRICS_NAMESPACE = 'CognitoFauna';

export interface Telemetry {
  logger: JsonLogger;
  metrics: EmfMetrics;
}

/**
 * The logger and metrics writing to stdout, unless given. A bad LOG_LEVEL is logged, not fatal: a typo in a logging
 * setting should not take sign-ins down.
 */
export function createTelemetry(env: Environment, given: Partial<Telemetry> = {}): Telemetry {
  let logger = given.logger;
  if (!logger) {
    const { level, problem } = logLevelFrom(env);
    logger = new JsonLogger({ serviceName: SERVICE_NAME, level });
    if (problem) logger.warn(problem);
  }
  return { logger, metrics: given.metrics ?? new EmfMetrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }) };
}
