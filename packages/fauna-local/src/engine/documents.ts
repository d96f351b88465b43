/**
 * Reading and writing documents with Fauna's visibility rules (TTL, permissions), field definitions, reserved fields,
 * check constraints and unique constraints (PROTOCOL.md §6, §7, §9).
 */
import { isAllowed, isPrivileged } from '../auth/permissions.ts';
import type { CollectionDef, FieldDef, PrivilegeAction } from '../schema/model.ts';
import { UniqueViolationError } from '../storage/store.ts';
import type { StoredDoc } from '../storage/store.ts';
import type { Span } from '../fql/ast.ts';
import type { Ctx } from './context.ts';
import { QueryFailure } from './errors.ts';
import { meterDocumentRead, meterDocumentWritten } from './metering.ts';
import { DocRef, FqlDate, FqlTime, ModuleValue, NamedRef, NullDoc, SetValue, isFunction, isPlainObject, typeName } from '../values/values.ts';
import type { FqlObject, NullCause, Value } from '../values/values.ts';

/** Fields that user documents cannot set (core test: https://github.com/search?type=code&q=repo%3Afauna%2Ffaunadb+FQL2ReservedFieldAndDataAccessSpec). */
const RESERVED_FIELDS: ReadonlySet<string> = new Set(['ts', 'coll', 'update', 'replace', 'delete', 'updateData', 'replaceData', 'exists']);
const NANOS_PER_DAY = 86_400_000_000_000n;
const DIGITS = /^\d+$/;

const modules = new Map<string, ModuleValue>();
/** The (shared) module value for a collection or built-in module name. */
export function moduleFor(name: string, isUserCollection: boolean): ModuleValue {
  const key = `${isUserCollection ? 'u' : 'b'}${name}`;
  let mod = modules.get(key);
  if (!mod) modules.set(key, (mod = new ModuleValue(name, isUserCollection)));
  return mod;
}

function isLive(ctx: Ctx, doc: StoredDoc): boolean {
  return doc.ttl === null || doc.ttl.epochNanos > ctx.now.epochNanos;
}

/** The stored document if it exists and has not expired at the snapshot time: a document read (metered). */
export function liveDoc(ctx: Ctx, coll: string, id: string): StoredDoc | null {
  const doc = peekLiveDoc(ctx, coll, id);
  meterDocumentRead(ctx.meter, coll, id, doc ? doc.data : null);
  return doc;
}

/**
 * The same without a document read: what an index scan sees in its entries (an index entry knows its document's
 * ttl, so a scan skips expired documents without reading them).
 */
export function peekLiveDoc(ctx: Ctx, coll: string, id: string): StoredDoc | null {
  const doc = ctx.db.store.get(coll, id);
  return doc && isLive(ctx, doc) ? doc : null;
}

/** Runs a privilege check for the current caller. */
export function allowed(ctx: Ctx, resource: string, action: PrivilegeAction, args: Value[]): boolean {
  if (isPrivileged(ctx.access) && resource !== 'Key' && resource !== 'Role') return true;
  return isAllowed(ctx.access, resource, action, args, (predicate, predicateArgs) => ctx.runSchemaLambda(predicate, predicateArgs as Value[]) === true);
}

/** Reads a document as the caller sees it: the stored record, or why it reads as null. */
export function readState(ctx: Ctx, ref: DocRef): { doc: StoredDoc } | { cause: NullCause } {
  if (ref.coll === DELETED_COLLECTION) return { cause: 'collection deleted' };
  const doc = liveDoc(ctx, ref.coll, ref.id);
  // A document this transaction deleted reads as deleted, not as missing (CORE: QueryFailure.scala `DocumentDeleted`).
  if (!doc) return { cause: ctx.db.store.writtenDocuments().get(`${ref.coll}/${ref.id}`)?.doc === null ? 'deleted' : 'not found' };
  if (!allowed(ctx, ref.coll, 'read', [ref])) return { cause: 'permission denied' };
  return { doc };
}

/** True for null, a null doc, and a reference to a missing or unreadable document (what `??` and `?.` skip). */
export function isNullish(ctx: Ctx, value: Value): boolean {
  if (value === null || value instanceof NullDoc) return true;
  if (value instanceof DocRef) return 'cause' in readState(ctx, value);
  return false;
}

