/**
 * The schema model: what an FSL file declares (produced by fsl/parser.ts, stored and enforced by engine/).
 * Lambdas (predicates, checks, computed fields, function bodies) are kept both as AST and as source text,
 * because Fauna returns their source in definition documents.
 */
import type { Expr } from '../fql/ast.ts';

/** A field path such as `.address.city`, as segments: ['address', 'city']. */
export type FieldPath = string[];

export interface FieldDef {
  name: string;
  /** Type as written (`String`, `Int?`, `Ref<Customer>`): checked statically by typer/ in type-checked databases; at run time only as engine/documents.ts checks it. */
  type: string;
  optional: boolean;
  default: { expr: Expr; source: string } | null;
}

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
  /** Top-level fields named by `backfill .field = …` in the migrations block (checked, not applied, by the emulator). */
  backfills?: string[];
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
export type { SchemaFile } from '../../../tools/fsl-files.ts';
