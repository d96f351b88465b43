/**
 * What a failed sign-in turns into. Closed (default): Cognito refuses the sign-in and shows the user a short message.
 * Open: the user signs in without the Fauna claim. Either way the cause is logged by the caller, never shown.
 */
import { FailPolicy } from '../common/config.ts';
import { FailureSource, CognitoFaunaError } from '../common/errors.ts';

/**
 * Thrown to Cognito when failing closed. Cognito shows its message to the user as
 * "PreTokenGeneration failed with error <message>.", so it is short and says nothing about secrets, emails or code.
 */
export class SignInRejectedError extends Error {
  override readonly name = 'SignInRejectedError';
  readonly source: FailureSource;

  constructor(source: FailureSource, options?: ErrorOptions) {
    super(userMessage(source), options);
    this.source = source;
  }
}

export type FailureOutcome = { action: 'reject'; error: SignInRejectedError } | { action: 'continueWithoutClaims' };

/** Failures that are decisions, not outages: rejected whatever the fail policy. */
const ALWAYS_REJECTED: ReadonlySet<FailureSource> = new Set([FailureSource.event, FailureSource.identity]);

/**
 * Decides what to do with a failed sign-in. Fail-open exists so that a Fauna or SSM outage does not lock users out; it
 * never applies to decisions. Invalid events and events from another pool are always rejected: failing open would
 * answer an event this trigger does not understand or does not serve. An identity conflict is always rejected too: the
 * only identity the user's email names is someone else's, so there is no token to give, and signing the user in
 * without the claim would hide a problem only an operator can fix (docs/security.md, "Fail policy and conflicts").
 */
export function applyFailPolicy(error: unknown, policy: FailPolicy): FailureOutcome {
  const source = error instanceof CognitoFaunaError ? error.source : FailureSource.identityService;
  if (policy === FailPolicy.open && !ALWAYS_REJECTED.has(source)) return { action: 'continueWithoutClaims' };
  return { action: 'reject', error: new SignInRejectedError(source, { cause: error }) };
}

function userMessage(source: FailureSource): string {
  if (source === FailureSource.event) return 'Sign-in request was not understood. Please try again';
  if (source === FailureSource.identity) return 'This account cannot be signed in until support resolves an identity conflict. Please contact support';
  // Cognito appends a period to the message it shows.
  return `Sign-in is temporarily unavailable (${source}). Please try again`;
}
