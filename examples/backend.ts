/**
 * A small backend that acts for the signed-in user: `GET /products` with `Authorization: Bearer <ID token>`. It
 * verifies the token (verify-id-token.ts) before it uses the token's `fauna_token_secret`, then queries Fauna with
 * that secret, so Fauna applies the user's own role. An unverified token gets 401 and never reaches Fauna.
 *
 * @example
 * const server = createBackend({ verifier: cognitoIdTokenVerifier({ userPoolId, clientId }), faunaEndpoint });
 * server.listen(8080);
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { faunaClientForUser, readProducts } from './query-as-user.ts';
import { IdTokenRejectedError, type IdTokenVerifier, trustedFaunaSecret } from './verify-id-token.ts';

export interface BackendOptions {
  verifier: IdTokenVerifier;
  faunaEndpoint: string;
  /** Told why a token was refused (the answer itself says only "invalid_token"). */
  onRejected?: (error: IdTokenRejectedError) => void;
}

export function createBackend(options: BackendOptions): Server {
  return createServer((request, response) => {
    handle(request, response, options).catch(() => send(response, 500, { error: 'internal_error' }));
  });
}

async function handle(request: IncomingMessage, response: ServerResponse, options: BackendOptions): Promise<void> {
  if (request.method !== 'GET' || request.url !== '/products') return send(response, 404, { error: 'not_found' });
  const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (!token) return send(response, 401, { error: 'missing_token' });
  let secret: string;
  try {
    ({ secret } = await trustedFaunaSecret(token, options.verifier));
  } catch (error) {
    if (!(error instanceof IdTokenRejectedError)) throw error;
    options.onRejected?.(error);
    return send(response, 401, { error: 'invalid_token' });
  }
  const client = faunaClientForUser(secret, options.faunaEndpoint);
  try {
    send(response, 200, { products: await readProducts(client) });
  } finally {
    client.close();
  }
}

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json', ...(status === 401 && { 'www-authenticate': 'Bearer' }) });
  response.end(JSON.stringify(body));
}
