/**
 * The one namespace collections and functions share, as the core checks it when an FQL write names or aliases an
 * item: a name or alias may not be another item's, and a collection's derived types may not meet another's.
 */
import type { Span } from '../../fql/ast.ts';
import type { SchemaModule } from '../../fsl/render.ts';
import { derivedTypeNames } from '../../schema/names.ts';
import type { Ctx } from '../context.ts';
import { QueryFailure } from '../errors.ts';

/**
 * The core's message when `name` (a new name or alias) is taken: collections and functions share one namespace of
 * names and aliases, checked in this order (CORE: GlobalNamespaceValidator `evalDynamicEnvironmentConflicts`).
 * The item being written (`self`) does not conflict with itself.
 */
export function nameTaken(ctx: Ctx, module: SchemaModule, name: string, self: string | null): string | null {
  const schema = ctx.db.schema;
  if (module === 'Role') return name !== self && schema.roles.has(name) ? `A Role already exists with the name \`${name}\`` : null;
  const others = <T extends { name: string; alias: string | null }>(items: Iterable<T>, kind: SchemaModule) => [...items].filter((i) => !(kind === module && i.name === self));
  const collections = others(schema.collections.values(), 'Collection');
  const functions = others(schema.functions.values(), 'Function');
  if (collections.some((c) => c.name === name)) return `A Collection already exists with the name \`${name}\``;
  if (collections.some((c) => c.alias === name)) return `A Collection already exists with the alias \`${name}\``;
  if (functions.some((f) => f.name === name)) return `A Function already exists with the name \`${name}\``;
  if (functions.some((f) => f.alias === name)) return `A Function already exists with the alias \`${name}\``;
  return null;
}

/**
 * The core's refusal of a collection name or alias whose derived types collide with another collection's
 * (CORE: [`schema/CollectionDerivedTypeValidator.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/schema/CollectionDerivedTypeValidator.scala);
 * FQL2NameValidationSpec "type environment"). `invalid_schema`, as a schema update the core refuses.
 */
export function derivedTypeConflict(ctx: Ctx, field: 'name' | 'alias', value: string, self: string | null, span: Span): QueryFailure | null {
  const existing = new Set<string>();
  for (const coll of ctx.db.schema.collections.values()) {
    if (coll.name === self) continue;
    for (const n of [coll.name, coll.alias]) if (n !== null) for (const t of derivedTypeNames(n)) existing.add(t);
  }
  const conflicts = derivedTypeNames(value).filter((t) => existing.has(t));
  if (conflicts.length === 0) return null;
  return new QueryFailure(
    'invalid_schema',
    `Invalid database schema update.\n    error: The collection ${field} \`${value}\` generates types that conflict with the following existing types: ${conflicts.join(', ')}`,
    { span },
  );
}
