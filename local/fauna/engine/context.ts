/**
 * The state one query evaluation runs against: the database (storage, schema, ids, cursors), the snapshot time,
 * the caller's privileges and identity, the log, and the budget that enforces the client's deadline.
 */
import { randomBytes } from 'node:crypto';
import type { Access } from '../auth/permissions.ts';
import type { Store } from '../storage/store.ts';
import type { Expr, Span } from '../fql/ast.ts';
import type { LambdaSource } from '../schema/model.ts';
import { QueryFailure, TIME_OUT_STATUS } from './errors.ts';
import type { Schema } from './schema.ts';
import type { DocRef, FqlTime, SetValue, Value } from './values.ts';

/** Sets returned to a client stay paginable through `Set.paginate(cursor)` until this many newer cursors exist. */
const MAX_CURSORS = 10_000;
/** How many evaluation steps run between two looks at the wall clock. */
const OPS_PER_DEADLINE_CHECK = 512;

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
  ids: IdGenerator;
  cursors: CursorTable;
}

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
  stats: { reads: number; compute: number };
  deadlineMs: number;
  timeoutMs: number;
  opsUntilCheck: number;
  startedMs: number;
  /** Runs a schema lambda (predicate, check, default, computed field) with server privileges. */
  runSchemaLambda: (lambda: LambdaSource, args: Value[]) => Value;
  /** Evaluates a schema expression (a field default) with server privileges. */
  runSchemaExpr: (expr: Expr) => Value;
}

/** Counts one evaluation step; fails with `time_out` once the client's deadline has passed. */
export function tick(ctx: Ctx, span?: Span): void {
  if (--ctx.opsUntilCheck > 0) return;
  ctx.opsUntilCheck = OPS_PER_DEADLINE_CHECK;
  ctx.stats.compute++;
  const now = Date.now();
  if (now > ctx.deadlineMs) {
    throw new QueryFailure(
      'time_out',
      `Client set aggressive deadline: query needs more than ${now - ctx.startedMs}ms, timed out within ${ctx.timeoutMs}ms`,
      { httpStatus: TIME_OUT_STATUS, span: span ?? null },
    );
  }
}

export const DEADLINE_CHECK_INTERVAL = OPS_PER_DEADLINE_CHECK;
