/** The one Fauna query of a sign-in: the `signIn` UDF (fauna/functions.fsl) upserts the identity and mints its token. */
import { fql, TimeStub } from 'fauna';
import { type Deadline, Step } from './deadline.ts';
import { DeadlineExceededError, FailureSource, FaunaQueryError, IdentityConflictError, mapFaunaError } from './errors.ts';
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
  /** Already normalised (see `normaliseEmail`). */
  email: string;
  ttlSeconds: number;
  meta: TokenMetadata;
  /** The most live tokens the identity keeps after this sign-in (the oldest go first). */
  maxTokens: number;
}

export interface IdentityGrant {
  /** The Customer document id. */
  userId: string;
  /** The Fauna token secret that authenticates as the Customer. Never log it. */
  secret: string;
  expiresAt: Date;
  /** True when this sign-in created the Customer document. */
  created: boolean;
}

/** Attempts in total when a unique constraint fails: a concurrent first sign-in won, the retry finds its identity. */
export const CONSTRAINT_FAILURE_ATTEMPTS = 2;

/**
 * Finds or creates the user's identity and mints a Fauna token for it, in one query. On `constraint_failure`
 * (two first sign-ins of the same user racing) the query is run once more, which then finds the winner's identity.
 * Each attempt gets at most the time `deadline` leaves (its server-side timeout is shortened to fit); an attempt that
 * would not fit is not made.
 *
 * @param queryTimeoutMs - the configured server-side timeout of one attempt
 * @throws {SignInError} a mapped error (see `mapFaunaError`), `DeadlineExceededError` when the deadline left no time,
 *   or `FaunaQueryError` if the answer has the wrong shape
 */
export async function signInIdentity(
  client: QueryClient,
  request: SignInRequest,
  deadline: Deadline,
  queryTimeoutMs: number,
): Promise<IdentityGrant> {
  const query = fql`signIn(${request.sub}, ${request.email}, ${request.ttlSeconds}, ${{ ...request.meta }}, ${request.maxTokens})`;
  for (let attempt = 1; ; attempt++) {
    try {
      // No timer of our own: the driver's client timeout (query timeout + buffer) is made to end before the deadline.
      const options = attemptOptions(queryTimeoutMs, deadline.remainingMs());
      if (!options) throw new DeadlineExceededError(Step.faunaQuery, FailureSource.identityService, 'skipped');
      const result = await client.query(query, options);
      return parseGrant(result.data);
    } catch (error) {
      const mapped = mapFaunaError(error);
      if (mapped instanceof IdentityConflictError && attempt < CONSTRAINT_FAILURE_ATTEMPTS) continue;
      throw mapped;
    }
  }
}

function parseGrant(data: unknown): IdentityGrant {
  const value = (data ?? {}) as Record<string, unknown>;
  const { userId, secret, expiresAt, created } = value;
  if (typeof userId !== 'string' || typeof secret !== 'string' || !(expiresAt instanceof TimeStub) || typeof created !== 'boolean') {
    throw new FaunaQueryError(
      'signIn returned an unexpected shape (expected userId, secret, expiresAt, created). Push the schema in fauna/ again.',
      undefined,
    );
  }
  return { userId, secret, expiresAt: expiresAt.toDate(), created };
}