/** The error for using a document that reads as null. */
export function nullDocFailure(ref: DocRef | NamedRef, cause: NullCause, span: Span | null): QueryFailure {
  if (ref instanceof NamedRef) return new QueryFailure('document_not_found', `${ref.coll} \`${ref.name}\` not found.`, { span });
  switch (cause) {
    case 'permission denied': return new QueryFailure('permission_denied', 'Insufficient privileges to perform the action.', { span });
    case 'deleted': return new QueryFailure('document_deleted', `Document in \`${ref.coll}\` with id ${ref.id} was deleted.`, { span });
    case 'collection deleted': return new QueryFailure('document_not_found', `Document with id ${ref.id} does not exist because the collection was deleted.`, { span });
    default: return new QueryFailure('document_not_found', `Collection \`${ref.coll}\` does not contain document with id ${ref.id}.`, { span });
  }
}

/** The stored document behind a reference, or the Fauna error for using a null document. */
export function requireDoc(ctx: Ctx, ref: DocRef, span: Span | null): StoredDoc {
  const state = readState(ctx, ref);
  if ('cause' in state) throw nullDocFailure(ref, state.cause, span);
  return state.doc;
}

function isUserCollection(ctx: Ctx, coll: string): boolean {
  return ctx.db.schema.collections.has(coll);
}

/** The fields of a document as FQL shows it: `id`, `coll`, `ts`, `ttl`?, then its own fields. */
export function docFields(ctx: Ctx, ref: DocRef, doc: StoredDoc): FqlObject {
  const out: FqlObject = { id: doc.id, coll: moduleFor(ref.coll, isUserCollection(ctx, ref.coll)), ts: FqlTime.fromMicros(doc.ts) };
  if (doc.ttl) out.ttl = doc.ttl;
  for (const [key, value] of Object.entries(doc.data)) out[key] = withDeletedCollections(ctx, value);
  const secret = ctx.revealed.get(`${ref.coll}/${ref.id}`);
  if (secret !== undefined) out.secret = secret;
  return out;
}

/** The module a reference to a document of a deleted collection reads with (CORE: stdlib `Deleted` companion). */
export const DELETED_COLLECTION = 'Deleted';

/** Whether documents of `coll` can exist: a collection of the schema, or Token/Key. */
function collectionExists(ctx: Ctx, coll: string): boolean {
  return coll === 'Token' || coll === 'Key' || ctx.db.schema.collections.has(coll);
}

/**
 * A stored value as a query sees it: a reference into a collection that was deleted since reads as a reference into
 * `Deleted` (CORE: FQL2CollectionsSpec "to docs in a deleted collection": `@ref` with `coll: Deleted`, cause
 * `collection deleted`). Values without such references are returned as they are.
 */
function withDeletedCollections(ctx: Ctx, value: Value): Value {
  if (value instanceof DocRef) return collectionExists(ctx, value.coll) ? value : new DocRef(DELETED_COLLECTION, value.id);
  if (Array.isArray(value)) {
    const mapped = value.map((item) => withDeletedCollections(ctx, item));
    return mapped.some((item, i) => item !== value[i]) ? mapped : value;
  }
  if (isPlainObject(value)) {
    let changed = false;
    const out: FqlObject = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = withDeletedCollections(ctx, item);
      if (out[key] !== item) changed = true;
    }
    return changed ? out : value;
  }
  return value;
}

/** Reads one field of a document (metadata, stored field, computed field, revealed secret); missing → null. */
export function docField(ctx: Ctx, ref: DocRef, doc: StoredDoc, name: string): Value {
  switch (name) {
    case 'id': return doc.id;
    case 'coll': return moduleFor(ref.coll, isUserCollection(ctx, ref.coll));
    case 'ts': return FqlTime.fromMicros(doc.ts);
    case 'ttl': return doc.ttl;
    case 'secret':
      if (ref.coll === 'Token' || ref.coll === 'Key') return ctx.revealed.get(`${ref.coll}/${ref.id}`) ?? null;
  }
  if (Object.hasOwn(doc.data, name)) return withDeletedCollections(ctx, doc.data[name]!);
  const computed = ctx.db.schema.collections.get(ref.coll)?.computed.find((c) => c.name === name);
  if (computed) return ctx.runSchemaLambda(computed.fn, [ref]);
  return null;
}

function constraintFailure(coll: string, verb: 'create' | 'update' | 'replace', failures: { path: string[]; message: string }[], span: Span | null): QueryFailure {
  return new QueryFailure('constraint_failure', `Failed to ${verb} document in collection \`${coll}\`.`, {
    span,
    constraintFailures: failures.map((f) => ({ paths: f.path.length > 0 ? [f.path] : [], message: f.message })),
  });
}

