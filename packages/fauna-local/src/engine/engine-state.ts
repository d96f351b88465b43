/**
 * What the engine's operations (run-query.ts, schema-ops.ts, snapshot.ts) share: the database tree, the options, the
 * transaction clock and the commit listeners. engine.ts owns the one instance.
 */
import { databaseAt } from '../auth/databases.ts';
import type { EngineOptions, Principal } from './api.ts';
import type { Expr } from '../fql/ast.ts';
import type { Value } from '../values/values.ts';
import type { Database } from './context.ts';

export interface EngineState {
  /** The root database; child databases hang below it. */
  readonly root: Database;
  readonly options: EngineOptions;
  /** A new transaction time (µs): strictly increasing, at least the clock and at least `minimum`. */
  nextTxnTs(minimum?: bigint): bigint;
  /** Tells the commit listeners (persistence) that something was committed. */
  notify(): void;
  /** Evaluates a schema expression outside a query (a migration's backfill), with server rights, at `txnTs`. */
  evaluateSchemaExpr(db: Database, txnTs: bigint, expr: Expr): Value;
}

/** The database a principal works in; null once it was deleted (its secret no longer works). */
export function dbFor(state: EngineState, principal: Principal): Database | null {
  return databaseAt(state.root, principal.database ?? []);
}
