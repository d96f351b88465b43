/** Adds the correlation id and the event's non-personal facts to every log line of the invocation. */
import type { MiddlewareObj } from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';

/** Sets the correlation id (the Lambda request id) and the event's trigger source, version and pool on `logger`. */
export function logContextMiddleware(logger: Logger): MiddlewareObj {
  return {
    before: function logContextBefore(request) {
      const event = request.event as Record<string, unknown> | null;
      logger.setCorrelationId(request.context.awsRequestId);
      logger.appendKeys({
        triggerSource: typeof event?.triggerSource === 'string' ? event.triggerSource : undefined,
        eventVersion: typeof event?.version === 'string' ? event.version : undefined,
        userPoolId: typeof event?.userPoolId === 'string' ? event.userPoolId : undefined,
      });
    },
  };
}
