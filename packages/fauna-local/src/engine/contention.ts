/**
 * Contention mode (DESIGN.md "Contention"): optimistic, serialisable transactions as Fauna's core runs them. A
 * read-write transaction's snapshot is the committed state when its request arrived; it is evaluated at once and stays
 * in flight until one window after its arrival; its writes stay invisible meanwhile. At commit, a transaction that read (or wrote) any
 * document, index term, collection membership or unique entry that another transaction committed after its snapshot,
 * or whose database's schema changed since, conflicts: it is evaluated again on a fresh snapshot, up to
 * `x-max-contention-retries` times (the core's default: 4, after a random delay below 200 ms), and otherwise answers
 * 409 `contended_transaction` with the core's message. Read-only transactions never contend, as in Fauna.
 *
 * Sources: https://github.com/fauna/faunadb/blob/HEAD/ext/repo/src/main/scala/query/Query.scala (the retry loop),
 * https://github.com/fauna/faunadb/blob/HEAD/ext/repo/src/main/scala/RepoContext.scala (maxAttempts = 5),
 * https://github.com/fauna/faunadb/blob/HEAD/ext/api/src/main/scala/api/CoreApplication.scala (header + 1 attempts),
 * https://github.com/fauna/faunadb/blob/HEAD/ext/api/src/main/scala/api/fql2/FQL2Endpoint.scala (the messages).
 */
import type { Store, Footprint } from '../storage/store.ts';
import { parseDocumentKey, UniqueViolationError } from '../storage/store.ts';
import type { ContentionOptions, QueryOutcome, QueryRequest } from './api.ts';
import { deadlineFailure, newDeadline } from './context.ts';
import type { EngineState } from './engine-state.ts';
import { ForcedContention } from './contention-faults.ts';
import { runQueryAttempt } from './run-query.ts';
import type { QueryAttempt } from './run-query.ts';

/** Retries when the request sends no `x-max-contention-retries`: the core makes 5 attempts (RepoContext maxAttempts). */
export const DEFAULT_MAX_CONTENTION_RETRIES = 4;
/** The core waits a random delay below this before each retry (Query.scala `maxDelayMillis`). */
export const CORE_MAX_RETRY_DELAY_MS = 200;
/** How long a read-write transaction stays in flight between its snapshot and its commit, by default. */
export const DEFAULT_CONTENTION_WINDOW_MS = 10;

/** Fauna's messages for a 409 (FQL2Endpoint.recover, ExceptionResponseHelpers). */
export const CONTENDED_MESSAGE = {
  generic: 'Transaction was aborted due to detection of concurrent modification.',
  schema: 'Transaction was aborted due to detection of concurrent modifications to schema.',
  document: (ref: string) => `Transaction was aborted due to detection of concurrent modifications to ${ref}.`,
} as const;

/** What one attempt conflicted on: a document (`Coll(id)`), the schema, or anything else (index entries, uniques). */
type ConflictSource = { kind: 'document'; ref: string } | { kind: 'schema' } | { kind: 'other' };

/** How long the commit history is kept: a request evaluated later than this after its arrival sees it as now. */
const HISTORY_MS = 5_000;

/**
 * The commit history: a sequence number per commit, when it committed (`performance.now()`), and per storage key the
 * last commit that wrote it. A transaction's snapshot is a sequence number; it conflicts when a key it read was
 * written by a later commit.
 */
class ConflictLog {
  #seq = 0;
  /** Sequence numbers below this have been forgotten. */
  #forgotten = 0;
  #lastPruned = 0;
  readonly #history: { at: number; seq: number }[] = [];
  readonly #versions = new Map<Store, Map<string, { seq: number; at: number }>>();