/** Values that cannot be stored in a document. */
function assertStorable(value: Value, path: string[], span: Span | null): void {
  if (value instanceof SetValue || isFunction(value)) {
    throw new QueryFailure('invalid_argument', `Cannot store a ${typeName(value)} in field \`${path.join('.')}\`.`, { span });
  }
  if (Array.isArray(value)) value.forEach((item, i) => assertStorable(item, [...path, String(i)], span));
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) assertStorable(v, [...path, k], span);
}

/** Replaces null docs by their refs and drops null-valued fields (a null field is an absent field). */
function normalise(value: Value): Value {
  if (value instanceof NullDoc) return value.ref;
  if (Array.isArray(value)) return value.map(normalise);
  if (isPlainObject(value)) {
    const out: FqlObject = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = normalise(v);
    return out;
  }
  return value;
}

const SCALAR_CHECKS: Record<string, (v: Value) => boolean> = {
  String: (v) => typeof v === 'string',
  Int: (v) => typeof v === 'bigint',
  Long: (v) => typeof v === 'bigint',
  Double: (v) => typeof v === 'number',
  Number: (v) => typeof v === 'number' || typeof v === 'bigint',
  Boolean: (v) => typeof v === 'boolean',
  Time: (v) => v instanceof FqlTime,
  Date: (v) => v instanceof FqlDate,
  ID: (v) => typeof v === 'string' && DIGITS.test(v) || typeof v === 'bigint',
  Any: () => true,
  Null: (v) => v === null,
};

/** Checks a value against an FSL type as written, at run time; unknown type syntax is accepted here (typer/ checks types statically). */
function matchesType(ctx: Ctx, value: Value, type: string): boolean {
  const alternatives = type.split('|').map((t) => t.trim());
  if (alternatives.length > 1) return alternatives.some((t) => matchesType(ctx, value, t));
  let t = type.trim();
  if (t.endsWith('?')) {
    if (value === null) return true;
    t = t.slice(0, -1);
  }
  const scalar = SCALAR_CHECKS[t];
  if (scalar) return scalar(value);
  const ref = /^Ref<\s*(\w+)\s*>$/.exec(t)?.[1] ?? (ctx.db.schema.collections.has(t) ? t : null);
  if (ref) return (value instanceof DocRef || value instanceof NullDoc && value.ref instanceof DocRef) && refColl(value) === ctx.db.schema.collections.get(ref)?.name;
  if (/^(Array<.*>|\[.*\])$/.test(t)) return Array.isArray(value);
  if (t.startsWith('{')) return isPlainObject(value);
  return true;
}

function refColl(value: DocRef | NullDoc): string {
  return value instanceof DocRef ? value.coll : (value.ref as DocRef).coll;
}

/** Applies field definitions: defaults, required fields, types, and unknown fields without a wildcard. */
function applyFieldDefinitions(ctx: Ctx, def: CollectionDef, data: FqlObject, verb: 'create' | 'update' | 'replace', span: Span | null): void {
  if (def.fields.length === 0) return;
  const failures: { path: string[]; message: string }[] = [];
  const declared = new Map<string, FieldDef>(def.fields.map((f) => [f.name, f]));
  for (const field of def.fields) {
    if (!Object.hasOwn(data, field.name) && field.default && verb !== 'update') {
      data[field.name] = normalise(ctx.runSchemaExpr(field.default.expr));
    }
    const value = data[field.name] ?? null;
    const nullable = field.optional || field.type.trim().endsWith('?') || /\bNull\b/.test(field.type) || field.type.trim() === 'Any';
    if (value === null) {
      if (!nullable) failures.push({ path: [field.name], message: `Missing required field of type ${field.type.trim()}` });
    } else if (!matchesType(ctx, value, field.type)) {
      failures.push({ path: [field.name], message: `Expected ${field.type}, provided ${typeName(value)}` });
    }
  }
  if (def.wildcard === null) {
    for (const key of Object.keys(data)) {
      if (!declared.has(key) && key !== 'ttl') failures.push({ path: [key], message: 'Unexpected field provided' });
    }
  } else if (def.wildcard !== 'Any') {
    for (const [key, value] of Object.entries(data)) {
      if (!declared.has(key) && key !== 'ttl' && !matchesType(ctx, value, def.wildcard)) {
        failures.push({ path: [key], message: `Expected ${def.wildcard}, provided ${typeName(value)}` });
      }
    }
  }
  if (failures.length > 0) throw constraintFailure(def.name, verb, failures, span);
}

