/**
 * Fauna's migration validator, restated (CORE: MigrationValidator.scala). The submitted collection's shape is
 * rewound through its migrations, last to first, back to the shape the live schema must have; the rewound shape must
 * be compatible with the live one, or the incompatibility is explained field by field. The result is the list of
 * internal migrations (`SchemaMigration`) that take live documents to the submitted schema.
 *
 * Only the new tail of the migrations block is rewound: the longest prefix of the submitted block that is a suffix of
 * the live block has already been applied (`migrationsToApply`). A new collection, or one without documents, has its
 * whole block rewound with nothing to compare against (`validateAlone`, as the core's SchemaValidate does).
 *
 * Messages are the core's, word for word. Hints that carry a suggested edit are not reproduced (see
 * docs/local-fauna.md); hints that only point somewhere are.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/migration/MigrationValidator.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/migration/SchemaMigration.scala
 */
import type { Span } from '../fql/ast.ts';
import {
  collectionShape, compatibleWith, copyShape, fieldType, getField, isOptional, isPresent, isRemoved, isSchemaSubtype,
  putField, wildcardPresent,
} from './collection-shape.ts';
import type { FieldSource, Shape, ShapeField } from './collection-shape.ts';
import { ANY, displayType, isNullable, isSubtype, makeUnion, NULL, sameType, wildRecord } from './field-type.ts';
import type { FieldType, TypeNames } from './field-type.ts';
import type { CollectionDef, MigrationItem, MigrationPath } from './model.ts';

type Of<K extends MigrationItem['kind']> = Extract<MigrationItem, { kind: K }>;

/** An internal migration, applied to documents in order (CORE: SchemaMigration). */
export type SchemaMigration =
  | { kind: 'add'; field: string[]; type: FieldType; backfill: string | null }
  | { kind: 'drop'; field: string[] }
  | { kind: 'move'; field: string[]; to: string[] }
  | { kind: 'split'; field: string[]; targets: { path: string[]; type: FieldType; backfill: string | null }[] }
  | { kind: 'move_conflicts'; into: string[] }
  | { kind: 'move_wildcard'; into: string[]; keep: string[] }
  | { kind: 'add_wildcard' };

export interface MigrationHint {
  message: string;
  span: Span;
}

export interface MigrationError {
  message: string;
  /** null where the core has no source position ("at <no source>"). */
  span: Span | null;
  hints: MigrationHint[];
}

export type ValidationResult = { ok: true; migrations: SchemaMigration[] } | { ok: false; errors: MigrationError[] };

/** `.a.b`, as the core displays a path. */
export function displayPath(path: { elems: readonly string[] } | readonly string[]): string {
  const elems = Array.isArray(path) ? path : (path as { elems: readonly string[] }).elems;
  return elems.map((e) => `.${e}`).join('');
}

/** The core's debug text of a migration (SchemaMigration.debug), as its specs print it. */
export function debugMigration(m: SchemaMigration): string {
  switch (m.kind) {
    case 'add': return `add ${displayPath(m.field)}: ${displayType(m.type)}${m.backfill === null ? '' : ` = ${m.backfill}`}`;
    case 'drop': return `drop ${displayPath(m.field)}`;
    case 'move': return `move ${displayPath(m.field)} -> ${displayPath(m.to)}`;
    case 'split': return `split ${displayPath(m.field)} -> ${m.targets.map((t) => `(${displayPath(t.path)}: ${displayType(t.type)}${t.backfill === null ? '' : ` = ${t.backfill}`})`).join(', ')}`;
    case 'move_conflicts': return `move_conflicts ${displayPath(m.into)}`;
    case 'move_wildcard': return `move_wildcard -> ${displayPath(m.into)} [${m.keep.join(', ')}]`;
    case 'add_wildcard': return 'add_wildcard';
  }
}

