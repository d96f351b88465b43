/**
 * FSL items → the schema model: checks that each item is allowed where it stands, reads field paths, lambdas and
 * literals, and reports duplicates (core: SchemaItemConverter.scala; messages follow it).
 *
 * One file on purpose (about 680 lines): one converter class whose per-item methods share the duplicate tracking and
 * the error reporting, mirroring the core's single SchemaItemConverter so that its messages can be compared line by line.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/parser/SchemaItemConverter.scala
 */
import { globalNameProblem, INVALID_IDENTIFIER, indexPathProblem, RESERVED_COLLECTION_MEMBERS } from '../schema/names.ts';
import { SHORT_LAMBDA_PARAM } from '../fql/ast.ts';
import type { Expr, Span } from '../fql/ast.ts';
import type { SyntaxHint } from '../fql/errors.ts';
import type {
  CollectionDef, FieldDef, FieldPath, FunctionDef, IndexDef, LambdaSource, MigrationItem, PrivilegeAction, RoleDef, SchemaItems, UniqueDef,
} from '../schema/model.ts';
import { MigrationSyntaxError, parseMigrationItem } from './migration-items.ts';
import type { FslAnnotation, FslName, FslNode, FslValue } from './syntax.ts';

/** A problem found while converting; rendered by parser.ts. */
export interface ConversionError {
  message: string;
  span: Span;
  hints: SyntaxHint[];
}

/** Role names Fauna defines itself. */
const BUILTIN_ROLES: ReadonlySet<string> = new Set(['admin', 'server', 'server-readonly']);

/** Field names the document model reserves (CORE: Tokens.SpecialFieldNames). */
const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set([
  'id', 'coll', 'ts', 'data', 'delete', 'update', 'replace', 'updateData', 'replaceData', 'exists', 'ttl',
]);

const ACTIONS: ReadonlySet<string> = new Set<PrivilegeAction>([
  'read', 'write', 'create', 'delete', 'call', 'create_with_id', 'history_read', 'history_write', 'unrestricted_read',
]);

const VALID_IDENT = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Tracks names already declared in one scope, to report "Duplicate <what> `x`" pointing at the original. */
class Seen {
  private readonly names = new Map<string, Span>();
  private readonly what: string;
  private readonly errors: ConversionError[];

  constructor(what: string, errors: ConversionError[]) {
    this.what = what;
    this.errors = errors;
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  check(name: string, span: Span): void {
    const original = this.names.get(name);
    if (original === undefined) {
      this.names.set(name, span);
      return;
    }
    this.errors.push({
      message: `Duplicate ${this.what} \`${name}\``,
      span,
      hints: [{ kind: 'hint', message: 'Originally defined here', span: original }],
    });
  }
}

/** Tracks members that may appear once per scope (`history_days`, …): "Duplicate <what>" pointing at the original. */
class SeenOnce {
  private readonly first = new Map<string, Span>();
  private readonly errors: ConversionError[];

  constructor(errors: ConversionError[]) {
    this.errors = errors;
  }

  check(what: string, span: Span): void {
    const original = this.first.get(what);
    if (original === undefined) {
      this.first.set(what, span);
      return;
    }
    this.errors.push({ message: `Duplicate ${what}`, span, hints: [{ kind: 'hint', message: 'Originally defined here', span: original }] });
  }
}

/** How the core names each once-only member in "Duplicate …" messages. */
const ONCE_ONLY_MEMBERS: Readonly<Record<string, string>> = {
  history_days: 'history days',
  ttl_days: 'ttl days',
  document_ttls: 'document TTLs',
  migrations: 'migration block',
  terms: 'terms definition',
  values: 'values definition',
};

/** Statements allowed in a `migrations { … }` block (CORE: SchemaItemParser.migrationNames). */
const MIGRATIONS: ReadonlySet<string> = new Set([
  'backfill', 'drop', 'split', 'move', 'add', 'move_conflicts', 'move_wildcard', 'add_wildcard',
]);

/** Converts one file's items. Errors are collected, not thrown, so that a file reports all its problems at once. */
export class SchemaConverter {
  readonly errors: ConversionError[] = [];
  private readonly source: string;

  constructor(source: string) {
    this.source = source;
  }

  private error(message: string, span: Span): void {
    this.errors.push({ message, span, hints: [] });
  }

