/**
 * The `Token` and `Key` modules (core: Tokens.scala and Keys.scala): credentials whose secret is shown only in the
 * result of the query that created them and stored only as a hash.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Tokens.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Keys.scala
 */
import type { Span } from '../../fql/ast.ts';
import { accessForRole } from '../../auth/permissions.ts';
import { hashSecret, mintKeySecret, mintTokenSecret } from '../../auth/secrets.ts';
import { compareIds } from '../../values/keys.ts';
import type { Ctx } from '../context.ts';
import { databaseAt } from '../../auth/databases.ts';
import { allowed, peekLiveDoc, writeDocument, writeRecord } from '../documents.ts';
import { indexEntryBytes, meterIndexRead } from '../metering.ts';
import { QueryFailure } from '../errors.ts';
import { TOKEN_BY_DOCUMENT_INDEX } from '../schema.ts';
import { DocRef, FqlTime, NullDoc, SetValue, isPlainObject, typeName } from '../../values/values.ts';
import type { FqlObject, Value } from '../../values/values.ts';
import { arity, obj } from './args.ts';
import { allDocs, idArg } from './collection.ts';
import { NO_METHOD } from './args.ts';
import { setMethods } from './set.ts';

const denied = (span: Span) => new QueryFailure('permission_denied', 'Insufficient privileges to perform the action.', { span });

function constraint(message: string, path: string, span: Span): QueryFailure {
  return new QueryFailure('constraint_failure', message, { span, constraintFailures: [{ paths: [[path]], message: message.replace(/\.$/, '') }] });
}

function optionalTtl(input: FqlObject, span: Span): FqlTime | null {
  const ttl = input.ttl ?? null;
  if (ttl !== null && !(ttl instanceof FqlTime)) throw new QueryFailure('invalid_argument', `expected value for \`ttl\` of type Time, received ${typeName(ttl)}`, { span });
  return ttl;
}

function optionalData(input: FqlObject, span: Span): FqlObject | null {
  const data = input.data ?? null;
  if (data !== null && !isPlainObject(data)) throw new QueryFailure('invalid_argument', `expected value for \`data\` of type Object, received ${typeName(data)}`, { span });
  return data;
}

function rejectUnknown(input: FqlObject, allowedKeys: string[], coll: string, span: Span): void {
  for (const key of Object.keys(input)) {
    if (key === 'secret') throw constraint('The `secret` field is readonly.', 'secret', span);
    if (!allowedKeys.includes(key)) throw constraint(`Unexpected field \`${key}\` in a ${coll} document.`, key, span);
  }
}

/**
 * The identity document a token may be created for: a document of a user-defined collection. Like the core (whose create
 * type accepts a null doc), a missing document is accepted; such a token simply never authenticates.
 */
function tokenDocument(ctx: Ctx, value: Value, span: Span): DocRef {
  const ref = value instanceof NullDoc && value.ref instanceof DocRef ? value.ref : value;
  if (!(ref instanceof DocRef) || !ctx.db.schema.collections.has(ref.coll)) {
    throw constraint('Expected document from a user-defined collection.', 'document', span);
  }
  return ref;
}

function createToken(ctx: Ctx, input: FqlObject, span: Span): DocRef {
  if (!allowed(ctx, 'Token', 'create', [input])) throw denied(span);
  rejectUnknown(input, ['document', 'ttl', 'data'], 'Token', span);
  const document = tokenDocument(ctx, input.document ?? null, span);
  const ttl = optionalTtl(input, span);
  const data = optionalData(input, span);
  const id = ctx.db.ids.next(ctx.txnMicros);
  const secret = mintTokenSecret(id, ctx.db.globalId);
  const fields: FqlObject = data ? { document, data } : { document };
  writeRecord(ctx, 'Token', id, { id, ts: ctx.txnMicros, ttl, data: fields, secretHash: hashSecret(secret) }, span);
  ctx.revealed.set(`Token/${id}`, secret);
  return new DocRef('Token', id);
}