/** Live and submitted definitions of one collection that holds documents: the migrations to apply, or the errors. */
export function validateMigrations(live: CollectionDef, submitted: CollectionDef, names: Omit<TypeNames, 'checked'>): ValidationResult {
  const liveShape = collectionShape(live, { ...names, checked: false });
  const target = collectionShape(submitted, { ...names, checked: true });
  if (target.errors.length > 0) return { ok: false, errors: target.errors.map((e) => ({ ...e, hints: [] })) };
  const validator = new Rewinder(target.shape);
  const rewound = validator.rewind(migrationsToApply(live, submitted));
  if (!rewound.ok) return rewound;
  if (compatibleWith(rewound.shape, liveShape.shape)) return { ok: true, migrations: rewound.migrations };
  const shape = copyShape(target.shape);
  for (const field of rewound.shape.fields.values()) shape.fields.set(field.name, field);
  return { ok: false, errors: new IncompatibilityExplainer(shape, submitted).explain(liveShape.shape) };
}

/** A new collection, or one without documents: its whole block must make sense on its own (CORE: validate(typer, submitted)). */
export function validateAlone(submitted: CollectionDef, names: Omit<TypeNames, 'checked'>): ValidationResult {
  const target = collectionShape(submitted, { ...names, checked: true });
  if (target.errors.length > 0) return { ok: false, errors: target.errors.map((e) => ({ ...e, hints: [] })) };
  const rewound = new Rewinder(target.shape).rewind(submitted.migrations ?? []);
  return rewound.ok ? { ok: true, migrations: rewound.migrations } : rewound;
}

/** The statements of an item, compared without their positions (CORE: MigrationItem.withNullSpan). */
function itemKey(item: MigrationItem): string {
  switch (item.kind) {
    case 'add': case 'drop': return `${item.kind} ${displayPath(item.field)}`;
    case 'move': return `move ${displayPath(item.field)} ${displayPath(item.to)}`;
    case 'split': return `split ${displayPath(item.field)} ${item.to.map(displayPath).join(',')}`;
    case 'backfill': return `backfill ${displayPath(item.field)} ${item.value.source.replace(/\s+/g, ' ')}`;
    case 'move_conflicts': case 'move_wildcard': return `${item.kind} ${displayPath(item.into)}`;
    case 'add_wildcard': return 'add_wildcard';
  }
}

/**
 * The continuation point: after the longest prefix of the submitted block that is a suffix of the live block. Only the
 * rest is new (CORE: MigrationValidator.migrationsToApply).
 */
export function migrationsToApply(live: CollectionDef, submitted: CollectionDef): MigrationItem[] {
  const tms = submitted.migrations ?? [];
  const t = tms.map(itemKey);
  const l = (live.migrations ?? []).map(itemKey);
  const endsWith = (suffix: string[]) => suffix.length <= l.length && suffix.every((k, i) => l[l.length - suffix.length + i] === k);
  let i = 0;
  while (i <= tms.length && !endsWith(t.slice(0, tms.length - i))) i++;
  return tms.slice(tms.length - i);
}

const lastName = (path: MigrationPath): string => path.elems[path.elems.length - 1]!;
/** The span of a path's last name, without its dot (CORE: the span of the last PathElem.Field). */
const lastNameSpan = (path: MigrationPath): Span => ({ start: path.span.end - lastName(path).length, end: path.span.end });
const parentOf = (path: MigrationPath): string[] | null => (path.elems.length > 1 ? path.elems.slice(0, -1) : null);

/** One-shot: rewinds the submitted shape through migrations, collecting errors and the internal migrations. */
class Rewinder {
  private readonly errors: MigrationError[] = [];
  private readonly shape: Shape;
  private readonly migrations: SchemaMigration[] = [];
  private currentMoveConflicts: MigrationPath | null = null;

  constructor(targetShape: Shape) {
    this.shape = copyShape(targetShape);
  }

  private err(message: string, span: Span | null, hints: MigrationHint[] = []): void {
    this.errors.push({ message, span, hints });
  }

  /** Rewinding produces migrations last to first. */
  private addMigration(m: SchemaMigration): void {
    this.migrations.unshift(m);
  }

  rewind(items: MigrationItem[]): { ok: true; shape: Shape; migrations: SchemaMigration[] } | { ok: false; errors: MigrationError[] } {
    for (const item of [...items].reverse()) this.rewindOne(item);
    const rewound = copyShape(this.shape);
    this.validateShape(items, rewound);
    if (this.errors.length > 0) return { ok: false, errors: this.errors };
    return { ok: true, shape: rewound, migrations: this.migrations };
  }

