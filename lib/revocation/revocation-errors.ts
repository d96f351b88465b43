/**
 * Typed errors of the revocation path (the `revokeFaunaTokens` function and `npm run tokens:revoke`). Messages say
 * what failed and what to do; they never contain a secret, and name a user only by sub.
 * Each is a `CognitoFaunaError`, the service-wide base: `transient` says whether running the same event again later
 * may succeed (Fauna or Cognito unavailable).
 */
import { CognitoFaunaError, FailureSource, type FaunaAdvice } from '../common/errors.ts';

/** What `mapFaunaError` advises for a query of the revocation path: the revoke key and its role. */
export const REVOKE_KEY_ADVICE: Omit<FaunaAdvice, 'query'> = {
  role: 'tokenRevoker',
  keyHome: 'the revoke key\'s SSM parameter (docs/token-lifecycle.md)',
};

/** The event is not a Cognito CloudTrail event this function handles; retrying it cannot help. */
export class InvalidRevocationEventError extends CognitoFaunaError {
  override readonly name = 'InvalidRevocationEventError';
  readonly source = FailureSource.event;
  readonly transient = false;

  constructor(problem: string, options?: ErrorOptions) {
    super(`The revocation event is invalid: ${problem}. Check the EventBridge rule of revokeFaunaTokens (serverless/token-revocation.yml).`, options);
  }
}

/**
 * The function cannot tell which account it runs in (the Lambda context carried no function ARN), so it cannot check
 * that an event is its own; only the local stage may run so.
 */
export class FunctionHomeUnknownError extends CognitoFaunaError {
  override readonly name = 'FunctionHomeUnknownError';
  readonly source = FailureSource.configuration;
  readonly transient = false;

  constructor() {
    super('The function cannot tell its own AWS account (the Lambda context has no invokedFunctionArn), so it cannot check the event\'s account; nothing revoked. Invoke it through Lambda, or use the local stage for local runs.');
  }
}

/** The event names a user only by a name that Cognito no longer knows (deleted before we asked) or not at all. */
export class UserNotResolvedError extends CognitoFaunaError {
  override readonly name = 'UserNotResolvedError';
  readonly source = FailureSource.userDirectory;
  readonly transient = false;

  constructor(problem: string, options?: ErrorOptions) {
    super(
      `Could not tell whose tokens to revoke: ${problem}. If you know the user's sub, run npm run tokens:revoke -- --stage <stage> --sub <sub>.`,
      options,
    );
  }
}

/** Cognito's AdminGetUser failed (throttling, network, permissions). */
export class UserLookupError extends CognitoFaunaError {
  override readonly name = 'UserLookupError';
  readonly source = FailureSource.userDirectory;
  readonly transient = true;

  constructor(options?: ErrorOptions) {
    super('Cognito AdminGetUser failed. Check that the function may call cognito-idp:AdminGetUser on this pool.', options);
  }
}

/** A revocation query answered with the wrong shape, or its key could not be refetched in time; `transient` says which. */
export class RevocationQueryError extends CognitoFaunaError {
  override readonly name = 'RevocationQueryError';
  readonly source = FailureSource.identityService;
  readonly transient: boolean;
  /** Fauna's error code, when Fauna gave one. */
  readonly code: string | undefined;

  constructor(message: string, transient: boolean, code: string | undefined, options?: ErrorOptions) {
    super(message, options);
    this.transient = transient;
    this.code = code;
  }
}
