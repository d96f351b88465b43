/** The one Fauna query of a sign-in: the `signIn` UDF (fauna/functions.fsl) upserts the identity and mints its token. */
import { fql, TimeStub } from 'fauna';
import { type Deadline, Step } from '../common/deadline.ts';
import { ConcurrencyConflict, ConcurrentSignInError, DeadlineExceededError, FailureSource, FaunaQueryError, mapFaunaError } from '../common/errors.ts';
import { attemptOptions, type QueryClient } from '../common/fauna-client.ts';
import type { IdentityData } from '../common/identity-data.ts';

/** Recorded on the Token document, so an operator can tell which pool, app client and flow minted it. */
export interface TokenMetadata {
  userPoolId: string;
  clientId: string;
  triggerSource: string;
}

export interface SignInRequest {
  /** Cognito's `sub`: the identity's stable key. */
  sub: string;
  /** Already normalised (see `normaliseEmail`); null when the user has no email or it has no safe normal form. */
  email: string | null;
  /** Cognito's `email_verified`: only a verified email links or updates an identity. */
  emailVerified: boolean;
  ttlSeconds: number;
  meta: TokenMetadata;
  /** The most live tokens the identity keeps after this sign-in (the oldest go first). */
  maxTokens: number;
  /**
   * The user's groups and allowlisted attributes, stored on the identity (written only when they changed). Absent:
   * signIn's six-argument form, which stores no group and no attribute.
   */
  identityData?: IdentityData;
}

/** What `signIn` did to find the identity (fauna/functions.fsl). */
export const SignInOutcome = {
  /** Found by `sub`, nothing changed. */
  existing: 'existing',
  /** A new identity was created for this `sub`. */
  created: 'created',
  /** An identity without `sub` that held the verified email was bound to this `sub` (its older tokens revoked). */
  linked: 'linked',
  /** The verified email changed and was stored (the identity's earlier tokens revoked). */
  emailUpdated: 'email_updated',
  /** The verified email changed, but another identity holds it: the user got their own identity, the email stayed. */
  emailHeld: 'email_held',
} as const;
export type SignInOutcome = (typeof SignInOutcome)[keyof typeof SignInOutcome];
const OUTCOMES: readonly string[] = Object.values(SignInOutcome);

export interface IdentityGrant {
  /** The Customer document id. */
  userId: string;
  /** The Fauna token secret that authenticates as the Customer. Never log it. */
  secret: string;
  /**
   * When the token expires, in ISO 8601 as Fauna wrote it. Kept as text: it is only logged, and the driver's
   * `TimeStub.toDate()` (which formats a local-time string to check the date) cost a tenth of the handler's own work.
   */
  expiresAt: string;
  /** True when this sign-in created the Customer document. */
  created: boolean;
  outcome: SignInOutcome;
}

/**
 * The one retry rule of the sign-in query: a sign-in that lost a race with a concurrent sign-in of the same user
 * ({@link ConcurrentSignInError}) runs again, up to `attempts` in total by how it lost, after a full-jitter backoff
 * (uniform below min(`capMs`, `baseMs`·2^(attempt−1))), and only while the deadline leaves room for the backoff and a
 * whole attempt (else the retry is skipped: `DeadlineExceededError`, caused by the conflict). A `constraint_failure`
 * means the winner has committed: the retry, at once, finds its identity (a second one is not a race). A 409
 * `contended_transaction` means Fauna's own retries (x-max-contention-retries) ran out while other sign-ins of the
 * user (devices refreshing together) kept changing its identity or token set: waiting a little spreads the
 * contenders. docs/reliability.md, "Concurrent sign-ins of one user", has the figures.
 */
export const CONCURRENT_SIGN_IN_RETRY = {
  [ConcurrencyConflict.constraintFailure]: { attempts: 2, baseMs: 0, capMs: 0 },
  [ConcurrencyConflict.contendedTransaction]: { attempts: 4, baseMs: 25, capMs: 200 },
} as const satisfies Record<ConcurrencyConflict, { attempts: number; baseMs: number; capMs: number }>;

/** Attempts in total when a unique constraint fails: a concurrent first sign-in won, the retry finds its identity. */
export const CONSTRAINT_FAILURE_ATTEMPTS = CONCURRENT_SIGN_IN_RETRY.constraint_failure.attempts;