  private rewindOne(item: MigrationItem): void {
    switch (item.kind) {
      case 'backfill': return this.rewindBackfill(item);
      case 'drop': return this.rewindDrop(item);
      case 'move': return this.rewindMove(item);
      case 'split': return this.rewindSplit(item);
      case 'add': return this.rewindAdd(item);
      case 'move_conflicts': return this.rewindMoveConflicts(item);
      case 'move_wildcard': return this.rewindMoveWildcard(item);
      case 'add_wildcard': return this.rewindAddWildcard(item);
    }
  }

  private get(path: MigrationPath | string[]) {
    return getField(this.shape, Array.isArray(path) ? path : path.elems);
  }

  private put(path: MigrationPath, field: ShapeField): void {
    putField(this.shape, path.elems, field);
  }

  private rewindBackfill(bf: Of<'backfill'>): void {
    const field = bf.field;
    const fld = this.get(field);
    if (fld === 'not_found') {
      this.err(`Cannot backfill field \`${displayPath(field)}\`, as it is not in the submitted schema`, field.span);
      return;
    }
    if (fld === 'wildcard_neighbor') {
      this.err(`Cannot backfill field, as there is a wildcard in the same struct as \`${displayPath(field)}\``, field.span);
      return;
    }
    const literal = literalTypeOf(bf.value.source);
    const declared = fieldType(fld);
    if (literal !== null && !isSubtype(literal, declared)) {
      const shown = literal.kind === 'literal' ? widen(literal) : literal;
      this.err(`Type \`${displayType(shown)}\` is not a subtype of \`${displayType(declared)}\``, bf.value.span,
        declared.span ? [{ message: 'Field type defined here', span: declared.span }] : []);
    }
    switch (fld.source.kind) {
      case 'backfill':
        this.err(`Cannot backfill field \`${displayPath(field)}\` multiple times`, fld.source.item.field.span, [
          { message: 'Earlier backfill defined here', span: field.span },
        ]);
        return;
      case 'split_into':
        this.err(`Cannot split field \`${displayPath(field)}\`: cannot split into a field after it's backfilled`, field.span, [
          { message: 'Field is an output of a split', span: fld.source.target.span },
        ]);
        return;
      case 'add':
        this.err(`Cannot add field \`${displayPath(field)}\` after it's backfilled`, fld.source.item.span, [
          { message: 'Field backfilled here', span: bf.span },
        ]);
        return;
      default:
        if (isRemoved(fld)) {
          // The core's message lacks the closing backtick here.
          this.err(`Cannot backfill field \`${displayPath(field)}, as it is not in the submitted schema`, field.span);
          return;
        }
        this.put(field, { ...fld, source: { kind: 'backfill', item: bf } });
    }
  }

  private rewindDrop(d: Of<'drop'>): void {
    const field = d.field;
    this.addMigration({ kind: 'drop', field: field.elems });
    const found = this.get(field);
    if (typeof found !== 'string' && isPresent(found)) {
      this.err(`Cannot drop field \`${displayPath(field)}\`. Dropped fields must be removed from schema`, field.span, found.nameSpan ? [
        { message: 'Field defined here', span: found.nameSpan },
      ] : []);
      return;
    }
    const dropped: ShapeField = { name: lastName(field), nameSpan: lastNameSpan(field), value: { kind: 'literal', type: ANY }, source: { kind: 'drop', item: d } };
    const parent = parentOf(field);
    if (parent === null) {
      this.put(field, dropped);
      return;
    }
    const p = this.get(parent);
    if (typeof p === 'string') this.err(`Cannot drop field \`${displayPath(field)}\`, as the parent object was removed`, field.span);
    else if (p.value.kind === 'record') this.put(field, dropped);
    else this.err(`Cannot drop field \`${displayPath(field)}\`, as the parent is not an object`, field.span);
  }

