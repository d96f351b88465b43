/**
 * Fauna-looking secrets (PROTOCOL.md §7, core: AuthLike.scala): URL-safe base64 without padding of
 * `[0x7E, 0x70, keyId:int64, 20 random bytes]` for keys (40 chars, `fnA`–`fnD`) and
 * `[0x7E, 0x71, tokenId:int64, dbGlobalId:int64, 20 random bytes]` for tokens (51 chars, `fnE`–`fnH`).
 * Only a sha-256 hash of a secret is ever stored.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/auth/AuthLike.scala
 */
import { createHash, randomBytes } from 'node:crypto';

const MAGIC = 0x7e;
const KEY_MARK = 0x70;
const TOKEN_MARK = 0x71;
const RANDOM_BYTES = 20;

export type SecretKind = 'key' | 'token';

/** Mints a new key secret that carries the key document's id. */
export function mintKeySecret(keyId: string): string {
  const bytes = Buffer.alloc(2 + 8 + RANDOM_BYTES);
  bytes[0] = MAGIC;
  bytes[1] = KEY_MARK;
  bytes.writeBigInt64BE(BigInt(keyId), 2);
  randomBytes(RANDOM_BYTES).copy(bytes, 10);
  return bytes.toString('base64url');
}

/** Mints a new token secret that carries the token document's id and its database's global id. */
export function mintTokenSecret(tokenId: string, databaseGlobalId: bigint): string {
  const bytes = Buffer.alloc(2 + 8 + 8 + RANDOM_BYTES);
  bytes[0] = MAGIC;
  bytes[1] = TOKEN_MARK;
  bytes.writeBigInt64BE(BigInt(tokenId), 2);
  bytes.writeBigInt64BE(databaseGlobalId, 10);
  randomBytes(RANDOM_BYTES).copy(bytes, 18);
  return bytes.toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Reads the kind and document id out of a secret; null when it is not a well-formed key or token secret. */
export function parseSecret(secret: string): { kind: SecretKind; id: string; databaseGlobalId?: bigint } | null {
  if ((secret.length !== 40 && secret.length !== 51) || !BASE64URL.test(secret)) return null;
  const bytes = Buffer.from(secret, 'base64url');
  if (bytes[0] !== MAGIC) return null;
  if (bytes[1] === KEY_MARK && bytes.length === 30) return { kind: 'key', id: bytes.readBigInt64BE(2).toString() };
  if (bytes[1] === TOKEN_MARK && bytes.length === 38) return { kind: 'token', id: bytes.readBigInt64BE(2).toString(), databaseGlobalId: bytes.readBigInt64BE(10) };
  return null;
}

/** The stored form of a secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}
