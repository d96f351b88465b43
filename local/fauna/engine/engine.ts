/**
 * `createEngine`: the database behind the local Fauna endpoint (engine/api.ts). One query runs at a time as one atomic
 * transaction: template → parse (cached) → bind arguments → evaluate → encode, committed or rolled back as a whole.
 */
import { authenticateSecret } from '../auth/authenticate.ts';
import { accessForRole, ADMIN_ACCESS, rolesForIdentity, SERVER_ACCESS } from '../auth/permissions.ts';
import type { Access } from '../auth/permissions.ts';
import { SHORT_LAMBDA_PARAM } from '../fql/ast.ts';
import type { Expr } from '../fql/ast.ts';
import { FqlSyntaxError } from '../fql/errors.ts';
import { parseQueryCached } from '../fql/parser.ts';
import { lineColumn, renderSummary, renderSyntaxError } from '../fql/summary.ts';
import { assembleTemplate, InvalidTemplateError } from '../fql/template.ts';
import type { AssembledQuery } from '../fql/template.ts';
import { FslSyntaxError } from '../fsl/errors.ts';
import { parseSchemaFiles } from '../fsl/parser.ts';
import type { LambdaSource, SchemaFile, SchemaItems } from '../schema/model.ts';
import { Store, UniqueViolationError } from '../storage/store.ts';
import { decodeSimple, decodeTagged, ValueDecodeError } from '../wire/decode.ts';
import type { ModuleResolver } from '../wire/decode.ts';
import { encodeResult } from '../wire/encode.ts';
import type { EncodeContext } from '../wire/encode.ts';
import type {
  Engine, EngineOptions, EngineSnapshot, Principal, QueryOutcome, QueryRequest, QueryStats, SchemaApiError,
  SchemaUpdateOptions, ValueFormat,
} from './api.ts';
import { CursorTable, DEADLINE_CHECK_INTERVAL, IdGenerator } from './context.ts';
import type { Ctx, Database } from './context.ts';
import { docFields, moduleFor, readState } from './documents.ts';
import { QueryFailure } from './errors.ts';
import { callLambda, evaluate, evaluateProgram, newScope } from './evaluator.ts';
import { Schema } from './schema.ts';
import { fromSnapshot, toSnapshot } from './snapshot.ts';
import { describeDiff, missingBackfill, validateItems } from './schema-changes.ts';
import { namedFields } from './stdlib/collection.ts';
import { BUILTIN_MODULES } from './stdlib/globals.ts';
import { DEFAULT_PAGE_SIZE, readPage } from './stdlib/set.ts';
import { DocRef, FqlTime, LambdaFn } from './values.ts';
import type { Value } from './values.ts';

/** Fauna's answer when the query does not parse. */
const CHECK_FAILED_MESSAGE = 'The query failed 1 validation check';
/** A rough cost model for stats: bytes per document read or written. */
const APPROX_DOC_BYTES = 128;

export class SchemaLoadError extends Error {
  readonly httpStatus: number;
  constructor(message: string, httpStatus: number) {
    super(message);
    this.name = 'SchemaLoadError';
    this.httpStatus = httpStatus;
  }
}

function emptyStats(): QueryStats {
  return { compute_ops: 1, read_ops: 0, write_ops: 0, query_time_ms: 0, contention_retries: 0, storage_bytes_read: 0, storage_bytes_write: 0, rate_limits_hit: [] };
}

class LocalEngine implements Engine {
  readonly #options: EngineOptions;
  readonly #db: Database;
  #lastTxnTs = 0n;
  readonly #listeners: (() => void)[] = [];

  constructor(options: EngineOptions, snapshot?: EngineSnapshot) {
    this.#options = options;
    this.#db = { store: new Store(), schema: Schema.empty(), ids: new IdGenerator(), cursors: new CursorTable() };
    if (snapshot) this.#restore(snapshot);
    this.#db.store.configure(this.#db.schema.storageSpecs());
  }