  private rewindMove(r: Of<'move'>): void {
    const { field, to } = r;
    const t = this.get(to);
    if (t === 'not_found') {
      this.err(`Cannot move field \`${displayPath(field)}\`, as it is not in the live schema`, field.span);
      return;
    }
    if (t === 'wildcard_neighbor') {
      this.err(`Cannot move field \`${displayPath(to)}\` into a struct with a wildcard definition`, to.span);
      return;
    }
    if (displayPath(field) === displayPath(to)) {
      this.err('Cannot move a field to itself', field.span);
      return;
    }
    const f = this.get(field);
    if (f === 'wildcard_neighbor') {
      this.err(`Cannot move field \`${displayPath(field)}\` out of a struct with a wildcard definition`, field.span);
    } else if (f !== 'not_found' && isPresent(f)) {
      if (!isOptional(f)) {
        this.err(`Cannot move field \`${displayPath(field)}\`, as it is in the submitted schema`, field.span, f.nameSpan ? [
          { message: 'Field defined here', span: f.nameSpan },
        ] : []);
      } else if (f.source.kind === 'schema' && f.source.default !== null) {
        this.addMigration({ kind: 'add', field: field.elems, type: fieldType(f), backfill: f.source.default });
      }
    }
    const parent = parentOf(field);
    const p = parent === null ? null : this.get(parent);
    if (p !== null && typeof p === 'string') {
      this.err(`Cannot move field \`${displayPath(field)}\`, as the parent object was removed.`, field.span);
      this.put(to, { ...t, source: { kind: 'moved_into', item: r } });
    } else if (p !== null && p.value.kind === 'literal' && p.source.kind !== 'drop') {
      this.err(`Cannot move field \`${displayPath(field)}\`, as the parent value is not an object.`, field.span);
      this.put(to, { ...t, source: { kind: 'moved_into', item: r } });
    } else {
      this.addMigration({ kind: 'move', field: field.elems, to: to.elems });
      this.put(field, { ...t, name: lastName(field), nameSpan: lastNameSpan(field) });
      this.put(to, { ...t, source: { kind: 'moved_into', item: r } });
    }
  }

  private rewindSplit(spl: Of<'split'>): void {
    const { field: source, to: targets } = spl;
    if (targets.length < 2) {
      this.err('Cannot split field: expected at least two fields to split into', spl.span);
      return;
    }
    const src = this.get(source);
    const isTarget = targets.some((t) => displayPath(t) === displayPath(source));
    if (src === 'wildcard_neighbor') {
      this.err(`Cannot split field \`${displayPath(source)}\`, which is in a struct with a wildcard definition`, source.span);
    } else if (src !== 'not_found' && isPresent(src) && !isTarget) {
      const s = src.source;
      if (s.kind === 'schema' || s.kind === 'backfill') {
        this.err('Cannot split field: field is still present in submitted schema', source.span, src.nameSpan ? [
          { message: 'Field defined here', span: src.nameSpan },
        ] : []);
      } else if (s.kind === 'split') {
        this.err('Cannot split field twice', s.item.field.span, [{ message: 'Field is also split here', span: spl.field.span }]);
      } else if (s.kind === 'drop') {
        this.err('Cannot drop field that was split', source.span);
      } else if (s.kind === 'moved_into') {
        this.err('Cannot move into a field that is also a split target', s.item.span);
      }
    }
    const out: { path: string[]; type: FieldType; backfill: string | null }[] = [];
    const union: FieldType[] = [];
    for (const target of targets) {
      const t = this.get(target);
      if (t === 'not_found') {
        this.err(`Cannot split field, as \`${displayPath(target)}\` is not in the submitted schema`, target.span);
        union.push(ANY);
        continue;
      }
      if (t === 'wildcard_neighbor') {
        this.err(`Cannot split into field \`${displayPath(target)}\`, which is in a struct with a wildcard definition`, target.span);
        continue;
      }
      switch (t.source.kind) {
        case 'add':
          this.err('Cannot add a field that is also created by a split', target.span, [{ message: 'Field is added here', span: t.source.item.field.span }]);
          break;
        case 'split_into':
          this.err('Cannot split into a field that is already split into', t.source.target.span, [{ message: 'Field is also split into here', span: target.span }]);
          break;
        case 'moved_into':
          this.err('Cannot move into a field that is also a split target', t.source.item.span);
          break;
        default:
      }
      const backfill = this.takeBackfill(t, target);
      union.push(fieldType(t));
      this.put(target, { ...t, source: { kind: 'split_into', item: spl, target } });
      out.push({ path: target.elems, type: fieldType(t), backfill });
    }
    this.addMigration({ kind: 'split', field: source.elems, targets: out });
    // The source's parents must all be records, or the shape is left alone (the compatibility check reports it).
    let valid = true;
    for (let i = 1; i < source.elems.length; i++) {
      const p = this.get(source.elems.slice(0, i));
      if (typeof p === 'string' || p.value.kind !== 'record') valid = false;
    }
    if (valid) {
      union.push(NULL);
      this.put(source, { name: lastName(source), nameSpan: lastNameSpan(source), value: { kind: 'literal', type: makeUnion(union) }, source: { kind: 'split', item: spl } });
    }
  }

