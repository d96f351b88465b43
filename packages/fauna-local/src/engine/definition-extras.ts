/**
 * What a definition written in FQL holds beyond its FSL: its `data` object, and the spelling it was written in
 * (a function's `body` as given, index terms and values as `{ field: "name" }` without an `mva` nobody wrote, unique
 * constraints in the simple `["name"]` form). The core stores the definition document itself and derives the FSL, so
 * it answers both back as written (CORE: FQL2CollectionsSpec "accepts an optional `data` field for arbitrary metadata
 * object", "accepts and correctly renders indexes field", "unique constraints can be provided and are returned back";
 * FQL2UserFunctionSpec "create a function", "has a data field for custom object metadata").
 *
 * The emulator keeps them as records of an internal collection of the database's store, so they are undone with the
 * query that wrote them and persisted with the documents. The spelling is used only while the item's FSL is still
 * what the FQL write made of it (a fingerprint of the parsed item); once a schema push changes the item, the
 * definition reads back in the FSL's terms. `data` stays with the item until it is deleted.
 */
import type { Plain, PlainObject, SchemaModule } from '../fsl/render.ts';
import type { CollectionDef, FunctionDef } from '../schema/model.ts';
import type { Database } from './context.ts';

/** Not a name any collection can have (names are identifiers), so it never meets a user collection. */
export const DEFINITION_EXTRAS_COLLECTION = '#definition-extras';

interface Extras {
  /** The definition's `data`, or null. */
  data: Plain;
  /** The definition as the query wrote it (merged with the current one for an update). */
  written: PlainObject;
  /** The parsed item's fingerprint when it was written. */
  fingerprint: string;
}

function key(module: SchemaModule, name: string): string {
  return `${module}:${name}`;
}

/** The parts of a parsed item the spelling stands for: when they change, the spelling no longer applies. */
export function fingerprint(db: Database, module: SchemaModule, name: string): string | null {
  const schema = db.schema;
  if (module === 'Collection') {
    const def: CollectionDef | undefined = schema.collections.get(name);
    return def ? JSON.stringify([def.indexes, def.uniques]) : null;
  }
  if (module === 'Function') {
    const def: FunctionDef | undefined = schema.functions.get(name);
    return def ? JSON.stringify([def.params, def.bodySource]) : null;
  }
  return schema.roles.has(name) ? 'role' : null;
}

/** Records what an FQL write of an item holds beyond its FSL (inside the query's transaction). */
export function recordExtras(db: Database, module: SchemaModule, oldName: string | null, name: string | null, def: PlainObject | null): void {
  if (oldName !== null && oldName !== name) db.store.put(DEFINITION_EXTRAS_COLLECTION, key(module, oldName), null);
  if (name === null || def === null) return;
  const print = fingerprint(db, module, name);
  if (print === null) return;
  const extras: Extras = { data: def.data ?? null, written: def, fingerprint: print };
  db.store.put(DEFINITION_EXTRAS_COLLECTION, key(module, name), { id: key(module, name), ts: 0n, ttl: null, data: { extras: JSON.stringify(extras) } });
}

/** Drops an item's record (the item was deleted). */
export function dropExtras(db: Database, module: SchemaModule, name: string): void {
  if (db.store.get(DEFINITION_EXTRAS_COLLECTION, key(module, name))) db.store.put(DEFINITION_EXTRAS_COLLECTION, key(module, name), null);
}

function readExtras(db: Database, module: SchemaModule, name: string): Extras | null {
  const record = db.store.get(DEFINITION_EXTRAS_COLLECTION, key(module, name));
  return record && typeof record.data.extras === 'string' ? (JSON.parse(record.data.extras) as Extras) : null;
}

/** The `data` and the written spelling of an item, for its definition document. */
export function extrasFor(db: Database, module: SchemaModule, name: string): { data: Plain; written: PlainObject | null } | null {
  const extras = readExtras(db, module, name);
  if (extras === null) return null;
  const current = fingerprint(db, module, name);
  return { data: extras.data, written: current === extras.fingerprint ? extras.written : null };
}
