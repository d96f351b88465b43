/**
 * The jest side of `sign-in-worker.ts`: signs users in and refreshes their sessions in the worker thread and hands
 * back `CognitoUserSession` objects built from the tokens, so tests use the examples' helpers on them as usual.
 */
import { Worker } from 'node:worker_threads';
import { CognitoAccessToken, CognitoIdToken, CognitoRefreshToken, CognitoUserSession } from 'amazon-cognito-identity-js';
import type { Credentials, SignInConfig } from '../../../examples/signin.ts';
import type { SessionTokens, WorkerRequest, WorkerResponse } from './sign-in-worker.ts';

/** A session signed in by the worker; `handle` names the user there, for refreshes. */
export interface RemoteSignedIn {
  handle: number;
  session: CognitoUserSession;
}

type PendingRequest = { resolve: (response: WorkerResponse) => void; reject: (error: Error) => void };

/** Thrown when the worker's sign-in or refresh failed; `name` and `message` are those of the worker's error. */
export class RemoteSignInError extends Error {
  constructor(name: string, message: string) {
    super(`${name}: ${message}`);
    this.name = 'RemoteSignInError';
  }
}

export class SignInClient {
  readonly #worker = new Worker(new URL('./sign-in-worker.ts', import.meta.url));
  readonly #pending = new Map<number, PendingRequest>();
  #nextId = 1;

  constructor() {
    this.#worker.on('message', (response: WorkerResponse) => {
      this.#pending.get(response.id)?.resolve(response);
      this.#pending.delete(response.id);
    });
    this.#worker.on('error', (error) => this.#failAll(error));
    this.#worker.on('exit', (code) => this.#failAll(new Error(`The sign-in worker exited (code ${code}).`)));
  }

  /** `signIn` of examples/signin.ts, run in the worker. */
  signIn(config: SignInConfig, credentials: Credentials): Promise<RemoteSignedIn> {
    return this.#send({ id: this.#nextId++, op: 'signIn', config, credentials });
  }

  /** `refreshSession` of examples/signin.ts for a user the worker signed in. */
  refresh(signedIn: RemoteSignedIn): Promise<RemoteSignedIn> {
    return this.#send({ id: this.#nextId++, op: 'refresh', handle: signedIn.handle });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  async #send(request: WorkerRequest): Promise<RemoteSignedIn> {
    const response = await new Promise<WorkerResponse>((resolve, reject) => {
      this.#pending.set(request.id, { resolve, reject });
      this.#worker.postMessage(request);
    });
    if ('error' in response) throw new RemoteSignInError(response.error.name, response.error.message);
    return { handle: response.result.handle, session: sessionOf(response.result.tokens) };
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

function sessionOf(tokens: SessionTokens): CognitoUserSession {
  return new CognitoUserSession({
    IdToken: new CognitoIdToken({ IdToken: tokens.idToken }),
    AccessToken: new CognitoAccessToken({ AccessToken: tokens.accessToken }),
    RefreshToken: new CognitoRefreshToken({ RefreshToken: tokens.refreshToken }),
  });
}
