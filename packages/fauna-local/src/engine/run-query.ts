/**
 * Runs one query as one atomic transaction (PROTOCOL.md §2–§4): template → parse (cached) → bind arguments →
 * evaluate → encode, committed or rolled back as a whole, in the database the principal works in.
 */
import { accessForRole, ADMIN_ACCESS, rolesForIdentity, SERVER_ACCESS } from '../auth/permissions.ts';
import type { Access } from '../auth/permissions.ts';
import { SHORT_LAMBDA_PARAM } from '../fql/ast.ts';
import type { Expr } from '../fql/ast.ts';
import { FqlSyntaxError } from '../fql/errors.ts';
import { parseQueryCached } from '../fql/parser.ts';
import { lineColumn, renderSummary, renderSyntaxError } from '../fql/summary.ts';
import { assembleTemplate, InvalidTemplateError } from '../fql/template.ts';
import type { AssembledQuery } from '../fql/template.ts';
import type { LambdaSource } from '../schema/model.ts';
import { decodeSimple, decodeTagged, ValueDecodeError } from '../wire/decode.ts';
import type { ModuleResolver } from '../wire/decode.ts';
import { encodeResult } from '../wire/encode.ts';
import type { EncodeContext } from '../wire/encode.ts';
import { DocRef, FqlTime, LambdaFn } from '../values/values.ts';
import type { Value } from '../values/values.ts';
import type { ErrorCode, Principal, QueryOutcome, QueryRequest, QueryStats, ValueFormat } from './api.ts';
import { deadlineFailure, newDeadline } from './context.ts';
import { computeOps, documentBytes, indexEntryBytes, newMeter, writeTotals } from './metering.ts';
import type { Ctx, Database } from './context.ts';
import { docFields, moduleFor, readState } from './documents.ts';
import { QueryFailure } from './errors.ts';
import { callLambda, callValue, evaluate, evaluateProgram, newScope } from './evaluator.ts';
import { namedFields } from './stdlib/schema-items.ts';
import { BUILTIN_MODULES } from './stdlib/globals.ts';
import { DEFAULT_PAGE_SIZE, readPage } from './stdlib/set.ts';
import type { Footprint } from '../storage/store.ts';
import { dbFor } from './engine-state.ts';
import { DEFINITION_EXTRAS_COLLECTION } from './definition-extras.ts';
import type { EngineState } from './engine-state.ts';
import { changeSchemaInQuery } from './schema-ops.ts';
import { isEnvTypechecked, queryTypechecked } from './typecheck-mode.ts';
import { displayType, renderTypeError, typecheckQuery } from '../typer/index.ts';

/** Fauna's answer when the query does not parse. */
const CHECK_FAILED_MESSAGE = 'The query failed 1 validation check';
/** What deleting a document writes: its tombstone version (no fields). */
const DELETE_BYTES = documentBytes({});

function emptyStats(): QueryStats {
  return { compute_ops: 1, read_ops: 0, write_ops: 0, query_time_ms: 0, contention_retries: 0, storage_bytes_read: 0, storage_bytes_write: 0, rate_limits_hit: [] };
}

/**
 * How a query's transaction ends. `plain`: committed at once (the serial engine). `tracked`: committed at once, its
 * footprint (what it read and wrote) reported. `held` (contention mode): a transaction that wrote documents is not
 * committed; its writes are undone and kept in its footprint's log for engine/contention.ts to validate and replay
 * later. A read-only transaction, a failed one, or one that changed schema or child databases ends as `tracked`.
 */
export type TxnMode = 'plain' | 'tracked' | 'held';

/** One evaluation of a query, as contention mode needs it. */
export interface QueryAttempt {
  outcome: QueryOutcome;
  /** What the transaction read and wrote; null in `plain` mode and for a failed query. */
  footprint: Footprint | null;
  /** True when its writes wait in `footprint.log` (see {@link TxnMode}). */
  held: boolean;
  /** The database it ran in (null: the principal's database no longer exists). */
  db: Database | null;
}

/** Runs one query; never throws (an emulator bug becomes a 500 `internal_error`). */
export function runQuery(state: EngineState, request: QueryRequest): QueryOutcome {
  return runQueryAttempt(state, request, 'plain').outcome;
}

/** Runs one query as {@link TxnMode} says; never throws. */
export function runQueryAttempt(state: EngineState, request: QueryRequest, mode: TxnMode): QueryAttempt {
  const attempt: QueryAttempt = { outcome: null as unknown as QueryOutcome, footprint: null, held: false, db: null };
  attempt.outcome = runQueryOnce(state, request, mode, attempt);
  return attempt;
}

