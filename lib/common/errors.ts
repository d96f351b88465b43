/**
 * Typed errors of the service (the revocation function's own are in lib/revocation/revocation-errors.ts). Messages
 * are written for the operator reading the logs: they say what failed and what to do, and they never contain a
 * secret, a token or an email address.
 */
import {
  AbortError,
  AuthenticationError,
  FaunaError,
  AuthorizationError,
  ClientClosedError,
  ConstraintFailureError,
  ContendedTransactionError,
  NetworkError,
  ProtocolError,
  QueryTimeoutError,
  ServiceError,
  ServiceInternalError,
  ThrottlingError,
} from 'fauna';

/** The part of the system a failure comes from; it is the only detail the user-facing message reveals. */
export const FailureSource = {
  configuration: 'configuration',
  event: 'event',
  keyStore: 'key store',
  identityService: 'identity service',
  /** The identity the user's email names belongs to another user; not an outage. */
  identity: 'identity',
  /** Cognito's user directory, asked by the revocation function who a user is. */
  userDirectory: 'user directory',
} as const;
export type FailureSource = (typeof FailureSource)[keyof typeof FailureSource];

/** Base class of every error this service raises on purpose, in either function (sign-in, revocation). */
export abstract class CognitoFaunaError extends Error {
  abstract readonly source: FailureSource;
  /** True when trying again later may succeed (outage, timeout), false when something must be fixed first. */
  abstract readonly transient: boolean;
}

/** Thrown by `parseConfig` at cold start when a setting is missing or malformed. */
export class ConfigError extends CognitoFaunaError {
  override readonly name = 'ConfigError';
  readonly source = FailureSource.configuration;
  readonly transient = false;
  /** The environment variable at fault. */
  readonly setting: string;

  constructor(setting: string, problem: string, howToFix: string, options?: ErrorOptions) {
    super(`${setting} ${problem}. ${howToFix}`, options);
    this.setting = setting;
  }
}

/** Thrown when the Cognito event does not have the shape this trigger handles. */
export class InvalidEventError extends CognitoFaunaError {
  override readonly name = 'InvalidEventError';
  readonly source = FailureSource.event;
  readonly transient = false;
  /** JSON pointers of the offending parts of the event (never their values). */
  readonly problems: string[];

  constructor(problems: string[], options?: ErrorOptions) {
    super(`The Pre Token Generation event is invalid: ${problems.join('; ')}`, options);
    this.problems = problems;
  }
}

/** Thrown when the Fauna key cannot be read from SSM Parameter Store. */
export class SecretUnavailableError extends CognitoFaunaError {
  override readonly name = 'SecretUnavailableError';
  readonly source = FailureSource.keyStore;
  readonly transient = true;

  constructor(parameterName: string, options?: ErrorOptions) {
    super(
      `Could not read the Fauna key from SSM parameter ${parameterName}. Check that it exists as a SecureString and that the function may call ssm:GetParameters and kms:Decrypt on it.`,
      options,
    );
  }
}

/** The SSM parameter naming the served user pool(s) is missing or does not hold pool ids. */
export class ServedPoolsUnavailableError extends CognitoFaunaError {
  override readonly name = 'ServedPoolsUnavailableError';
  readonly source = FailureSource.configuration;
  readonly transient = false;

  constructor(parameterName: string, options?: ErrorOptions) {
    super(
      `SSM parameter ${parameterName} does not hold the served user pool id(s) (comma-separated pool ids). Deploy the stack again, which writes it, or set it to the pool's id.`,
      options,
    );
  }
}

/** Fauna could not be reached or did not answer in time; trying again later may work. */
export class FaunaUnavailableError extends CognitoFaunaError {
  override readonly name = 'FaunaUnavailableError';
  readonly source = FailureSource.identityService;
  readonly transient = true;
}

/** Fauna rejected the key (401): it is wrong, expired or deleted. The handler refetches the key once. */
export class FaunaUnauthorizedError extends CognitoFaunaError {
  override readonly name = 'FaunaUnauthorizedError';
  readonly source = FailureSource.identityService;
  readonly transient = false;
}

/** How a concurrent sign-in of the same user got in the way, as Fauna reported it (lib/sign-in/sign-in-query.ts retries both). */
export const ConcurrencyConflict = {
  /** A unique constraint failed: the other sign-in created (or re-keyed) the identity first. */
  constraintFailure: 'constraint_failure',
  /** 409: Fauna's optimistic transaction conflicted with another on the identity or its tokens, after its own retries. */
  contendedTransaction: 'contended_transaction',
} as const;
export type ConcurrencyConflict = (typeof ConcurrencyConflict)[keyof typeof ConcurrencyConflict];

