/**
 * The state one query evaluation runs against: the database (storage, schema, ids, cursors), the snapshot time,
 * the caller's privileges and identity, the log, and the budget that enforces the client's deadline.
 */
import { randomBytes } from 'node:crypto';
import type { Access } from '../auth/permissions.ts';
import { Store } from '../storage/store.ts';
import type { Expr, Span } from '../fql/ast.ts';
import type { LambdaSource } from '../schema/model.ts';
import { QueryFailure } from './errors.ts';
import type { Meter } from './metering.ts';
import { Schema } from './schema.ts';
import type { DocRef, FqlTime, SetValue, Value } from '../values/values.ts';

/** Sets returned to a client stay paginable through `Set.paginate(cursor)` until this many newer cursors exist. */
const MAX_CURSORS = 10_000;
/**
 * How many evaluation steps run between two looks at the clock. A look costs about as much as a few steps
 * (performance.now()), so short deadlines are checked at nearly every step and long ones rarely.
 */
const STEPS_PER_DEADLINE_CHECK = { short: 8, long: 512 } as const;
/** Deadlines up to this long are checked at the short interval. */
const SHORT_DEADLINE_MS = 1_000;
/**
 * The least time a query spends in a real Fauna before it can answer (routing, snapshot read, transaction log),
 * which the emulator does not spend: it counts this much as already used, so a deadline below it fails with
 * `time_out` as it does against Fauna (the drivers' tests send `query_timeout_ms: 1` and expect 440).
 */
export const MIN_SERVICE_MS = 2;

export interface CursorEntry {
  set: SetValue;
  offset: number;
  pageSize: number;
}

/** Opaque cursor strings for set pages. Cursors are not persisted in snapshots. */
export class CursorTable {
  readonly #entries = new Map<string, CursorEntry>();

