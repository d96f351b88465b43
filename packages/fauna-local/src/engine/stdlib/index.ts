/**
 * Dispatch from the evaluator to the standard library: field access (`memberOf`) and method calls (`callMethod`)
 * by receiver type. Anything unknown fails with Fauna's codes, never with a made-up value.
 */
import { isPrivileged } from '../../auth/permissions.ts';
import { meterCompute } from '../metering.ts';
import type { Span } from '../../fql/ast.ts';
import type { Ctx } from '../context.ts';
import { deleteDocument, docField, moduleFor, nullDocFailure, readState, requireDoc, writeDocument } from '../documents.ts';
import { QueryFailure } from '../errors.ts';
import { DocRef, FqlBytes, FqlDate, FqlTime, ModuleValue, NamedRef, NativeFn, NullDoc, SetValue, isFunction, isPlainObject, typeName } from '../../values/values.ts';
import type { Value } from '../../values/values.ts';
import { arity, str } from './args.ts';
import type { Method } from './args.ts';
import { arrayMethods, arrayModule } from './array.ts';
import { idArg, schemaModuleMethod, userCollectionMethod } from './collection.ts';
import { NO_METHOD } from './args.ts';
import { namedFields } from './schema-items.ts';
import { literalText } from './display.ts';
import { MATH_CONSTANTS, mathModule } from './math.ts';
import { objectModule } from './object.ts';
import { queryModule } from './query.ts';
import { setMethods, setModule } from './set.ts';
import { stringMethods, stringProperty } from './string.ts';
import { dateMethods, dateModule, timeMethods, timeModule, timeProperty } from './time.ts';
import { credentialModuleMethod, writeCredential } from './token.ts';

export { resolveGlobal } from './globals.ts';
import { UNSUPPORTED_MODULES } from './globals.ts';
import { writeSchemaItem } from './schema-writes.ts';
import { databaseModuleMethod, writeDatabase } from './database.ts';

const isSchemaModule = (coll: string): coll is 'Collection' | 'Function' | 'Role' => coll === 'Collection' || coll === 'Function' || coll === 'Role';

/** The span of just the member name at the end of `a.name`. */
function nameOnly(name: string, span: Span): Span {
  return span.end - name.length >= span.start ? { start: span.end - name.length, end: span.end } : span;
}

function noSuchFunction(name: string, receiver: Value, span: Span): QueryFailure {
  return new QueryFailure('invalid_function_invocation', `The function \`${name}\` does not exist on \`${typeName(receiver)}\``, { span: nameOnly(name, span) });
}

const USER_COLLECTION_METHODS = ['create', 'byId', 'all', 'where', 'firstWhere'];
const SCHEMA_MODULE_METHODS = ['byName', 'all', 'where', 'firstWhere', 'create'];
const CREDENTIAL_MODULE_METHODS = ['create', 'byId', 'all', 'where', 'firstWhere'];
const DOCUMENT_METHODS = ['exists', 'update', 'replace', 'delete', 'toString'];
/** Methods of a schema definition (`Collection.byName("C")!.delete()`) that would change schema. */
const SCHEMA_WRITE_METHODS: ReadonlySet<string> = new Set(['update', 'replace', 'delete']);

/** Whether `receiver.name(...)` names a method (so `receiver.name` without a call is that method as a function). */
function hasMethod(ctx: Ctx, receiver: Value, name: string): boolean {
  const has = (table: Record<string, unknown>) => Object.hasOwn(table, name);
  if (receiver instanceof SetValue) return has(setMethods);
  if (Array.isArray(receiver)) return has(arrayMethods);
  if (typeof receiver === 'string') return has(stringMethods);
  if (receiver instanceof FqlTime) return has(timeMethods);
  if (receiver instanceof FqlDate) return has(dateMethods);
  if (typeof receiver === 'bigint' || typeof receiver === 'number' || typeof receiver === 'boolean') return name === 'toString';
  if (receiver instanceof DocRef) return DOCUMENT_METHODS.includes(name);
  if (receiver instanceof ModuleValue) {
    if (receiver.isUserCollection) {
      const def = ctx.db.schema.collections.get(receiver.name);
      return USER_COLLECTION_METHODS.includes(name) || Boolean(def && Object.hasOwn(def.indexes, name));
    }
    if (receiver.name === 'Collection' || receiver.name === 'Role' || receiver.name === 'Function') return SCHEMA_MODULE_METHODS.includes(name);
    if (receiver.name === 'Token') return CREDENTIAL_MODULE_METHODS.includes(name) || name === 'byDocument';
    if (receiver.name === 'Key') return CREDENTIAL_MODULE_METHODS.includes(name);
    const table = builtinModules[receiver.name];
    return Boolean(table && has(table));
  }
  return false;
}

/**
 * A field the value's type does not have: a method name reads as that method (a function); anything else is null with a
 * missing-field cause, as the core's field tables answer (calling it then fails with "does not exist").
 */