function documentTtlsEnabled(def: CollectionDef): boolean {
  return def.documentTtls ?? def.fields.length === 0;
}

/** Splits `ttl` out of user data and validates it. */
function takeTtl(def: CollectionDef | undefined, data: FqlObject, span: Span | null): FqlTime | null | undefined {
  if (!Object.hasOwn(data, 'ttl')) return undefined;
  const ttl = data.ttl!;
  delete data.ttl;
  if (ttl === null) return null;
  if (!(ttl instanceof FqlTime)) throw new QueryFailure('invalid_argument', `Expected \`ttl\` to be a Time, received ${typeName(ttl)}.`, { span });
  if (def && !documentTtlsEnabled(def)) {
    throw new QueryFailure('invalid_write', `Document TTLs are disabled on collection \`${def.name}\`.`, { span });
  }
  return ttl;
}

function runChecks(ctx: Ctx, def: CollectionDef, ref: DocRef, verb: 'create' | 'update' | 'replace', span: Span | null): void {
  for (const check of def.checks) {
    const result = ctx.runSchemaLambda(check.predicate, [ref]);
    if (result !== true) {
      throw constraintFailure(def.name, verb, [{ path: [], message: `Document failed check constraint \`${check.name}\`` }], span);
    }
  }
}

/** Writes a record through storage, turning a unique violation into Fauna's `constraint_failure`. */
export function writeRecord(ctx: Ctx, coll: string, id: string, doc: StoredDoc | null, span: Span | null): void {
  try {
    ctx.db.store.put(coll, id, doc, (holder) => isLive(ctx, holder));
    meterDocumentWritten(ctx.meter, coll, id);
  } catch (error) {
    if (error instanceof UniqueViolationError) {
      throw new QueryFailure('constraint_failure', 'Failed unique constraint.', {
        span,
        constraintFailures: error.constraints.map((paths) => ({ paths, message: 'Failed unique constraint' })),
        cause: error,
      });
    }
    throw error;
  }
}

function plainNewDoc(ctx: Ctx, coll: string, id: string, data: FqlObject, ttl: FqlTime | null): FqlObject {
  const out: FqlObject = { id, coll: moduleFor(coll, true), ts: ctx.now };
  if (ttl) out.ttl = ttl;
  return Object.assign(out, data);
}

/** The core's name of a value's precise type in a type mismatch (`String`, `{ x: Int }`). */
function preciseType(value: Value): string {
  if (typeof value === 'bigint') return value >= -(2n ** 31n) && value < 2n ** 31n ? 'Int' : 'Long';
  if (Array.isArray(value)) return `[${value.map(preciseType).join(', ')}]`;
  if (isPlainObject(value)) return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${preciseType(v)}`).join(', ')} }`;
  return typeName(value);
}

/**
 * The id a `create` gives (a Long, or a string of one): a negative one fails "id must be nonnegative", anything else
 * "Expected ID | String | Long, provided T", as constraint failures on `id` (CORE: WriteBroker.scala `getOrMakeID`;
 * FQL2CollectionsSpec "allows setting ids").
 */
function givenId(coll: string, given: Value, span: Span | null): string {
  const text = typeof given === 'bigint' ? given.toString() : given;
  const isLong = typeof text === 'string' && /^-?\d+$/.test(text) && BigInt(text) < 2n ** 63n && BigInt(text) >= -(2n ** 63n);
  if (!isLong) throw constraintFailure(coll, 'create', [{ path: ['id'], message: `Expected ID | String | Long, provided ${preciseType(given)}` }], span);
  if (BigInt(text) < 0n) throw constraintFailure(coll, 'create', [{ path: ['id'], message: 'id must be nonnegative' }], span);
  return BigInt(text).toString();
}