/** One retry the rule decided on, for the caller's log line and metric. */
export interface SignInRetry {
  conflict: ConcurrencyConflict;
  /** The attempt that failed (1 = the first). */
  attempt: number;
  backoffMs: number;
}

/** What the retry rule may be given instead of the real clock and randomness (tests), and who hears of a retry. */
export interface RetryHooks {
  /** Called before each retry's backoff. */
  onRetry?(retry: SignInRetry): void;
  /** Uniform in [0, 1); default Math.random. */
  random?(): number;
  /** Default a timer. */
  sleep?(ms: number): Promise<void>;
}

/** The backoff before the retry after `attempt` failed with `error`, or null when the rule does not retry it. */
export function retryBackoff(error: unknown, attempt: number, random: () => number): number | null {
  if (!(error instanceof ConcurrentSignInError)) return null;
  const rule = CONCURRENT_SIGN_IN_RETRY[error.conflict];
  if (attempt >= rule.attempts) return null;
  return Math.floor(random() * Math.min(rule.capMs, rule.baseMs * 2 ** (attempt - 1)));
}

/**
 * Finds or creates the user's identity and mints a Fauna token for it, in one query, retried by
 * {@link CONCURRENT_SIGN_IN_RETRY} when a concurrent sign-in of the same user got in the way. Each attempt gets at
 * most the time `deadline` leaves (its server-side timeout is shortened to fit); an attempt that would not fit is not
 * made.
 *
 * @param queryTimeoutMs - the configured server-side timeout of one attempt
 * @throws {CognitoFaunaError} a mapped error (see `mapFaunaError`), `DeadlineExceededError` when the deadline left no time,
 *   or `FaunaQueryError` if the answer has the wrong shape
 */
export async function grantIdentity(
  client: QueryClient,
  request: SignInRequest,
  deadline: Deadline,
  queryTimeoutMs: number,
  hooks: RetryHooks = {},
): Promise<IdentityGrant> {
  const { sub, email, emailVerified, ttlSeconds, meta, maxTokens, identityData } = request;
  const tokenMeta = { userPoolId: meta.userPoolId, clientId: meta.clientId, triggerSource: meta.triggerSource };
  const query = identityData === undefined
    ? fql`signIn(${sub}, ${email}, ${emailVerified}, ${ttlSeconds}, ${tokenMeta}, ${maxTokens})`
    : fql`signIn(${sub}, ${email}, ${emailVerified}, ${ttlSeconds}, ${tokenMeta}, ${maxTokens}, ${[...identityData.groups]}, ${{ ...identityData.attributes }})`;
  for (let attempt = 1; ; attempt++) {
    try {
      // No timer of our own: the driver's client timeout (query timeout + buffer) is made to end before the deadline.
      const options = attemptOptions(queryTimeoutMs, deadline.remainingMs());
      if (!options) throw new DeadlineExceededError(Step.faunaQuery, FailureSource.identityService, 'skipped');
      const result = await client.query(query, options);
      return parseGrant(result.data);
    } catch (error) {
      const mapped = mapFaunaError(error);
      const backoffMs = retryBackoff(mapped, attempt, hooks.random ?? Math.random);
      if (backoffMs === null) throw mapped;
      // The retry the rule wants, but the deadline leaves no whole attempt after the backoff: skipped, as any attempt.
      if (attemptOptions(queryTimeoutMs, deadline.remainingMs() - backoffMs) === undefined) {
        throw new DeadlineExceededError(Step.faunaQuery, FailureSource.identityService, 'skipped', { cause: mapped });
      }
      hooks.onRetry?.({ conflict: (mapped as ConcurrentSignInError).conflict, attempt, backoffMs });
      if (backoffMs > 0) await (hooks.sleep ?? sleep)(backoffMs);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseGrant(data: unknown): IdentityGrant {
  const value = (data ?? {}) as Record<string, unknown>;
  const { userId, secret, expiresAt, created, outcome } = value;
  if (
    typeof userId !== 'string' || typeof secret !== 'string' || !(expiresAt instanceof TimeStub) || typeof created !== 'boolean' ||
    typeof outcome !== 'string' || !OUTCOMES.includes(outcome)
  ) {
    throw new FaunaQueryError(
      'signIn returned an unexpected shape (expected userId, secret, expiresAt, created, outcome). Push the schema in fauna/ again.',
      undefined,
    );
  }
  return { userId, secret, expiresAt: expiresAt.isoString, created, outcome: outcome as SignInOutcome };
}