  private rewindAdd(add: Of<'add'>): void {
    const field = add.field;
    const f = this.get(field);
    if (f === 'not_found') {
      this.err(`Cannot add field, as \`${displayPath(field)}\` is not in the submitted schema`, field.span);
      return;
    }
    if (f === 'wildcard_neighbor') {
      this.err(`Cannot add field, as there is a wildcard in the same struct as \`${displayPath(field)}\``, field.span);
      return;
    }
    switch (f.source.kind) {
      case 'split_into':
        this.err(`Cannot split field: field \`${displayPath(field)}\` cannot both be added and be a split output`, field.span, [
          { message: 'Field is an output of a split', span: f.source.target.span },
        ]);
        return;
      case 'add':
        this.err(`Cannot add field \`${displayPath(field)}\` twice`, f.source.item.field.span, [{ message: 'Field added here', span: field.span }]);
        return;
      case 'moved_into':
        this.err(`Cannot move into field \`${displayPath(field)}\` as it was also added`, f.source.item.span, [
          { message: 'Field moved into here', span: f.source.item.to.span },
        ]);
        return;
      default:
    }
    const wildcard = this.shape.wildcard;
    if (wildcard !== null && field.elems.length === 1) {
      const backfill = this.takeBackfill(f, field);
      if (this.currentMoveConflicts !== null) {
        this.addMigration({ kind: 'add', field: field.elems, type: fieldType(f), backfill });
      } else if (!isSchemaSubtype(makeUnion([wildcard.type, NULL]), fieldType(f))) {
        this.err(`Cannot add field, as \`${displayPath(field)}\` conflicts with the wildcard`, field.span);
      }
    } else {
      const backfill = this.takeBackfill(f, field);
      this.addMigration({ kind: 'add', field: field.elems, type: fieldType(f), backfill });
    }
    this.put(field, { ...f, source: { kind: 'add', item: add } });
  }

  private rewindMoveConflicts(m: Of<'move_conflicts'>): void {
    const wildcard = this.shape.wildcard;
    if (wildcard === null || !wildcardPresent(wildcard)) {
      this.err('Cannot move wildcard conflicts, as there is no wildcard in the submitted schema', m.into.span);
      return;
    }
    const f = this.get(m.into);
    if (f === 'wildcard_neighbor') {
      this.err(`Cannot move wildcard conflicts to field, as there is a wildcard in the same struct as \`${displayPath(m.into)}\``, m.into.span);
    } else if (f === 'not_found' || !isPresent(f)) {
      this.err(`Cannot move wildcard conflicts to field \`${displayPath(m.into)}\`, as it is not in the submitted schema`, m.into.span);
    } else {
      const expected = makeUnion([wildRecord(wildcard.type), NULL]);
      if (!sameType(fieldType(f), expected) && f.source.kind !== 'drop') {
        this.err(`Wildcard conflicts field must have the type \`${displayType(expected)}\``, m.into.span);
      }
    }
    this.currentMoveConflicts = m.into;
    this.addMigration({ kind: 'move_conflicts', into: m.into.elems });
  }

