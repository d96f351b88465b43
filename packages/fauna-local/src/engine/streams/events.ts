/**
 * Turns committed document changes into the events one event source delivers, as the core's event pipeline does
 * (runtime/stream/EventFilter.scala, EventTransformer.scala, Event.scala):
 *
 * 1. Read check, per event, with the privileges of the secret that opened the stream or feed: a create needs read
 *    access to the new version, a delete to the old one, an update to either (a version the caller may not read counts
 *    as outside the set, so losing access to a document reads as its `remove`, gaining it as an `add`).
 * 2. Each readable version goes through the source's steps (index terms, `where` predicates, `map`s): in the set
 *    before and after → `update`, only after → `add`, only before → `remove`; the data is the mapped version.
 * 3. `eventsOn(...)`: an update is kept only when a watched field changed; an add or remove only when every watched
 *    field is present.
 *
 * A step that aborts or fails ends the source with an `error` event carrying the failure's code and message (and the
 * abort value), which the driver raises as AbortError / QueryRuntimeError.
 *
 * A version is evaluated by installing it in the store inside a transaction that is always rolled back, so predicates
 * and maps read the document as it was; other documents they read are read as they are now (the core reads them at
 * the event's snapshot).
 */
import type { Span } from '../../fql/ast.ts';
import type { Principal } from '../api.ts';
import type { EventStats, WireEvent } from './types.ts';
import type { Ctx, Database } from '../context.ts';
import { allowed } from '../documents.ts';
import type { EngineState } from '../engine-state.ts';
import { fqlEquals } from '../equality.ts';
import { computeOps } from '../metering.ts';
import { accessFor, asFailure, encodeContext, newContext } from '../run-query.ts';
import { readField } from '../../storage/store.ts';
import type { StoredDoc } from '../../storage/store.ts';
import { DocRef, FqlTime, typeName } from '../../values/values.ts';
import type { Value } from '../../values/values.ts';
import { encodeResult } from '../../wire/encode.ts';
import type { DocChange as StoredChange } from '../../storage/change-log.ts';
import type { StoredDoc as ChangedDoc } from '../../storage/store.ts';
type DocChange = StoredChange<ChangedDoc>;
import { encodeCursor } from './cursor.ts';
import type { EventSourceEntry } from './event-source.ts';
import { QueryFailure } from '../errors.ts';

/** How long one event's evaluation may run (core: Subscription.scala `StreamQueryTimeout`, 10 s). */
const EVENT_TIMEOUT_MS = 10_000;
const NO_SPAN: Span = { start: 0, end: 0 };



export const EMPTY_STATS: EventStats = { read_ops: 0, storage_bytes_read: 0, compute_ops: 0, processing_time_ms: 0, rate_limits_hit: [] };

/** The status (or start) event at a position: nothing happened up to `ts`. */
export function statusEvent(type: 'start' | 'status', ts: bigint): WireEvent {
  return { type, txn_ts: Number(ts), cursor: encodeCursor(ts, Number.MAX_SAFE_INTEGER), stats: { ...EMPTY_STATS } };
}

interface Version {
  encoded: unknown;
  watched: Value[];
}

/** The event a change makes for this source and caller; null when the source does not deliver it. */
export function eventForChange(state: EngineState, db: Database, principal: Principal, entry: EventSourceEntry, change: DocChange): WireEvent | null {
  if (change.collection !== entry.source.collection) return null;
  const startedMs = Date.now();
  const ctx = newContext(state, db, eventRequest(principal), change.ts, performance.now());
  try {
    ctx.access = accessFor(db, principal, ctx);
    const before = evaluateVersion(ctx, entry, change, change.before, change.ts - 1n);
    const after = evaluateVersion(ctx, entry, change, change.after, change.ts);
    const type = before && after ? 'update' : after ? 'add' : before ? 'remove' : null;
    if (type === null || !keptByWatchedFields(ctx, entry, type, before, after)) return null;
    return { type, data: (after ?? before)!.encoded, txn_ts: Number(change.ts), cursor: encodeCursor(change.ts, change.ord), stats: statsOf(ctx, startedMs) };
  } catch (error) {
    const failure = asFailure(error);
    const body: { code: string; message: string; abort?: unknown } = { code: failure.code, message: failure.message };
    if (failure.code === 'abort') body.abort = encodeValue(ctx, (failure.abort ?? null) as Value);
    return { type: 'error', error: body, stats: statsOf(ctx, startedMs) };
  }
}

function eventRequest(principal: Principal) {
  return { principal, query: '', arguments: undefined, format: 'tagged' as const, lastTxnTs: undefined, timeoutMs: EVENT_TIMEOUT_MS, typecheck: undefined };
}

/**
 * The version as the source sees it: null when the caller may not read it or it is outside the set, else its mapped
 * value (encoded while the version is installed) and its watched fields.
 */
function evaluateVersion(ctx: Ctx, entry: EventSourceEntry, change: DocChange, version: StoredDoc | null, at: bigint): Version | null {
  if (version === null) return null;
  const store = ctx.db.store;
  const ref = new DocRef(change.collection, change.id);
  ctx.now = FqlTime.fromMicros(at);
  ctx.txnMicros = at;
  store.begin();
  try {
    // An old version may hold a unique value another document holds now: installing it must not fail on that.
    store.put(change.collection, change.id, version, () => false);
    if (!allowed(ctx, change.collection, 'read', [ref])) return null;
    let value: Value = ref;
    for (const step of entry.source.steps) {
      if (step.kind === 'terms') {
        if (!step.paths.every((p, i) => termMatches(ctx, readField(version, p.path), step.terms[i] ?? null, p.mva))) return null;
      } else if (step.kind === 'where') {
        const kept = ctx.callFunction(step.fn, [value], step.span as Span);
        if (kept === null || kept === false) return null;
        if (kept !== true) throw new QueryFailure('type_mismatch', `expected type: Boolean, received ${typeName(kept)}`);
      } else {
        value = ctx.callFunction(step.fn, [value], step.span as Span);
      }
    }
    const watched = entry.watched.map((f) => ctx.callFunction(f, [ref], NO_SPAN));
    return { encoded: encodeValue(ctx, value), watched };
  } finally {
    store.rollback();
  }
}

function termMatches(ctx: Ctx, stored: Value, term: Value, mva: boolean): boolean {
  if (mva && Array.isArray(stored)) return stored.some((item) => fqlEquals(ctx, item, term));
  return fqlEquals(ctx, stored, term);
}

function keptByWatchedFields(ctx: Ctx, entry: EventSourceEntry, type: 'add' | 'update' | 'remove', before: Version | null, after: Version | null): boolean {
  if (entry.watched.length === 0) return true;
  if (type === 'update') return before!.watched.some((value, i) => !fqlEquals(ctx, value, after!.watched[i]!));
  return (after ?? before)!.watched.every((value) => value !== null);
}

function encodeValue(ctx: Ctx, value: Value): unknown {
  return encodeResult(value, 'tagged', encodeContext(ctx));
}

function statsOf(ctx: Ctx, startedMs: number): EventStats {
  return {
    read_ops: ctx.meter.readOps,
    storage_bytes_read: ctx.meter.bytesRead,
    compute_ops: computeOps(ctx.meter),
    processing_time_ms: Date.now() - startedMs,
    rate_limits_hit: [],
  };
}