  convert(items: FslNode[]): SchemaItems {
    const out: SchemaItems = { collections: [], roles: [], functions: [] };
    // Collections and functions share a namespace; roles have their own (as in the core).
    const collectionsAndFunctions = new Seen('collection or function', this.errors);
    const roles = new Seen('role', this.errors);
    for (const item of items) {
      switch (item.keyword.text) {
        case 'collection': {
          const def = this.collection(item);
          if (def === null) break;
          collectionsAndFunctions.check(def.name, item.name!.span);
          if (def.alias !== null) collectionsAndFunctions.check(def.alias, this.annotationOf(item.annotations, 'alias')!.value.span);
          out.collections.push(def);
          break;
        }
        case 'function': {
          const def = this.function(item);
          if (def === null) break;
          const aliasSpan = this.annotationOf(item.annotations, 'alias')?.value.span;
          // A function may share its name with a collection of this file when it has an alias to be called by
          // (names resolve to the collection first); the alias must then be free (CORE: SchemaItemConverter).
          const shadowsCollection = collectionsAndFunctions.has(def.name)
            && items.some((other) => other.keyword.text === 'collection' && other.name?.text === def.name);
          if (!(shadowsCollection && aliasSpan !== undefined)) collectionsAndFunctions.check(def.name, item.name!.span);
          if (def.alias !== null && aliasSpan !== undefined) collectionsAndFunctions.check(def.alias, aliasSpan);
          out.functions.push(def);
          break;
        }
        case 'role': {
          const def = this.role(item);
          if (def === null) break;
          roles.check(def.name, item.name!.span);
          out.roles.push(def);
          break;
        }
        default:
          this.error(`Invalid schema item \`${item.keyword.text}\``, item.keyword.span);
      }
    }
    return out;
  }

  // ---- shared checks -------------------------------------------------------------------------------------------

  private requireName(item: FslNode): FslName | null {
    if (item.name === null) {
      this.error('Missing required name', item.keyword.span);
      return null;
    }
    return item.name;
  }

  private requireIdentifier(item: FslNode): FslName | null {
    const name = this.requireName(item);
    if (name !== null && !VALID_IDENT.test(name.text)) {
      this.error(`Invalid identifier \`${name.text}\``, name.span);
      return null;
    }
    return name;
  }

  /**
   * A collection or function name may not be one the environment reserves (schema/names.ts). Other invalid names are
   * left to the FSL parser's own rules, which accept quoted names.
   */
  private globalName(name: FslName): boolean {
    const problem = globalNameProblem(name.text);
    const reserved = problem !== null && problem !== INVALID_IDENTIFIER;
    if (reserved) this.error(problem, name.span);
    return !reserved;
  }

  private requireValue(item: FslNode): FslValue | null {
    if (item.value === null || item.value.kind === 'skipped' && item.value.span.start === item.value.span.end) {
      this.error('Missing required value', item.span);
      return null;
    }
    return item.value;
  }

  private requireBlock(item: FslNode): FslNode[] | null {
    const value = this.requireValue(item);
    if (value === null) return null;
    if (value.kind !== 'block') {
      this.error('Expected a block', value.span);
      return null;
    }
    return value.items;
  }

  private noName(item: FslNode): void {
    if (item.name !== null) this.error('Name is not allowed here', item.name.span);
  }

  private noAnnotations(item: FslNode): void {
    if (item.annotations.length > 0) this.error('Annotations are not allowed here', item.annotations[0]!.span);
  }

  private allowAnnotations(item: FslNode, allowed: string[]): void {
    const seen = new Seen('annotation', this.errors);
    for (const a of item.annotations) {
      if (!allowed.includes(a.keyword.text)) this.error('Annotation not supported here', a.span);
      else seen.check(a.keyword.text, a.span);
    }
  }

  private annotationOf(annotations: FslAnnotation[], keyword: string): FslAnnotation | undefined {
    return annotations.find((a) => a.keyword.text === keyword);
  }

  private text(span: Span): string {
    return this.source.slice(span.start, span.end);
  }

  private lambdaSource(expr: Expr): LambdaSource {
    return { expr, source: this.text(expr.span) };
  }

  // ---- collections ---------------------------------------------------------------------------------------------

