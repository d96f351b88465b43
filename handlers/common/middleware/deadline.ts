/**
 * The deadline middleware of both functions: it stamps the invocation's start on the context as `context.deadline`, the
 * time by which the steps must be done; the key store bounds its SSM calls by it, the sign-in its Fauna attempts. How
 * the deadline follows from the start is the function's: the sign-in keeps Cognito's budget (lib/common/deadline.ts),
 * the revocation function Lambda's remaining time.
 */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Deadline } from '../../../lib/common/deadline.ts';

/** The Lambda context with the invocation's deadline, set by `deadlineMiddleware`. */
export type InvocationContext = Context & { deadline?: Deadline };

/** What the middleware knows when an invocation starts. */
export interface InvocationStart {
  /** `performance.now()` when the chain began. */
  invokedAt: number;
  /** Lambda's remaining time; undefined when the caller passed no full Lambda context (local tools). */
  lambdaRemainingMs: number | undefined;
  /** True for the container's first invocation only. */
  coldStart: boolean;
}

export function deadlineMiddleware(deadlineOf: (start: InvocationStart) => Deadline): MiddlewareObj<unknown, unknown, Error, InvocationContext> {
  let coldStart = true;
  return {
    before: function deadlineBefore(request) {
      const { context } = request;
      const lambdaRemainingMs = typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
      context.deadline = deadlineOf({ invokedAt: performance.now(), lambdaRemainingMs, coldStart });
      coldStart = false;
    },
  };
}
