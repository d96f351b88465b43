/**
 * Schema written in FQL: `Collection.create`, `Function.create`, `Role.create` and `update`/`replace`/`delete` on their
 * definitions. Each change is turned into FSL (fsl/render.ts), written into the schema files
 * (fsl/files.ts) and applied through the same parser, checks and storage as a schema push (`ctx.changeSchema`),
 * inside the query's transaction: a failed query undoes it, and the schema API sees the files it produced.
 */
import type { Span } from '../../fql/ast.ts';
import { withItem } from '../../fsl/files.ts';
import { definitionName, DefinitionShapeError, mergeDefinition, renderItem } from '../../fsl/render.ts';
import type { Plain, PlainObject, SchemaModule } from '../../fsl/render.ts';
import type { Ctx } from '../context.ts';
import { QueryFailure } from '../errors.ts';
import { isPlainObject, NamedRef, NullDoc, typeName } from '../../values/values.ts';
import type { Value } from '../../values/values.ts';
import { namedFields } from './schema-items.ts';
import { definitionProblems } from '../../fsl/definition-checks.ts';
import { derivedTypeConflict, nameTaken } from './schema-namespace.ts';
import { dropExtras, recordExtras } from '../definition-extras.ts';
import { documentBytes, meterCompute, meterDocumentWritten, meterSchemaWrite } from '../metering.ts';

export type SchemaWrite = 'create' | 'update' | 'replace' | 'delete';

const PAST = { create: 'create', update: 'update', replace: 'update', delete: 'delete' } as const;

/**
 * Fauna's answer for a schema write that fails validation: `constraint_failure` "Failed to create Collection." or
 * "Failed to update Collection `Name`." (CORE: FQL2CollectionsSpec "don't accept invalid fields").
 */
function failed(module: SchemaModule, write: SchemaWrite, name: string | null, failures: { paths: (string | number)[][]; message: string }[], span: Span): QueryFailure {
  const subject = write === 'create' || name === null ? module : `${module} \`${name}\``;
  return new QueryFailure('constraint_failure', `Failed to ${PAST[write]} ${subject}.`, { span, constraintFailures: failures });
}

/** The core's checks of the definition (fsl/definition-checks.ts), all problems at once, before anything is rendered. */
function check(module: SchemaModule, write: SchemaWrite, oldName: string | null, patch: PlainObject, def: PlainObject, span: Span): void {
  const problems = definitionProblems(module, patch, def);
  if (problems.length > 0) throw failed(module, write, oldName, problems.map((p) => ({ paths: [p.path], message: p.message })), span);
}

/** Who may change schema from FQL: admin for everything; server for collections and functions but not roles. */
function requireSchemaWrite(ctx: Ctx, module: SchemaModule, span: Span): void {
  const kind = ctx.access.kind;
  if (kind === 'admin' || (kind === 'server' && module !== 'Role')) return;
  throw new QueryFailure('permission_denied', 'Insufficient privileges to perform the action.', { span });
}

/** An FQL value as a plain definition object (Int/Long → number); other types cannot appear in a definition. */
function toPlain(value: Value, path: string[]): Plain {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map((item, i) => toPlain(item, [...path, String(i)]));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v, [...path, k])]));
  // Times, dates, bytes, documents, sets and functions have no place in a definition.
  throw new DefinitionShapeError(path, `Unexpected ${typeName(value)} in a schema definition.`);
}

function definitionArg(value: Value | undefined, span: Span): PlainObject {
  if (value === undefined || !isPlainObject(value)) {
    throw new QueryFailure('invalid_argument', `expected value for \`data\` of type { *: Any }, received ${typeName(value ?? null)}`, { span });
  }
  return toPlain(value, []) as PlainObject;
}

/** The current definition of `ref` as a plain object, without the fields Fauna computes (`coll`, `ts`). */
function currentDefinition(ctx: Ctx, ref: NamedRef): PlainObject | null {
  const fields = namedFields(ctx, ref);
  if (!fields) return null;
  const { coll: _coll, ts: _ts, ...rest } = fields;
  return toPlain(rest, []) as PlainObject;
}

