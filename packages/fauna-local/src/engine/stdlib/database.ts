/**
 * Child databases (https://docs.fauna.com/fauna/current/reference/fql-api/database/): `Database.create`, `byName`,
 * `all`, `where`, `firstWhere`, and `update`/`replace`/`delete` on a definition. A child database has its own
 * documents, schema, keys and tokens; it is reached with a key created inside it or a scoped secret
 * (`secret:<db>:<role>`). Only admin may manage databases. Changes happen inside the query's transaction.
 */
import type { Span } from '../../fql/ast.ts';
import type { Ctx, Database } from '../context.ts';
import { newDatabase } from '../context.ts';
import { QueryFailure } from '../errors.ts';
import { FqlTime, NamedRef, NullDoc, SetValue, isPlainObject, typeName } from '../../values/values.ts';
import type { FqlObject, Value } from '../../values/values.ts';
import { moduleFor } from '../documents.ts';
import { arity, NO_METHOD, obj } from './args.ts';
import { setMethods } from './set.ts';

/** Database names: letters, digits, `_` and `-`, not starting with `-` (they appear in scoped secrets and paths). */
const DATABASE_NAME = /^[a-zA-Z0-9_][a-zA-Z0-9_-]*$/;
const FIELDS = ['name', 'data', 'typechecked', 'protected', 'priority'];

function denied(span: Span): QueryFailure {
  return new QueryFailure('permission_denied', 'Insufficient privileges to perform the action.', { span });
}

function requireAdmin(ctx: Ctx, span: Span): void {
  if (ctx.access.kind !== 'admin') throw denied(span);
}

function failed(write: 'create' | 'update', path: string, message: string, span: Span): QueryFailure {
  return new QueryFailure('constraint_failure', `Failed to ${write} Database.`, { span, constraintFailures: [{ paths: [[path]], message }] });
}

/** Checks the definition fields a caller may set; returns them. */
function definitionInput(input: FqlObject, write: 'create' | 'update', span: Span): FqlObject {
  for (const key of Object.keys(input)) if (!FIELDS.includes(key)) throw failed(write, key, `Unexpected field \`${key}\` in a Database document.`, span);
  for (const key of ['typechecked', 'protected'] as const) {
    const value = input[key];
    if (value !== undefined && value !== null && typeof value !== 'boolean') throw failed(write, key, `Expected a Boolean for \`${key}\`, received ${typeName(value)}.`, span);
  }
  if (input.data !== undefined && input.data !== null && !isPlainObject(input.data)) throw failed(write, 'data', `Expected an object for \`data\`, received ${typeName(input.data)}.`, span);
  return input;
}

function checkName(ctx: Ctx, name: Value | undefined, write: 'create' | 'update', span: Span): string {
  if (typeof name !== 'string' || !DATABASE_NAME.test(name)) throw failed(write, 'name', `Invalid database name ${typeof name === 'string' ? `\`${name}\`` : typeName(name ?? null)}.`, span);
  if (ctx.db.children.has(name)) throw failed(write, 'name', `A database named \`${name}\` already exists.`, span);
  return name;
}

/** The definition document of a child database, as `Database.byName()` shows it. */
export function databaseFields(ctx: Ctx, name: string): FqlObject | null {
  const db = ctx.db.children.get(name);
  if (!db) return null;
  const out: FqlObject = { name, coll: moduleFor('Database', false), ts: FqlTime.fromMicros(db.definition.ts), global_id: db.globalId.toString(36) };
  if (db.definition.data !== null) out.data = db.definition.data;
  if (db.definition.typechecked !== null) out.typechecked = db.definition.typechecked;
  if (db.definition.protected !== null) out.protected = db.definition.protected;
  return out;
}