  private collection(item: FslNode): CollectionDef | null {
    const name = this.requireName(item);
    this.allowAnnotations(item, ['alias']);
    const members = this.requireBlock(item);
    if (name === null || members === null) return null;
    if (!this.globalName(name)) return null;
    const def: CollectionDef = {
      name: name.text,
      alias: this.annotationOf(item.annotations, 'alias')?.value.text ?? null,
      fields: [],
      wildcard: null,
      uniques: [],
      indexes: {},
      checks: [],
      computed: [],
      ttlDays: null,
      historyDays: null,
      documentTtls: null,
      span: item.span,
    };
    const fields = new Seen('field', this.errors);
    const indexes = new Seen('index name', this.errors);
    const checks = new Seen('check constraint name', this.errors);
    const singles = new SeenOnce(this.errors);
    const uniques = new Map<string, Span>();
    for (const member of members) {
      const kw = member.keyword.text;
      if (member.value?.kind === 'field') {
        this.noAnnotations(member);
        const fieldName = member.name!;
        if (fieldName.text !== '*' && RESERVED_FIELD_NAMES.has(fieldName.text)) {
          this.error(`Invalid reserved name \`${fieldName.text}\``, member.span);
          continue;
        }
        fields.check(fieldName.text, fieldName.span);
        this.field(def, fieldName, member.value, member);
        continue;
      }
      switch (kw) {
        case 'index': {
          this.noAnnotations(member);
          const indexName = this.requireIdentifier(member);
          const block = this.requireBlock(member);
          if (indexName === null || block === null) break;
          if (RESERVED_COLLECTION_MEMBERS.has(indexName.text)) {
            this.error(`The name '${indexName.text}' is reserved.`, indexName.span);
            break;
          }
          indexes.check(indexName.text, indexName.span);
          const index = this.index(block);
          if (index !== null) def.indexes[indexName.text] = index;
          break;
        }
        case 'unique': {
          this.noAnnotations(member);
          this.noName(member);
          const value = this.requireValue(member);
          if (value === null) break;
          const unique = this.unique(value);
          if (unique === null) break;
          // Field order does not matter: [.a, .b] and [.b, .a] constrain the same thing.
          const key = unique.fields.map((f) => JSON.stringify([f.mva, f.path])).sort().join(',');
          const original = uniques.get(key);
          if (original !== undefined) {
            this.errors.push({
              message: 'Duplicate unique constraint.',
              span: value.span,
              hints: [{ kind: 'hint', message: 'This unique constraint covers the same fields.', span: original }],
            });
            break;
          }
          uniques.set(key, value.span);
          def.uniques.push(unique);
          break;
        }
        case 'check': {
          this.noAnnotations(member);
          const checkName = this.requireIdentifier(member);
          const value = this.requireValue(member);
          if (checkName === null || value === null) break;
          checks.check(checkName.text, checkName.span);
          const predicate = this.checkPredicate(value);
          if (predicate !== null) def.checks.push({ name: checkName.text, predicate });
          break;
        }
        case 'history_days':
        case 'ttl_days': {
          this.noAnnotations(member);
          this.noName(member);
          singles.check(ONCE_ONLY_MEMBERS[kw]!, member.span);
          const value = this.requireValue(member);
          const days = value === null ? null : this.integer(value);
          if (days === null) break;
          if (kw === 'history_days') def.historyDays = days;
          else def.ttlDays = days;
          break;
        }
        case 'document_ttls': {
          this.noAnnotations(member);
          this.noName(member);
          singles.check(ONCE_ONLY_MEMBERS[kw]!, member.span);
          const value = this.requireValue(member);
          const enabled = value === null ? null : this.boolean(value);
          if (enabled !== null) def.documentTtls = enabled;
          break;
        }
        case 'migrations':
          this.noAnnotations(member);
          this.noName(member);
          singles.check(ONCE_ONLY_MEMBERS[kw]!, member.span);
          this.migrations(def, member);
          break;
        default:
          this.error(`Invalid field or member \`${kw}\``, member.keyword.span);
      }
    }
    return def;
  }

  private migrations(def: CollectionDef, member: FslNode): void {
    const value = this.requireValue(member);
    if (value === null) return;
    if (value.kind !== 'block') {
      this.error('Expected a migration block', value.span);
      return;
    }
    if (value.items.length === 0) {
      this.error('Empty migration blocks are not allowed', member.span);
      return;
    }
    const items: MigrationItem[] = [];
    for (const item of value.items) {
      if (!MIGRATIONS.has(item.keyword.text)) {
        this.error('Expected a migration', item.span);
        continue;
      }
      const argsStart = item.value?.span.start ?? item.keyword.span.end;
      try {
        items.push(parseMigrationItem(item.keyword.text, this.source, argsStart, item.span.end, item.span));
      } catch (error) {
        if (!(error instanceof MigrationSyntaxError)) throw error;
        this.error(error.message, error.span);
      }
    }
    def.migrations = items;
  }

