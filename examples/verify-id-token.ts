/**
 * What a backend does before it trusts `fauna_token_secret`: verify the Cognito ID token with `aws-jwt-verify`
 * (AWS's library: signature against the pool's JWKS, issuer, audience = the app client, `token_use` = `id`, expiry;
 * JWKS fetched once and cached, fetched again for an unknown key id). Only a verified token's claim is used.
 */
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { CognitoIdTokenPayload, JwtPayload } from 'aws-jwt-verify/jwt-model';
import { DEFAULT_SECRET_CLAIM_NAME } from '../lib/common/config.ts';

/** Verifies an ID token and resolves with its payload, or rejects; both kinds of verifier below fit it. */
export interface IdTokenVerifier {
  verify(token: string): Promise<JwtPayload | CognitoIdTokenPayload>;
}

/** A token was refused (bad signature, wrong issuer or audience, expired, not an ID token) or lacks the claim. */
export class IdTokenRejectedError extends Error {
  override readonly name = 'IdTokenRejectedError';
}

/**
 * The verifier for a real Cognito user pool, as a backend on AWS creates it once at start-up.
 *
 * @example
 * const verifier = cognitoIdTokenVerifier({ userPoolId: 'eu-west-1_AbCdEf123', clientId: '1example23456789' });
 */
export function cognitoIdTokenVerifier(pool: { userPoolId: string; clientId: string }): IdTokenVerifier {
  return CognitoJwtVerifier.create({ userPoolId: pool.userPoolId, tokenUse: 'id', clientId: pool.clientId });
}

/**
 * The same checks for a pool of cognito-local (the local stack), whose issuer is `<its URL>/<pool id>` over plain
 * HTTP rather than `https://cognito-idp.<region>.amazonaws.com/<pool id>`: aws-jwt-verify's own fetcher speaks only
 * HTTPS, so the JWKS comes through `fetch`; everything else (key choice, caching, claims) is the library's.
 */
export function localIdTokenVerifier(pool: { issuer: string; clientId: string }): IdTokenVerifier {
  const jwksCache = new SimpleJwksCache({ fetcher: plainFetcher });
  return JwtVerifier.create(
    {
      issuer: pool.issuer,
      audience: pool.clientId,
      jwksUri: `${pool.issuer}/.well-known/jwks.json`,
      // CognitoJwtVerifier checks token_use itself; the generic verifier is told to.
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== 'id') throw new IdTokenRejectedError(`Expected an ID token, got token_use ${String(payload.token_use)}.`);
      },
    },
    { jwksCache },
  );
}

const plainFetcher: Fetcher = {
  async fetch(uri) {
    const response = await fetch(uri);
    if (!response.ok) throw new IdTokenRejectedError(`Fetching the JWKS at ${uri} answered HTTP ${response.status}.`);
    return response.arrayBuffer();
  },
};

/**
 * Verifies `idToken` and returns its Fauna secret claim; never returns a claim of an unverified token.
 *
 * @throws {IdTokenRejectedError} when verification fails (the library's error is the `cause`) or the claim is missing.
 */
export async function trustedFaunaSecret(idToken: string, verifier: IdTokenVerifier, claimName: string = DEFAULT_SECRET_CLAIM_NAME): Promise<{ secret: string; payload: JwtPayload }> {
  let payload: JwtPayload;
  try {
    payload = await verifier.verify(idToken);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new IdTokenRejectedError(`The ID token was refused (${reason}).`, { cause: error });
  }
  const secret = payload[claimName];
  if (typeof secret !== 'string' || secret === '') throw new IdTokenRejectedError(`The verified ID token has no "${claimName}" claim.`);
  return { secret, payload };
}
