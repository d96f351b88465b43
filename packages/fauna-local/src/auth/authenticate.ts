/**
 * Secret → principal (Fauna's authentication scopes: https://docs.fauna.com/fauna/current/learn/security/keys/ and
 * .../authentication/#scoped-keys): the root secret and admin keys, optionally scoped (`secret:role`,
 * `secret:<db>[/<child>…]:role`, `role` = admin | server | server-readonly | client | @role/Name), keys and tokens of any
 * database. A scope is honoured only for the root secret and admin keys, and only downwards. Expired, deleted or unknown
 * secrets give null; a token whose identity document is gone gives null too.
 */
import { allDatabases, databaseAt } from './databases.ts';
import type { Principal } from './principal.ts';
import { DocRef } from '../values/values.ts';
import type { Store, StoredDoc } from '../storage/store.ts';
import { BuiltinRole, isBuiltinRole } from './permissions.ts';
import { hashSecret, parseSecret } from './secrets.ts';

const CUSTOM_ROLE_PREFIX = '@role/';

/** What authentication reads of a database: its keys and tokens, its roles, its global id and its children. */
export interface AuthDatabase {
  readonly store: Pick<Store, 'get'>;
  readonly schema: { readonly roles: ReadonlyMap<string, unknown> };
  readonly globalId: bigint;
  readonly children: ReadonlyMap<string, AuthDatabase>;
}

export interface AuthState {
  root: AuthDatabase;
  rootSecret: string;
  nowMicros: bigint;
}

function live(doc: StoredDoc | undefined, nowMicros: bigint): doc is StoredDoc {
  return doc !== undefined && (doc.ttl === null || doc.ttl.epochNanos > nowMicros * 1000n);
}

/** A role name as a scope writes it, checked against the database's schema: the role, or null. */
function scopeRole(text: string, db: AuthDatabase): string | null {
  if (isBuiltinRole(text)) return text;
  if (text.startsWith(CUSTOM_ROLE_PREFIX) && db.schema.roles.has(text.slice(CUSTOM_ROLE_PREFIX.length))) return text.slice(CUSTOM_ROLE_PREFIX.length);
  return null;
}

/**
 * Applies a scope (`:role` or `:<db path>:role`, the path relative to `base`) to an admin credential of `base`.
 * Null when the scope names a database that does not exist or a role it does not have.
 */
function scoped(scope: string[], base: string[], root: AuthDatabase): { database: string[]; role: string } | null {
  if (scope.length === 0 || scope.length > 2) return null;
  const relative = scope.length === 2 && scope[0] !== '' ? scope[0]!.split('/') : [];
  if (relative.some((name) => name === '')) return null;
  const database = [...base, ...relative];
  const db = databaseAt(root, database);
  if (!db) return null;
  const role = scopeRole(scope[scope.length - 1]!, db);
  return role === null ? null : { database, role };
}

function withDatabase<P extends Principal>(principal: P, database: string[]): P {
  return database.length === 0 ? principal : { ...principal, database };
}

/** Resolves a secret to a principal; null means 401. */
export function authenticateSecret(state: AuthState, secret: string): Principal | null {
  const [base, ...scope] = secret.split(':');
  if (base === state.rootSecret) {
    if (scope.length === 0) return { kind: 'root' };
    const target = scoped(scope, [], state.root);
    return target === null ? null : withDatabase({ kind: 'root', role: target.role }, target.database);
  }
  const parsed = parseSecret(base!);
  if (!parsed) return null;
  const hash = hashSecret(base!);
  if (parsed.kind === 'key') {
    for (const [db, path] of allDatabases(state.root)) {
      const doc = db.store.get('Key', parsed.id);
      if (doc === undefined) continue;
      if (!live(doc, state.nowMicros) || doc.secretHash !== hash) return null;
      const role = String(doc.data.role);
      // A key made with `database: "child"` works in that child database of the key's own database.
      const keyDatabase = typeof doc.data.database === 'string' ? [...path, ...doc.data.database.split('/')] : path;
      if (!databaseAt(state.root, keyDatabase)) return null;
      if (scope.length === 0) return withDatabase({ kind: 'key', keyId: doc.id, role }, keyDatabase);
      if (role !== BuiltinRole.admin) return null;
      const target = scoped(scope, keyDatabase, state.root);
      return target === null ? null : withDatabase({ kind: 'key', keyId: doc.id, role: target.role }, target.database);
    }
    return null;
  }
  if (scope.length > 0) return null;
  for (const [db, path] of allDatabases(state.root)) {
    if (db.globalId !== parsed.databaseGlobalId) continue;
    const doc = db.store.get('Token', parsed.id);
    if (!live(doc, state.nowMicros) || doc.secretHash !== hash) return null;
    const identity = doc.data.document;
    if (!(identity instanceof DocRef) || !live(db.store.get(identity.coll, identity.id), state.nowMicros)) return null;
    return withDatabase({ kind: 'token', tokenId: doc.id, identity: { coll: identity.coll, id: identity.id } }, path);
  }
  return null;
}
