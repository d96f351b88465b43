/**
 * The guide's `signin.js` ("Test user access"), in TypeScript: sign a user in to a Cognito user pool with
 * amazon-cognito-identity-js and get the session whose ID token carries the Fauna secret.
 *
 * Two differences from the guide, both for local Cognito emulators (cognito-local): the pool data may name an
 * `endpoint`, and the flow may be `USER_PASSWORD_AUTH` (cognito-local has no SRP; the app client must allow
 * `ALLOW_USER_PASSWORD_AUTH`). Against AWS leave both out and the SDK uses SRP, as in the guide.
 */
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from 'amazon-cognito-identity-js';
import type { CognitoUserSession } from 'amazon-cognito-identity-js';
import { DEFAULT_SECRET_CLAIM_NAME, DEFAULT_USER_ID_CLAIM_NAME } from '../lib/common/config.ts';

/** The claim names the trigger writes by default (see the configuration table in the README). */
export const FAUNA_SECRET_CLAIM = DEFAULT_SECRET_CLAIM_NAME;
export const USER_ID_CLAIM = DEFAULT_USER_ID_CLAIM_NAME;

export type AuthenticationFlow = 'USER_SRP_AUTH' | 'USER_PASSWORD_AUTH';

export interface SignInConfig {
  userPoolId: string;
  clientId: string;
  /** Cognito's URL, e.g. cognito-local's `http://127.0.0.1:9229/`; omit for AWS. */
  endpoint?: string;
  /** Default `USER_SRP_AUTH` (the SDK's default, what the guide uses). */
  authenticationFlow?: AuthenticationFlow;
}

export interface Credentials {
  username: string;
  password: string;
}

/** A signed-in user: the session (tokens) and the CognitoUser that can refresh it. */
export interface SignedIn {
  user: CognitoUser;
  session: CognitoUserSession;
}

/** Cognito refused the sign-in; `cause` is its error (e.g. `NotAuthorizedException`, `UserLambdaValidationException`). */
export class SignInError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SignInError';
  }
}

/** The user still has a temporary password: an administrator must set a permanent one (or the app asks for one). */
export class NewPasswordRequiredError extends Error {
  constructor(username: string) {
    super(`${username} must set a new password before signing in (the account has a temporary password).`);
    this.name = 'NewPasswordRequiredError';
  }
}

/**
 * Signs a user in, as the guide's `signin.js` does, and resolves with the session instead of logging it.
 *
 * @throws {SignInError} when Cognito refuses (wrong password, or the Pre Token Generation trigger failed).
 * @throws {NewPasswordRequiredError} when the user's password is temporary.
 * @example
 * const { session } = await signIn({ userPoolId, clientId }, { username: 'ada@example.com', password });
 * const secret = session.getIdToken().decodePayload()[FAUNA_SECRET_CLAIM];
 */
export function signIn(config: SignInConfig, credentials: Credentials): Promise<SignedIn> {
  const userPool = new CognitoUserPool({
    UserPoolId: config.userPoolId,
    ClientId: config.clientId,
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
  });
  const cognitoUser = new CognitoUser({ Username: credentials.username, Pool: userPool });
  if (config.authenticationFlow !== undefined) cognitoUser.setAuthenticationFlowType(config.authenticationFlow);
  const authenticationDetails = new AuthenticationDetails({ Username: credentials.username, Password: credentials.password });

  return new Promise((resolve, reject) => {
    cognitoUser.authenticateUser(authenticationDetails, {
      onSuccess: (session) => resolve({ user: cognitoUser, session }),
      onFailure: (error: unknown) => reject(new SignInError(`Cognito refused to sign in ${credentials.username}: ${messageOf(error)}`, { cause: error })),
      newPasswordRequired: () => reject(new NewPasswordRequiredError(credentials.username)),
    });
  });
}

/**
 * Refreshes the session with its refresh token (Cognito runs the trigger again, `TokenGeneration_RefreshTokens`,
 * so the new ID token carries a newly minted Fauna secret).
 *
 * @throws {SignInError} when Cognito refuses the refresh token.
 */
export function refreshSession(signedIn: SignedIn): Promise<CognitoUserSession> {
  return new Promise((resolve, reject) => {
    signedIn.user.refreshSession(signedIn.session.getRefreshToken(), (error: unknown, session: CognitoUserSession | null) => {
      if (error || !session) reject(new SignInError(`Cognito refused to refresh the session: ${messageOf(error)}`, { cause: error }));
      else resolve(session);
    });
  });
}

/** The ID token's payload (decoded, not verified: a client trusts the TLS connection it got the token over). */
export function idTokenClaims(session: CognitoUserSession): Record<string, unknown> {
  return session.getIdToken().decodePayload();
}

/**
 * The Fauna secret from the ID token's `fauna_token_secret` claim.
 *
 * @throws {Error} when the claim is missing (the trigger is not attached, or fails open).
 */
export function faunaSecretOf(session: CognitoUserSession, claimName: string = FAUNA_SECRET_CLAIM): string {
  const secret = idTokenClaims(session)[claimName];
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new Error(`The ID token has no "${claimName}" claim: is the Pre Token Generation trigger attached to the pool?`);
  }
  return secret;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
