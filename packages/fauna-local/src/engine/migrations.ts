/**
 * Migrations at schema push: validated as the core validates them, then applied to the documents a collection
 * already holds, so a document read after the push looks as it would on a real Fauna (which migrates lazily, on read,
 * without a new version: so the documents keep their `ts` here too).
 *
 * - Which check: a collection that is new or holds no documents has its block checked on its own; one with documents
 *   is checked against the live definition, from the continuation point of its block (CORE: SchemaValidate
 *   .validateMigrations, TypeEnvValidator MigrationDeriver).
 * - Converting: backfills are evaluated (with server rights, no type check) and checked against the field's type
 *   (CORE: MigrationConverter: "Failed to convert backfill value."), only for collections with documents.
 * - Applying: the core's document migrations (CORE: repo Migration.scala): AddField with its conflicts,
 *   DropField, MoveField, SplitField, MoveConflictingFields, MoveWildcard.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/schema/manager/SchemaValidate.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/schema/migration/MigrationConverter.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/repo/src/main/scala/schema/migration/Migration.scala
 */
import type { Expr, Span } from '../fql/ast.ts';
import { parseExpression } from '../fql/parser.ts';
import { renderSummary } from '../fql/summary.ts';
import { displayType } from '../schema/field-type.ts';
import type { FieldType } from '../schema/field-type.ts';
import { validateAlone, validateMigrations } from '../schema/migration-validator.ts';
import type { MigrationError, SchemaMigration, ValidationResult } from '../schema/migration-validator.ts';
import type { CollectionDef, SchemaItems } from '../schema/model.ts';
import type { Store, StoredDoc } from '../storage/store.ts';
import { DocRef, FqlBytes, FqlDate, FqlTime, isFunction, isInt32, isPlainObject, NullDoc, typeName } from '../values/values.ts';
import type { FqlObject, Value } from '../values/values.ts';

/** Evaluates a backfill expression (server rights, no local variables). */
export type EvaluateBackfill = (expr: Expr) => Value;

/** One collection's document migrations, ready to apply. */
interface Plan {
  collection: string;
  steps: DocStep[];
}

type DocStep =
  | { kind: 'add'; path: string[]; type: FieldType; value: Value }
  | { kind: 'drop'; path: string[] }
  | { kind: 'move'; from: string[]; to: string[] }
  | { kind: 'split'; field: string[]; spill: string[]; type: FieldType; fieldBackfill: Value; spillBackfill: Value }
  | { kind: 'move_conflicts'; into: string[] }
  | { kind: 'move_wildcard'; into: string[]; keep: ReadonlySet<string> };

/** Where the collection's FSL came from, to render errors against it. */
export interface SourceOf {
  (collection: string): { filename: string; content: string } | null;
}

/**
 * Validates the migrations of every collection of `next` against `previous` and converts them.
 * @returns the rendered errors (the push is refused as a whole), or a function that applies them to the store.
 */
export function prepareMigrations(
  previous: SchemaItems, next: SchemaItems, store: Store, sourceOf: SourceOf, evaluate: EvaluateBackfill,
  options: { convert?: boolean } = {},
): { ok: true; apply: () => void } | { ok: false; message: string } {
  const convertNow = options.convert ?? true;
  const collectionNames = new Set(next.collections.flatMap((c) => (c.alias ? [c.name, c.alias] : [c.name])));
  const names = { collections: collectionNames };
  const rendered: string[] = [];
  const plans: Plan[] = [];
  for (const submitted of next.collections) {
    const live = previous.collections.find((c) => c.name === submitted.name);
    const hasDocuments = live !== undefined && store.ids(submitted.name).length > 0;
    const result = validateSafely(() => (hasDocuments ? validateMigrations(live, submitted, names) : validateAlone(submitted, names)), submitted);
    const source = sourceOf(submitted.name);
    if (!result.ok) {
      rendered.push(...result.errors.map((e) => renderError(e, source)));
      continue;
    }
    // Empty and new collections need no internal migrations (CORE: MigrationDeriver). A diff or validate call only
    // validates: the core ignores backfill conversion errors there (SchemaValidate, ignoreBackfillErrors).
    if (!hasDocuments || result.migrations.length === 0 || !convertNow) continue;
    const converted = convert(result.migrations, evaluate);
    if ('failure' in converted) {
      rendered.push(renderConversionFailure(converted.failure, submitted, source));
      continue;
    }
    plans.push({ collection: submitted.name, steps: converted.steps });
  }
  if (rendered.length > 0) return { ok: false, message: rendered.join('\n') };
  return { ok: true, apply: () => applyPlans(plans, store) };
}

