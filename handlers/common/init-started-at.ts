/**
 * When this container's init began, on `performance.now()`'s scale: Cognito's 5 s clock runs from before the init, so
 * the first invocation's deadline counts from here (lib/common/deadline.ts).
 */

/**
 * In Lambda the process is the container's runtime, started for this init: its time origin (0) is the earliest instant
 * the code can know, so the deadline errs on the safe side. Anywhere else (serverless offline, `sls invoke local`, a
 * test) the module may be loaded into a process that has been running for a long time, and 0 would make the first
 * sign-in look seconds late: there the init is taken to start now, when the handler module loads.
 *
 * @param env - the process environment; Lambda's runtime sets `AWS_LAMBDA_RUNTIME_API`
 *   (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)
 */
export function initStartedAt(env: Record<string, string | undefined>, now: () => number = () => performance.now()): number {
  return env.AWS_LAMBDA_RUNTIME_API ? 0 : now();
}
