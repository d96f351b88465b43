/**
 * The schema API's operations (PROTOCOL.md §8): list and read files, diff, status, staged commit/abandon, update;
 * and `changeSchemaInQuery`, which applies schema written in FQL inside a query's transaction. Both paths parse and
 * check FSL the same way.
 */
import { FqlSyntaxError } from '../fql/errors.ts';
import { FslSyntaxError } from '../fsl/errors.ts';
import { parseSchemaFiles } from '../fsl/parser.ts';
import { textualDiff } from '../fsl/text-diff.ts';
import type { SchemaFile, SchemaItems } from '../schema/model.ts';
import { UniqueViolationError } from '../storage/store.ts';
import type { Principal, SchemaApiError, SchemaDiffKind, SchemaStatus, SchemaUpdateOptions } from './api.ts';
import type { Database } from './context.ts';
import { Schema } from './schema.ts';
import { describeDiff, validateItems } from './schema-changes.ts';
import { prepareMigrations } from './migrations.ts';
import type { EvaluateBackfill } from './migrations.ts';
import { dbFor } from './engine-state.ts';
import type { EngineState } from './engine-state.ts';
import { isEnvTypechecked } from './typecheck-mode.ts';
import { typecheckSchema } from '../typer/index.ts';
import type { SchemaChangeProblem } from './context.ts';

function mayManageSchema(principal: Principal): boolean {
  if (principal.kind === 'root') return principal.role === undefined || principal.role === 'admin';
  return principal.kind === 'key' && principal.role === 'admin';
}

/** The principal's database if it may manage its schema, else the 403 (or the 401 of a deleted database). */
function schemaDb(state: EngineState, principal: Principal): Database | SchemaApiError {
  if (!mayManageSchema(principal)) return { httpStatus: 403, message: 'Access denied' };
  return dbFor(state, principal) ?? { httpStatus: 401, message: 'Access token required' };
}

/** `GET /schema/1/files`. */
export function schemaFiles(state: EngineState, principal: Principal, options: { staged?: boolean } = {}): { version: number; files: { filename: string }[] } | SchemaApiError {
  const db = schemaDb(state, principal);
  if ('httpStatus' in db) return db;
  const schema = (options.staged ? db.staged : null) ?? db.schema;
  return { version: Number(db.schema.version), files: [...schema.files.keys()].sort().map((filename) => ({ filename })) };
}

/** `GET /schema/1/files/<name>`. */
export function schemaFile(state: EngineState, principal: Principal, filename: string, options: { staged?: boolean } = {}): { version: number; content: string } | SchemaApiError {
  const db = schemaDb(state, principal);
  if ('httpStatus' in db) return db;
  const content = ((options.staged ? db.staged : null) ?? db.schema).files.get(filename);
  if (content === undefined) return { httpStatus: 404, message: 'Not found' };
  return { version: Number(db.schema.version), content };
}

function prepareSchema(state: EngineState, principal: Principal, files: SchemaFile[], options: SchemaUpdateOptions, purpose: 'diff' | 'update' = 'update'):
  | { db: Database; files: Map<string, string>; items: SchemaItems } | SchemaApiError {
  const db = schemaDb(state, principal);
  if ('httpStatus' in db) return db;
  if (options.staged && db === state.root) return { httpStatus: 400, message: 'Schema cannot be staged in the root database' };
  if (options.version !== undefined && !options.force && options.version !== db.schema.version) {
    return { httpStatus: 409, message: 'Stale schema version provided' };
  }
  // A staged diff or push builds on the staged schema when there is one.
  const base = (options.staged ? db.staged : null) ?? db.schema;
  const merged = new Map<string, string>(options.override === false ? base.files : []);
  for (const file of files) {
    if (file.content.trim() === '') merged.delete(file.filename);
    else merged.set(file.filename, file.content);
  }
  const list: SchemaFile[] = [...merged].map(([filename, content]) => ({ filename, content }));
  let items: SchemaItems;
  try {
    items = parseSchemaFiles(list);
  } catch (error) {
    if (error instanceof FslSyntaxError || error instanceof FqlSyntaxError) return { httpStatus: 400, message: error.message };
    throw error;
  }
  const problem = validateItems(items);
  if (problem) return { httpStatus: 400, message: problem };
  // Migrations are checked against the active schema, which the stored documents follow (staged or not).
  const migrations = prepareMigrations(db.schema.items, items, db.store, fileOf(merged), (expr) => state.evaluateSchemaExpr(db, state.options.clock.nowMicros(), expr), { convert: purpose === 'update' });
  if (!migrations.ok) return { httpStatus: 400, message: migrations.message };
  // In a type-checked database, schema code is type-checked too, and one error refuses the whole push.
  const typeErrors = isEnvTypechecked(state, db) ? typecheckSchema(list, items) : null;
  if (typeErrors) return { httpStatus: 400, message: typeErrors };
  return { db, files: merged, items };
}

/** The file that declares a collection, to render migration errors against it. */
function fileOf(files: ReadonlyMap<string, string>): (collection: string) => { filename: string; content: string } | null {
  return (collection) => {
    const declares = new RegExp(`(^|\\s)collection\\s+${collection}\\b`);
    for (const [filename, content] of files) if (declares.test(content)) return { filename, content };
    return null;
  };
}

/** `POST /schema/1/diff` and `/validate`. */
export function schemaDiff(state: EngineState, principal: Principal, files: SchemaFile[], options: SchemaUpdateOptions): { version: number; diff: string } | SchemaApiError {
  const prepared = prepareSchema(state, principal, files, options, 'diff');
  if ('httpStatus' in prepared) return prepared;
  const { db } = prepared;
  const base = (options.staged ? db.staged : null) ?? db.schema;
  return { version: Number(db.schema.version), diff: diffOf(base, prepared.files, prepared.items, options.diffKind) };
}