/** A concurrent sign-in of the same user got there first (`conflict` says how); lib/sign-in/sign-in-query.ts retries it. */
export class ConcurrentSignInError extends CognitoFaunaError {
  override readonly name = 'ConcurrentSignInError';
  readonly source = FailureSource.identityService;
  readonly transient = true;
  readonly conflict: ConcurrencyConflict;

  constructor(message: string, conflict: ConcurrencyConflict, options?: ErrorOptions) {
    super(message, options);
    this.conflict = conflict;
  }
}

/**
 * The user's verified email belongs to an identity bound to another Cognito user (`sub`): the sign-in is refused,
 * whatever the fail policy, because the only identity that email could give is someone else's. An operator resolves it
 * with `npm run identity:move` (docs/security.md, "Resolving an identity conflict").
 */
export class IdentityConflictError extends CognitoFaunaError {
  override readonly name = 'IdentityConflictError';
  readonly source = FailureSource.identity;
  readonly transient = false;
}

/** `signIn` refused its arguments (`invalid_argument`): this code sent a value out of bounds. */
export class SignInArgumentError extends CognitoFaunaError {
  override readonly name = 'SignInArgumentError';
  readonly source = FailureSource.identityService;
  readonly transient = false;
}

/** The event comes from a user pool this function does not serve: refused before any Fauna call, whatever the fail policy. */
export class ForeignUserPoolError extends CognitoFaunaError {
  override readonly name = 'ForeignUserPoolError';
  readonly source = FailureSource.event;
  readonly transient = false;
}

/** Stable codes `signIn` aborts with (fauna/functions.fsl), so that no caller branches on message text. */
export const SignInAbortCode = {
  identityConflict: 'identity_conflict',
  invalidArgument: 'invalid_argument',
} as const;

/** Fauna refused or could not run the sign-in query (schema not pushed, missing privilege, unexpected answer). */
export class FaunaQueryError extends CognitoFaunaError {
  override readonly name = 'FaunaQueryError';
  readonly source = FailureSource.identityService;
  readonly transient = false;
  /** Fauna's error code, when Fauna gave one. */
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * A step of the sign-in was skipped, or cut off, because the invocation's deadline (lib/common/deadline.ts) left it no time:
 * the fail policy answers instead, before Cognito's 5 s run out.
 */
export class DeadlineExceededError extends CognitoFaunaError {
  override readonly name = 'DeadlineExceededError';
  readonly source: FailureSource;
  readonly transient = true;
  /** The step that did not run to its end (`SSM fetch`, `Fauna query`, ...). */
  readonly step: string;

  constructor(step: string, source: FailureSource, how: 'skipped' | 'cut off', options?: ErrorOptions) {
    super(
      `The ${step} was ${how} because the sign-in's deadline (Cognito's 5 s, init included) left it no time. See docs/reliability.md for the budget.`,
      options,
    );
    this.step = step;
    this.source = source;
  }
}

/**
 * Something failed that no dependency reported: a bug (a TypeError in lib/, a middleware that threw a non-error).
 * Logged under its own name so that it is never mistaken for an outage of Fauna or SSM.
 */
export class UnexpectedError extends CognitoFaunaError {
  override readonly name = 'UnexpectedError';
  readonly source = FailureSource.identityService;
  readonly transient = false;