/**
 * The validator's own consistency checks (a shape it cannot walk, a type text it cannot read) become a refusal naming
 * the emulator, never a 500: the core throws in the same places (IllegalStateException).
 */
function validateSafely(run: () => ValidationResult, coll: CollectionDef): ValidationResult {
  try {
    return run();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [{ message: `The local Fauna emulator cannot validate the migrations of collection \`${coll.name}\`: ${reason}`, span: coll.span ?? null, hints: [] }] };
  }
}

function renderError(error: MigrationError, source: { filename: string; content: string } | null): string {
  if (error.span === null || source === null) return `error: ${error.message}\nat <no source>`;
  return renderSummary(source.content, error.span, error.message, 'error', {
    sourceName: source.filename,
    hints: error.hints.map((h) => ({ kind: 'hint' as const, message: h.message, span: h.span })),
  });
}

interface ConversionFailure {
  /** The field whose backfill does not fit its type; null when the backfill failed to evaluate. */
  path: string[] | null;
  message: string;
  /** The value cannot be stored at all: the core's "Failed to convert migration." */
  migration?: boolean;
}

function renderConversionFailure(failure: ConversionFailure, coll: CollectionDef, source: { filename: string; content: string } | null): string {
  const lines = failure.migration
    ? ['error: Failed to convert migration.', 'constraint failures:', `  ${failure.path === null ? '' : `${failure.path.join('.')}: `}${failure.message}`, 'at <no source>']
    : failure.path === null
    ? [`error: ${failure.message}`, 'at <no source>']
    : ['error: Failed to convert backfill value.', 'constraint failures:', `  ${failure.path.join('.')}: ${failure.message}`, 'at <no source>'];
  const inner = lines.map((l) => `    ${l}`).join('\n');
  const head = `Invalid database schema update.\n${inner}`;
  if (source === null || coll.span === undefined) return `error: ${head}`;
  return renderSummary(source.content, coll.span, head, 'error', { sourceName: source.filename });
}

/** A backfill (or default) whose value cannot be stored (CORE: MigrationConverter.evalPure, Value.toIR). */
class UnpersistableValueError extends Error {
  override name = 'UnpersistableValueError';
}