  private rewindMoveWildcard(m: Of<'move_wildcard'>): void {
    const wildcard = this.shape.wildcard;
    if (wildcard !== null && wildcardPresent(wildcard)) {
      this.err('Cannot move wildcard, as there is still a wildcard in the submitted schema', m.into.span);
      return;
    }
    let w: FieldType = ANY;
    const f = this.get(m.into);
    if (f === 'wildcard_neighbor') {
      this.err(`Cannot move wildcard conflicts to field, as there is a wildcard in the same struct as \`${displayPath(m.into)}\``, m.into.span);
    } else if (f === 'not_found' || !isPresent(f)) {
      this.err(`Cannot move wildcard conflicts to field \`${displayPath(m.into)}\`, as it is not in the submitted schema`, m.into.span);
    } else {
      const expected = makeUnion([wildRecord(ANY), NULL]);
      const ty = fieldType(f);
      const record = ty.kind === 'union' && ty.types.length === 2
        ? ty.types.find((t) => t.kind === 'record' && t.wildcard !== null) as Extract<FieldType, { kind: 'record' }> | undefined
        : undefined;
      const other = ty.kind === 'union' ? ty.types.find((t) => t !== record) : undefined;
      if (record && other && other.kind === 'named' && other.name === 'Null') {
        if (record.fields.length > 0) this.err(`Wildcard conflicts field must have the type \`${displayType(expected)}\``, m.into.span);
        w = record.wildcard!;
      } else if (f.source.kind !== 'drop') {
        this.err(`Wildcard conflicts field must have the type \`${displayType(expected)}\``, m.into.span);
      }
    }
    const keep = [...this.shape.fields.values()].filter(isPresent).map((x) => x.name);
    this.addMigration({ kind: 'move_wildcard', into: m.into.elems, keep });
    this.shape.wildcard = { type: w, source: 'move_wildcard', span: null };
  }

  private rewindAddWildcard(m: Of<'add_wildcard'>): void {
    const w = this.shape.wildcard;
    if (w === null) {
      this.err('Cannot add wildcard, as the submitted schema lacks a wildcard', m.span);
      return;
    }
    if (typeof w.source !== 'string') {
      this.err('Cannot add a wildcard twice', w.source.addWildcard);
      return;
    }
    this.shape.wildcard = { ...w, source: { addWildcard: m.span } };
    this.addMigration({ kind: 'add_wildcard' });
  }

  /** The value a declaring migration (add, split) fills a field with: its backfill, or its default (CORE: takeBackfill). */
  private takeBackfill(field: ShapeField, path: MigrationPath): string | null {
    const s: FieldSource = field.source;
    if (s.kind === 'schema') {
      if (s.default === null && !isNullable(fieldType(field))) {
        this.err(`Cannot declare non-nullable field \`${displayPath(path)}\`: it has no default and no backfill value`, path.span);
      }
      return s.default;
    }
    if (s.kind === 'backfill') return s.item.value.source;
    return null;
  }

  /** No field may be left waiting for an add or split to declare its backfill (CORE: validateShape). */
  private validateShape(items: MigrationItem[], shape: Shape): void {
    for (const item of items) {
      if (item.kind !== 'backfill') continue;
      const f = getField(shape, item.field.elems);
      if (typeof f !== 'string' && f.source.kind === 'backfill') {
        this.err(`Field \`${displayPath(item.field)}\` is backfilled without being declared by an \`add\` or \`split\` migration`, item.span);
      }
    }
  }
}

/**
 * The static type of a backfill that is a plain literal (`0`, `"x"`, `true`, `null`, `{ a: 1 }`), so that the core
 * typer's "Type `X` is not a subtype of `Y`" can be given at push. Other expressions are checked by value when applied.
 */
function literalTypeOf(source: string): FieldType | null {
  const s = source.trim();
  if (/^-?\d+$/.test(s)) return { kind: 'literal', value: BigInt(s), text: s };
  if (/^-?\d+\.\d+$/.test(s)) return { kind: 'literal', value: Number(s), text: s };
  if (/^"([^"\\]|\\.)*"$|^'([^'\\]|\\.)*'$/.test(s)) return { kind: 'literal', value: s.slice(1, -1), text: `"${s.slice(1, -1)}"` };
  if (s === 'true' || s === 'false') return { kind: 'literal', value: s === 'true', text: s };
  if (s === 'null') return NULL;
  const obj = /^\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^{},]+?)\s*\}$/.exec(s);
  if (obj) {
    const inner = literalTypeOf(obj[2]!);
    if (inner === null) return null;
    return { kind: 'record', fields: [{ name: obj[1]!, type: inner, optional: false }], wildcard: null, span: null };
  }
  return null;
}