function createKey(ctx: Ctx, input: FqlObject, span: Span): DocRef {
  if (ctx.access.kind !== 'admin') throw denied(span);
  rejectUnknown(input, ['role', 'ttl', 'data', 'database'], 'Key', span);
  const role = input.role ?? null;
  if (typeof role !== 'string') throw new QueryFailure('invalid_argument', `expected value for \`role\` of type String, received ${typeName(role)}`, { span });
  // `database: "child"` (or "child/grandchild") makes a key of this database that works in that child database.
  const database = input.database ?? null;
  if (database !== null && typeof database !== 'string') throw new QueryFailure('invalid_argument', `expected value for \`database\` of type String, received ${typeName(database)}`, { span });
  const target = database === null ? ctx.db : databaseAt(ctx.db, database.split('/'));
  if (target === null) throw constraint(`Database \`${database}\` does not exist.`, 'database', span);
  if (!accessForRole(role, (name) => target.schema.roles.get(name))) {
    throw constraint(`Role \`${role}\` does not exist.`, 'role', span);
  }
  const ttl = optionalTtl(input, span);
  const data = optionalData(input, span);
  const id = ctx.db.ids.next(ctx.txnMicros);
  const secret = mintKeySecret(id);
  const fields: FqlObject = { role, ...(database === null ? {} : { database }), ...(data ? { data } : {}) };
  writeRecord(ctx, 'Key', id, { id, ts: ctx.txnMicros, ttl, data: fields, secretHash: hashSecret(secret) }, span);
  ctx.revealed.set(`Key/${id}`, secret);
  return new DocRef('Key', id);
}

function tokensOf(ctx: Ctx, value: Value, span: Span): SetValue {
  const ref = value instanceof NullDoc && value.ref instanceof DocRef ? value.ref : value;
  if (!(ref instanceof DocRef)) throw new QueryFailure('invalid_argument', `expected value for \`document\` of type Ref, received ${typeName(value)}`, { span });
  if (!allowed(ctx, 'Token', 'read', [])) throw denied(span);
  return new SetValue((c) => {
    const cx = c as Ctx;
    const ids = [...(cx.db.store.lookup('Token', TOKEN_BY_DOCUMENT_INDEX, [ref]) ?? [])].sort(compareIds);
    const live = ids.filter((id) => peekLiveDoc(cx, 'Token', id));
    // Fauna's tokens-by-document index: one term (the document), so one partition (metering.ts).
    meterIndexRead(cx.meter, { coll: 'Token', index: TOKEN_BY_DOCUMENT_INDEX, terms: [ref] }, 1, live.length * indexEntryBytes([ref]));
    return live.map((id) => new DocRef('Token', id));
  });
}

/** Methods of the `Token` and `Key` modules. */
export function credentialModuleMethod(ctx: Ctx, module: 'Token' | 'Key', name: string, args: Value[], span: Span): Value | typeof NO_METHOD {
  switch (name) {
    case 'create':
      arity('create', args, 1, 1, span);
      return module === 'Token' ? createToken(ctx, obj(args, 0, 'data', span), span) : createKey(ctx, obj(args, 0, 'data', span), span);
    case 'byId':
      arity('byId', args, 1, 1, span);
      return new DocRef(module, idArg(args[0], span));
    case 'all':
      arity('all', args, 0, 0, span);
      return allDocs(module);
    case 'where':
    case 'firstWhere':
      return setMethods[name]!(ctx, allDocs(module), args, span);
    case 'byDocument':
      if (module !== 'Token') return NO_METHOD;
      arity('byDocument', args, 1, 1, span);
      return tokensOf(ctx, args[0]!, span);
  }
  return NO_METHOD;
}

/** `update`/`replace` of a Token or Key document: `secret` is readonly and a token's `document` must stay valid. */
export function writeCredential(ctx: Ctx, ref: DocRef, input: Value, mode: 'update' | 'replace', span: Span): DocRef {
  if (isPlainObject(input) && input.document !== undefined && ref.coll === 'Token') tokenDocument(ctx, input.document, span);
  if (isPlainObject(input) && ref.coll === 'Key' && input.role !== undefined) {
    const role = input.role;
    if (typeof role !== 'string' || !accessForRole(role, (n) => ctx.db.schema.roles.get(n))) throw constraint(`Role \`${String(role)}\` does not exist.`, 'role', span);
  }
  return writeDocument(ctx, ref, input, mode, span, ['secret']);
}