  // ---- authentication -------------------------------------------------------------------------------------------

  authenticate(secret: string): Principal | null {
    return authenticateSecret(
      { store: this.#db.store, schema: this.#db.schema, rootSecret: this.#options.rootSecret, nowMicros: this.#options.clock.nowMicros() },
      secret,
    );
  }

  // ---- queries --------------------------------------------------------------------------------------------------

  #nextTxnTs(minimum: bigint | undefined): bigint {
    let ts = this.#options.clock.nowMicros();
    if (ts <= this.#lastTxnTs) ts = this.#lastTxnTs + 1n;
    if (minimum !== undefined && ts < minimum) ts = minimum;
    this.#lastTxnTs = ts;
    return ts;
  }

  query(request: QueryRequest): QueryOutcome {
    const startedMs = Date.now();
    const txnTs = this.#nextTxnTs(request.lastTxnTs);
    const stats = emptyStats();
    const schemaVersion = Number(this.#db.schema.version);
    const fail = (code: string, message: string, summary = '', httpStatus = 400): QueryOutcome => ({
      ok: false, httpStatus, error: { code, message }, summary, txn_ts: Number(txnTs), stats, schema_version: schemaVersion,
    });
    try {
      return this.#runQuery(request, startedMs, txnTs, stats, schemaVersion, fail);
    } catch (error) {
      // The contract says query() never throws: an emulator bug becomes a 500 the client can see.
      return fail('internal_error', `The local Fauna emulator failed: ${error instanceof Error ? error.message : String(error)}`, '', 500);
    }
  }

  #runQuery(
    request: QueryRequest,
    startedMs: number,
    txnTs: bigint,
    stats: QueryStats,
    schemaVersion: number,
    fail: (code: string, message: string, summary?: string, httpStatus?: number) => QueryOutcome,
  ): QueryOutcome {
    let source: string;
    let placeholders: AssembledQuery['placeholders'];
    try {
      ({ source, placeholders } = assembleTemplate(request.query));
    } catch (error) {
      if (error instanceof InvalidTemplateError) return fail('invalid_request', error.message);
      throw error;
    }

    let program: Expr;
    try {
      program = parseQueryCached(source);
    } catch (error) {
      if (error instanceof FqlSyntaxError) return fail('invalid_query', CHECK_FAILED_MESSAGE, renderSyntaxError(source, error));
      throw error;
    }

    const modules = this.#moduleResolver();
    const bindings = new Map<string, Value>();
    for (const [name, encoded] of Object.entries(request.arguments ?? {})) {
      try {
        bindings.set(name, request.format === 'simple' ? decodeSimple(encoded) : decodeTagged(encoded, modules));
      } catch (error) {
        if (error instanceof ValueDecodeError) return fail('invalid_request', `Invalid argument '${name}': ${error.message}`);
        throw error;
      }
    }
    for (const placeholder of placeholders) {
      try {
        bindings.set(placeholder.name, decodeTagged(placeholder.encoded, modules));
      } catch (error) {
        if (!(error instanceof ValueDecodeError)) throw error;
        return fail('invalid_query', CHECK_FAILED_MESSAGE, renderSummary(source, placeholder.span, `Invalid value: ${error.message}`));
      }
    }

    const ctx = this.#newContext(request, txnTs, startedMs);
    const store = this.#db.store;
    store.begin();
    try {
      ctx.access = this.#accessFor(request.principal, ctx);
      const result = evaluateProgram(ctx, program, bindings);
      const data = encodeResult(result, request.format, this.#encodeContext(ctx));
      const writes = store.commit();
      this.#fillStats(stats, ctx, writes, startedMs);
      if (writes > 0) this.#notify();
      return { ok: true, data, summary: this.#logSummary(source, ctx), txn_ts: Number(txnTs), stats, schema_version: schemaVersion };
    } catch (error) {
      store.rollback();
      this.#fillStats(stats, ctx, 0, startedMs);
      const failure = this.#asFailure(error);
      const errorBody: Extract<QueryOutcome, { ok: false }>['error'] = { code: failure.code, message: failure.message };
      if (failure.constraintFailures) errorBody.constraint_failures = failure.constraintFailures;
      if (failure.code === 'abort') errorBody.abort = this.#encodeAbort(failure.abort as Value, request.format, ctx);
      return {
        ok: false,
        httpStatus: failure.httpStatus,
        error: errorBody,
        summary: this.#failureSummary(source, failure, ctx),
        txn_ts: Number(txnTs),
        stats,
        schema_version: schemaVersion,
      };
    }
  }

  #asFailure(error: unknown): QueryFailure {
    if (error instanceof QueryFailure) return error;
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      return new QueryFailure('stack_overflow', 'Stack overflow: the query recursed too deeply.', { cause: error });
    }
    return new QueryFailure('internal_error', `The local Fauna emulator failed: ${error instanceof Error ? error.message : String(error)}`, { httpStatus: 500, cause: error });
  }

  #encodeAbort(value: Value, format: ValueFormat, ctx: Ctx): unknown {
    try {
      return encodeResult(value ?? null, format, this.#encodeContext(ctx));
    } catch {
      return null;
    }
  }

  #newContext(request: QueryRequest, txnTs: bigint, startedMs: number): Ctx {
    const db = this.#db;
    const identity = request.principal.kind === 'token' ? new DocRef(request.principal.identity.coll, request.principal.identity.id) : null;
    const token = request.principal.kind === 'token' ? new DocRef('Token', request.principal.tokenId) : null;
    const ctx: Ctx = {
      db,
      now: FqlTime.fromMicros(txnTs),
      txnMicros: txnTs,
      access: { kind: 'roles', roles: [] },
      identity,
      token,
      revealed: new Map(),
      logs: [],
      stats: { reads: 0, compute: 0 },
      deadlineMs: startedMs + request.timeoutMs,
      timeoutMs: request.timeoutMs,
      opsUntilCheck: DEADLINE_CHECK_INTERVAL,
      startedMs,
      runSchemaLambda: (lambda, args) => this.#asServer(ctx, () => withoutSchemaSpans(() => callSchemaLambda(ctx, lambda, args))),
      runSchemaExpr: (expr) => this.#asServer(ctx, () => withoutSchemaSpans(() => evaluate(ctx, expr, newScope(null)))),
    };
    return ctx;
  }

