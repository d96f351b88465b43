/** The one Fauna query of a sign-in: the `signIn` UDF (fauna/functions.fsl) upserts the identity and mints its token. */
import { fql, TimeStub } from 'fauna';
import { type Deadline, Step } from './deadline.ts';
import { ConcurrentSignInError, DeadlineExceededError, FailureSource, FaunaQueryError, mapFaunaError } from './errors.ts';
import { attemptOptions, type QueryClient } from './fauna-client.ts';

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

/** Attempts in total when a unique constraint fails: a concurrent first sign-in won, the retry finds its identity. */
export const CONSTRAINT_FAILURE_ATTEMPTS = 2;

/**
 * Finds or creates the user's identity and mints a Fauna token for it, in one query. On `constraint_failure`
 * (two first sign-ins of the same user racing, or a link and a create of one email) the query is run once more, which
 * then finds the winner's identity. Each attempt gets at most the time `deadline` leaves (its server-side timeout is
 * shortened to fit); an attempt that would not fit is not made.
 *
 * @param queryTimeoutMs - the configured server-side timeout of one attempt
 * @throws {SignInError} a mapped error (see `mapFaunaError`), `DeadlineExceededError` when the deadline left no time,
 *   or `FaunaQueryError` if the answer has the wrong shape
 */
export async function grantIdentity(
  client: QueryClient,
  request: SignInRequest,
  deadline: Deadline,
  queryTimeoutMs: number,
): Promise<IdentityGrant> {
  const { sub, email, emailVerified, ttlSeconds, meta, maxTokens } = request;
  const query = fql`signIn(${sub}, ${email}, ${emailVerified}, ${ttlSeconds}, ${{ userPoolId: meta.userPoolId, clientId: meta.clientId, triggerSource: meta.triggerSource }}, ${maxTokens})`;
  for (let attempt = 1; ; attempt++) {
    try {
      // No timer of our own: the driver's client timeout (query timeout + buffer) is made to end before the deadline.
      const options = attemptOptions(queryTimeoutMs, deadline.remainingMs());
      if (!options) throw new DeadlineExceededError(Step.faunaQuery, FailureSource.identityService, 'skipped');
      const result = await client.query(query, options);
      return parseGrant(result.data);
    } catch (error) {
      const mapped = mapFaunaError(error);
      if (mapped instanceof ConcurrentSignInError && attempt < CONSTRAINT_FAILURE_ATTEMPTS) continue;
      throw mapped;
    }
  }
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