/** `Coll.create(data)`: validates and stores a new document of a user collection. */
export function createDocument(ctx: Ctx, def: CollectionDef, input: Value, span: Span | null): DocRef {
  if (!isPlainObject(input)) throw new QueryFailure('invalid_argument', `expected value for \`data\` of type object, received ${typeName(input)}`, { span });
  const data = normalise(input) as FqlObject;
  const reserved = Object.keys(data).filter((k) => RESERVED_FIELDS.has(k));
  if (reserved.length > 0) {
    throw constraintFailure(def.name, 'create', reserved.map((k) => ({ path: [k], message: 'Is a reserved field and cannot be used' })), span);
  }
  let id: string;
  if (Object.hasOwn(data, 'id')) {
    const given = data.id!;
    delete data.id;
    const text = givenId(def.name, given, span);
    if (!allowed(ctx, def.name, 'create_with_id', [plainNewDoc(ctx, def.name, text, data, null)])) {
      throw new QueryFailure('permission_denied', 'Insufficient privileges to perform the action.', { span });
    }
    if (ctx.db.store.get(def.name, text) && liveDoc(ctx, def.name, text)) {
      throw new QueryFailure('document_id_exists', `Collection \`${def.name}\` already contains document with id ${text}.`, { span });
    }
    id = text;
  } else {
    id = ctx.db.ids.next(ctx.txnMicros);
  }
  let ttl = takeTtl(def, data, span) ?? null;
  if (ttl === null && def.ttlDays !== null) ttl = new FqlTime(ctx.now.epochNanos + BigInt(def.ttlDays) * NANOS_PER_DAY);
  assertStorable(data, [], span);
  applyFieldDefinitions(ctx, def, data, 'create', span);
  if (!allowed(ctx, def.name, 'create', [plainNewDoc(ctx, def.name, id, data, ttl)])) {
    throw new QueryFailure('permission_denied', 'Insufficient privileges to perform the action.', { span });
  }
  const ref = new DocRef(def.name, id);
  writeRecord(ctx, def.name, id, { id, ts: ctx.txnMicros, ttl, data }, span);
  runChecks(ctx, def, ref, 'create', span);
  return ref;
}

/** Deep merge for `update`: nested objects merge, `null` removes a field. */
function mergeFields(base: FqlObject, patch: FqlObject): FqlObject {
  const out: FqlObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key] ?? null)) out[key] = mergeFields(out[key] as FqlObject, value);
    else out[key] = value instanceof NullDoc ? value.ref : value;
  }
  return out;
}

/** `doc.update(patch)` / `doc.replace(data)` on any writable document (user collections, Token, Key). */
export function writeDocument(ctx: Ctx, ref: DocRef, input: Value, mode: 'update' | 'replace', span: Span | null, readonlyFields: readonly string[] = []): DocRef {
  if (!isPlainObject(input)) throw new QueryFailure('invalid_argument', `expected value for \`data\` of type object, received ${typeName(input)}`, { span });
  const current = liveDoc(ctx, ref.coll, ref.id);
  if (!current) throw nullDocFailure(ref, 'not found', span);
  const patch: FqlObject = { ...input };
  const def = ctx.db.schema.collections.get(ref.coll);
  const reserved = Object.keys(patch).filter((k) => RESERVED_FIELDS.has(k) || k === 'id' || readonlyFields.includes(k));
  if (reserved.length > 0) {
    throw constraintFailure(ref.coll, mode, reserved.map((k) => ({ path: [k], message: readonlyFields.includes(k) ? 'Failed to update field because it is readonly' : 'Is a reserved field and cannot be used' })), span);
  }
  const ttlChange = takeTtl(def, patch, span);
  assertStorable(patch, [], span);
  const data = mode === 'update' ? mergeFields(current.data, patch) : (normalise(patch) as FqlObject);
  if (def) applyFieldDefinitions(ctx, def, data, mode, span);
  const ttl = ttlChange === undefined ? (mode === 'update' ? current.ttl : null) : ttlChange;
  const newView: FqlObject = Object.assign({ id: ref.id, coll: moduleFor(ref.coll, Boolean(def)), ts: ctx.now }, ttl ? { ttl } : {}, data);
  if (!allowed(ctx, ref.coll, 'write', [ref, newView])) {
    throw new QueryFailure('permission_denied', 'Insufficient privileges to perform the action.', { span });
  }
  writeRecord(ctx, ref.coll, ref.id, { ...current, ts: ctx.txnMicros, ttl, data }, span);
  if (def) runChecks(ctx, def, ref, mode, span);
  return ref;
}

/** `doc.delete()`: removes the document; returns the null doc with cause `deleted`. */
export function deleteDocument(ctx: Ctx, ref: DocRef, span: Span | null): NullDoc {
  const current = liveDoc(ctx, ref.coll, ref.id);
  if (!current) throw nullDocFailure(ref, 'not found', span);
  if (!allowed(ctx, ref.coll, 'delete', [ref])) {
    throw new QueryFailure('permission_denied', 'Insufficient privileges to perform the action.', { span });
  }
  writeRecord(ctx, ref.coll, ref.id, null, span);
  return new NullDoc(ref, 'deleted');
}

