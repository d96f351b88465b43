/**
 * The checks the core runs on a definition object written in FQL (`Collection.create({...})`,
 * `Coll.definition.update({...})`, `Function.create`, `Role.create`) before it becomes schema, with the core's
 * messages and paths: every problem is reported, as the core lists all its constraint failures.
 *
 * CORE: [`schema/NativeCollection.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/schema/NativeCollection.scala)
 * (the definition documents' fields), [`repo/schema/ConstraintFailure.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/repo/src/main/scala/schema/ConstraintFailure.scala)
 * ("Unexpected field provided"), [`schema/IndexFieldValidator.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/schema/IndexFieldValidator.scala),
 * [`schema/GlobalNamespaceValidator.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/schema/GlobalNamespaceValidator.scala);
 * expected answers: [`ext/api/src/test/scala/fql2/FQL2CollectionsSpec.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/api/src/test/scala/fql2/FQL2CollectionsSpec.scala),
 * [`FQL2UserFunctionSpec.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/api/src/test/scala/fql2/FQL2UserFunctionSpec.scala).
 */
import { globalNameProblem, indexFieldProblem, indexNameProblem, roleNameProblem } from '../schema/names.ts';
import type { Plain, PlainObject, SchemaModule } from './render.ts';

export interface DefinitionProblem {
  path: (string | number)[];
  message: string;
}

const UNEXPECTED = 'Unexpected field provided';
const INDEX_SHAPE = 'Union requires fields [terms], [values], or [terms, values]';

/** The fields each definition document has (CORE: NativeCollection's schemas for Collection, Function, Role). */
const TOP_LEVEL_FIELDS: Record<SchemaModule, ReadonlySet<string>> = {
  Collection: new Set(['name', 'alias', 'fields', 'wildcard', 'computed_fields', 'indexes', 'constraints', 'ttl_days', 'history_days', 'document_ttls', 'migrations', 'data']),
  Function: new Set(['name', 'alias', 'body', 'role', 'signature', 'data']),
  Role: new Set(['name', 'membership', 'privileges', 'data']),
};
const INDEX_FIELDS: ReadonlySet<string> = new Set(['terms', 'values', 'queryable']);
const TERM_FIELDS: ReadonlySet<string> = new Set(['field', 'mva']);
const VALUE_FIELDS: ReadonlySet<string> = new Set(['field', 'mva', 'order']);

function isObject(value: Plain | undefined): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The core's name of a value's type in "Expected …, provided T". */
function plainTypeName(value: Plain): string {
  if (value === null) return 'Null';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Int' : 'Double';
  if (Array.isArray(value)) return 'Array';
  return 'Object';
}

function unexpectedKeys(value: PlainObject, allowed: ReadonlySet<string>, path: (string | number)[], out: DefinitionProblem[]): void {
  for (const key of Object.keys(value)) if (!allowed.has(key)) out.push({ path: [...path, key], message: UNEXPECTED });
}

function checkIndexFields(list: Plain | undefined, role: 'term' | 'value', path: (string | number)[], out: DefinitionProblem[]): void {
  if (!Array.isArray(list)) return;
  list.forEach((entry, i) => {
    if (!isObject(entry)) return;
    unexpectedKeys(entry, role === 'term' ? TERM_FIELDS : VALUE_FIELDS, [...path, i], out);
    if (typeof entry.field === 'string') {
      const problem = indexFieldProblem(entry.field, role);
      if (problem !== null) out.push({ path: [...path, i, 'field'], message: problem });
    }
    if (entry.mva !== undefined && entry.mva !== null && typeof entry.mva !== 'boolean') {
      out.push({ path: [...path, i, 'mva'], message: `Expected Boolean | Null, provided ${plainTypeName(entry.mva)}` });
    }
    if (role === 'value' && entry.order !== undefined && entry.order !== null && entry.order !== 'asc' && entry.order !== 'desc') {
      out.push({ path: [...path, i, 'order'], message: `Expected "asc" | "desc" | Null, provided ${plainTypeName(entry.order)}` });
    }
  });
}

function checkIndexes(indexes: Plain | undefined, out: DefinitionProblem[]): void {
  if (!isObject(indexes)) return;
  for (const [name, index] of Object.entries(indexes)) {
    const nameProblem = indexNameProblem(name);
    if (nameProblem !== null) out.push({ path: ['indexes'], message: nameProblem });
    if (!isObject(index)) continue;
    unexpectedKeys(index, INDEX_FIELDS, ['indexes', name], out);
    const absent = (v: Plain | undefined) => v === undefined || v === null;
    if (absent(index.terms) && absent(index.values)) out.push({ path: ['indexes', name], message: INDEX_SHAPE });
    checkIndexFields(index.terms, 'term', ['indexes', name, 'terms'], out);
    checkIndexFields(index.values, 'value', ['indexes', name, 'values'], out);
  }
}

function checkUniqueConstraints(constraints: Plain | undefined, out: DefinitionProblem[]): void {
  if (!Array.isArray(constraints)) return;
  constraints.forEach((constraint, i) => {
    if (!isObject(constraint) || !Array.isArray(constraint.unique)) return;
    // The core sets a unique constraint's status itself (FQL2CollectionsSpec "customers are unable to set the status
    // of a unique constraint"); the value it shows, "active", may be written back unchanged.
    if (constraint.status !== undefined && constraint.status !== 'active') {
      out.push({ path: ['constraints', i, 'status'], message: 'Failed to update field because it is readonly' });
    }
    for (const field of constraint.unique) {
      const text = typeof field === 'string' ? field : isObject(field) && typeof field.field === 'string' ? field.field : null;
      const problem = text === null ? null : indexFieldProblem(text, 'unique');
      if (problem !== null) out.push({ path: ['constraints', i, 'unique'], message: problem });
    }
  });
}

/**
 * The problems of a definition: `patch` is what the query wrote (its unknown keys are reported), `def` the definition
 * it makes (the current one merged with the patch, for an update).
 */
export function definitionProblems(module: SchemaModule, patch: PlainObject, def: PlainObject): DefinitionProblem[] {
  const out: DefinitionProblem[] = [];
  unexpectedKeys(patch, TOP_LEVEL_FIELDS[module], [], out);
  if (typeof def.name === 'string' && patch.name !== undefined) {
    const problem = module === 'Role' ? roleNameProblem(def.name) : globalNameProblem(def.name);
    if (problem !== null) out.push({ path: ['name'], message: problem });
  }
  if (module !== 'Role' && typeof patch.alias === 'string') {
    const problem = globalNameProblem(patch.alias);
    if (problem !== null) out.push({ path: ['alias'], message: problem });
  }
  if (patch.data !== undefined && patch.data !== null && !isObject(patch.data)) {
    out.push({ path: ['data'], message: `Expected { *: Any } | Null, provided ${plainTypeName(patch.data)}` });
  }
  if (module === 'Collection') {
    checkIndexes(patch.indexes, out);
    checkUniqueConstraints(patch.constraints, out);
  }
  return out;
}
