/**
 * The engine's API: the contract between the database engine (engine/, storage/, auth/, wire/) and the HTTP layer (http/).
 * The HTTP layer owns transport, routing, header parsing and JSON; the engine owns everything Fauna means.
 */
import type { Clock } from '../clock.ts';
import type { TemplateFragment } from '../fql/template.ts';
import type { SchemaFile } from '../schema/model.ts';

/** One query fragment as the driver sends it (PROTOCOL.md §2.2); defined with the code that assembles it. */
export type { TemplateFragment };

import type { ValueFormat } from '../wire/encode.ts';
export type { ValueFormat };

/** Who a secret authenticates as. Opaque to the HTTP layer apart from `kind`. */
import type { Principal } from '../auth/principal.ts';
export type { Principal };

/**
 * Every error code the emulator answers with, spelled as Fauna spells them (PROTOCOL.md §4.2). The engine reports
 * codes only; the HTTP status of each, and whether it is written as a protocol or a query error, is the table in
 * http/errors.ts.
 */
export const ERROR_CODES = [
  // query failures (status 400, with summary, txn_ts and stats)
  'invalid_query', 'invalid_argument', 'type_mismatch', 'invalid_function_invocation', 'unbound_variable',
  'document_not_found', 'document_deleted', 'document_id_exists', 'null_value', 'invalid_null_access',
  'permission_denied', 'constraint_failure', 'abort', 'divide_by_zero', 'index_out_of_bounds', 'invalid_bounds',
  'invalid_id', 'invalid_time', 'invalid_date', 'invalid_unit', 'invalid_cursor', 'invalid_regex', 'invalid_write',
  'value_too_large', 'stack_overflow', 'invalid_schema',
  // protocol failures (only `error`)
  'invalid_request', 'unauthorized', 'forbidden', 'not_found', 'method_not_allowed', 'contended_transaction',
  'request_size_exceeded', 'limit_exceeded', 'time_out', 'internal_error', 'not_implemented',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface QueryRequest {
  principal: Principal;
  /** The `query` field of the body: a plain FQL string or the template form `{ fql: [...] }`. */
  query: string | { fql: TemplateFragment[] };
  /** The raw (still encoded) `arguments` object of the body, decoded by the engine according to `format`. */
  arguments: Record<string, unknown> | undefined;
  format: ValueFormat;
  /** `x-last-txn-ts`: the snapshot must be at least this recent (µs). */
  lastTxnTs: bigint | undefined;
  /** `x-query-timeout-ms`. */
  timeoutMs: number;
  /** `performance.now()` when the request arrived (the deadline runs from here); default: when `query()` is called. */
  receivedAt?: number;
  /** `x-typecheck`; undefined = database default. */
  typecheck: boolean | undefined;
  /** `x-max-contention-retries` (0–7); undefined = the core's default (4). Only contention mode retries. */
  maxContentionRetries?: number;
}

export interface QueryStats {
  compute_ops: number;
  read_ops: number;
  write_ops: number;
  query_time_ms: number;
  contention_retries: number;
  storage_bytes_read: number;
  storage_bytes_write: number;
  rate_limits_hit: string[];
}

/** A query's outcome, ready to serialise: the HTTP layer adds `query_tags` and writes the JSON. */
export type QueryOutcome =
  | {
      ok: true;
      /** The result, already encoded in the requested format. */
      data: unknown;
      /** The query's static type as the typer prints it, when the query was type-checked (core: `static_type`). */
      static_type?: string;
      summary: string;
      txn_ts: number;
      stats: QueryStats;
      schema_version: number;
    }
  | {
      ok: false;
      error: { code: ErrorCode; message: string; constraint_failures?: { paths: (string | number)[][]; message: string }[]; abort?: unknown };
      summary: string;
      txn_ts: number;
      stats: QueryStats;
      schema_version: number;
    };

/** A failure of the schema API, rendered by the HTTP layer as `{"error":{"message"}}` with this status. */
export interface SchemaApiError {
  httpStatus: number;
  message: string;
}

export interface SchemaUpdateOptions {
  /** `version=`: must equal the current schema version unless `force`. */
  version?: bigint;
  force?: boolean;
  /** `override=false` keeps stored files that were not uploaded. Default true. */
  override?: boolean;
  /** `staged=true`: keep the result as the staged schema (child databases only; Fauna rejects it on the root database). */
  staged?: boolean;
  /** `diff=` (or `format=`) on `/schema/1/diff`: `semantic`/`summary` (the default) or `textual` (a line diff of the files). */
  diffKind?: SchemaDiffKind;
}

export const SCHEMA_DIFF_KINDS = ['semantic', 'summary', 'textual'] as const;
export type SchemaDiffKind = (typeof SCHEMA_DIFF_KINDS)[number];

/** What `GET /schema/1/staged/status` answers; `diff` only when the request asked for one (`diff=`). */
export interface SchemaStatus {
  version: number;
  status: 'none' | 'pending' | 'ready' | 'failed';
  pending_summary: string;
  diff?: string;
}

export interface EngineOptions {
  clock: Clock;
  /** The root key's secret (Fauna's local default: `secret`). */
  rootSecret: string;
  /**
   * Whether the root database is type-checked when no database on the way sets `typechecked` (default true, as in
   * the core: `Database.isTypechecked` falls back to true). Child databases inherit it unless they set their own.
   */
  typechecked?: boolean;
  /** Contention mode (engine/contention.ts); absent: every query commits at once, in arrival order. */
  contention?: ContentionOptions;
}

/** Contention mode's settings (DESIGN.md "Contention"). */
export interface ContentionOptions {
  /** How long a read-write transaction stays in flight between its snapshot and its commit; default 10 ms. */
  windowMs?: number;
  /** A retry waits a random delay below this; default 200 ms, the core's. */
  retryDelayMaxMs?: number;
  /** Seed of the random retry delays and fault fractions; default 1. */
  seed?: number;
}

/**
 * A rule of the fault switch: 409 `contended_transaction` for read-write transactions, the next `count` of them or
 * each with probability `fraction`; only in `database` ('' the root, 'a/b' a child's path) and/or only for the key
 * whose document id is `keyId`, when given.
 */
export interface ContentionFault {
  count?: number;
  fraction?: number;
  database?: string;
  keyId?: string;
}

/** A serialisable snapshot of the whole database (documents, keys, tokens, schema files), for persistence. */
export type EngineSnapshot = { formatVersion: 1 } & Record<string, unknown>;

export interface Engine {
  /** Null for a missing, unknown, expired or deleted secret (the HTTP layer answers 401). */
  authenticate(secret: string): Principal | null;
  /**
   * Runs one query as one atomic, isolated transaction, at once (in contention mode too: it then has no in-flight
   * window, but transactions in flight conflict with its writes). Never throws for a query failure; returns it.
   */
  query(request: QueryRequest): QueryOutcome;
  /**
   * Runs one query as the endpoint does: the same as `query` unless contention mode is on; then a read-write
   * transaction stays in flight, may conflict with others, is retried, or answers 409 (engine/contention.ts).
   */
  submit(request: QueryRequest): QueryOutcome | Promise<QueryOutcome>;
  /** The fault switch: adds a rule forcing 409 `contended_transaction` (engine/contention-faults.ts). */
  forceContention(fault: ContentionFault): void;
  /** Removes every forced-contention rule. */
  clearForcedContention(): void;
  /** Contention totals since the start: commits through the window, retries, 409s (forced ones apart). */
  contentionCounts(): { committed: number; retries: number; aborted: number; forced: number };
  /** `staged`: the staged schema's files when there is one (what `fauna schema pull` asks for by default). */
  schemaFiles(principal: Principal, options?: { staged?: boolean }): { version: number; files: { filename: string }[] } | SchemaApiError;
  schemaFile(principal: Principal, filename: string, options?: { staged?: boolean }): { version: number; content: string } | SchemaApiError;
  /** `POST /schema/1/validate` and `/diff`: `{ version, diff }`. */
  schemaDiff(principal: Principal, files: SchemaFile[], options: SchemaUpdateOptions): { version: number; diff: string } | SchemaApiError;
  /** `POST /schema/1/update`: `{ version }` (the µs txn time of the update). */
  schemaUpdate(principal: Principal, files: SchemaFile[], options: SchemaUpdateOptions): { version: number } | SchemaApiError;
  /** `GET /schema/1/staged/status`: `none`, or `ready` with the staged diff (staged schema builds at once here). */
  schemaStatus(principal: Principal, options: { diffKind?: SchemaDiffKind }): SchemaStatus | SchemaApiError;
  /** `POST /schema/1/staged/commit` (apply the staged schema) and `/abandon` (drop it): `{ version }`. */
  schemaStaged(principal: Principal, action: 'commit' | 'abandon', options: { version?: bigint; force?: boolean }): { version: number } | SchemaApiError;
  snapshot(): EngineSnapshot;
  /** Called after every committed write (query or schema); the HTTP layer uses it to persist. */
  onCommit(listener: () => void): void;
}

/**
 * Implemented in engine/engine.ts:
 *   export function createEngine(options: EngineOptions, snapshot?: EngineSnapshot): Engine
 * The snapshot must be plain JSON (no bigint, no class instances) so the HTTP layer can write it to a file as is.
 */