  private field(def: CollectionDef, name: FslName, value: Extract<FslValue, { kind: 'field' }>, member: FslNode): void {
    if (value.compute) {
      if (value.value === null) {
        this.error('Computed fields require a value', member.keyword.span);
        return;
      }
      if (value.value.expr.kind !== 'Lambda') {
        this.error('Expected lambda', value.value.expr.span);
        return;
      }
      def.computed.push({ name: name.text, type: value.type?.source ?? null, fn: this.lambdaSource(value.value.expr) });
      return;
    }
    if (name.text === '*') {
      if (value.value !== null) {
        this.error('No default allowed for wildcard field', value.value.expr.span);
        return;
      }
      def.wildcard = value.type?.source ?? 'Any';
      def.wildcardSpan = member.span;
      return;
    }
    if (value.type === null) {
      this.error('Expected a type signature', member.span);
      return;
    }
    const type = value.type.source;
    const field: FieldDef = {
      name: name.text,
      type,
      optional: isNullableType(type),
      default: value.value === null ? null : { expr: value.value.expr, source: this.text(value.value.expr.span) },
      nameSpan: name.span,
      typeSpan: value.type.span,
    };
    def.fields.push(field);
  }

  private index(members: FslNode[]): IndexDef | null {
    const index: IndexDef = { terms: [], values: [] };
    const seen = new SeenOnce(this.errors);
    for (const member of members) {
      const kw = member.keyword.text;
      if (kw !== 'terms' && kw !== 'values') {
        this.error(`Invalid member \`${kw}\``, member.keyword.span);
        continue;
      }
      this.noAnnotations(member);
      this.noName(member);
      seen.check(ONCE_ONLY_MEMBERS[kw]!, member.span);
      const value = this.requireValue(member);
      if (value === null) continue;
      if (value.kind !== 'paths') {
        this.error(`Expected an array of ${kw}`, value.span);
        continue;
      }
      for (const item of value.items) {
        const parsed = kw === 'terms' ? this.termPath(item) : this.valuePath(item);
        if (parsed === null) continue;
        const fieldError = indexPathProblem(parsed.path, kw === 'terms' ? 'term' : 'value');
        if (fieldError !== null) {
          this.error(fieldError, item.span);
          continue;
        }
        if (kw === 'terms') index.terms.push(parsed);
        else index.values.push(parsed as IndexDef['values'][number]);
      }
    }
    return index;
  }

  private unique(value: FslValue): UniqueDef | null {
    if (value.kind !== 'paths') {
      this.error('Expected an array of terms', value.span);
      return null;
    }
    if (value.items.length === 0) {
      this.error('Expected non-empty terms for a unique constraint', value.span);
      return null;
    }
    const fields: UniqueDef['fields'] = [];
    for (const item of value.items) {
      const term = this.termPath(item);
      if (term !== null) fields.push(term);
    }
    return fields.length === value.items.length ? { fields } : null;
  }

  /** `.a.b` or `mva(.tags)` (CORE: SchemaItemParser.termsFieldPath). */
  private termPath(expr: Expr): { path: FieldPath; mva: boolean } | null {
    const call = wrapperCall(expr);
    if (call !== null) {
      if (call.fn !== 'mva') {
        this.error("Expected 'mva'", call.fnSpan);
        return null;
      }
      const path = this.fieldPath(call.arg);
      return path === null ? null : { path, mva: true };
    }
    const path = this.fieldPath(expr);
    return path === null ? null : { path, mva: false };
  }

  /** `.a`, `asc(.a)`, `desc(.a)`, `mva(.a)`, `desc(mva(.a))` (CORE: SchemaItemParser.valuesFieldPath). */
  private valuePath(expr: Expr): IndexDef['values'][number] | null {
    let order: 'asc' | 'desc' = 'asc';
    let mva = false;
    let current = expr;
    for (let depth = 0; depth < 2; depth++) {
      const call = wrapperCall(current);
      if (call === null) break;
      if (call.fn === 'asc' || call.fn === 'desc') order = call.fn;
      else if (call.fn === 'mva') mva = true;
      else {
        this.error("Expected 'asc', 'desc', or 'mva'", call.fnSpan);
        return null;
      }
      current = call.arg;
    }
    const path = this.fieldPath(current);
    return path === null ? null : { path, order, mva };
  }