function missingMember(ctx: Ctx, receiver: Value, name: string, span: Span): Value {
  if (!hasMethod(ctx, receiver, name)) return null;
  return new NativeFn(name, (c, args) => callMethod(c as Ctx, receiver, name, args, span, span));
}

/**
 * A field the reference's index entry covers, without a document read (metering.ts), or undefined. Only for
 * privileged callers: a user role's read predicate needs the document, and a document this transaction wrote may
 * have changed since the index was read.
 */
function coveredField(ctx: Ctx, ref: DocRef, name: string): Value | undefined {
  if (ref.covered === undefined || !ref.covered.has(name) || !isPrivileged(ctx.access)) return undefined;
  if (ctx.db.store.writtenDocuments().has(`${ref.coll}/${ref.id}`)) return undefined;
  return ref.covered.get(name);
}

/** `receiver.name` (and `receiver["name"]`). */
export function memberOf(ctx: Ctx, receiver: Value, name: string, span: Span): Value {
  if (receiver === null) throw new QueryFailure('invalid_null_access', `Cannot access \`${name}\` on null.`, { span });
  if (isPlainObject(receiver)) return Object.hasOwn(receiver, name) ? receiver[name]! : null;
  if (receiver instanceof DocRef) {
    // A reference knows its id and collection without reading the document, so they answer even for a missing or
    // deleted one (CORE: FQL2DocsSpec "null allow ref field access").
    if (name === 'id') return receiver.id;
    if (name === 'coll') return moduleFor(receiver.coll, ctx.db.schema.collections.has(receiver.coll));
    const covered = coveredField(ctx, receiver, name);
    if (covered !== undefined) return covered;
    const doc = requireDoc(ctx, receiver, span);
    const value = docField(ctx, receiver, doc, name);
    return value === null && DOCUMENT_METHODS.includes(name) ? missingMember(ctx, receiver, name, span) : value;
  }
  if (receiver instanceof NullDoc) {
    if (receiver.cause === 'permission denied') throw new QueryFailure('permission_denied', 'Insufficient privileges to perform the action.', { span });
    throw nullDocFailure(receiver.ref, receiver.cause, span);
  }
  if (receiver instanceof NamedRef) {
    const fields = namedFields(ctx, receiver);
    if (!fields) throw nullDocFailure(receiver, 'not found', span);
    return fields[name] ?? null;
  }
  if (Array.isArray(receiver) && name === 'length') return BigInt(receiver.length);
  if (typeof receiver === 'string') {
    const v = stringProperty(receiver, name);
    if (v !== undefined) return v;
  }
  if (receiver instanceof FqlTime) {
    const v = timeProperty(receiver, name);
    if (v !== undefined) return v;
  }
  if (receiver instanceof ModuleValue && receiver.name === 'Math' && Object.hasOwn(MATH_CONSTANTS, name)) return MATH_CONSTANTS[name]!;
  if (receiver instanceof ModuleValue && receiver.isUserCollection && name === 'definition') return new NamedRef('Collection', receiver.name);
  return missingMember(ctx, receiver, name, span);
}

