/**
 * Pure checks and descriptions of a schema change: cross-item validation the FSL parser cannot do, and the textual
 * diff answered by `/schema/1/diff`.
 */
import { derivedTypeConflict, namespaceConflict } from '../schema/names.ts';
import { isBuiltinRole } from '../auth/permissions.ts';
import type { SchemaItems } from '../schema/model.ts';

/**
 * Cross-item checks the FSL parser cannot make: function roles and role resources must exist. Indexes and unique
 * constraints over computed fields are refused, because storage indexes stored fields only and would answer wrongly.
 */
export function validateItems(items: SchemaItems): string | null {
  // A collection's derived types (X, XCollection, NullX) may not meet another's (schema/names.ts).
  const typeConflict = derivedTypeConflict(items.collections);
  if (typeConflict !== null) return `error: ${typeConflict}`;
  // Collections and functions share one namespace of names and aliases.
  const nameConflict = namespaceConflict(items);
  if (nameConflict !== null) return `error: ${nameConflict}`;
  for (const coll of items.collections) {
    const computed = new Set(coll.computed.map((c) => c.name));
    const paths = [
      ...Object.values(coll.indexes).flatMap((i) => [...i.terms.map((t) => t.path), ...i.values.map((v) => v.path)]),
      ...coll.uniques.flatMap((u) => u.fields.map((f) => f.path)),
    ];
    const onComputed = paths.find((p) => computed.has(p[0]!));
    if (onComputed) {
      return `error: Collection \`${coll.name}\` indexes the computed field \`${onComputed.join('.')}\`; indexes and unique constraints over computed fields are not supported by the local Fauna emulator.`;
    }
  }
  const roles = new Set(items.roles.map((r) => r.name));
  const collections = new Set(items.collections.map((c) => c.name));
  const functions = new Set(items.functions.map((f) => f.name));
  for (const fn of items.functions) {
    if (fn.role && !isBuiltinRole(fn.role) && !roles.has(fn.role)) {
      return `error: Function \`${fn.name}\` runs as role \`${fn.role}\`, which is not defined.`;
    }
  }
  for (const role of items.roles) {
    for (const m of role.membership) {
      if (!collections.has(m.collection)) return `error: Role \`${role.name}\` has membership in \`${m.collection}\`, which is not a collection.`;
    }
    for (const p of role.privileges) {
      if (!collections.has(p.resource) && !functions.has(p.resource) && !['Token', 'Key', 'Credential', 'Collection', 'Role', 'Function'].includes(p.resource)) {
        return `error: Role \`${role.name}\` has privileges on \`${p.resource}\`, which does not exist.`;
      }
    }
  }
  return null;
}

/** A textual summary of what an update would change, in the spirit of Fauna's `format=summary` diff. */
export function describeDiff(before: SchemaItems, after: SchemaItems): string {
  const lines: string[] = [];
  const kinds: [string, { name: string }[], { name: string }[]][] = [
    ['collection', before.collections, after.collections],
    ['role', before.roles, after.roles],
    ['function', before.functions, after.functions],
  ];
  for (const [kind, old, next] of kinds) {
    const oldByName = new Map(old.map((i) => [i.name, i]));
    const nextByName = new Map(next.map((i) => [i.name, i]));
    for (const [name, item] of nextByName) {
      const prior = oldByName.get(name);
      if (!prior) lines.push(`* Adding ${kind} \`${name}\``);
      else if (JSON.stringify(stripExprs(prior)) !== JSON.stringify(stripExprs(item))) lines.push(`* Modifying ${kind} \`${name}\``);
    }
    for (const name of oldByName.keys()) if (!nextByName.has(name)) lines.push(`* Removing ${kind} \`${name}\``);
  }
  // The core answers an empty diff when nothing changes.
  return lines.join('\n');
}

function stripExprs(item: unknown): unknown {
  return JSON.parse(JSON.stringify(item, (key, value: unknown) => (key === 'expr' || key === 'body' || key === 'span' ? undefined : typeof value === 'bigint' ? value.toString() : value)));
}
