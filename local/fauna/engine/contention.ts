/**
 * Contention mode (DESIGN.md "Contention"): optimistic, serialisable transactions as Fauna's core runs them. A
 * read-write transaction is evaluated at once against the committed state (its snapshot), then stays in flight for a
 * window before it commits; its writes stay invisible meanwhile. At commit, a transaction that read (or wrote) any
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

/** An open transaction: the commit sequence number its snapshot saw. */
interface Ticket {
  readonly snapshot: number;
}

/** The commit sequence and, per storage key, the sequence number of its last committed write. */
class ConflictLog {
  #seq = 0;
  readonly #versions = new Map<Store, Map<string, number>>();
  readonly #open = new Set<Ticket>();

  open(): Ticket {
    const ticket = { snapshot: this.#seq };
    this.#open.add(ticket);
    return ticket;
  }

  close(ticket: Ticket): void {
    this.#open.delete(ticket);
    // Nothing in flight: no snapshot can be older than any recorded write, so the versions are not needed.
    if (this.#open.size === 0) this.#versions.clear();
  }

  /** The first key the footprint read (or the document it wrote) that was committed after the ticket's snapshot. */
  conflict(ticket: Ticket, store: Store, footprint: Footprint): string | null {
    const versions = this.#versions.get(store);
    if (versions === undefined) return null;
    for (const key of footprint.reads) if ((versions.get(key) ?? 0) > ticket.snapshot) return key;
    for (const key of footprint.writes) if (key.startsWith('d') && (versions.get(key) ?? 0) > ticket.snapshot) return key;
    return null;
  }

  /** Records a committed footprint's writes; `own` is the committing transaction's ticket, if it has one. */
  record(store: Store, footprint: Footprint | null, own?: Ticket): void {
    if (footprint === null || footprint.writes.size === 0) return;
    const others = this.#open.size - (own !== undefined && this.#open.has(own) ? 1 : 0);
    this.#seq++;
    if (others === 0) return;
    let versions = this.#versions.get(store);
    if (versions === undefined) this.#versions.set(store, (versions = new Map()));
    for (const key of footprint.writes) versions.set(key, this.#seq);
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

/** Runs queries with conflict detection; one per engine. `options` null: the serial engine (only the fault switch). */
export class ContentionControl {
  readonly forced: ForcedContention;
  readonly counts: ContentionCounts = { committed: 0, retries: 0, aborted: 0, forced: 0 };
  readonly #state: EngineState;
  readonly #log = new ConflictLog();
  readonly #windowMs: number;
  readonly #retryDelayMaxMs: number;
  readonly #random: () => number;
  readonly enabled: boolean;

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
    const ticket = this.#log.open();
    try {
      const attempt = runQueryAttempt(this.#state, request, 'held');
      if (!attempt.held) {
        this.#record(attempt, ticket);
        return attempt.outcome;
      }
      if (this.forced.take(request.principal)) return this.#abort(attempt.outcome, [], true);
      return this.#commit(attempt, ticket) === null ? attempt.outcome : this.#abort(attempt.outcome, [{ kind: 'other' }], false);
    } finally {
      this.#log.close(ticket);
    }
  }

  /** Runs a query in contention mode: in flight for the window, validated at commit, retried, or answered 409. */
  async submit(request: QueryRequest): Promise<QueryOutcome> {
    const timed = { ...request, receivedAt: request.receivedAt ?? performance.now() };
    const deadline = newDeadline(timed.receivedAt, request.timeoutMs);
    const maxRetries = request.maxContentionRetries ?? DEFAULT_MAX_CONTENTION_RETRIES;
    const sources: ConflictSource[] = [];
    for (let retries = 0; ; retries++) {
      const ticket = this.#log.open();
      let attempt: QueryAttempt;
      try {
        attempt = runQueryAttempt(this.#state, timed, 'held');
        if (!attempt.held) {
          this.#record(attempt, ticket);
          return withRetries(attempt.outcome, retries);
        }
        if (this.forced.take(request.principal)) return this.#abort(attempt.outcome, [], true);
        await delay(this.#windowMs);
        // A transaction whose deadline passed while in flight writes nothing (440), as one that ran out evaluating.
        const late = deadlineFailure(deadline, performance.now());
        if (late) {
          if (sources.length > 0) return this.#abort(attempt.outcome, sources, false);
          return { ...failureOf(attempt.outcome, 'time_out', late.message), stats: { ...attempt.outcome.stats, contention_retries: retries } };
        }
        const source = this.#commit(attempt, ticket);
        if (source === null) return withRetries(attempt.outcome, retries);
        sources.push(source);
      } finally {
        this.#log.close(ticket);
      }
      // The core retries while attempts remain and the deadline has time left (Query.scala).
      if (retries >= maxRetries || deadlineFailure(deadline, performance.now()) !== null) return this.#abort(attempt.outcome, sources, false);
      this.counts.retries++;
      await delay(Math.floor(this.#random() * this.#retryDelayMaxMs));
    }
  }

  /** Validates and applies a held attempt; returns what it conflicted on, or null once committed. */
  #commit(attempt: QueryAttempt, ticket: Ticket): ConflictSource | null {
    const db = attempt.db!;
    const footprint = attempt.footprint!;
    if (Number(db.schema.version) !== attempt.outcome.schema_version) return { kind: 'schema' };
    const key = this.#log.conflict(ticket, db.store, footprint);
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
    this.#log.record(db.store, footprint, ticket);
    this.counts.committed++;
    this.#state.notify();
    return null;
  }

  #record(attempt: QueryAttempt, ticket: Ticket): void {
    if (attempt.db !== null && attempt.outcome.ok) this.#log.record(attempt.db.store, attempt.footprint, ticket);
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

function withRetries(outcome: QueryOutcome, retries: number): QueryOutcome {
  outcome.stats.contention_retries = retries;
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