function dispatch<T>(table: Record<string, Method<T>>, ctx: Ctx, self: T, name: string, args: Value[], span: Span): Value | typeof NO_METHOD {
  const method = Object.hasOwn(table, name) ? table[name] : undefined;
  return method ? method(ctx, self, args, span) : NO_METHOD;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `Bytes("<base64>")` and `Bytes.fromBase64`. */
const bytesModule: Record<string, Method<null>> = {
  apply: (_c, _s, args, span) => bytesFromBase64(args, span),
  fromBase64: (_c, _s, args, span) => bytesFromBase64(args, span),
};

function bytesFromBase64(args: Value[], span: Span): Value {
  arity('Bytes', args, 1, 1, span);
  const text = str(args, 0, 'encoded', span);
  if (!BASE64.test(text) || text.length % 4 === 1) throw new QueryFailure('invalid_argument', 'invalid argument `encoded`: expected a Base64 string', { span });
  return new FqlBytes(new Uint8Array(Buffer.from(text, 'base64')));
}

/** `ID(x)`: a document id from a digit string or an Int. */
const idModule: Record<string, Method<null>> = {
  apply: (_c, _s, args, span) => (arity('ID', args, 1, 1, span), idArg(args[0], span)),
};

const builtinModules: Record<string, Record<string, Method<null>>> = {
  Bytes: bytesModule,
  ID: idModule,
  Time: timeModule,
  Date: dateModule,
  Math: mathModule,
  Object: objectModule,
  Query: queryModule,
  Set: setModule,
  Array: arrayModule,
};

function moduleMethod(ctx: Ctx, mod: ModuleValue, name: string, args: Value[], span: Span): Value | typeof NO_METHOD {
  if (mod.isUserCollection) {
    const def = ctx.db.schema.collections.get(mod.name);
    if (!def) throw new QueryFailure('invalid_function_invocation', `Collection \`${mod.name}\` does not exist.`, { span });
    return userCollectionMethod(ctx, def, name, args, span);
  }
  if (UNSUPPORTED_MODULES.has(mod.name)) {
    throw new QueryFailure('invalid_query', `\`${mod.name}.${name}\`: the ${mod.name} module is not supported by the local Fauna emulator (it has only the root database, keys and tokens).`, { span });
  }
  switch (mod.name) {
    case 'Collection':
    case 'Role':
    case 'Function':
      return schemaModuleMethod(ctx, mod.name, name, args, span);
    case 'Token':
    case 'Key':
      return credentialModuleMethod(ctx, mod.name, name, args, span);
    case 'Database':
      return databaseModuleMethod(ctx, name, args, span);
  }
  const table = builtinModules[mod.name];
  return table ? dispatch(table, ctx, null, name, args, span) : NO_METHOD;
}

function documentMethod(ctx: Ctx, ref: DocRef, name: string, args: Value[], span: Span): Value | typeof NO_METHOD {
  const credential = ref.coll === 'Token' || ref.coll === 'Key';
  switch (name) {
    case 'exists':
      arity('exists', args, 0, 0, span);
      return !('cause' in readState(ctx, ref));
    case 'update':
    case 'replace':
      arity(name, args, 1, 1, span);
      return credential ? writeCredential(ctx, ref, args[0]!, name, span) : writeDocument(ctx, ref, args[0]!, name, span);
    case 'delete':
      arity('delete', args, 0, 0, span);
      return deleteDocument(ctx, ref, span);
    case 'toString':
      arity('toString', args, 0, 0, span);
      return literalText(ref);
  }
  return NO_METHOD;
}

/** `receiver.name(args)`. */
export function callMethod(ctx: Ctx, receiver: Value, name: string, args: Value[], nameSpan: Span, callSpan: Span): Value {
  // Every native method call is a unit of compute (CORE: FQLInterpreter.scala `callNativeMethod`).
  meterCompute(ctx.meter);
  let result: Value | typeof NO_METHOD = NO_METHOD;
  if (receiver === null) throw new QueryFailure('invalid_null_access', `Cannot access \`${name}\` on null.`, { span: nameSpan });
  if (receiver instanceof ModuleValue) {
    result = name === 'apply' ? moduleMethod(ctx, receiver, 'apply', args, callSpan) : moduleMethod(ctx, receiver, name, args, callSpan);
  } else if (receiver instanceof DocRef) {
    result = documentMethod(ctx, receiver, name, args, callSpan);
    if (result === NO_METHOD) requireDoc(ctx, receiver, nameSpan);
  } else if (receiver instanceof NullDoc) {
    if (name === 'exists') return false;
    if (receiver.cause === 'permission denied') throw new QueryFailure('permission_denied', 'Insufficient privileges to perform the action.', { span: nameSpan });
    throw nullDocFailure(receiver.ref, receiver.cause, nameSpan);
  } else if (receiver instanceof NamedRef) {
    if (name === 'exists') return namedFields(ctx, receiver) !== null;
    if (SCHEMA_WRITE_METHODS.has(name) && receiver.coll === 'Database') {
      arity(name, args, name === 'delete' ? 0 : 1, name === 'delete' ? 0 : 1, callSpan);
      return writeDatabase(ctx, receiver, name as 'update' | 'replace' | 'delete', args[0], callSpan);
    }
    if (SCHEMA_WRITE_METHODS.has(name) && isSchemaModule(receiver.coll)) {
      arity(name, args, name === 'delete' ? 0 : 1, name === 'delete' ? 0 : 1, callSpan);
      return writeSchemaItem(ctx, receiver, name as 'update' | 'replace' | 'delete', args[0], callSpan);
    }
  } else if (receiver instanceof SetValue) {
    result = dispatch(setMethods, ctx, receiver, name, args, callSpan);
  } else if (Array.isArray(receiver)) {
    result = dispatch(arrayMethods, ctx, receiver, name, args, callSpan);
  } else if (typeof receiver === 'string') {
    result = dispatch(stringMethods, ctx, receiver, name, args, callSpan);
  } else if (receiver instanceof FqlTime) {
    result = dispatch(timeMethods, ctx, receiver, name, args, callSpan);
  } else if (receiver instanceof FqlDate) {
    result = dispatch(dateMethods, ctx, receiver, name, args, callSpan);
  } else if (typeof receiver === 'bigint' || typeof receiver === 'number' || typeof receiver === 'boolean') {
    if (name === 'toString') {
      arity('toString', args, 0, 0, callSpan);
      return literalText(receiver);
    }
  } else if (isPlainObject(receiver)) {
    const field = Object.hasOwn(receiver, name) ? receiver[name]! : null;
    if (isFunction(field)) return ctx.callFunction(field, args, callSpan);
  }
  if (result === NO_METHOD) throw noSuchFunction(name, receiver, nameSpan);
  return result;
}
