/**
 * The schema model: what an FSL file declares (produced by fsl/parser.ts, stored and enforced by engine/).
 * Lambdas (predicates, checks, computed fields, function bodies) are kept both as AST and as source text,
 * because Fauna returns their source in definition documents.
 */
import type { Expr, Span } from '../fql/ast.ts';

/** A field path such as `.address.city`, as segments: ['address', 'city']. */
export type FieldPath = string[];

export interface FieldDef {
  name: string;
  /** Type as written (`String`, `Int?`, `Ref<Customer>`): checked statically by typer/ in type-checked databases; at run time only as engine/documents.ts checks it. */
  type: string;
  optional: boolean;
  default: { expr: Expr; source: string } | null;
  /** Where the name and the type stand in the file (migration errors point at them). */
  nameSpan?: Span;
  typeSpan?: Span;
}

/** A field path of a migration statement (`.address.city`), with its position. */
export interface MigrationPath {
  elems: string[];
  span: Span;
}

/** One statement of a collection's `migrations { … }` block (CORE: fql.ast.MigrationItem). */
export type MigrationItem =
  | { kind: 'add'; field: MigrationPath; span: Span }
  | { kind: 'drop'; field: MigrationPath; span: Span }
  | { kind: 'move'; field: MigrationPath; to: MigrationPath; span: Span }
  | { kind: 'split'; field: MigrationPath; to: MigrationPath[]; span: Span }
  | { kind: 'backfill'; field: MigrationPath; value: { expr: Expr; source: string; span: Span }; span: Span }
  | { kind: 'move_conflicts'; into: MigrationPath; span: Span }
  | { kind: 'move_wildcard'; into: MigrationPath; span: Span }
  | { kind: 'add_wildcard'; span: Span };

export interface UniqueDef {
  fields: { path: FieldPath; mva: boolean }[];
}

export interface IndexDef {
  terms: { path: FieldPath; mva: boolean }[];
  values: { path: FieldPath; order: 'asc' | 'desc'; mva: boolean }[];
}

export interface LambdaSource {
  /** The parsed lambda (kind 'Lambda'). */
  expr: Expr;
  /** Its source text, e.g. `(doc) => doc.active`. */
  source: string;
}

export interface CollectionDef {
  name: string;
  alias: string | null;
  fields: FieldDef[];
  /** `*: Any`; null when absent. With field definitions and no wildcard, unknown fields are rejected. */
  wildcard: string | null;
  uniques: UniqueDef[];
  indexes: Record<string, IndexDef>;
  checks: { name: string; predicate: LambdaSource }[];
  computed: { name: string; type: string | null; fn: LambdaSource }[];
  ttlDays: number | null;
  historyDays: number | null;
  /** Explicit `document_ttls`; when null, Fauna's default applies (true only if the collection has no field definitions). */
  documentTtls: boolean | null;
  /** The `migrations { … }` block's statements, in order (validated and applied by engine/migrations.ts). */
  migrations?: MigrationItem[];
  /** The span of the whole `collection … { … }` item and of its wildcard declaration, for migration errors. */
  span?: Span;
  wildcardSpan?: Span;
}

export type PrivilegeAction =
  | 'read' | 'write' | 'create' | 'delete' | 'call'
  | 'create_with_id' | 'history_read' | 'history_write' | 'unrestricted_read';

export interface RoleDef {
  name: string;
  membership: { collection: string; predicate: LambdaSource | null }[];
  privileges: { resource: string; actions: Partial<Record<PrivilegeAction, true | LambdaSource>> }[];
}

export interface FunctionDef {
  name: string;
  alias: string | null;
  /** `@role(server)` / `@role(admin)` / `@role(myRole)`: the body runs with that role's privileges. */
  role: string | null;
  params: { name: string; type: string | null; variadic: boolean }[];
  returnType: string | null;
  /** The body as a Block. */
  body: Expr;
  /** The whole body source between the braces, as Fauna stores it. */
  bodySource: string;
}

/** Everything one or more FSL files declare. Item names are unique across all files of a database. */
export interface SchemaItems {
  collections: CollectionDef[];
  roles: RoleDef[];
  functions: FunctionDef[];
}

/** An FSL file as uploaded through the schema API or read from the schema folder: the one type, shared with the tools. */
export type { SchemaFile } from '../fsl-files.ts';
