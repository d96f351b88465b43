/**
 * One deadline per invocation. Cognito waits 5 s for the trigger, counting a cold start's init; Lambda's
 * `getRemainingTimeInMillis()` does not count init. So the deadline is the earlier of (a) the invocation's start (the
 * init's start on a cold start) plus the answer budget and (b) Lambda's remaining time minus a margin. Every step of a
 * sign-in (SSM fetch or refetch, each Fauna attempt, the retries) asks the deadline how long it may take; a step that
 * cannot finish in time is skipped, and the fail policy answers. The arithmetic is in docs/reliability.md.
 */
import { DeadlineExceededError, type FailureSource } from './errors.ts';

/** Cognito's fixed wait for a Pre Token Generation trigger, init included. */
export const COGNITO_BUDGET_MS = 5000;
/**
 * When every step must have ended, counted from the invocation's start (the init's start on a cold start). The rest
 * of Cognito's 5 s is for the fail policy's answer, the log and metric lines, Lambda's own overhead and the network
 * between Cognito and Lambda.
 */
export const STEPS_END_BY_MS = 3800;
/** Kept back from Lambda's remaining time, should the function timeout be set shorter than Cognito's 5 s. */
export const LAMBDA_MARGIN_MS = 1000;

/** A step, named in logs and in the error when it was skipped. */
export const Step = {
  ssmFetch: 'SSM fetch',
  ssmRefetch: 'SSM refetch',
  faunaQuery: 'Fauna query',
} as const;
export type Step = (typeof Step)[keyof typeof Step];

const STEP_SOURCE: Record<Step, FailureSource> = {
  'SSM fetch': 'key store',
  'SSM refetch': 'key store',
  'Fauna query': 'identity service',
};

export interface DeadlineInput {
  /** `performance.now()` when the invocation began. */
  invokedAt: number;
  /** `performance.now()` when the container's init began, on the first invocation of the container only. */
  initStartedAt?: number;
  /** Lambda's `context.getRemainingTimeInMillis()` at `invokedAt`. */
  lambdaRemainingMs: number;
  /** Defaults to `performance.now`. */
  now?: () => number;
}

/** The time an invocation has left; immutable once made. */
export class Deadline {
  /** On the `now()` scale. */
  readonly endsAt: number;
  readonly #now: () => number;

  constructor(endsAt: number, now: () => number = () => performance.now()) {
    this.endsAt = endsAt;
    this.#now = now;
  }

  /**
   * The invocation's deadline (see the module comment).
   *
   * @example Deadline.forInvocation({ invokedAt: performance.now(), lambdaRemainingMs: context.getRemainingTimeInMillis() })
   */
  static forInvocation(input: DeadlineInput): Deadline {
    const startedAt = input.initStartedAt ?? input.invokedAt;
    const byBudget = startedAt + STEPS_END_BY_MS;
    const byLambda = input.invokedAt + input.lambdaRemainingMs - LAMBDA_MARGIN_MS;
    return new Deadline(Math.min(byBudget, byLambda), input.now);
  }

  /** The same deadline, `ms` earlier: for a step that must leave time for the one after it. */
  reserving(ms: number): Deadline {
    return new Deadline(this.endsAt - ms, this.#now);
  }

  /** Milliseconds left, never negative. */
  remainingMs(): number {
    return Math.max(0, this.endsAt - this.#now());
  }

  /**
   * Runs `work` if at least `minimumMs` are left, giving it the time left; rejects with {@link DeadlineExceededError}
   * when the step is skipped or has not settled by the deadline (the work itself is abandoned: its own timeouts end
   * it; `signal` is aborted so that a client that takes one stops at once).
   */
  async run<T>(step: Step, minimumMs: number, work: (budgetMs: number, signal: AbortSignal) => Promise<T>): Promise<T> {
    const budgetMs = this.remainingMs();
    if (budgetMs < minimumMs) throw new DeadlineExceededError(step, STEP_SOURCE[step], 'skipped');
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new DeadlineExceededError(step, STEP_SOURCE[step], 'cut off');
        abort.abort(error);
        reject(error);
      }, budgetMs);
    });
    const running = work(budgetMs, abort.signal);
    running.catch(() => undefined); // an abandoned step's late failure is not an unhandled rejection
    try {
      return await Promise.race([running, expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