  /** A short lambda made only of field selections (`.a.b`, `.["a"]`, `.a[0]`) → ['a', 'b']. */
  private fieldPath(expr: Expr): FieldPath | null {
    const segments: string[] = [];
    let node: Expr | null = expr.kind === 'Lambda' && expr.params[0] === SHORT_LAMBDA_PARAM ? expr.body : null;
    while (node !== null) {
      if (node.kind === 'Ident' && node.name === SHORT_LAMBDA_PARAM) {
        if (segments.length === 0) break;
        return segments.reverse();
      }
      if (node.kind === 'Member' && !node.optional) {
        segments.push(node.name);
        node = node.object;
      } else if (node.kind === 'Index' && !node.optional && node.index.kind === 'Literal'
        && (typeof node.index.value === 'string' || (typeof node.index.value === 'bigint' && node.index.value >= 0n))) {
        segments.push(String(node.index.value));
        node = node.object;
      } else {
        break;
      }
    }
    this.error('Invalid field path', expr.span);
    return null;
  }

  private checkPredicate(value: FslValue): LambdaSource | null {
    if (value.kind !== 'lit') {
      this.error('Expected an expression literal', value.span);
      return null;
    }
    if (value.expr.kind !== 'Lambda') {
      this.error('Expected lambda check predicate', value.expr.span);
      return null;
    }
    if (!value.parenthesized) {
      this.errors.push({
        message: 'Expected lambda check predicate',
        span: value.expr.span,
        hints: [{ kind: 'hint', message: 'Check constraints require parenthesis around the lambda', span: value.expr.span }],
      });
      return null;
    }
    return this.lambdaSource(value.expr);
  }

  private integer(value: FslValue): number | null {
    if (value.kind === 'lit' && value.expr.kind === 'Literal' && typeof value.expr.value === 'bigint') {
      return Number(value.expr.value);
    }
    this.error('Expected integer literal', value.span);
    return null;
  }

  private boolean(value: FslValue): boolean | null {
    if (value.kind === 'lit' && value.expr.kind === 'Literal' && typeof value.expr.value === 'boolean') return value.expr.value;
    this.error('Expected boolean literal', value.span);
    return null;
  }

  // ---- roles ---------------------------------------------------------------------------------------------------

  private role(item: FslNode): RoleDef | null {
    this.noAnnotations(item);
    const name = this.requireName(item);
    const members = this.requireBlock(item);
    if (name === null || members === null) return null;
    // The core's RoleValidator message (schema/names.ts); `server-readonly` is not an identifier at all.
    if (BUILTIN_ROLES.has(name.text)) {
      this.error(`The identifier \`${name.text}\` is reserved.`, name.span);
      return null;
    }
    const def: RoleDef = { name: name.text, membership: [], privileges: [] };
    const privileges = new Seen('privileges', this.errors);
    const memberships = new Seen('membership', this.errors);
    for (const member of members) {
      const kw = member.keyword.text;
      if (kw === 'privileges') {
        this.noAnnotations(member);
        const resource = this.requireName(member);
        const actions = this.requireBlock(member);
        if (resource === null || actions === null) continue;
        privileges.check(resource.text, resource.span);
        def.privileges.push({ resource: resource.text, actions: this.actions(actions) });
      } else if (kw === 'membership') {
        this.noAnnotations(member);
        const collection = this.requireName(member);
        if (collection === null) continue;
        memberships.check(collection.text, collection.span);
        let predicate: LambdaSource | null = null;
        if (member.value !== null) {
          if (member.value.kind !== 'block') {
            this.error('Expected a block', member.value.span);
            continue;
          }
          predicate = this.predicateBlock(member.value);
          if (predicate === null) continue;
        }
        def.membership.push({ collection: collection.text, predicate });
      } else {
        this.error(`Invalid member \`${kw}\``, member.keyword.span);
      }
    }
    return def;
  }