/** Renders `def`, edits the files and applies them; validation problems become Fauna's constraint failure. */
function apply(ctx: Ctx, module: SchemaModule, write: SchemaWrite, oldName: string | null, def: PlainObject | null, span: Span): string | null {
  let files = ctx.db.schema.files;
  let name: string | null = null;
  try {
    if (def !== null) {
      name = definitionName(def);
      const taken = name === oldName ? null : nameTaken(ctx, module, name, oldName);
      if (taken !== null) throw new DefinitionShapeError(['name'], taken);
      const alias = typeof def.alias === 'string' ? def.alias : null;
      const oldAlias = oldName === null ? null : (module === 'Collection' ? ctx.db.schema.collections.get(oldName)?.alias : module === 'Function' ? ctx.db.schema.functions.get(oldName)?.alias : null) ?? null;
      const aliasTaken = alias === null || alias === oldAlias ? null : nameTaken(ctx, module, alias, oldName);
      if (aliasTaken !== null) throw new DefinitionShapeError(['alias'], aliasTaken);
      if (module === 'Collection') {
        const conflict = (name !== oldName ? derivedTypeConflict(ctx, 'name', name, oldName, span) : null)
          ?? (alias !== null && alias !== oldAlias ? derivedTypeConflict(ctx, 'alias', alias, oldName, span) : null);
        if (conflict !== null) throw conflict;
      }
    }
    if (oldName !== null && (def === null || name !== oldName)) files = withItem(files, module, oldName, null);
    if (def !== null) files = withItem(files, module, name!, renderItem(module, def));
  } catch (error) {
    if (error instanceof DefinitionShapeError) throw failed(module, write, oldName, [{ paths: [error.path], message: error.message }], span);
    throw error;
  }
  const indexesBefore = Object.keys(oldName === null ? {} : (ctx.db.schema.collections.get(oldName)?.indexes ?? {}));
  const problem = ctx.changeSchema(files);
  // Type errors in the new schema code answer `invalid_schema` (core: FQL2EnvTypecheckSpec), other problems a constraint failure.
  if (problem !== null && typeof problem !== 'string') throw new QueryFailure('invalid_schema', problem.invalidSchema, { span });
  if (problem !== null) throw failed(module, write, oldName, [{ paths: [], message: problem }], span);
  meterSchemaChange(ctx, module, indexesBefore, name, def, files);
  if (def === null && oldName !== null) dropExtras(ctx.db, module, oldName);
  else recordExtras(ctx.db, module, oldName, name, def);
  return name;
}

/**
 * What a schema change writes (metering.ts): the definition document and the FSL files document, plus one index
 * build per index the change adds (CORE: FQL2MetricsSpec "create a new index": collection update, index, FSL = 3).
 */
function meterSchemaChange(ctx: Ctx, module: SchemaModule, indexesBefore: string[], name: string | null, def: PlainObject | null, files: ReadonlyMap<string, string>): void {
  meterSchemaWrite(ctx.meter, def === null ? documentBytes({}) : documentBytes({ definition: JSON.stringify(def) }));
  meterSchemaWrite(ctx.meter, documentBytes({ files: [...files.values()].join('\n') }));
  if (module === 'Collection' && def !== null && name !== null) {
    const added = Object.keys(isPlainObject(def.indexes) ? def.indexes : {}).filter((index) => !indexesBefore.includes(index));
    const documents = ctx.db.store.ids(name).length;
    for (const index of added) {
      meterSchemaWrite(ctx.meter, documentBytes({}));
      // Building it at once costs a unit of compute per term and value of every document (CORE: FQL2MetricsSpec
      // "create index charges compute ops for synchronous build").
      const built = ctx.db.schema.collections.get(name)?.indexes[index];
      if (built) meterCompute(ctx.meter, (built.terms.length + built.values.length) * documents);
    }
  }
  // The new definition is this transaction's own write: reading it back costs nothing.
  if (name !== null) meterDocumentWritten(ctx.meter, module, name);
}

/** `Collection.create(def)`, `Function.create(def)`, `Role.create(def)`: the new definition. */
export function createSchemaItem(ctx: Ctx, module: SchemaModule, arg: Value | undefined, span: Span): Value {
  requireSchemaWrite(ctx, module, span);
  const def = definitionArg(arg, span);
  check(module, 'create', null, def, def, span);
  const name = apply(ctx, module, 'create', null, def, span);
  return new NamedRef(module, name!);
}

/** `update`/`replace`/`delete` on a definition (`Collection.byName("C")!.update({...})`). */
export function writeSchemaItem(ctx: Ctx, ref: NamedRef, write: Exclude<SchemaWrite, 'create'>, arg: Value | undefined, span: Span): Value {
  const module = ref.coll as SchemaModule;
  requireSchemaWrite(ctx, module, span);
  const current = currentDefinition(ctx, ref);
  if (current === null) throw new QueryFailure('document_not_found', `${module} \`${ref.name}\` not found.`, { span });
  if (write === 'delete') {
    apply(ctx, module, write, ref.name, null, span);
    return new NullDoc(ref, 'deleted');
  }
  const patch = definitionArg(arg, span);
  // `replace` keeps only the name unless a new one is given; `update` merges into the current definition.
  const def = write === 'replace' ? { name: ref.name, ...patch } : mergeDefinition(current, patch);
  check(module, write, ref.name, patch, def, span);
  const name = apply(ctx, module, write, ref.name, def, span);
  return new NamedRef(module, name!);
}
