/**
 * Runs the client side of the sign-in (`examples/signin.ts`) in a worker thread, outside jest's module sandbox.
 *
 * Why: amazon-cognito-identity-js builds an SRP helper on every sign-in (even for USER_PASSWORD_AUTH), a
 * 3072-bit modular exponentiation in plain JavaScript. Inside jest's VM context it takes 5 to 8 seconds instead of
 * about 0.1 s, and while it blocks the event loop, the keep-alive socket to cognito-local times out on the server
 * side, so the request that follows fails with "other side closed". A worker thread is plain Node.
 *
 * Protocol: `{ id, op: 'signIn', config, credentials }` or `{ id, op: 'refresh', handle }` in, `{ id, result }` or
 * `{ id, error }` out, where a result is `{ handle, tokens }`.
 */
import { parentPort } from 'node:worker_threads';
import type { CognitoUserSession } from 'amazon-cognito-identity-js';
import { refreshSession, signIn } from '../../../examples/signin.ts';
import type { Credentials, SignedIn, SignInConfig } from '../../../examples/signin.ts';

export interface SessionTokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

export type WorkerRequest =
  | { id: number; op: 'signIn'; config: SignInConfig; credentials: Credentials }
  | { id: number; op: 'refresh'; handle: number };

export type WorkerResponse =
  | { id: number; result: { handle: number; tokens: SessionTokens } }
  | { id: number; error: { name: string; message: string } };

const signedInUsers = new Map<number, SignedIn>();
let nextHandle = 1;

function tokensOf(session: CognitoUserSession): SessionTokens {
  return {
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken(),
  };
}

async function handle(request: WorkerRequest): Promise<{ handle: number; tokens: SessionTokens }> {
  if (request.op === 'signIn') {
    const signedIn = await signIn(request.config, request.credentials);
    const userHandle = nextHandle++;
    signedInUsers.set(userHandle, signedIn);
    return { handle: userHandle, tokens: tokensOf(signedIn.session) };
  }
  const signedIn = signedInUsers.get(request.handle);
  if (signedIn === undefined) throw new Error(`No signed-in user with handle ${request.handle}.`);
  const session = await refreshSession(signedIn);
  signedInUsers.set(request.handle, { user: signedIn.user, session });
  return { handle: request.handle, tokens: tokensOf(session) };
}

parentPort?.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (result) => parentPort?.postMessage({ id: request.id, result } satisfies WorkerResponse),
    (error: unknown) => {
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      parentPort?.postMessage({ id: request.id, error: { name, message } } satisfies WorkerResponse);
    },
  );
});