  #asServer<T>(ctx: Ctx, run: () => T): T {
    const saved = ctx.access;
    ctx.access = SERVER_ACCESS;
    try {
      return run();
    } finally {
      ctx.access = saved;
    }
  }

  #accessFor(principal: Principal, ctx: Ctx): Access {
    const findRole = (name: string) => this.#db.schema.roles.get(name);
    switch (principal.kind) {
      case 'root':
        return principal.role === undefined ? ADMIN_ACCESS : accessForRole(principal.role, findRole) ?? { kind: 'roles', roles: [] };
      case 'key':
        return accessForRole(principal.role, findRole) ?? { kind: 'roles', roles: [] };
      case 'token': {
        const identity = new DocRef(principal.identity.coll, principal.identity.id);
        const roles = rolesForIdentity(this.#db.schema.items.roles, identity.coll, (predicate) => ctx.runSchemaLambda(predicate, [identity]) === true);
        return { kind: 'roles', roles };
      }
    }
  }

  #encodeContext(ctx: Ctx): EncodeContext {
    return {
      materialize: (ref) => {
        if (ref instanceof DocRef) {
          const state = readState(ctx, ref);
          return 'cause' in state ? state : { fields: docFields(ctx, ref, state.doc) };
        }
        const fields = namedFields(ctx, ref);
        return fields ? { fields } : { cause: 'not found' };
      },
      firstPage: (set) => readPage(ctx, set, 0, set.pageSize ?? DEFAULT_PAGE_SIZE),
      cursor: (set) => this.#db.cursors.put({ set, offset: 0, pageSize: set.pageSize ?? DEFAULT_PAGE_SIZE }),
    };
  }

  #moduleResolver(): ModuleResolver {
    return (name) => {
      const coll = this.#db.schema.collections.get(name);
      if (coll) return moduleFor(coll.name, true);
      if (BUILTIN_MODULES.has(name)) return moduleFor(name, false);
      return null;
    };
  }

  #fillStats(stats: QueryStats, ctx: Ctx, writes: number, startedMs: number): void {
    stats.compute_ops = Math.max(1, ctx.stats.compute);
    stats.read_ops = ctx.stats.reads;
    stats.write_ops = writes;
    stats.query_time_ms = Date.now() - startedMs;
    stats.storage_bytes_read = ctx.stats.reads * APPROX_DOC_BYTES;
    stats.storage_bytes_write = writes * APPROX_DOC_BYTES;
  }

  #logSummary(source: string, ctx: Ctx): string {
    return ctx.logs.map((log) => `info at *query*:${lineColumn(source, log.span.start).line}: ${log.text}`).join('\n');
  }

  #failureSummary(source: string, failure: QueryFailure, ctx: Ctx): string {
    const logs = this.#logSummary(source, ctx);
    let text: string;
    // A span that does not fit the query text cannot be rendered against it (it came from somewhere else).
    if (failure.span && failure.span.end <= source.length && failure.span.start <= failure.span.end) {
      text = renderSummary(source, failure.span, failure.message);
      if (failure.constraintFailures) {
        const lines = failure.constraintFailures.map((c) => `  ${c.paths.map((p) => p.join('.')).join(', ') || '<document>'}: ${c.message}`);
        const [first, ...rest] = text.split('\n');
        text = [first, 'constraint failures:', ...lines, ...rest].join('\n');
      }
    } else {
      text = `error: ${failure.message}`;
    }
    return logs ? `${logs}\n\n${text}` : text;
  }

  // ---- schema ---------------------------------------------------------------------------------------------------

  #mayManageSchema(principal: Principal): boolean {
    if (principal.kind === 'root') return principal.role === undefined || principal.role === 'admin';
    return principal.kind === 'key' && principal.role === 'admin';
  }

  schemaFiles(principal: Principal): { version: number; files: { filename: string }[] } | SchemaApiError {
    if (!this.#mayManageSchema(principal)) return { httpStatus: 403, message: 'Access denied' };
    return { version: Number(this.#db.schema.version), files: [...this.#db.schema.files.keys()].sort().map((filename) => ({ filename })) };
  }

  schemaFile(principal: Principal, filename: string): { version: number; content: string } | SchemaApiError {
    if (!this.#mayManageSchema(principal)) return { httpStatus: 403, message: 'Access denied' };
    const content = this.#db.schema.files.get(filename);
    if (content === undefined) return { httpStatus: 404, message: 'Not found' };
    return { version: Number(this.#db.schema.version), content };
  }

  #prepareSchema(principal: Principal, files: SchemaFile[], options: SchemaUpdateOptions):
    | { files: Map<string, string>; items: SchemaItems } | SchemaApiError {
    if (!this.#mayManageSchema(principal)) return { httpStatus: 403, message: 'Access denied' };
    if (options.staged) return { httpStatus: 400, message: 'Schema cannot be staged in the root database' };
    if (options.version !== undefined && !options.force && options.version !== this.#db.schema.version) {
      return { httpStatus: 409, message: 'Stale schema version provided' };
    }
    const merged = new Map<string, string>(options.override === false ? this.#db.schema.files : []);
    for (const file of files) {
      if (file.content.trim() === '') merged.delete(file.filename);
      else merged.set(file.filename, file.content);
    }
    const list: SchemaFile[] = [...merged].map(([filename, content]) => ({ filename, content }));
    let items: SchemaItems;
    try {
      items = parseSchemaFiles(list);
    } catch (error) {
      if (error instanceof FslSyntaxError || error instanceof FqlSyntaxError) return { httpStatus: 400, message: error.message };
      throw error;
    }
    const problem = validateItems(items) ?? missingBackfill(items, (name) => this.#storedData(name));
    if (problem) return { httpStatus: 400, message: problem };
    return { files: merged, items };
  }

  schemaDiff(principal: Principal, files: SchemaFile[], options: SchemaUpdateOptions): { version: number; diff: string } | SchemaApiError {
    const prepared = this.#prepareSchema(principal, files, { ...options, staged: false });
    if ('httpStatus' in prepared) return prepared;
    return { version: Number(this.#db.schema.version), diff: describeDiff(this.#db.schema.items, prepared.items) };
  }

  schemaUpdate(principal: Principal, files: SchemaFile[], options: SchemaUpdateOptions): { version: number } | SchemaApiError {
    const prepared = this.#prepareSchema(principal, files, options);
    if ('httpStatus' in prepared) return prepared;
    const txnTs = this.#nextTxnTs(undefined);
    const next = new Schema(prepared.items, prepared.files, txnTs);
    const previous = this.#db.schema;
    const store = this.#db.store;
    store.begin();
    try {
      const kept = new Set(next.items.collections.map((c) => c.name));
      for (const coll of previous.items.collections) if (!kept.has(coll.name)) store.dropCollection(coll.name);
      this.#db.schema = next;
      store.configure(next.storageSpecs());
      store.commit();
    } catch (error) {
      store.rollback();
      this.#db.schema = previous;
      store.configure(previous.storageSpecs());
      if (error instanceof UniqueViolationError) return { httpStatus: 400, message: `Existing documents violate a unique constraint: ${error.message}` };
      throw error;
    }
    this.#notify();
    return { version: Number(txnTs) };
  }

  /** The user fields of a collection's stored documents (none when the collection does not exist yet). */
  *#storedData(collection: string): Iterable<Record<string, unknown>> {
    if (!this.#db.schema.items.collections.some((coll) => coll.name === collection)) return;
    for (const id of this.#db.store.ids(collection)) {
      const doc = this.#db.store.get(collection, id);
      if (doc) yield doc.data as Record<string, unknown>;
    }
  }

  // ---- persistence ----------------------------------------------------------------------------------------------

  snapshot(): EngineSnapshot {
    return toSnapshot({ schema: this.#db.schema, collections: this.#db.store.entries(), lastTxnTs: this.#lastTxnTs, lastId: this.#db.ids.last });
  }

  #restore(snapshot: EngineSnapshot): void {
    const state = fromSnapshot(snapshot);
    this.#db.schema = state.schema;
    this.#db.store.load(state.collections);
    this.#lastTxnTs = state.lastTxnTs;
    this.#db.ids.restore(state.lastId);
  }

  onCommit(listener: () => void): void {
    this.#listeners.push(listener);
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}

/** Runs schema code; a failure loses its span (which points into an FSL file) so the caller's query span is used. */
function withoutSchemaSpans<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof QueryFailure) error.span = null;
    throw error;
  }
}

/** Calls a schema lambda (kept as AST) with arguments, in a scope with no local variables. */
function callSchemaLambda(ctx: Ctx, lambda: LambdaSource, args: Value[]): Value {
  const expr = lambda.expr;
  if (expr.kind !== 'Lambda') return evaluate(ctx, expr, newScope(null));
  const fn = new LambdaFn(expr.params, expr.variadic, expr.body, newScope(null), lambda.source);
  // A short lambda (`.active`) and one-parameter lambdas take the first argument; extra arguments are ignored.
  const fitted = expr.variadic ? args : args.slice(0, expr.params.length);
  if (expr.params.length === 1 && expr.params[0] === SHORT_LAMBDA_PARAM) return callLambda(ctx, fn, fitted.slice(0, 1), null);
  while (fitted.length < expr.params.length) fitted.push(null);
  return callLambda(ctx, fn, fitted, null);
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