  constructor(options?: ErrorOptions) {
    super('The sign-in failed on an unexpected error (a bug, not an outage): see the cause\'s name and report it.', options);
  }
}

/**
 * What the caller tells `mapFaunaError` to advise, since only it knows which query ran and which key ran it: the
 * sign-in's `pretokenTrigger` key or the revocation's `tokenRevoker` key.
 */
export interface FaunaAdvice {
  /** The query as an operator would name it in a log line: "the sign-in query", "revokeTokens". */
  query: string;
  /** The Fauna role the key needs. */
  role: string;
  /** Where a valid key goes, with the doc that says how. */
  keyHome: string;
  /** The FSL file(s) in fauna/ that define the query, when one file does; pushing the schema again fixes a refusal. */
  schemaFiles?: string;
}

/** The sign-in's advice (the default). */
export const SIGN_IN_FAUNA_ADVICE: FaunaAdvice = {
  query: 'the sign-in query',
  role: 'pretokenTrigger',
  keyHome: 'the SSM parameter (see docs/deploy.md, "Setting up a new stage from zero")',
};

/**
 * Maps anything the Fauna driver throws to one of our error classes, by the driver's class and Fauna's error code
 * (never by message text). Fauna's own messages are not copied because they can quote query values (an email).
 */
export function mapFaunaError(error: unknown, advice: FaunaAdvice = SIGN_IN_FAUNA_ADVICE): CognitoFaunaError {
  if (error instanceof CognitoFaunaError) return error;
  const options = { cause: error };
  if (error instanceof AuthenticationError) {
    return new FaunaUnauthorizedError(
      `Fauna rejected the key (unauthorized). Store a valid key with the ${advice.role} role in ${advice.keyHome}.`,
      options,
    );
  }
  if (error instanceof ConstraintFailureError) {
    return new ConcurrentSignInError(
      'A unique constraint on Customer failed: a concurrent sign-in of the same user created or changed the identity first.',
      ConcurrencyConflict.constraintFailure,
      options,
    );
  }
  if (error instanceof ContendedTransactionError) {
    return new ConcurrentSignInError(
      'Fauna aborted the sign-in (contended_transaction): concurrent sign-ins of the same user changed the identity or its tokens, and Fauna\'s own retries ran out.',
      ConcurrencyConflict.contendedTransaction,
      options,
    );
  }
  if (error instanceof AbortError) {
    const code = (error.abort as { code?: unknown } | null)?.code;
    if (code === SignInAbortCode.identityConflict) {
      return new IdentityConflictError(
        'The verified email belongs to an identity bound to another Cognito user; refused. An operator can move the identity (npm run identity:move, see docs/security.md).',
        options,
      );
    }
    if (code === SignInAbortCode.invalidArgument) {
      return new SignInArgumentError('signIn refused its arguments (invalid_argument); the event passed validation, so this is a bug: report it.', options);
    }
  }
  if (
    error instanceof NetworkError ||
    error instanceof QueryTimeoutError ||
    error instanceof ServiceInternalError ||
    error instanceof ThrottlingError ||
    error instanceof ClientClosedError
  ) {
    const code = error instanceof ServiceError ? ` (${error.code})` : '';
    return new FaunaUnavailableError(`Fauna is unreachable or did not answer in time${code}. Check FAUNA_ENDPOINT and the database's health.`, options);
  }
  if (error instanceof AuthorizationError) {
    return new FaunaQueryError('Fauna refused the request (forbidden). Check the key\'s database and role.', error.code, options);
  }
  if (error instanceof ServiceError) {
    return new FaunaQueryError(
      `Fauna refused ${advice.query} (${error.code}). Push the schema in fauna/${advice.schemaFiles ? ` (${advice.schemaFiles})` : ''} and give the key the ${advice.role} role.`,
      error.code,
      options,
    );
  }
  if (error instanceof ProtocolError) {
    return new FaunaUnavailableError(`Fauna answered with something that is not Fauna's protocol (HTTP ${error.httpStatus}). Check FAUNA_ENDPOINT.`, options);
  }
  if (error instanceof FaunaError) return new FaunaQueryError(`Fauna failed ${advice.query} unexpectedly.`, undefined, options);
  return new UnexpectedError(options);
}

/** Any thrown value as one of our errors: ours as they are, everything else as an {@link UnexpectedError}. */
export function asCognitoFaunaError(error: unknown): CognitoFaunaError {
  return error instanceof CognitoFaunaError ? error : new UnexpectedError({ cause: error });
}

/** What a log line may say about an error: names, our message and Fauna's code, never the cause's text or values. */
export interface ErrorSummary {
  name: string;
  message: string;
  source?: FailureSource;
  code?: string;
  cause?: string;
  /** The step a deadline cut off or skipped. */
  step?: string;
}

/** Summarises an error for a log line without copying text that could hold a secret or an email. */
export function summariseError(error: unknown): ErrorSummary {
  if (!(error instanceof Error)) return { name: typeof error, message: 'non-Error value thrown' };
  const summary: ErrorSummary = { name: error.name, message: error instanceof CognitoFaunaError ? error.message : '(not logged)' };
  if (error instanceof CognitoFaunaError) summary.source = error.source;
  const cause = error instanceof CognitoFaunaError ? error.cause : error;
  if (cause instanceof Error) {
    summary.cause = cause.name;
    if (cause instanceof ServiceError) summary.code = cause.code;
  }
  if (error instanceof FaunaQueryError && error.code) summary.code = error.code;
  if (error instanceof DeadlineExceededError) summary.step = error.step;
  return summary;
}