function diffOf(base: Schema, files: ReadonlyMap<string, string>, items: SchemaItems, kind: SchemaDiffKind | undefined): string {
  return kind === 'textual' ? textualDiff(base.files, files) : describeDiff(base.items, items);
}

/** `GET /schema/1/staged/status`. */
export function schemaStatus(state: EngineState, principal: Principal, options: { diffKind?: SchemaDiffKind }): SchemaStatus | SchemaApiError {
  const db = schemaDb(state, principal);
  if ('httpStatus' in db) return db;
  const version = Number(db.schema.version);
  if (db.staged === null) return { version, status: 'none', pending_summary: '', ...(options.diffKind ? { diff: '' } : {}) };
  // Indexes build at once here, so a staged schema is `ready` straight away with nothing pending.
  const diff = diffOf(db.schema, db.staged.files, db.staged.items, options.diffKind);
  return { version, status: 'ready', pending_summary: '', ...(options.diffKind ? { diff } : {}) };
}

/** `POST /schema/1/staged/commit` and `/abandon`. */
export function schemaStaged(state: EngineState, principal: Principal, action: 'commit' | 'abandon', options: { version?: bigint; force?: boolean }): { version: number } | SchemaApiError {
  const db = schemaDb(state, principal);
  if ('httpStatus' in db) return db;
  if (db === state.root) return { httpStatus: 400, message: 'Schema cannot be staged in the root database' };
  if (db.staged === null) return { httpStatus: 400, message: `There is no staged schema to ${action}` };
  if (options.version !== undefined && !options.force && options.version !== db.schema.version) {
    return { httpStatus: 409, message: 'Stale schema version provided' };
  }
  const staged = db.staged;
  db.staged = null;
  if (action === 'abandon') {
    state.notify();
    return { version: Number(db.schema.version) };
  }
  const applied = apply(state, db, staged.files, staged.items);
  if ('httpStatus' in applied) db.staged = staged;
  return applied;
}

/** `POST /schema/1/update`. */
export function schemaUpdate(state: EngineState, principal: Principal, files: SchemaFile[], options: SchemaUpdateOptions): { version: number } | SchemaApiError {
  const prepared = prepareSchema(state, principal, files, options);
  if ('httpStatus' in prepared) return prepared;
  const { db } = prepared;
  if (options.staged) {
    db.staged = new Schema(prepared.items, prepared.files, db.schema.version);
    state.notify();
    return { version: Number(db.schema.version) };
  }
  // An active push replaces whatever was staged (the staged schema was built on the schema it replaces).
  db.staged = null;
  return apply(state, db, prepared.files, prepared.items);
}

/** Makes `files` the active schema of `db` in one transaction (dropping the documents of removed collections). */
function apply(state: EngineState, db: Database, files: Map<string, string> | ReadonlyMap<string, string>, items: SchemaItems): { version: number } | SchemaApiError {
  const txnTs = state.nextTxnTs(undefined);
  const next = new Schema(items, new Map(files), txnTs);
  const previous = db.schema;
  const store = db.store;
  // Validated again against the active schema: a staged schema may be committed after documents changed.
  const migrations = prepareMigrations(previous.items, items, store, fileOf(files), (expr) => state.evaluateSchemaExpr(db, txnTs, expr));
  if (!migrations.ok) return { httpStatus: 400, message: migrations.message };
  store.begin();
  try {
    migrations.apply();
    const kept = new Set(next.items.collections.map((c) => c.name));
    for (const coll of previous.items.collections) if (!kept.has(coll.name)) store.dropCollection(coll.name);
    db.schema = next;
    store.configure(next.storageSpecs());
    store.commit();
  } catch (error) {
    store.rollback();
    db.schema = previous;
    store.configure(previous.storageSpecs());
    if (error instanceof UniqueViolationError) return { httpStatus: 400, message: `Existing documents violate a unique constraint: ${error.message}` };
    throw error;
  }
  state.notify();
  return { version: Number(txnTs) };
}

/** Applies schema files from inside a query's transaction; the store's undo log restores the previous schema. */
export function changeSchemaInQuery(db: Database, txnTs: bigint, files: ReadonlyMap<string, string>, evaluate: EvaluateBackfill, typechecked: boolean): SchemaChangeProblem | null {
  let items: SchemaItems;
  try {
    items = parseSchemaFiles([...files].map(([filename, content]) => ({ filename, content })));
  } catch (error) {
    if (error instanceof FslSyntaxError || error instanceof FqlSyntaxError) return error.message;
    throw error;
  }
  const problem = validateItems(items);
  if (problem) return problem;
  if (typechecked) {
    const typeErrors = typecheckSchema([...files].map(([filename, content]) => ({ filename, content })), items);
    if (typeErrors) return { invalidSchema: typeErrors };
  }
  const previous = db.schema;
  const next = new Schema(items, new Map(files), txnTs);
  const store = db.store;
  const migrations = prepareMigrations(previous.items, items, store, fileOf(files), evaluate);
  if (!migrations.ok) return migrations.message;
  // Registered first so that it runs last on rollback, after dropped collections are back.
  store.onRollback(() => {
    db.schema = previous;
    store.configure(previous.storageSpecs());
  });
  migrations.apply();
  const kept = new Set(items.collections.map((c) => c.name));
  for (const coll of previous.items.collections) if (!kept.has(coll.name)) store.dropCollection(coll.name);
  db.schema = next;
  try {
    store.configure(next.storageSpecs());
  } catch (error) {
    if (error instanceof UniqueViolationError) return `Existing documents violate a unique constraint: ${error.message}`;
    throw error;
  }
  return null;
}

