/**
 * `createEngine`: the database behind the local Fauna endpoint (engine/api.ts). A small façade: it owns the state
 * (the database tree, the transaction clock, the commit listeners) and hands each operation to its module:
 * authentication to auth/, queries to run-query.ts, the schema API to schema-ops.ts, persistence to snapshot.ts.
 */
import { authenticateSecret } from '../auth/authenticate.ts';
import type { SchemaFile } from '../schema/model.ts';
import type {
  ContentionFault, Engine, EngineOptions, EngineSnapshot, Principal, QueryOutcome, QueryRequest, SchemaApiError, SchemaDiffKind,
  SchemaStatus, SchemaUpdateOptions,
} from './api.ts';
import { IdGenerator, newDatabase } from './context.ts';
import type { Database } from './context.ts';
import type { EngineState } from './engine-state.ts';
import { ContentionControl } from './contention.ts';
import { evaluateSchemaExpression, runQuery } from './run-query.ts';
import * as schemaOps from './schema-ops.ts';
import { restoreDatabases, snapshotDatabases } from './snapshot.ts';

export class SchemaLoadError extends Error {
  readonly httpStatus: number;
  constructor(message: string, httpStatus: number) {
    super(message);
    this.name = 'SchemaLoadError';
    this.httpStatus = httpStatus;
  }
}

class LocalEngine implements Engine {
  readonly #state: EngineState;
  #lastTxnTs = 0n;
  readonly #listeners: (() => void)[] = [];
  readonly #contention: ContentionControl;

  constructor(options: EngineOptions, snapshot?: EngineSnapshot) {
    const root: Database = newDatabase('', 0n, new IdGenerator(), 0n);
    this.#state = {
      root,
      options,
      nextTxnTs: (minimum) => this.#nextTxnTs(minimum),
      notify: () => {
        for (const listener of this.#listeners) listener();
      },
      evaluateSchemaExpr: (db, txnTs, expr) => evaluateSchemaExpression(this.#state, db, txnTs, expr),
    };
    if (snapshot) this.#lastTxnTs = restoreDatabases(root, snapshot);
    root.store.configure(root.schema.storageSpecs());
    this.#contention = new ContentionControl(this.#state, options.contention);
  }

  #nextTxnTs(minimum: bigint | undefined): bigint {
    let ts = this.#state.options.clock.nowMicros();
    if (ts <= this.#lastTxnTs) ts = this.#lastTxnTs + 1n;
    if (minimum !== undefined && ts < minimum) ts = minimum;
    this.#lastTxnTs = ts;
    return ts;
  }

  authenticate(secret: string): Principal | null {
    const { root, options } = this.#state;
    return authenticateSecret({ root, rootSecret: options.rootSecret, nowMicros: options.clock.nowMicros() }, secret);
  }

  query(request: QueryRequest): QueryOutcome {
    // The plain path stays as it was (no footprint), unless contention mode or the fault switch needs to see writes.
    if (!this.#contention.enabled && !this.#contention.forced.active) return runQuery(this.#state, request);
    return this.#contention.runNow(request);
  }

  submit(request: QueryRequest): QueryOutcome | Promise<QueryOutcome> {
    return this.#contention.enabled ? this.#contention.submit(request) : this.query(request);
  }

  forceContention(fault: ContentionFault): void {
    this.#contention.forced.add(fault);
  }

  clearForcedContention(): void {
    this.#contention.forced.clear();
  }

  contentionCounts(): { committed: number; retries: number; aborted: number; forced: number } {
    return { ...this.#contention.counts };
  }

  schemaFiles(principal: Principal, options?: { staged?: boolean }): { version: number; files: { filename: string }[] } | SchemaApiError {
    return schemaOps.schemaFiles(this.#state, principal, options);
  }

  schemaFile(principal: Principal, filename: string, options?: { staged?: boolean }): { version: number; content: string } | SchemaApiError {
    return schemaOps.schemaFile(this.#state, principal, filename, options);
  }

  schemaDiff(principal: Principal, files: SchemaFile[], options: SchemaUpdateOptions): { version: number; diff: string } | SchemaApiError {
    return schemaOps.schemaDiff(this.#state, principal, files, options);
  }

  schemaStatus(principal: Principal, options: { diffKind?: SchemaDiffKind }): SchemaStatus | SchemaApiError {
    return schemaOps.schemaStatus(this.#state, principal, options);
  }

  schemaStaged(principal: Principal, action: 'commit' | 'abandon', options: { version?: bigint; force?: boolean }): { version: number } | SchemaApiError {
    return schemaOps.schemaStaged(this.#state, principal, action, options);
  }

  schemaUpdate(principal: Principal, files: SchemaFile[], options: SchemaUpdateOptions): { version: number } | SchemaApiError {
    return schemaOps.schemaUpdate(this.#state, principal, files, options);
  }

  snapshot(): EngineSnapshot {
    return snapshotDatabases(this.#state.root, this.#lastTxnTs);
  }

  onCommit(listener: () => void): void {
    this.#listeners.push(listener);
  }
}

/**
 * Creates the engine, optionally from a snapshot taken by `engine.snapshot()`.
 * @example const engine = createEngine({ clock: new AdjustableClock(), rootSecret: 'secret' });
 */
export function createEngine(options: EngineOptions, snapshot?: EngineSnapshot): Engine {
  return new LocalEngine(options, snapshot);
}

/**
 * Applies FSL files as the root key (override semantics: they become the whole schema).
 * @throws SchemaLoadError with the schema API's message and status when the files are rejected.
 */
export function loadSchemaFiles(engine: Engine, files: SchemaFile[]): number {
  const result = engine.schemaUpdate({ kind: 'root' }, files, { override: true, force: true });
  if ('httpStatus' in result) throw new SchemaLoadError(result.message, result.httpStatus);
  return result.version;
}
