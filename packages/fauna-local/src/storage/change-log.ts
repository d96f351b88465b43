/**
 * The committed document changes of one database, in commit order: what event streams and feeds read. The core reads
 * them from its transaction log and document history (runtime/stream/EventReplayer.scala); here a bounded in-memory
 * log is kept per database, with listeners for open streams. It is not persisted: a restarted local Fauna replays
 * nothing from before its start (a cursor from before answers `invalid_stream_start_time`, as a core cursor older than
 * its history retention does).
 *
 * Core: https://github.com/fauna/faunadb/blob/main/ext/model/src/main/scala/runtime/stream/EventReplayer.scala
 */
/** How many changes are kept for replay (`start_ts` / `cursor` resumption); older ones are dropped. */
export const CHANGE_HISTORY_LIMIT = 50_000;
/** How far past the limit the history grows before its oldest changes are dropped. */
const DROP_SLICE = 1_000;

/** What the log needs of a stored document version (store.ts's StoredDoc; generic so the log imports no store). */
export interface Version {
  readonly ts: bigint;
}

/** One document's change in one transaction: its version before and after (null: absent or deleted). */
export interface DocChange<D extends Version = Version> {
  readonly collection: string;
  readonly id: string;
  readonly before: D | null;
  readonly after: D | null;
  /** The transaction time (µs). */
  readonly ts: bigint;
  /** The change's place within its transaction: cursors order events by (ts, ord). */
  readonly ord: number;
}

export type ChangeListener<D extends Version> = (changes: readonly DocChange<D>[]) => void;

export class ChangeLog<D extends Version> {
  readonly #history: DocChange<D>[] = [];
  readonly #listeners = new Set<ChangeListener<D>>();
  /** The oldest ts still fully in the history (replay from before it is refused). */
  #horizon = 0n;
  #lastTs = 0n;

  /**
   * Records one transaction's changes. `ts` is the transaction's time when the caller knows it; otherwise (schema
   * migrations, a replayed contention-mode transaction) the newest version's ts, or just after the last change.
   */
  publish(before: ReadonlyMap<string, D | null>, written: ReadonlyMap<string, { collection: string; doc: D | null }>, ts?: bigint): void {
    let txnTs = ts ?? 0n;
    if (ts === undefined) for (const { doc } of written.values()) if (doc && doc.ts > txnTs) txnTs = doc.ts;
    if (txnTs <= this.#lastTs && ts === undefined) txnTs = this.#lastTs + 1n;
    this.#lastTs = txnTs > this.#lastTs ? txnTs : this.#lastTs;
    const batch: DocChange<D>[] = [];
    for (const [key, old] of before) {
      const now = written.get(key);
      if (!now || (old === null && now.doc === null)) continue;
      const slash = key.indexOf('/');
      batch.push({ collection: now.collection, id: key.slice(slash + 1), before: old, after: now.doc, ts: txnTs, ord: batch.length });
    }
    if (batch.length === 0) return;
    this.#history.push(...batch);
    // Dropped a slice at a time, so a busy database does not shift the whole history on every commit.
    if (this.#history.length > CHANGE_HISTORY_LIMIT + DROP_SLICE) {
      const dropped = this.#history.splice(0, this.#history.length - CHANGE_HISTORY_LIMIT);
      this.#horizon = dropped[dropped.length - 1]!.ts;
    }
    for (const listener of [...this.#listeners]) listener(batch);
  }

  /** False when changes after `ts` may have been dropped from the history. */
  covers(ts: bigint): boolean {
    return ts >= this.#horizon;
  }

  /** The changes after the cursor position (ts, ord), oldest first. */
  since(ts: bigint, ord: number): DocChange<D>[] {
    return this.#history.filter((c) => c.ts > ts || (c.ts === ts && c.ord > ord));
  }

  subscribe(listener: ChangeListener<D>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
