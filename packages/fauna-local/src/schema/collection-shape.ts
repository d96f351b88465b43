/**
 * The shape of a collection as the migration validator sees it (CORE: CollectionShape.scala): its defined fields
 * (nested schema objects as records of fields), where each field came from (schema, or a migration being rewound),
 * and its effective wildcard (`*: Any` implied when a collection defines no fields).
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/migration/CollectionShape.scala
 */
import type { Span } from '../fql/ast.ts';
import { ANY, isNullable, isSubtype, makeUnion, parseSchemaTypeExpr, typeOfExpr } from './field-type.ts';
import type { FieldType, SchemaTypeExpr, TypeNames } from './field-type.ts';
import type { CollectionDef, MigrationItem, MigrationPath } from './model.ts';

type Of<K extends MigrationItem['kind']> = Extract<MigrationItem, { kind: K }>;

/** Where a field of the shape came from. */
export type FieldSource =
  | { kind: 'schema'; default: string | null }
  | { kind: 'split'; item: Of<'split'> }
  | { kind: 'split_into'; item: Of<'split'>; target: MigrationPath }
  | { kind: 'drop'; item: Of<'drop'> }
  | { kind: 'backfill'; item: Of<'backfill'> }
  | { kind: 'add'; item: Of<'add'> }
  | { kind: 'moved_into'; item: Of<'move'> };

export type FieldValue =
  | { kind: 'literal'; type: FieldType }
  | { kind: 'record'; fields: Map<string, ShapeField>; wildcard: boolean; span: Span | null };

export interface ShapeField {
  name: string;
  nameSpan: Span | null;
  value: FieldValue;
  source: FieldSource;
}

export type WildcardSource = 'implicit' | 'schema' | 'move_wildcard' | { addWildcard: Span };

export interface ShapeWildcard {
  type: FieldType;
  source: WildcardSource;
  span: Span | null;
}

export interface Shape {
  fields: Map<string, ShapeField>;
  wildcard: ShapeWildcard | null;
}

/** A type problem found while building the submitted shape ("Unknown type `X`"). */
export interface ShapeError {
  message: string;
  span: Span;
}

export function valueType(value: FieldValue): FieldType {
  if (value.kind === 'literal') return value.type;
  return {
    kind: 'record',
    fields: [...value.fields.values()].filter(isPresent).map((f) => ({ name: f.name, type: fieldType(f), optional: false })),
    wildcard: null,
    span: value.span,
  };
}

export function fieldType(field: ShapeField): FieldType {
  return valueType(field.value);
}

/** A field value for a type; a record type becomes a record of fields from the same source (CORE: FieldValue.apply). */
export function valueOf(type: FieldType, source: FieldSource): FieldValue {
  if (type.kind !== 'record') return { kind: 'literal', type };
  const fields = new Map<string, ShapeField>();
  for (const f of type.fields) fields.set(f.name, { name: f.name, nameSpan: null, value: valueOf(f.type, source), source });
  return { kind: 'record', fields, wildcard: type.wildcard !== null, span: type.span ?? null };
}

export function isPresent(field: ShapeField): boolean {
  return !['split_into', 'add', 'moved_into'].includes(field.source.kind);
}

export function isRemoved(field: ShapeField): boolean {
  return !isPresent(field);
}

/** CORE: CollectionField.isOptional (a drop is never optional). */
export function isOptional(field: ShapeField): boolean {
  if (field.source.kind === 'drop') return false;
  const hasDefault = field.source.kind === 'schema' && field.source.default !== null;
  return isRemoved(field) || hasDefault || isNullable(fieldType(field));
}

export function wildcardPresent(w: ShapeWildcard): boolean {
  return typeof w.source === 'string';
}

/**
 * Builds the shape of a collection definition. The live schema is read unchecked (unknown types are kept, as the
 * core ignores them there); the submitted one checked.
 */
