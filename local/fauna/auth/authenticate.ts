/**
 * Secret → principal (fauna-protocol.md §7, CORE: auth/AuthScope.scala): the root secret (optionally scoped
 * `secret:role` / `secret::role` / `secret:@role/Name`), keys and tokens. Expired, deleted or unknown secrets give null;
 * a token whose identity document is gone gives null too.
 */
import type { Principal } from '../engine/api.ts';
import type { Schema } from '../engine/schema.ts';
import { DocRef } from '../engine/values.ts';
import type { Store, StoredDoc } from '../storage/store.ts';
import { isBuiltinRole } from './permissions.ts';
import { hashSecret, parseSecret } from './secrets.ts';

const CUSTOM_ROLE_PREFIX = '@role/';

export interface AuthState {
  store: Store;
  schema: Schema;
  rootSecret: string;
  nowMicros: bigint;
}

function live(doc: StoredDoc | undefined, nowMicros: bigint): doc is StoredDoc {
  return doc !== undefined && (doc.ttl === null || doc.ttl.epochNanos > nowMicros * 1000n);
}

/** The role a scoped root secret names, or null when the scope is not one the emulator can honour. */
function scopedRole(scope: string[], schema: Schema): string | null {
  // `secret:role` or `secret:<database>:role`; the emulator has only the root database.
  if (scope.length > 2 || (scope.length === 2 && scope[0] !== '')) return null;
  const role = scope[scope.length - 1]!;
  if (isBuiltinRole(role)) return role;
  if (role.startsWith(CUSTOM_ROLE_PREFIX) && schema.roles.has(role.slice(CUSTOM_ROLE_PREFIX.length))) return role.slice(CUSTOM_ROLE_PREFIX.length);
  return null;
}

/** Resolves a secret to a principal; null means 401. */
export function authenticateSecret(state: AuthState, secret: string): Principal | null {
  const [base, ...scope] = secret.split(':');
  if (base === state.rootSecret) {
    if (scope.length === 0) return { kind: 'root' };
    const role = scopedRole(scope, state.schema);
    return role === null ? null : { kind: 'root', role };
  }
  if (scope.length > 0) return null;
  const parsed = parseSecret(secret);
  if (!parsed) return null;
  const hash = hashSecret(secret);
  if (parsed.kind === 'key') {
    const doc = state.store.get('Key', parsed.id);
    if (!live(doc, state.nowMicros) || doc.secretHash !== hash) return null;
    return { kind: 'key', keyId: doc.id, role: String(doc.data.role) };
  }
  const doc = state.store.get('Token', parsed.id);
  if (!live(doc, state.nowMicros) || doc.secretHash !== hash) return null;
  const identity = doc.data.document;
  if (!(identity instanceof DocRef) || !live(state.store.get(identity.coll, identity.id), state.nowMicros)) return null;
  return { kind: 'token', tokenId: doc.id, identity: { coll: identity.coll, id: identity.id } };
}
