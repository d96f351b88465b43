/**
 * First in each chain after the deadline: gives every log line of the invocation its context and writes the
 * invocation's metrics when it ends, answered or failed (`after` and `onError` run after the fail policy's, which
 * count the outcome).
 */
import type { MiddlewareObj } from '@middy/core';
import type { EmfMetrics } from '../telemetry/emf-metrics.ts';
import type { JsonLogger } from '../telemetry/json-logger.ts';

export interface TelemetryOptions {
  logger: JsonLogger;
  metrics: EmfMetrics;
  /** The event's non-personal facts to put on every line (e.g. its trigger source); never the event itself. */
  eventKeys?: (event: unknown) => Record<string, unknown>;
}

/**
 * Per invocation: `cold_start`, `function_name`, `function_request_id` and `correlation_id` (both the Lambda request
 * id), `xray_trace_id` when Lambda traces, and the event's keys.
 */
export function telemetryMiddleware(options: TelemetryOptions): MiddlewareObj {
  const { logger, metrics, eventKeys } = options;
  let coldStart = true;
  const flush = (): void => metrics.flush();
  return {
    before: function telemetryBefore(request) {
      const { awsRequestId, functionName } = request.context;
      const keys: Record<string, unknown> = {
        cold_start: coldStart,
        function_name: functionName,
        function_request_id: awsRequestId,
        correlation_id: awsRequestId,
        xray_trace_id: process.env._X_AMZN_TRACE_ID,
      };
      logger.startInvocation(eventKeys ? Object.assign(keys, eventKeys(request.event)) : keys);
      coldStart = false;
    },
    after: function telemetryAfter() {
      flush();
    },
    onError: function telemetryOnError() {
      flush();
    },
  };
}

/** The trigger event's trigger source, version and pool, when they are strings (validation comes later in the chain). */
export function triggerEventKeys(event: unknown): Record<string, unknown> {
  const fields = (event ?? {}) as Record<string, unknown>;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return { triggerSource: text(fields.triggerSource), eventVersion: text(fields.version), userPoolId: text(fields.userPoolId) };
}