function runQueryOnce(state: EngineState, request: QueryRequest, mode: TxnMode, attempt: QueryAttempt): QueryOutcome {
  const startedMs = Date.now();
  const startedAt = request.receivedAt ?? performance.now();
  const txnTs = state.nextTxnTs(request.lastTxnTs);
  const stats = emptyStats();
  const db = dbFor(state, request.principal);
  const schemaVersion = Number(db?.schema.version ?? 0n);
  const fail = (code: ErrorCode, message: string, summary = ''): QueryOutcome => ({
    ok: false, error: { code, message }, summary, txn_ts: Number(txnTs), stats, schema_version: schemaVersion,
  });
  if (db === null) return fail('unauthorized', 'Access token required');
  attempt.db = db;
  try {
    return runQueryIn(state, db, request, startedMs, startedAt, txnTs, stats, schemaVersion, fail, mode, attempt);
  } catch (error) {
    // The contract says query() never throws: an emulator bug becomes a 500 the client can see.
    return fail('internal_error', `The local Fauna emulator failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function runQueryIn(
  state: EngineState,
  db: Database,
  request: QueryRequest,
  startedMs: number,
  startedAt: number,
  txnTs: bigint,
  stats: QueryStats,
  schemaVersion: number,
  fail: (code: ErrorCode, message: string, summary?: string) => QueryOutcome,
  mode: TxnMode,
  attempt: QueryAttempt,
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

  const modules = moduleResolver(db);
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

  // A type-checked query is checked before it runs; a type error answers like a syntax error (core: QueryCheckFailure).
  let staticType: string | undefined;
  if (queryTypechecked(state, db, request.typecheck)) {
    const checked = typecheckQuery(program, db.schema.items, bindings);
    if ('error' in checked) return fail('invalid_query', CHECK_FAILED_MESSAGE, renderTypeError(source, checked.error));
    staticType = displayType(checked.type);
  }

  const ctx = newContext(state, db, request, txnTs, startedAt);
  const store = db.store;
  store.begin(mode !== 'plain');
  try {
    ctx.access = accessFor(db, request.principal, ctx);
    const result = evaluateProgram(ctx, program, bindings);
    const data = encodeResult(result, request.format, encodeContext(ctx));
    // The last look at the deadline comes before the commit: a query that ran out of time writes nothing.
    const late = deadlineFailure(ctx.deadline, performance.now());
    if (late) throw late;
    const written = documentWriteBytes(db);
    const footprint = store.footprint;
    if (mode === 'held' && footprint !== null && footprint.replayable && footprint.log.length > 0) {
      fillStats(stats, ctx, written, startedMs);
      store.hold();
      attempt.footprint = footprint;
      attempt.held = true;
      return { ok: true, data, summary: logSummary(source, ctx), txn_ts: Number(txnTs), stats, schema_version: Number(db.schema.version) };
    }
    attempt.footprint = footprint;
    const writes = store.commit();
    fillStats(stats, ctx, written, startedMs);
    // Schema and child-database changes are not document writes but must be persisted too.
    const changed = writes > 0 || ctx.structureChanged || db.schema.version !== BigInt(schemaVersion);
    if (changed) state.notify();
    return { ok: true, data, ...(staticType === undefined ? {} : { static_type: staticType }), summary: logSummary(source, ctx), txn_ts: Number(txnTs), stats, schema_version: Number(db.schema.version) };
  } catch (error) {
    store.rollback();
    fillStats(stats, ctx, new Map(), startedMs);
    const failure = asFailure(error);
    const errorBody: Extract<QueryOutcome, { ok: false }>['error'] = { code: failure.code, message: failure.message };
    if (failure.constraintFailures) errorBody.constraint_failures = failure.constraintFailures;
    if (failure.code === 'abort') errorBody.abort = encodeAbort(state, failure.abort as Value, request.format, ctx);
    return {
      ok: false,
      error: errorBody,
      summary: failureSummary(state, source, failure, ctx),
      txn_ts: Number(txnTs),
      stats,
      schema_version: schemaVersion,
    };
  }
}

function asFailure(error: unknown): QueryFailure {
  if (error instanceof QueryFailure) return error;
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new QueryFailure('stack_overflow', 'Stack overflow: the query recursed too deeply.', { cause: error });
  }
  return new QueryFailure('internal_error', `The local Fauna emulator failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

function encodeAbort(state: EngineState, value: Value, format: ValueFormat, ctx: Ctx): unknown {
  try {
    return encodeResult(value ?? null, format, encodeContext(ctx));
  } catch {
    return null;
  }
}

function newContext(state: EngineState, db: Database, request: QueryRequest, txnTs: bigint, startedAt: number): Ctx {
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
    meter: newMeter(),
    deadline: newDeadline(startedAt, request.timeoutMs),
    runSchemaLambda: (lambda, args) => asServer(ctx, () => withoutSchemaSpans(() => callSchemaLambda(ctx, lambda, args))),
    runSchemaExpr: (expr) => asServer(ctx, () => withoutSchemaSpans(() => evaluate(ctx, expr, newScope(null)))),
    callFunction: (fn, args, span) => callValue(ctx, fn, args, span),
    evaluateIn: (expr, vars) => evaluate(ctx, expr, newScope(null, vars)),
    changeSchema: (files) => changeSchemaInQuery(db, txnTs, files, ctx.runSchemaExpr, isEnvTypechecked(state, db)),
    envTypechecked: isEnvTypechecked(state, db),
    structureChanged: false,
  };
  return ctx;
}

/**
 * Evaluates a schema expression outside any query (a migration's backfill at a schema push), with server rights and
 * `Time.now()` at `txnTs`.
 */
export function evaluateSchemaExpression(state: EngineState, db: Database, txnTs: bigint, expr: Expr): Value {
  const request: QueryRequest = { principal: { kind: 'root' }, query: '', arguments: undefined, format: 'tagged', lastTxnTs: undefined, timeoutMs: 60_000, typecheck: false };
  const ctx = newContext(state, db, request, txnTs, performance.now());
  return ctx.runSchemaExpr(expr);
}

function asServer<T>(ctx: Ctx, run: () => T): T {
  const saved = ctx.access;
  ctx.access = SERVER_ACCESS;
  try {
    return run();
  } finally {
    ctx.access = saved;
  }
}

function accessFor(db: Database, principal: Principal, ctx: Ctx): Access {
  const findRole = (name: string) => db.schema.roles.get(name);
  switch (principal.kind) {
    case 'root':
      return principal.role === undefined ? ADMIN_ACCESS : accessForRole(principal.role, findRole) ?? { kind: 'roles', roles: [] };
    case 'key':
      return accessForRole(principal.role, findRole) ?? { kind: 'roles', roles: [] };
    case 'token': {
      const identity = new DocRef(principal.identity.coll, principal.identity.id);
      const roles = rolesForIdentity(db.schema.items.roles, identity.coll, (predicate) => ctx.runSchemaLambda(predicate, [identity]) === true);
      return { kind: 'roles', roles };
    }
  }
}

function encodeContext(ctx: Ctx): EncodeContext {
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
    cursor: (set) => ctx.db.cursors.put({ set, offset: 0, pageSize: set.pageSize ?? DEFAULT_PAGE_SIZE }),
  };
}

function moduleResolver(db: Database): ModuleResolver {
  return (name) => {
    const coll = db.schema.collections.get(name);
    if (coll) return moduleFor(coll.name, true);
    if (BUILTIN_MODULES.has(name)) return moduleFor(name, false);
    return null;
  };
}

/** Bytes written per document by the open transaction: its final version plus its index entries. */
function documentWriteBytes(db: Database): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const [key, { collection, doc }] of db.store.writtenDocuments()) {
    // Part of the definition write, which metering counts already.
    if (collection === DEFINITION_EXTRAS_COLLECTION) continue;
    if (doc === null) {
      bytes.set(key, DELETE_BYTES);
      continue;
    }
    const entries = db.store.indexEntries(collection, doc).reduce((sum, entry) => sum + indexEntryBytes(entry), 0);
    bytes.set(key, documentBytes(doc.data) + entries);
  }
  return bytes;
}

