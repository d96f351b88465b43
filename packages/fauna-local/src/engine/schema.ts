/**
 * The database's current schema: the FSL files as uploaded, the items they declare, and lookups by name.
 */
import type { CollectionDef, FunctionDef, RoleDef, SchemaItems } from '../schema/model.ts';
import type { CollectionSpec } from '../storage/store.ts';

/** Collections the engine provides itself; users cannot declare collections with these names. */
export const SYSTEM_COLLECTIONS = ['Token', 'Key', 'Credential'] as const;

/** The index the engine keeps on Token documents for `Token.byDocument`. */
export const TOKEN_BY_DOCUMENT_INDEX = 'byDocument';

export class Schema {
  readonly items: SchemaItems;
  readonly files: ReadonlyMap<string, string>;
  /** µs of the transaction that last changed the schema (0 = never). */
  readonly version: bigint;
  readonly collections = new Map<string, CollectionDef>();
  readonly roles = new Map<string, RoleDef>();
  readonly functions = new Map<string, FunctionDef>();

  constructor(items: SchemaItems, files: ReadonlyMap<string, string>, version: bigint) {
    this.items = items;
    this.files = files;
    this.version = version;
    for (const coll of items.collections) {
      this.collections.set(coll.name, coll);
      if (coll.alias) this.collections.set(coll.alias, coll);
    }
    for (const role of items.roles) this.roles.set(role.name, role);
    for (const fn of items.functions) {
      this.functions.set(fn.name, fn);
      if (fn.alias) this.functions.set(fn.alias, fn);
    }
  }

  static empty(): Schema {
    return new Schema({ collections: [], roles: [], functions: [] }, new Map(), 0n);
  }

  /** What storage maintains: user collection indexes and unique constraints, plus the Token-by-document index. */
  storageSpecs(): CollectionSpec[] {
    const specs: CollectionSpec[] = this.items.collections.map((c) => ({
      name: c.name,
      indexes: Object.fromEntries(Object.entries(c.indexes).map(([n, i]) => [n, { terms: i.terms }])),
      uniques: c.uniques,
    }));
    specs.push({ name: 'Token', indexes: { [TOKEN_BY_DOCUMENT_INDEX]: { terms: [{ path: ['document'], mva: false }] } }, uniques: [] });
    specs.push({ name: 'Key', indexes: {}, uniques: [] });
    return specs;
  }
}