/** The type name of the first value inside `value` that a document cannot hold (a function, a set, …), or null. */
function unpersistable(value: Value): string | null {
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (const v of value) {
      const bad = unpersistable(v);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (value instanceof FqlTime || value instanceof FqlDate || value instanceof FqlBytes || value instanceof DocRef) return null;
  if (isPlainObject(value)) {
    for (const v of Object.values(value)) {
      const bad = unpersistable(v);
      if (bad !== null) return bad;
    }
    return null;
  }
  return isFunction(value) ? 'Lambda' : typeName(value);
}

/** A backfill whose evaluation failed (the core answers the runtime failure inside the schema update error). */
class BackfillEvaluationError extends Error {
  override name = 'BackfillEvaluationError';
}

function convert(migrations: SchemaMigration[], evaluate: EvaluateBackfill): { steps: DocStep[] } | { failure: ConversionFailure } {
  try {
    return convertOrThrow(migrations, evaluate);
  } catch (error) {
    if (error instanceof BackfillEvaluationError) return { failure: { path: null, message: error.message } };
    if (error instanceof UnpersistableValueError) return { failure: { path: null, message: error.message, migration: true } };
    throw error;
  }
}

function convertOrThrow(migrations: SchemaMigration[], evaluate: EvaluateBackfill): { steps: DocStep[] } | { failure: ConversionFailure } {
  const steps: DocStep[] = [];
  const evalSource = (source: string | null): Value => {
    if (source === null) return null;
    let value: Value;
    try {
      value = stripNulls(evaluate(parseExpression(source)));
    } catch (error) {
      // A runtime failure of the backfill (abort, a wrong call): its message, not an emulator crash.
      throw new BackfillEvaluationError(error instanceof Error ? error.message : String(error), { cause: error });
    }
    const unstorable = unpersistable(value);
    if (unstorable !== null) throw new UnpersistableValueError(`Value has type ${unstorable}, which cannot be persisted.`);
    return value;
  };
  for (const m of migrations) {
    switch (m.kind) {
      case 'add': {
        if (!isPersistable(m.type)) return { failure: { path: m.field, message: 'Type cannot be persisted.', migration: true } };
        const value = evalSource(m.backfill);
        const problem = checkValue(m.type, value);
        if (problem) return { failure: { path: m.field, message: problem } };
        steps.push({ kind: 'add', path: m.field, type: m.type, value });
        break;
      }
      case 'drop':
        steps.push({ kind: 'drop', path: m.field });
        break;
      case 'move':
        steps.push({ kind: 'move', from: m.field, to: m.to });
        break;
      case 'split': {
        const [head] = m.targets;
        if (head && head.path.join('.') !== m.field.join('.')) steps.push({ kind: 'move', from: m.field, to: head.path });
        for (let i = 0; i + 1 < m.targets.length; i++) {
          const from = m.targets[i]!;
          const to = m.targets[i + 1]!;
          if (!isPersistable(from.type)) return { failure: { path: from.path, message: 'Type cannot be persisted.', migration: true } };
          const fieldBackfill = evalSource(from.backfill);
          const problem = checkValue(from.type, fieldBackfill);
          if (problem) return { failure: { path: from.path, message: problem } };
          steps.push({ kind: 'split', field: from.path, spill: to.path, type: from.type, fieldBackfill, spillBackfill: evalSource(to.backfill) });
        }
        break;
      }
      case 'move_conflicts':
        steps.push({ kind: 'move_conflicts', into: m.into });
        break;
      case 'move_wildcard':
        steps.push({ kind: 'move_wildcard', into: m.into, keep: new Set(m.keep) });
        break;
      case 'add_wildcard':
        break;
    }
  }
  return { steps };
}

/** A type a document field can have (CORE: SchemaTypeResolver answers none for `ID`, sets, cursors, streams). */
function isPersistable(type: FieldType): boolean {
  switch (type.kind) {
    case 'named': return !['ID', 'SetCursor'].includes(type.name) && !/^(Set|EventSource)</.test(type.name);
    case 'union': return type.types.every(isPersistable);
    case 'array': return isPersistable(type.elem);
    case 'tuple': return type.elems.every(isPersistable);
    case 'record': return type.fields.every((f) => isPersistable(f.type)) && (type.wildcard === null || isPersistable(type.wildcard));
    default: return true;
  }
}

/** CORE: SchemaType.validate of a backfill: "Expected Int, provided String". */
function checkValue(type: FieldType, value: Value): string | null {
  if (isValueOfType(type, value)) return null;
  return `Expected ${displayExpected(type)}, provided ${value === null ? 'Null' : typeName(value)}`;
}

/** A document type is shown as the core's schema type shows it: `A | NullA`. */
function displayExpected(type: FieldType): string {
  if (type.kind === 'doc') return `${type.coll} | Null${type.coll}`;
  return displayType(type);
}

/** CORE: SchemaType.isValueOfType, over the emulator's values. */
export function isValueOfType(type: FieldType, value: Value): boolean {
  switch (type.kind) {
    case 'any': return true;
    case 'never': return false;
    case 'union': return type.types.some((t) => isValueOfType(t, value));
    case 'literal': return typeof value === typeof type.value && value === type.value;
    case 'doc': return value instanceof DocRef && value.coll === type.coll;
    case 'array': return Array.isArray(value) && value.every((v) => isValueOfType(type.elem, v));
    case 'tuple': return Array.isArray(value) && value.length === type.elems.length && value.every((v, i) => isValueOfType(type.elems[i]!, v));
    case 'record': {
      if (!isPlainObject(value)) return false;
      for (const f of type.fields) {
        const v = value[f.name] ?? null;
        if (v === null ? !(f.optional || isValueOfType(f.type, null)) : !isValueOfType(f.type, v)) return false;
      }
      for (const [k, v] of Object.entries(value)) {
        if (type.fields.some((f) => f.name === k)) continue;
        if (type.wildcard === null || !isValueOfType(type.wildcard, v)) return false;
      }
      return true;
    }
    case 'named':
      switch (type.name) {
        case 'Null': return value === null;
        case 'Int': return typeof value === 'bigint' && isInt32(value);
        case 'Long': return typeof value === 'bigint';
        case 'Double': case 'Float': return typeof value === 'number';
        case 'Number': return typeof value === 'number' || typeof value === 'bigint';
        case 'String': return typeof value === 'string';
        case 'Boolean': return typeof value === 'boolean';
        case 'Time': return value instanceof FqlTime;
        case 'Date': return value instanceof FqlDate;
        case 'Bytes': return value instanceof FqlBytes;
        case 'ID': return typeof value === 'string' && /^\d+$/.test(value) || typeof value === 'bigint';
        default: return value instanceof NullDoc ? false : true;
      }
  }
}

/** Stored data has no null fields (writing null removes a field). */
function stripNulls(value: Value): Value {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (isPlainObject(value)) {
    const out: FqlObject = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v);
    return out;
  }
  return value;
}