  /** The snapshot of a transaction that began at `time`: the last commit at or before it. */
  snapshotAt(time: number): number {
    for (let i = this.#history.length - 1; i >= 0; i--) if (this.#history[i]!.at <= time) return this.#history[i]!.seq;
    return this.#forgotten;
  }

  /** The first key the footprint read (or the document it wrote) that a commit after `snapshot` wrote. */
  conflict(snapshot: number, store: Store, footprint: Footprint): string | null {
    const versions = this.#versions.get(store);
    if (versions === undefined) return null;
    for (const key of footprint.reads) if ((versions.get(key)?.seq ?? 0) > snapshot) return key;
    for (const key of footprint.writes) if (key.startsWith('d') && (versions.get(key)?.seq ?? 0) > snapshot) return key;
    return null;
  }

  /** Records a committed footprint's writes as committed at `at`. */
  record(store: Store, footprint: Footprint | null, at: number): void {
    if (footprint === null || footprint.writes.size === 0) return;
    const seq = ++this.#seq;
    this.#history.push({ at, seq });
    let versions = this.#versions.get(store);
    if (versions === undefined) this.#versions.set(store, (versions = new Map()));
    for (const key of footprint.writes) versions.set(key, { seq, at });
    if (at - this.#lastPruned > 1_000) this.#prune(at);
  }

  #prune(now: number): void {
    this.#lastPruned = now;
    const horizon = now - HISTORY_MS;
    let drop = 0;
    while (drop < this.#history.length && this.#history[drop]!.at < horizon) drop++;
    if (drop === 0) return;
    this.#forgotten = this.#history[drop - 1]!.seq;
    this.#history.splice(0, drop);
    for (const versions of this.#versions.values()) for (const [key, version] of versions) if (version.seq <= this.#forgotten) versions.delete(key);
  }
}

/** Totals since the engine started, for tests and the evidence suites' figures. */
export interface ContentionCounts {
  /** Read-write transactions that went through the in-flight window and committed. */
  committed: number;
  /** Attempts that conflicted and were evaluated again. */
  retries: number;
  /** Queries answered 409 `contended_transaction` after their retries (forced ones included). */
  aborted: number;
  /** Of those, answered 409 by the fault switch. */
  forced: number;
}

/** A small seeded generator (mulberry32), so that retry delays and fault fractions repeat from run to run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A held transaction waiting for its commit time. */
interface PendingCommit {
  readonly attempt: QueryAttempt;
  /** The commit its snapshot saw. */
  readonly snapshot: number;
  /** `performance.now()` at which it commits: its start plus the window, and never before its evaluation ended. */
  readonly commitAt: number;
  /** After the client's deadline: the transaction fails with `time_out` at its commit instead. */
  readonly lateAfter: number;
  readonly settle: (result: ConflictSource | null | 'late' | Error) => void;
}

/**
 * Runs queries with conflict detection; one per engine. Without options, only the fault switch works (the serial
 * engine calls `runNow` when a rule is set).
 *
 * Commits happen in commit-time order, and every evaluation first commits whatever is due: so a transaction's
 * snapshot holds every transaction whose commit time has passed, even when the event loop is late to run the
 * commit's timer (a busy test process would otherwise turn its lag into conflicts a real Fauna would not have).
 */
export class ContentionControl {
  readonly forced: ForcedContention;
  readonly counts: ContentionCounts = { committed: 0, retries: 0, aborted: 0, forced: 0 };
  readonly enabled: boolean;
  readonly #state: EngineState;
  readonly #log = new ConflictLog();
  readonly #windowMs: number;
  readonly #retryDelayMaxMs: number;
  readonly #random: () => number;
  /** Held transactions, kept in commit-time order. */
  readonly #pending: PendingCommit[] = [];
  #timer: NodeJS.Timeout | null = null;
  #timerAt = 0;

  constructor(state: EngineState, options: ContentionOptions | undefined) {
    this.#state = state;
    this.enabled = options !== undefined;
    this.#windowMs = checkedMs('windowMs', options?.windowMs ?? DEFAULT_CONTENTION_WINDOW_MS);
    this.#retryDelayMaxMs = checkedMs('retryDelayMaxMs', options?.retryDelayMaxMs ?? CORE_MAX_RETRY_DELAY_MS);
    this.#random = seededRandom(options?.seed ?? 1);
    this.forced = new ForcedContention(this.#random);
  }

  /**
   * Runs a query synchronously (no in-flight window): as the serial engine does, but its writes are recorded so that
   * transactions in flight conflict with them, and the fault switch applies.
   */
  runNow(request: QueryRequest): QueryOutcome {
    const now = performance.now();
    this.#drain(now);
    const attempt = runQueryAttempt(this.#state, request, 'held');
    if (!attempt.held) {
      this.#record(attempt, performance.now());
      return attempt.outcome;
    }
    if (this.forced.take(request.principal)) return this.#abort(attempt.outcome, [], true);
    const conflict = this.#commit(attempt, this.#log.snapshotAt(now), performance.now());
    return conflict === null ? attempt.outcome : this.#abort(attempt.outcome, [conflict], false);
  }

  /**
   * Runs a query in contention mode. Its snapshot is the committed state when its request arrived; it is evaluated
   * (against the state now, which can only be newer: any key a commit since the arrival wrote, and it read, is a
   * conflict at commit, exactly as if it had read the older version), held until one window after its arrival, then
   * validated: committed, retried on a fresh snapshot after a random delay, or answered 409.
   */
  async submit(request: QueryRequest): Promise<QueryOutcome> {
    const timed = { ...request, receivedAt: request.receivedAt ?? performance.now() };
    const deadline = newDeadline(timed.receivedAt, request.timeoutMs);
    const maxRetries = request.maxContentionRetries ?? DEFAULT_MAX_CONTENTION_RETRIES;
    const sources: ConflictSource[] = [];
    // The core keeps one metrics record across a query's attempts (Query.scala): what conflicted attempts read and
    // computed is counted in the answer's stats too.
    const spent: Spent = { compute_ops: 0, read_ops: 0, storage_bytes_read: 0 };
    let startedAt = timed.receivedAt;
    for (let retries = 0; ; retries++) {
      this.#drain(performance.now());
      const snapshot = this.#log.snapshotAt(startedAt);
      const attempt = runQueryAttempt(this.#state, timed, 'held');
      if (!attempt.held) {
        this.#record(attempt, performance.now());
        return finalStats(attempt.outcome, retries, spent, timed.receivedAt);
      }
      if (this.forced.take(request.principal)) return this.#abort(attempt.outcome, [], true);
      const commitAt = Math.max(performance.now(), startedAt + this.#windowMs);
      const result = await this.#schedule({ attempt, snapshot, commitAt, lateAfter: deadline.endsAt });
      if (result === null) return finalStats(attempt.outcome, retries, spent, timed.receivedAt);
      if (result === 'late') {
        // Its deadline passed while in flight: it writes nothing (440), or, after conflicts, answers 409 (Query.scala).
        if (sources.length > 0) return this.#abort(attempt.outcome, sources, false);
        const late = deadlineFailure(deadline, Math.max(performance.now(), deadline.endsAt + 1))!;
        return { ...failureOf(attempt.outcome, 'time_out', late.message), stats: { ...attempt.outcome.stats, contention_retries: retries } };
      }
      sources.push(result);
      spent.compute_ops += attempt.outcome.stats.compute_ops;
      spent.read_ops += attempt.outcome.stats.read_ops;
      spent.storage_bytes_read += attempt.outcome.stats.storage_bytes_read;
      // The core retries while attempts remain and the deadline has time left.
      if (retries >= maxRetries || deadlineFailure(deadline, performance.now()) !== null) return this.#abort(attempt.outcome, sources, false);
      this.counts.retries++;
      // The core retries a schema conflict at once (its cache is refreshed), any other after a random delay.
      await delay(result.kind === 'schema' ? 0 : Math.floor(this.#random() * this.#retryDelayMaxMs));
      startedAt = performance.now();
    }
  }

  /** Queues a held attempt in commit-time order; resolves once it committed, conflicted or ran late. */
  #schedule(commit: Omit<PendingCommit, 'settle'>): Promise<ConflictSource | null | 'late'> {
    return new Promise((resolve, reject) => {
      const settle = (result: ConflictSource | null | 'late' | Error) => (result instanceof Error ? reject(result) : resolve(result));
      let at = this.#pending.length;
      while (at > 0 && this.#pending[at - 1]!.commitAt > commit.commitAt) at--;
      this.#pending.splice(at, 0, { ...commit, settle });
      this.#arm();
    });
  }

  /** Commits, in commit-time order, every held transaction whose commit time is at or before `now`. */
  #drain(now: number): void {
    while (this.#pending.length > 0 && this.#pending[0]!.commitAt <= now) {
      const next = this.#pending.shift()!;
      let result: ConflictSource | null | 'late' | Error;
      try {
        result = next.commitAt > next.lateAfter ? 'late' : this.#commit(next.attempt, next.snapshot, next.commitAt);
      } catch (error) {
        // An emulator bug: it belongs to this transaction's request (a 500), not to whoever triggered the drain.
        result = error instanceof Error ? error : new Error(String(error));
      }
      next.settle(result);
    }
  }

  /** One timer, for the earliest pending commit (re-armed when an earlier one is queued). */
  #arm(): void {
    const head = this.#pending[0];
    if (head === undefined) return;
    if (this.#timer !== null) {
      if (this.#timerAt <= head.commitAt) return;
      clearTimeout(this.#timer);
    }
    this.#timerAt = head.commitAt;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      // A timer may fire a fraction of a millisecond before performance.now() reaches the due time.
      this.#drain(performance.now() + 1);
      this.#arm();
    }, Math.max(0, Math.ceil(head.commitAt - performance.now())));
  }

  /** Validates and applies a held attempt at `at`; returns what it conflicted on, or null once committed. */
  #commit(attempt: QueryAttempt, snapshot: number, at: number): ConflictSource | null {
    const db = attempt.db!;
    const footprint = attempt.footprint!;
    if (Number(db.schema.version) !== attempt.outcome.schema_version) return { kind: 'schema' };
    const key = this.#log.conflict(snapshot, db.store, footprint);
    if (key !== null) {
      const doc = parseDocumentKey(key);
      return doc === null ? { kind: 'other' } : { kind: 'document', ref: `${doc.collection}(${doc.id})` };
    }
    try {
      db.store.replay(footprint.log);
    } catch (error) {
      // Cannot happen while unique entries are in the footprint; if it does, the transaction conflicted after all.
      if (error instanceof UniqueViolationError) return { kind: 'other' };
      throw error;
    }
    this.#log.record(db.store, footprint, at);
    this.counts.committed++;
    this.#state.notify();
    return null;
  }

  /** Records the writes of a transaction that committed at once (read-only ones have none). */
  #record(attempt: QueryAttempt, at: number): void {
    if (attempt.db !== null && attempt.outcome.ok) this.#log.record(attempt.db.store, attempt.footprint, at);
  }

  #abort(outcome: QueryOutcome, sources: ConflictSource[], forced: boolean): QueryOutcome {
    this.counts.aborted++;
    if (forced) this.counts.forced++;
    return failureOf(outcome, 'contended_transaction', contendedMessage(sources));
  }
}

/** The core's message: the one source every attempt conflicted on, or the generic text (AggregateContentionException). */
function contendedMessage(sources: ConflictSource[]): string {
  const first = sources[0];
  if (first === undefined) return CONTENDED_MESSAGE.generic;
  const same = sources.every((s) => s.kind === first.kind && (s.kind !== 'document' || first.kind !== 'document' || s.ref === first.ref));
  if (!same) return CONTENDED_MESSAGE.generic;
  if (first.kind === 'document') return CONTENDED_MESSAGE.document(first.ref);
  return first.kind === 'schema' ? CONTENDED_MESSAGE.schema : CONTENDED_MESSAGE.generic;
}

function failureOf(outcome: QueryOutcome, code: 'contended_transaction' | 'time_out', message: string): QueryOutcome {
  return { ok: false, error: { code, message }, summary: '', txn_ts: outcome.txn_ts, stats: outcome.stats, schema_version: outcome.schema_version };
}

/** What the conflicted attempts of a query used, added to its answer's stats. */
type Spent = Pick<QueryOutcome['stats'], 'compute_ops' | 'read_ops' | 'storage_bytes_read'>;

/**
 * The answer's stats: its retries, what the conflicted attempts read and computed, and the time from its arrival to
 * its answer (the in-flight window and the retries' delays included, as the core measures a query's time).
 */
function finalStats(outcome: QueryOutcome, retries: number, spent: Spent, receivedAt: number): QueryOutcome {
  const stats = outcome.stats;
  stats.contention_retries = retries;
  stats.compute_ops += spent.compute_ops;
  stats.read_ops += spent.read_ops;
  stats.storage_bytes_read += spent.storage_bytes_read;
  stats.query_time_ms = Math.max(stats.query_time_ms, Math.round(performance.now() - receivedAt));
  return outcome;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function checkedMs(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`contention.${name} must be a number of milliseconds, 0 or more (got ${value}).`);
  }
  return value;
}