function fillStats(stats: QueryStats, ctx: Ctx, written: ReadonlyMap<string, number>, startedMs: number): void {
  const writes = writeTotals(ctx.meter, written);
  stats.compute_ops = computeOps(ctx.meter);
  stats.read_ops = ctx.meter.readOps;
  stats.write_ops = writes.ops;
  stats.query_time_ms = Date.now() - startedMs;
  stats.storage_bytes_read = ctx.meter.bytesRead;
  stats.storage_bytes_write = writes.bytes;
}

function logSummary(source: string, ctx: Ctx): string {
  return ctx.logs.map((log) => `info at *query*:${lineColumn(source, log.span.start).line}: ${log.text}`).join('\n');
}

function failureSummary(state: EngineState, source: string, failure: QueryFailure, ctx: Ctx): string {
  const logs = logSummary(source, ctx);
  let text: string;
  // A span that does not fit the query text cannot be rendered against it (it came from somewhere else).
  if (failure.span && failure.span.end <= source.length && failure.span.start <= failure.span.end) {
    text = renderSummary(source, failure.span, failure.message);
    if (failure.constraintFailures) {
      const lines = failure.constraintFailures.map((c) => `  ${c.paths.map(pathText).join(',') || '<document>'}: ${c.message}`);
      const [first, ...rest] = text.split('\n');
      text = [first, 'constraint failures:', ...lines, ...rest].join('\n');
    }
  } else {
    text = `error: ${failure.message}`;
  }
  return logs ? `${logs}\n\n${text}` : text;
}

/** A constraint failure's path as the core's summary writes it: `indexes.byColl.terms[0].field`. */
function pathText(path: readonly (string | number)[]): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
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

