/**
 * Decoding a JWT and verifying its RS256 signature against the issuer's published JSON Web Key Set, with
 * nothing but `node:crypto`: what a backend does before it trusts an ID token.
 */
import { createPublicKey, verify } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { TokenVerificationError } from './errors.ts';

export interface DecodedJwt {
  header: { alg?: string; kid?: string; [name: string]: unknown };
  payload: Record<string, unknown>;
}

/**
 * Decodes a JWT's header and payload without checking anything.
 *
 * @throws {TokenVerificationError} when the token is not three base64url parts of JSON.
 */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenVerificationError(`A JWT has 3 dot-separated parts; this one has ${parts.length}.`);
  try {
    return { header: parseJsonPart(parts[0] ?? ''), payload: parseJsonPart(parts[1] ?? '') };
  } catch (error) {
    throw new TokenVerificationError('The JWT header or payload is not base64url-encoded JSON.', { cause: error });
  }
}

/**
 * Verifies an RS256 JWT's signature with the key from `jwksUrl` whose `kid` matches the token's.
 *
 * @returns the verified payload.
 * @throws {TokenVerificationError} when the algorithm is not RS256, no key matches, or the signature is wrong.
 * @example
 * const payload = await verifyJwtSignature(idToken, `${cognitoUrl}/${userPoolId}/.well-known/jwks.json`);
 */
export async function verifyJwtSignature(token: string, jwksUrl: string): Promise<Record<string, unknown>> {
  const { header, payload } = decodeJwt(token);
  if (header.alg !== 'RS256') throw new TokenVerificationError(`Expected an RS256 token, got alg ${String(header.alg)}.`);
  const jwk = (await fetchJwks(jwksUrl)).find((key) => key.kid === header.kid);
  if (!jwk) throw new TokenVerificationError(`No key with kid "${String(header.kid)}" in ${jwksUrl}.`);
  const [encodedHeader, encodedPayload, signature] = token.split('.');
  const signed = Buffer.from(`${encodedHeader}.${encodedPayload}`);
  const valid = verify('RSA-SHA256', signed, createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature ?? '', 'base64url'));
  if (!valid) throw new TokenVerificationError(`The token's signature does not match key "${jwk.kid}" of ${jwksUrl}.`);
  return payload;
}

async function fetchJwks(jwksUrl: string): Promise<(JsonWebKey & { kid?: string })[]> {
  const response = await fetch(jwksUrl);
  if (!response.ok) throw new TokenVerificationError(`Fetching ${jwksUrl} answered HTTP ${response.status}.`);
  const body = (await response.json()) as { keys?: (JsonWebKey & { kid?: string })[] };
  return body.keys ?? [];
}

function parseJsonPart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
