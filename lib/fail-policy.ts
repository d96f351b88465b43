/**
 * What a failed sign-in turns into. Closed (default): Cognito refuses the sign-in and shows the user a short message.
 * Open: the user signs in without the Fauna claim. Either way the cause is logged by the caller, never shown.
 */
import { FailPolicy } from './config.ts';
import { FailureSource, SignInError } from './errors.ts';

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

/**
 * Decides what to do with a failed sign-in. Invalid events are always rejected: failing open would hand out a token for
 * an event this trigger does not understand.
 */
export function applyFailPolicy(error: unknown, policy: FailPolicy): FailureOutcome {
  const source = error instanceof SignInError ? error.source : FailureSource.identityService;
  if (policy === FailPolicy.open && source !== FailureSource.event) return { action: 'continueWithoutClaims' };
  return { action: 'reject', error: new SignInRejectedError(source, { cause: error }) };
}

function userMessage(source: FailureSource): string {
  if (source === FailureSource.event) return 'Sign-in request was not understood. Please try again';
  // Cognito appends a period to the message it shows.
  return `Sign-in is temporarily unavailable (${source}). Please try again`;
}