  put(entry: CursorEntry): string {
    const cursor = randomBytes(24).toString('base64url');
    this.#entries.set(cursor, entry);
    if (this.#entries.size > MAX_CURSORS) this.#entries.delete(this.#entries.keys().next().value!);
    return cursor;
  }

  get(cursor: string): CursorEntry | undefined {
    return this.#entries.get(cursor);
  }
}

/** Document ids: digit strings of about 18 digits, increasing (µs clock × 256 plus a counter). */
export class IdGenerator {
  #last = 0n;
  next(nowMicros: bigint): string {
    const candidate = nowMicros * 256n;
    this.#last = candidate > this.#last ? candidate : this.#last + 1n;
    return this.#last.toString();
  }
  get last(): bigint {
    return this.#last;
  }
  restore(last: bigint): void {
    if (last > this.#last) this.#last = last;
  }
}

export interface Database {
  store: Store;
  schema: Schema;
  /** One generator shared by every database, so document, key and token ids are unique across them all. */
  ids: IdGenerator;
  cursors: CursorTable;
  /** '' for the root database. */
  name: string;
  /** Carried by the secrets of tokens minted here, so a token finds its database. 0 for the root. */
  globalId: bigint;
  /** Child databases by name (`Database.create`), each with its own documents, schema, keys and tokens. */
  children: Map<string, Database>;
  /** The definition document's fields (a child database's `ts`, `data`, `typechecked`, `protected`). */
  definition: DatabaseDefinition;
  /** A schema pushed with `staged=true`, waiting for commit or abandon (child databases only, as in Fauna). */
  staged: Schema | null;
}

export interface DatabaseDefinition {
  ts: bigint;
  data: Value;
  typechecked: boolean | null;
  protected: boolean | null;
}

/** A new, empty database sharing `ids` with the others. */
export function newDatabase(name: string, globalId: bigint, ids: IdGenerator, ts: bigint): Database {
  const schema = Schema.empty();
  const store = new Store();
  store.configure(schema.storageSpecs());
  return {
    store,
    schema,
    ids,
    cursors: new CursorTable(),
    name,
    globalId,
    children: new Map(),
    definition: { ts, data: null, typechecked: null, protected: null },
    staged: null,
  };
}


/** Why a schema change from FQL was refused: a validation message, or type errors (core: `invalid_schema`). */
export type SchemaChangeProblem = string | { invalidSchema: string };

/** Per-query evaluation state. `access` changes while a `@role` function body runs. */
export interface Ctx {
  db: Database;
  /** Snapshot time: what `Time.now()` returns and what TTLs are compared with. */
  now: FqlTime;
  txnMicros: bigint;
  access: Access;
  identity: DocRef | null;
  token: DocRef | null;
  /** Secrets of keys/tokens created in this query, shown only in this query (by `coll/id`). */
  revealed: Map<string, string>;
  /** `log()`/`dbg()` output, rendered into the summary. */
  logs: { span: Span; text: string }[];
  /** What the query costs, counted by the core's rules (metering.ts). */
  meter: Meter;
  /** The query's deadline budget, on the `performance.now()` clock. */
  deadline: Deadline;
  /**
   * Calls an FQL function value (lambda, native function, UDF, or anything with `apply`). The evaluator provides it, so
   * the standard library calls back through the context instead of importing the evaluator.
   */
  callFunction: (fn: Value, args: Value[], span: Span) => Value;
  /** Evaluates an expression in a fresh scope holding just these variables (a user-defined function's body). */
  evaluateIn: (expr: Expr, vars: Map<string, Value>) => Value;
  /** Runs a schema lambda (predicate, check, default, computed field) with server privileges. */
  runSchemaLambda: (lambda: LambdaSource, args: Value[]) => Value;
  /** Evaluates a schema expression (a field default) with server privileges. */
  runSchemaExpr: (expr: Expr) => Value;
  /**
   * Makes these FSL files the schema, inside this query's transaction (undone if the query fails), with the checks of
   * a schema push. Returns the problem that rejects them, or null once applied.
   */
  changeSchema: (files: ReadonlyMap<string, string>) => SchemaChangeProblem | null;
  /** Whether the database is type-checked (`Query.isEnvTypechecked()`; the `x-typecheck` header does not change it). */
  envTypechecked: boolean;
  /** Set when the query created, changed or deleted a child database (not a document write, but persisted too). */
  structureChanged: boolean;
}

/** The client's deadline (`x-query-timeout-ms`), measured from when the engine received the query. */
export interface Deadline {
  /** `performance.now()` when the query arrived. */
  readonly startedAt: number;
  /** `performance.now()` after which the query has failed. */
  readonly endsAt: number;
  readonly timeoutMs: number;
  readonly stepsPerCheck: number;
  stepsUntilCheck: number;
  steps: number;
}

export function newDeadline(startedAt: number, timeoutMs: number): Deadline {
  const stepsPerCheck = timeoutMs <= SHORT_DEADLINE_MS ? STEPS_PER_DEADLINE_CHECK.short : STEPS_PER_DEADLINE_CHECK.long;
  return { startedAt, endsAt: startedAt + timeoutMs - MIN_SERVICE_MS, timeoutMs, stepsPerCheck, stepsUntilCheck: 1, steps: 0 };
}

/** The `time_out` failure (status 440) in Fauna's words, if the deadline has passed at `now`. */
export function deadlineFailure(deadline: Deadline, now: number, span: Span | null = null): QueryFailure | null {
  if (now <= deadline.endsAt) return null;
  const needs = Math.max(Math.ceil(now - deadline.startedAt) + MIN_SERVICE_MS, deadline.timeoutMs + 1);
  return new QueryFailure(
    'time_out',
    `Client set aggressive deadline: query needs ${needs}ms, timed out within ${deadline.timeoutMs}ms`,
    { span },
  );
}

/** Counts one evaluation step; fails with `time_out` once the client's deadline has passed. */
export function tick(ctx: Ctx, span?: Span): void {
  const deadline = ctx.deadline;
  deadline.steps++;
  if (--deadline.stepsUntilCheck > 0) return;
  deadline.stepsUntilCheck = deadline.stepsPerCheck;
  const failure = deadlineFailure(deadline, performance.now(), span ?? null);
  if (failure) throw failure;
}
