/**
 * The definition documents of schema items, as `Collection.byName()`, `Role.byName()`, `Function.byName()` and
 * `Database.byName()` show them (shared by the schema modules and the schema writes).
 */
import { moduleFor } from '../documents.ts';
import type { Ctx } from '../context.ts';
import { FqlTime, isPlainObject } from '../../values/values.ts';
import type { Plain, SchemaModule } from '../../fsl/render.ts';
import { extrasFor } from '../definition-extras.ts';
import type { FqlObject, NamedRef, Value } from '../../values/values.ts';
import { databaseFields } from './database.ts';
import type { MigrationItem, MigrationPath } from '../../schema/model.ts';
import { meterDocumentRead } from '../metering.ts';

function fieldPathText(path: string[]): string {
  return `.${path.join('.')}`;
}

/**
 * The definition document of a schema item, as `Collection.byName()` / `Role.byName()` / `Function.byName()` show it.
 * Reading it is a document read (metering.ts), unlike the schema a query merely uses.
 */
export function namedFields(ctx: Ctx, ref: NamedRef): FqlObject | null {
  const base = definitionFields(ctx, ref);
  const fields = base === null || ref.coll === 'Database' ? base : withExtras(ctx, ref.coll as SchemaModule, ref.name, base);
  meterDocumentRead(ctx.meter, ref.coll, ref.name, fields);
  return fields;
}

/** Integers of a plain definition object are FQL Ints again. */
function fromPlain(value: Plain): Value {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(fromPlain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromPlain(v)]));
  return value;
}

/** The definition with its `data` and, while its FSL is unchanged, the spelling it was written in (definition-extras.ts). */
function withExtras(ctx: Ctx, module: SchemaModule, name: string, fields: FqlObject): FqlObject {
  const extras = extrasFor(ctx.db, module, name);
  if (extras === null) return fields;
  const out: FqlObject = { ...fields };
  if (extras.data !== null) out.data = fromPlain(extras.data);
  const written = extras.written;
  if (written === null) return out;
  if (module === 'Function' && typeof written.body === 'string') out.body = written.body;
  if (module === 'Collection') {
    const writtenIndexes = written.indexes;
    if (writtenIndexes !== null && typeof writtenIndexes === 'object' && !Array.isArray(writtenIndexes) && isPlainObject(out.indexes ?? null)) {
      const indexes: FqlObject = { ...(out.indexes as FqlObject) };
      for (const [index, shown] of Object.entries(indexes)) {
        const spec = writtenIndexes[index];
        if (spec === null || typeof spec !== 'object' || Array.isArray(spec) || !isPlainObject(shown)) continue;
        const spelled: FqlObject = { ...shown };
        if (Array.isArray(spec.terms)) spelled.terms = fromPlain(spec.terms);
        else delete spelled.terms;
        if (Array.isArray(spec.values)) spelled.values = fromPlain(spec.values);
        else delete spelled.values;
        indexes[index] = spelled;
      }
      out.indexes = indexes;
    }
    if (Array.isArray(written.constraints)) {
      out.constraints = written.constraints.map((c) => {
        const constraint = fromPlain(c);
        if (!isPlainObject(constraint) || !Array.isArray(constraint.unique)) return constraint;
        // A field written `{ field: "name" }` (nothing else) reads back in the simple form `"name"`.
        const unique = constraint.unique.map((f) => (isPlainObject(f) && Object.keys(f).length === 1 && typeof f.field === 'string' ? f.field : f));
        return { ...constraint, unique, status: 'active' };
      });
    }
  }
  return out;
}

function definitionFields(ctx: Ctx, ref: NamedRef): FqlObject | null {
  if (ref.coll === 'Database') return databaseFields(ctx, ref.name);
  const schema = ctx.db.schema;
  const base = { name: ref.name, coll: moduleFor(ref.coll, false), ts: FqlTime.fromMicros(schema.version) };
  if (ref.coll === 'Collection') {
    const def = schema.collections.get(ref.name);
    if (!def) return null;
    const indexes: FqlObject = {};
    for (const [name, idx] of Object.entries(def.indexes)) {
      indexes[name] = {
        terms: idx.terms.map((t) => ({ field: fieldPathText(t.path), mva: t.mva })),
        values: idx.values.map((v) => ({ field: fieldPathText(v.path), order: v.order, mva: v.mva })),
        queryable: true,
        status: 'complete',
      };
    }
    const constraints: Value[] = [
      ...def.uniques.map((u) => ({ unique: u.fields.map((f) => ({ field: fieldPathText(f.path), mva: f.mva })), status: 'active' })),
      ...def.checks.map((c) => ({ check: { name: c.name, body: c.predicate.source } })),
    ];
    const fields: FqlObject = {};
    for (const f of def.fields) fields[f.name] = f.default ? { signature: f.type, default: f.default.source } : { signature: f.type };
    const out: FqlObject = { ...base, indexes, constraints, history_days: BigInt(def.historyDays ?? 0) };
    if (def.fields.length > 0) out.fields = fields;
    if (def.wildcard !== null) out.wildcard = def.wildcard;
    if (def.computed.length > 0) {
      out.computed_fields = Object.fromEntries(def.computed.map((c): [string, FqlObject] => [c.name, c.type ? { body: c.fn.source, signature: c.type } : { body: c.fn.source }]));
    }
    if (def.documentTtls !== null) out.document_ttls = def.documentTtls;
    if (def.ttlDays !== null) out.ttl_days = BigInt(def.ttlDays);
    if (def.alias) out.alias = def.alias;
    if (def.migrations && def.migrations.length > 0) out.migrations = def.migrations.map(migrationDefinition);
    return out;
  }
  if (ref.coll === 'Role') {
    const def = schema.roles.get(ref.name);
    if (!def) return null;
    return {
      ...base,
      membership: def.membership.map((m): FqlObject => (m.predicate ? { resource: m.collection, predicate: m.predicate.source } : { resource: m.collection })),
      privileges: def.privileges.map((p) => ({
        resource: p.resource,
        actions: Object.fromEntries(Object.entries(p.actions).map(([k, v]) => [k, v === true ? true : v!.source])),
      })),
    };
  }
  if (ref.coll === 'Function') {
    const def = schema.functions.get(ref.name);
    if (!def) return null;
    const out: FqlObject = { ...base, body: `(${def.params.map((p) => p.name).join(', ')}) => ${def.bodySource}` };
    if (def.role) out.role = def.role;
    return out;
  }
  return null;
}

/** A migration statement as a definition document shows it (CORE: FQL2MigrationValidatorSpec "schema converts to model"). */
function migrationDefinition(m: MigrationItem): FqlObject {
  const path = (p: MigrationPath) => p.elems.map((e) => `.${e}`).join('');
  switch (m.kind) {
    case 'add': case 'drop': return { [m.kind]: { field: path(m.field) } };
    case 'move': return { move: { field: path(m.field), to: path(m.to) } };
    case 'split': return { split: { field: path(m.field), to: m.to.map(path) } };
    case 'backfill': return { backfill: { field: path(m.field), value: m.value.source } };
    case 'move_conflicts': case 'move_wildcard': return { [m.kind]: { into: path(m.into) } };
    case 'add_wildcard': return { add_wildcard: {} };
  }
}