  private actions(items: FslNode[]): RoleDef['privileges'][number]['actions'] {
    const actions: RoleDef['privileges'][number]['actions'] = {};
    const seen = new Seen('action', this.errors);
    for (const item of items) {
      this.noAnnotations(item);
      this.noName(item);
      const action = item.keyword.text;
      if (!ACTIONS.has(action)) {
        this.error(`Invalid action \`${action}\``, item.keyword.span);
        continue;
      }
      seen.check(action, item.keyword.span);
      if (item.value === null) {
        actions[action as PrivilegeAction] = true;
        continue;
      }
      if (item.value.kind !== 'block') {
        this.error('Expected a block', item.value.span);
        continue;
      }
      const predicate = this.predicateBlock(item.value);
      if (predicate !== null) actions[action as PrivilegeAction] = predicate;
    }
    return actions;
  }

  /** `{ predicate ((doc) => …) }`: exactly one predicate, a parenthesized lambda. */
  private predicateBlock(block: Extract<FslValue, { kind: 'block' }>): LambdaSource | null {
    if (block.items.length !== 1) {
      this.error('Expected a single predicate member', block.span);
      return null;
    }
    const item = block.items[0]!;
    if (item.keyword.text !== 'predicate') {
      this.error('Expecting a predicate', item.span);
      return null;
    }
    this.noAnnotations(item);
    this.noName(item);
    const value = this.requireValue(item);
    if (value === null) return null;
    if (value.kind !== 'lit') {
      this.error('Expected an expression literal', value.span);
      return null;
    }
    if (value.expr.kind !== 'Lambda' || !value.parenthesized) {
      this.error('Expected lambda predicate', value.expr.span);
      return null;
    }
    return this.lambdaSource(value.expr);
  }

  // ---- functions -----------------------------------------------------------------------------------------------

  private function(item: FslNode): FunctionDef | null {
    const name = this.requireName(item);
    this.allowAnnotations(item, ['alias', 'role']);
    if (name === null) return null;
    if (!this.globalName(name)) return null;
    const value = this.requireValue(item);
    if (value === null) return null;
    if (value.kind !== 'function') {
      this.error('Expected a function definition', value.span);
      return null;
    }
    const first = value.params[0];
    const typed = first !== undefined && first.type !== null;
    const typedHint: SyntaxHint[] = first?.type ? [{ kind: 'hint', message: 'Expecting types due to this type annotation', span: first.type.span }] : [];
    const untypedHint: SyntaxHint[] = first ? [{ kind: 'hint', message: 'Expecting no types due to this argument not having a type', span: first.name.span }] : [];
    for (const param of value.params) {
      if ((param.type !== null) !== typed) {
        this.errors.push({ message: 'All or no arguments must have a type', span: param.name.span, hints: typed ? typedHint : untypedHint });
      }
    }
    const variadicIndex = value.params.findIndex((p) => p.variadic);
    if (variadicIndex !== -1 && variadicIndex !== value.params.length - 1) {
      this.error('Variadic argument must be the last argument.', value.params[variadicIndex]!.name.span);
    }
    const paramNames = new Seen('argument', this.errors);
    for (const param of value.params) paramNames.check(param.name.text, param.name.span);
    if (typed && value.returnType === null) {
      this.errors.push({ message: 'Return type is required when arguments have a type', span: value.closeParen, hints: typedHint });
    } else if (!typed && first !== undefined && value.returnType !== null) {
      this.errors.push({ message: 'Return type is not allowed when arguments do not have a type', span: value.returnType.span, hints: untypedHint });
    }
    return {
      name: name.text,
      alias: this.annotationOf(item.annotations, 'alias')?.value.text ?? null,
      role: this.annotationOf(item.annotations, 'role')?.value.text ?? null,
      params: value.params.map((p) => ({ name: p.name.text, type: p.type?.source ?? null, variadic: p.variadic })),
      returnType: value.returnType?.source ?? null,
      body: value.body,
      bodySource: value.bodySource,
    };
  }
}

/** `fn(arg)` where fn is a plain identifier and arg a single expression: the `mva(…)`, `asc(…)`, `desc(…)` wrappers. */
function wrapperCall(expr: Expr): { fn: string; fnSpan: Span; arg: Expr } | null {
  if (expr.kind !== 'Call' || expr.optional || expr.callee.kind !== 'Ident' || expr.args.length !== 1) return null;
  return { fn: expr.callee.name, fnSpan: expr.callee.span, arg: expr.args[0]! };
}

/** `T?`, or a union with `Null`: the field may be absent. */
function isNullableType(type: string): boolean {
  const t = type.trim();
  return t.endsWith('?') || t.split('|').some((part) => part.trim() === 'Null');
}