export function collectionShape(def: CollectionDef, names: TypeNames): { shape: Shape; errors: ShapeError[] } {
  const errors: ShapeError[] = [];
  const fields = new Map<string, ShapeField>();
  const parse = (text: string, offset: number): SchemaTypeExpr | null => {
    try {
      return parseSchemaTypeExpr(text, offset, names);
    } catch (error) {
      if (error instanceof Error && 'span' in error) {
        errors.push({ message: error.message, span: (error as { span: Span }).span });
        return null;
      }
      throw error;
    }
  };
  const build = (name: string, nameSpan: Span | null, te: SchemaTypeExpr, defaultSource: string | null): ShapeField => {
    const source: FieldSource = { kind: 'schema', default: defaultSource };
    if (te.kind === 'object') {
      const nested = new Map<string, ShapeField>();
      for (const f of te.fields) nested.set(f.name, build(f.name, f.nameSpan, f.type, f.default));
      return { name, nameSpan, value: { kind: 'record', fields: nested, wildcard: te.wildcard !== null, span: te.span }, source };
    }
    return { name, nameSpan, value: valueOf(te.type, source), source };
  };
  for (const field of def.fields) {
    const te = parse(field.type, field.typeSpan?.start ?? 0);
    if (te === null) continue;
    fields.set(field.name, build(field.name, field.nameSpan ?? null, te, field.default?.source ?? null));
  }
  let wildcard: ShapeWildcard | null = null;
  if (def.wildcard !== null) {
    const span = def.wildcardSpan ?? null;
    const text = def.wildcard;
    const te = parse(text, span ? span.end - text.length : 0);
    wildcard = { type: te === null ? ANY : typeOfExpr(te), source: 'schema', span };
  } else if (fields.size === 0) {
    wildcard = { type: ANY, source: 'implicit', span: null };
  }
  return { shape: { fields, wildcard }, errors };
}

export function copyShape(shape: Shape): Shape {
  return { fields: copyFields(shape.fields), wildcard: shape.wildcard };
}

function copyFields(fields: Map<string, ShapeField>): Map<string, ShapeField> {
  return new Map([...fields].map(([k, f]) => [k, copyField(f)]));
}

export function copyField(f: ShapeField): ShapeField {
  const value: FieldValue = f.value.kind === 'record' ? { ...f.value, fields: copyFields(f.value.fields) } : f.value;
  return { ...f, value };
}

export type Lookup = ShapeField | 'not_found' | 'wildcard_neighbor';

/** CORE: CollectionShape.get — parents must be schema objects; a parent with a wildcard is a "wildcard neighbor". */
export function getField(shape: Shape, path: readonly string[]): Lookup {
  let fields = shape.fields;
  for (const name of path.slice(0, -1)) {
    const f = fields.get(name);
    if (!f || f.value.kind !== 'record' || f.source.kind !== 'schema') return 'not_found';
    if (f.value.wildcard) return 'wildcard_neighbor';
    fields = f.value.fields;
  }
  return fields.get(path[path.length - 1]!) ?? 'not_found';
}

/** CORE: MCollectionShape.put — parents must be records (an `Any` parent swallows the put). */
export function putField(shape: Shape, path: readonly string[], field: ShapeField): void {
  let fields = shape.fields;
  for (const name of path.slice(0, -1)) {
    const f = fields.get(name);
    if (f && f.value.kind === 'record') {
      fields = f.value.fields;
      continue;
    }
    if (f && f.value.kind === 'literal' && f.value.type.kind === 'any') return;
    throw new Error(`Expected a record as a parent of .${path.join('.')}`);
  }
  fields.set(path[path.length - 1]!, field);
}

/** CORE: CollectionShape.isSchemaSubtype (Any is the top type only). */
export function isSchemaSubtype(a: FieldType, b: FieldType): boolean {
  return isSubtype(a, b, true);
}

/** CORE: CollectionShape.compatibleWith — every field of `this` a supertype of the previous one, wildcards alike. */
export function compatibleWith(shape: Shape, prev: Shape): boolean {
  const names = new Set([...shape.fields.keys(), ...prev.fields.keys()]);
  for (const name of names) {
    const field = shape.fields.get(name);
    const p = prev.fields.get(name);
    if (field && p) {
      if (field.source.kind === 'backfill') return false;
      if (!(isPresent(field) && isPresent(p) && isSchemaSubtype(fieldType(p), fieldType(field)))) return false;
    } else if (field) {
      switch (field.source.kind) {
        case 'add': case 'split_into': case 'moved_into': break;
        case 'backfill': case 'split': case 'drop': return false;
        case 'schema':
          if (!(shape.wildcard === null && onlyAdded(field))) return false;
      }
    } else if (p) {
      if (!isRemoved(p)) return false;
    }
  }
  const w = shape.wildcard;
  const pw = prev.wildcard;
  if (w && pw) return isSchemaSubtype(pw.type, w.type);
  if (w) return !wildcardPresent(w);
  if (pw) return !wildcardPresent(pw);
  return true;
}

function onlyAdded(field: ShapeField): boolean {
  if (field.source.kind === 'add') return true;
  if (field.source.kind !== 'schema' || field.value.kind !== 'record') return false;
  return !field.value.wildcard && [...field.value.fields.values()].every(onlyAdded);
}

export { makeUnion };