function applyDefinition(db: Database, input: FqlObject, merge: boolean): void {
  const previous = db.definition;
  const data = input.data === undefined ? (merge ? previous.data : null)
    : input.data === null ? null
    : merge && isPlainObject(previous.data) ? { ...previous.data, ...(input.data as FqlObject) } : input.data;
  const flag = (key: 'typechecked' | 'protected') => (input[key] === undefined ? (merge ? previous[key] : null) : (input[key] as boolean | null));
  db.definition = { ...previous, data, typechecked: flag('typechecked'), protected: flag('protected') };
}

function createDatabase(ctx: Ctx, input: FqlObject, span: Span): Value {
  requireAdmin(ctx, span);
  definitionInput(input, 'create', span);
  const name = checkName(ctx, input.name, 'create', span);
  const child = newDatabase(name, BigInt(ctx.db.ids.next(ctx.txnMicros)), ctx.db.ids, ctx.txnMicros);
  applyDefinition(child, input, false);
  const children = ctx.db.children;
  children.set(name, child);
  ctx.db.store.onRollback(() => children.delete(name));
  ctx.structureChanged = true;
  return new NamedRef('Database', name);
}

/** `update`/`replace`/`delete` on a database definition. */
export function writeDatabase(ctx: Ctx, ref: NamedRef, write: 'update' | 'replace' | 'delete', arg: Value | undefined, span: Span): Value {
  requireAdmin(ctx, span);
  const children = ctx.db.children;
  const db = children.get(ref.name);
  if (!db) throw new QueryFailure('document_not_found', `Database \`${ref.name}\` not found.`, { span });
  const previousDefinition = db.definition;
  if (write === 'delete') {
    if (db.definition.protected === true) throw new QueryFailure('constraint_failure', 'Cannot delete a protected database.', { span, constraintFailures: [{ paths: [['protected']], message: 'Cannot delete a protected database' }] });
    children.delete(ref.name);
    ctx.db.store.onRollback(() => children.set(ref.name, db));
    ctx.structureChanged = true;
    return new NullDoc(ref, 'deleted');
  }
  if (arg === undefined || !isPlainObject(arg)) throw new QueryFailure('invalid_argument', `expected value for \`data\` of type { *: Any }, received ${typeName(arg ?? null)}`, { span });
  const input = definitionInput(arg, 'update', span);
  const name = input.name === undefined || input.name === ref.name ? ref.name : checkName(ctx, input.name, 'update', span);
  applyDefinition(db, input, write === 'update');
  if (name !== ref.name) {
    children.delete(ref.name);
    children.set(name, db);
    db.name = name;
  }
  ctx.db.store.onRollback(() => {
    db.definition = previousDefinition;
    if (name !== ref.name) {
      children.delete(name);
      children.set(ref.name, db);
      db.name = ref.name;
    }
  });
  ctx.structureChanged = true;
  return new NamedRef('Database', name);
}

/** Methods of the `Database` module. */
export function databaseModuleMethod(ctx: Ctx, name: string, args: Value[], span: Span): Value | typeof NO_METHOD {
  const all = () => new SetValue((c) => [...(c as Ctx).db.children.keys()].sort().map((n) => new NamedRef('Database', n)));
  switch (name) {
    case 'create':
      arity('create', args, 1, 1, span);
      return createDatabase(ctx, obj(args, 0, 'data', span), span);
    case 'byName': {
      arity('byName', args, 1, 1, span);
      requireAdmin(ctx, span);
      const target = args[0];
      if (typeof target !== 'string') throw new QueryFailure('invalid_argument', `expected value for \`name\` of type String, received ${typeName(target ?? null)}`, { span });
      const ref = new NamedRef('Database', target);
      return ctx.db.children.has(target) ? ref : new NullDoc(ref, 'not found');
    }
    case 'all':
      arity('all', args, 0, 0, span);
      requireAdmin(ctx, span);
      return all();
    case 'where':
    case 'firstWhere':
      requireAdmin(ctx, span);
      return setMethods[name]!(ctx, all(), args, span);
  }
  return NO_METHOD;
}