function applyPlans(plans: Plan[], store: Store): void {
  for (const plan of plans) {
    for (const id of [...store.ids(plan.collection)]) {
      const doc = store.get(plan.collection, id);
      if (!doc) continue;
      const data = migrateData(doc.data, plan.steps);
      const migrated: StoredDoc = { ...doc, data };
      store.put(plan.collection, id, migrated);
    }
  }
}

/** Runs the steps over a copy of one document's data. */
export function migrateData(data: FqlObject, steps: readonly DocStep[]): FqlObject {
  const doc = new DocData(structuredCloneData(data));
  for (const step of steps) applyStep(doc, step);
  return doc.root;
}

function structuredCloneData(data: FqlObject): FqlObject {
  const copy = (v: Value): Value => {
    if (Array.isArray(v)) return v.map(copy);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
    return v;
  };
  return copy(data) as FqlObject;
}

/** Paths into a document's data; a missing value is undefined (never stored as null). */
class DocData {
  readonly root: FqlObject;
  /** Values of `add` steps that conflicted, keyed by path, waiting for `move_conflicts` (CORE: `__conflicts`). */
  conflicts: [string, Value][] | null = null;

  constructor(root: FqlObject) {
    this.root = root;
  }

  get(path: readonly string[]): Value | undefined {
    let cur: Value | undefined = this.root;
    for (const name of path) {
      if (!isPlainObject(cur as Value)) return undefined;
      cur = (cur as FqlObject)[name];
    }
    return cur;
  }

  remove(path: readonly string[]): void {
    const parent = this.get(path.slice(0, -1));
    if (isPlainObject(parent as Value)) delete (parent as FqlObject)[path[path.length - 1]!];
  }

  insert(path: readonly string[], value: Value): void {
    if (value === null) return;
    let cur = this.root;
    for (const name of path.slice(0, -1)) {
      const next = cur[name];
      if (!isPlainObject(next ?? null)) cur[name] = {};
      cur = cur[name] as FqlObject;
    }
    cur[path[path.length - 1]!] = value;
  }
}

function applyStep(doc: DocData, step: DocStep): void {
  switch (step.kind) {
    case 'add': {
      for (let i = 1; i < step.path.length; i++) if (doc.get(step.path.slice(0, i)) === undefined) doc.insert(step.path.slice(0, i), {});
      const prev = doc.get(step.path);
      if (prev !== undefined) {
        if (isValueOfType(step.type, prev)) return;
        doc.remove(step.path);
        (doc.conflicts ??= []).push([step.path.join('.'), prev]);
      }
      doc.insert(step.path, step.value);
      return;
    }
    case 'drop':
      doc.remove(step.path);
      return;
    case 'move': {
      const v = doc.get(step.from);
      if (v === undefined) return;
      doc.remove(step.from);
      doc.insert(step.to, v);
      return;
    }
    case 'split': {
      const prev = doc.get(step.field);
      if (prev === undefined) {
        doc.insert(step.field, step.fieldBackfill);
        doc.insert(step.spill, step.spillBackfill);
      } else if (isValueOfType(step.type, prev)) {
        doc.insert(step.spill, step.spillBackfill);
      } else {
        doc.remove(step.field);
        doc.insert(step.field, step.fieldBackfill);
        doc.insert(step.spill, prev);
      }
      return;
    }
    case 'move_conflicts': {
      const conflicts = doc.conflicts;
      doc.conflicts = null;
      if (!conflicts || conflicts.length === 0) return;
      if (doc.get(step.into) === undefined) doc.insert(step.into, {});
      for (const [name, value] of conflicts) {
        let fieldName = name;
        while (doc.get([...step.into, fieldName]) !== undefined) fieldName = `_${fieldName}`;
        doc.insert([...step.into, fieldName], value);
      }
      return;
    }
    case 'move_wildcard': {
      const moving = Object.keys(doc.root).filter((k) => !step.keep.has(k));
      if (moving.length === 0) return;
      const into = doc.get(step.into);
      const taken = new Set(isPlainObject(into ?? null) ? Object.keys(into as FqlObject) : []);
      // Fewer leading underscores first, so that renaming is deterministic (CORE: MoveWildcard).
      const leading = (n: string) => n.length - n.replace(/^_+/, '').length;
      const renamed = new Map<string, string>();
      for (const name of [...moving].sort((a, b) => leading(a) - leading(b))) {
        let munged = name;
        while (taken.has(munged)) munged = `_${munged}`;
        taken.add(munged);
        renamed.set(name, munged);
      }
      const values = moving.map((name) => [name, doc.root[name]!] as const);
      for (const [name] of values) delete doc.root[name];
      if (doc.get(step.into) === undefined) doc.insert(step.into, {});
      for (const [name, value] of values) doc.insert([...step.into, renamed.get(name)!], value);
      return;
    }
  }
}

export type { Span };