/** A top-level literal is shown as its base type (`"hi"` as `String`), as the core typer reports it. */
function widen(literal: Extract<FieldType, { kind: 'literal' }>): FieldType {
  const name = typeof literal.value === 'string' ? 'String' : typeof literal.value === 'boolean' ? 'Boolean' : typeof literal.value === 'bigint' ? 'Int' : 'Double';
  return { kind: 'named', name };
}

/** Explains why a rewound submitted shape does not fit the live one (CORE: IncompatibilityExplainer). */
class IncompatibilityExplainer {
  private readonly errors: MigrationError[] = [];
  private readonly target: Shape;
  private readonly coll: CollectionDef;

  constructor(target: Shape, coll: CollectionDef) {
    this.target = target;
    this.coll = coll;
  }

  private err(message: string, span: Span | null): void {
    this.errors.push({ message, span, hints: [] });
  }

  explain(live: Shape): MigrationError[] {
    const collSpan = this.coll.span ?? null;
    for (const liveField of live.fields.values()) {
      const src = fieldType(liveField);
      const targetField = this.target.fields.get(liveField.name);
      if (targetField === undefined) {
        this.err(`Field \`.${liveField.name}\` is missing from the submitted schema`, collSpan);
      } else if (isRemoved(targetField)) {
        this.err(`Field \`.${liveField.name}\` is in the live schema, so it cannot be added or backfilled`, targetField.nameSpan);
      } else if (targetField.source.kind === 'backfill') {
        this.err(`Field \`.${liveField.name}\` is in the live schema, so it cannot be added or backfilled`, targetField.source.item.span);
      } else if (!isSubtype(src, fieldType(targetField))) {
        const ty = fieldType(targetField);
        this.err(`Field \`.${liveField.name}\` of type \`${displayType(ty)}\` does not match the live type \`${displayType(src)}\``, ty.span ?? null);
      }
    }
    for (const targetField of this.target.fields.values()) {
      if (live.fields.has(targetField.name)) continue;
      const s = targetField.source;
      if (s.kind === 'drop') {
        this.err(`Field \`.${targetField.name}\` was dropped but it doesn't exist in the live schema`, targetField.nameSpan);
      } else if (s.kind === 'schema') {
        if (isNullable(fieldType(targetField)) || s.default !== null) {
          this.err(`Field \`.${targetField.name}\` is not present in the live schema`, targetField.nameSpan);
        } else {
          const missing = nonAdded([], targetField);
          const [path, field] = missing.length === 1 ? missing[0]! : [[targetField.name], targetField] as const;
          this.err(`Field \`${displayPath(path)}\` is not present in the live schema`, field.nameSpan);
        }
      }
    }
    if (this.target.wildcard === null && live.wildcard !== null) {
      this.err('Missing wildcard definition', collSpan);
    }
    if (this.target.wildcard !== null && live.wildcard === null) {
      const wc = this.target.wildcard;
      if (wc.source === 'move_wildcard' || wc.source === 'schema') this.err('Wildcard was not present in the live schema', wc.span);
      else if (wc.source === 'implicit') {
        this.err('All fields from the live schema are dropped, reintroducing the implicit wildcard that requires an `add_wildcard` migration. Are you sure you meant to do this?', collSpan);
      }
    }
    if (this.errors.length === 0) this.err('Submitted schema is not compatible with the live schema', collSpan);
    return this.errors;
  }
}

/** The nested fields of a new schema object that were not added by a migration. */
function nonAdded(prefix: string[], field: ShapeField): [string[], ShapeField][] {
  const path = [...prefix, field.name];
  if (field.source.kind === 'add') return [];
  if (field.source.kind === 'schema' && field.value.kind === 'record') {
    if (field.value.wildcard) return [];
    return [...field.value.fields.values()].flatMap((f) => nonAdded(path, f));
  }
  return [[path, field]];
}
