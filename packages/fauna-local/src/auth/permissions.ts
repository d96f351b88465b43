/**
 * Privileges (PROTOCOL.md §7, core: Permissions.scala): built-in roles, user-defined roles with predicates,
 * and the union of roles a token's identity document is a member of.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/auth/Permissions.scala
 */
import type { LambdaSource, PrivilegeAction, RoleDef } from '../schema/model.ts';

export const BuiltinRole = {
  admin: 'admin',
  server: 'server',
  serverReadonly: 'server-readonly',
  client: 'client',
} as const;
export type BuiltinRole = (typeof BuiltinRole)[keyof typeof BuiltinRole];

const BUILTIN_ROLES: ReadonlySet<string> = new Set(Object.values(BuiltinRole));

export function isBuiltinRole(name: string): name is BuiltinRole {
  return BUILTIN_ROLES.has(name);
}

/** What the current caller may do. `roles` covers custom-role keys, tokens and `client` (no roles). */
export type Access =
  | { kind: 'admin' }
  | { kind: 'server' }
  | { kind: 'server-readonly' }
  | { kind: 'roles'; roles: readonly RoleDef[] };

export const ADMIN_ACCESS: Access = { kind: 'admin' };
export const SERVER_ACCESS: Access = { kind: 'server' };

/** Resources a `server` key cannot touch (keys, roles, databases, access providers). */
const ADMIN_ONLY_RESOURCES: ReadonlySet<string> = new Set(['Key', 'Role', 'Database', 'AccessProvider']);

/** Evaluates a privilege predicate with the given arguments; true only for a literal `true` result. */
export type PredicateRunner = (predicate: LambdaSource, args: unknown[]) => boolean;

/** Access for a built-in role name or a custom role; null when the role does not exist. */
export function accessForRole(role: string, findRole: (name: string) => RoleDef | undefined): Access | null {
  switch (role) {
    case BuiltinRole.admin: return ADMIN_ACCESS;
    case BuiltinRole.server: return SERVER_ACCESS;
    case BuiltinRole.serverReadonly: return { kind: 'server-readonly' };
    case BuiltinRole.client: return { kind: 'roles', roles: [] };
  }
  const def = findRole(role);
  return def ? { kind: 'roles', roles: [def] } : null;
}

/**
 * Whether `access` allows `action` on `resource` (a collection, `Token`, `Key`, or a function name).
 * Predicates run through `runPredicate` with `args` (read: doc; write: old, new; create: new; delete: doc; call: args).
 */
export function isAllowed(access: Access, resource: string, action: PrivilegeAction, args: unknown[], runPredicate: PredicateRunner): boolean {
  switch (access.kind) {
    case 'admin': return true;
    case 'server': return !ADMIN_ONLY_RESOURCES.has(resource);
    case 'server-readonly': return !ADMIN_ONLY_RESOURCES.has(resource) && (action === 'read' || action === 'call');
    case 'roles':
      for (const role of access.roles) {
        for (const privilege of role.privileges) {
          if (privilege.resource !== resource) continue;
          const grant = privilege.actions[action];
          if (grant === true) return true;
          if (grant && runPredicate(grant, args)) return true;
        }
      }
      return false;
  }
}

/** Whether `access` has `action` on `resource` at all (granted or by predicate), without evaluating predicates. */
export function mayEver(access: Access, resource: string, action: PrivilegeAction): boolean {
  switch (access.kind) {
    case 'admin': return true;
    case 'server': return !ADMIN_ONLY_RESOURCES.has(resource);
    case 'server-readonly': return !ADMIN_ONLY_RESOURCES.has(resource) && (action === 'read' || action === 'call');
    case 'roles': return access.roles.some((r) => r.privileges.some((p) => p.resource === resource && p.actions[action] !== undefined));
  }
}

/** Whether privilege checks can be skipped entirely (admin and server on non-admin resources). */
export function isPrivileged(access: Access): boolean {
  return access.kind === 'admin' || access.kind === 'server';
}

/**
 * The roles whose membership admits a document of `collection`; `admits` evaluates a membership predicate
 * (with server privileges) against the identity document.
 */
export function rolesForIdentity(roles: Iterable<RoleDef>, collection: string, admits: (predicate: LambdaSource) => boolean): RoleDef[] {
  const out: RoleDef[] = [];
  for (const role of roles) {
    const entry = role.membership.find((m) => m.collection === collection && (m.predicate === null || admits(m.predicate)));
    if (entry) out.push(role);
  }
  return out;
}
