/**
 * In-memory document storage: documents per collection, hash-map indexes for FSL indexes and unique constraints,
 * and an undo log so a failed transaction leaves nothing behind. Documents are immutable records: a write replaces
 * the record, so the undo log only keeps references (no copies of the store per query).
 */
import { FqlTime, isPlainObject } from '../values/values.ts';
import type { FqlObject, Value } from '../values/values.ts';
import { compareIds, valueKey } from '../values/keys.ts';

export type FieldPath = string[];

export interface StoredDoc {
  readonly id: string;
  /** µs of the transaction that last wrote it. */
  readonly ts: bigint;
  readonly ttl: FqlTime | null;
  /** User fields (for Token/Key documents: their definition fields). */
  readonly data: FqlObject;
  /** sha-256 of a key's or token's secret; never the secret itself. */
  readonly secretHash?: string;
}

export interface IndexSpec {
  terms: { path: FieldPath; mva: boolean }[];
}

export interface UniqueSpec {
  fields: { path: FieldPath; mva: boolean }[];
}

/** What storage must know about a collection to maintain its indexes. */
export interface CollectionSpec {
  name: string;
  indexes: Record<string, IndexSpec>;
  uniques: UniqueSpec[];
}

/** Thrown by a write that would break a unique constraint; the evaluator turns it into `constraint_failure`. */
export class UniqueViolationError extends Error {
  /** One entry per violated constraint: the paths of its fields. */
  readonly constraints: FieldPath[][];
  constructor(collection: string, constraints: FieldPath[][]) {
    super(`Unique constraint on ${collection} (${constraints.map((c) => c.map((p) => p.join('.')).join(', ')).join('; ')}) violated`);
    this.name = 'UniqueViolationError';
    this.constraints = constraints;
  }
}

/** One write of a transaction, as `put` received it: enough to apply it again later (contention mode's commit). */
export interface LoggedWrite {
  readonly collection: string;
  readonly id: string;
  readonly doc: StoredDoc | null;
  readonly isLive: (doc: StoredDoc) => boolean;
}

/**
 * What one transaction read and wrote, named by storage key, for conflict detection in contention mode
 * (engine/contention.ts). Keys: `d` document, `a` a collection's membership (a full scan), `i` the entries of one
 * index term, `u` one unique-constraint entry. `replayable` is false once the transaction changed something that is
 * not a document write (schema, child databases): such a transaction cannot be held back and applied later.
 */
export interface Footprint {
  readonly reads: Set<string>;
  readonly writes: Set<string>;
  readonly log: LoggedWrite[];
  replayable: boolean;
}

/** The storage key of a document (a footprint's `d` entry). */
export function documentKey(collection: string, id: string): string {
  return `d\u0000${collection}\u0000${id}`;
}

/** The collection and id a document key names, or null for any other key. */
export function parseDocumentKey(key: string): { collection: string; id: string } | null {
  const [kind, collection, id] = key.split('\u0000');
  return kind === 'd' && collection !== undefined && id !== undefined ? { collection, id } : null;
}

/** Reads a field of a stored document, with `id`, `ts` and `ttl` as the document's metadata. */
export function readField(doc: StoredDoc, path: FieldPath): Value {
  const [head, ...rest] = path;
  let current: Value;
  if (head === 'id' && rest.length === 0) return doc.id;
  if (head === 'ts' && rest.length === 0) return FqlTime.fromMicros(doc.ts);
  if (head === 'ttl' && rest.length === 0) return doc.ttl;
  current = doc.data[head!] ?? null;
  for (const segment of rest) {
    if (!isPlainObject(current)) return null;
    current = current[segment] ?? null;
  }
  return current;
}

/** The index keys a document contributes for a list of term paths (mva arrays contribute one key per element). */
function termKeys(doc: StoredDoc, terms: { path: FieldPath; mva: boolean }[]): string[] {
  let keys: string[] = [''];
  for (const term of terms) {
    const value = readField(doc, term.path);
    const parts = term.mva && Array.isArray(value) ? [...new Set(value.map(valueKey))] : [valueKey(value)];
    if (parts.length === 0) return [];
    const next: string[] = [];
    for (const prefix of keys) for (const part of parts) next.push(prefix === '' ? part : `${prefix}\u0000${part}`);
    keys = next;
  }
  return keys;
}

/** The key of a list of term values as an index lookup sees them. */
export function lookupKey(values: Value[]): string {
  return values.map(valueKey).join('\u0000');
}

class TermIndex {
  readonly spec: IndexSpec;
  readonly entries = new Map<string, Set<string>>();
  constructor(spec: IndexSpec) {
    this.spec = spec;
  }
  add(doc: StoredDoc): void {
    for (const key of termKeys(doc, this.spec.terms)) {
      let ids = this.entries.get(key);
      if (!ids) this.entries.set(key, (ids = new Set()));
      ids.add(doc.id);
    }
  }
  remove(doc: StoredDoc): void {
    for (const key of termKeys(doc, this.spec.terms)) {
      const ids = this.entries.get(key);
      if (!ids) continue;
      ids.delete(doc.id);
      if (ids.size === 0) this.entries.delete(key);
    }
  }
}

class UniqueIndex {
  readonly spec: UniqueSpec;
  readonly owners = new Map<string, string>();
  constructor(spec: UniqueSpec) {
    this.spec = spec;
  }
  keys(doc: StoredDoc): string[] {
    // A document with none of the constrained fields set holds no unique entry (as Fauna skips all-null index rows).
    if (this.spec.fields.every((f) => readField(doc, f.path) === null)) return [];
    return termKeys(doc, this.spec.fields);
  }
}

class CollectionStore {
  readonly docs = new Map<string, StoredDoc>();
  indexes = new Map<string, TermIndex>();
  uniques: UniqueIndex[] = [];
  #sortedIds: string[] | null = null;

  sortedIds(): string[] {
    if (!this.#sortedIds) this.#sortedIds = [...this.docs.keys()].sort(compareIds);
    return this.#sortedIds;
  }
  invalidateOrder(): void {
    this.#sortedIds = null;
  }
}

/** The storage of one database: collections of documents with their indexes, plus an undo log per transaction. */
export class Store {
  readonly #collections = new Map<string, CollectionStore>();
  #specs = new Map<string, CollectionSpec>();
  #undo: (() => void)[] | null = null;
  #writes = 0;
  /** Set while a tracked transaction (contention mode) runs; null otherwise, so the plain path pays nothing. */
  #footprint: Footprint | null = null;
  /** This transaction's written documents by `coll/id`: the final version, or null once deleted. */
  #written = new Map<string, { collection: string; doc: StoredDoc | null }>();

  /** Declares the collections and their indexes; rebuilds every index from the stored documents. */
  configure(specs: CollectionSpec[]): void {
    this.#specs = new Map(specs.map((s) => [s.name, s]));
    for (const [name, coll] of this.#collections) this.#rebuild(name, coll);
    for (const spec of specs) if (!this.#collections.has(spec.name)) this.#collection(spec.name);
  }

  #rebuild(name: string, coll: CollectionStore): void {
    const spec = this.#specs.get(name);
    coll.indexes = new Map(Object.entries(spec?.indexes ?? {}).map(([n, s]) => [n, new TermIndex(s)]));
    coll.uniques = (spec?.uniques ?? []).map((u) => new UniqueIndex(u));
    for (const doc of coll.docs.values()) {
      for (const index of coll.indexes.values()) index.add(doc);
      for (const unique of coll.uniques) for (const key of unique.keys(doc)) {
        if (unique.owners.has(key)) throw new UniqueViolationError(name, [unique.spec.fields.map((f) => f.path)]);
        unique.owners.set(key, doc.id);
      }
    }
  }

  #collection(name: string): CollectionStore {
    let coll = this.#collections.get(name);
    if (!coll) {
      coll = new CollectionStore();
      this.#collections.set(name, coll);
      this.#rebuild(name, coll);
    }
    return coll;
  }

  /** The stored record, ignoring ttl (callers decide whether an expired document is visible). */
  get(collection: string, id: string): StoredDoc | undefined {
    if (this.#footprint !== null) this.#footprint.reads.add(documentKey(collection, id));
    return this.#collections.get(collection)?.docs.get(id);
  }

  /** Document ids of a collection in id order. */
  ids(collection: string): readonly string[] {
    if (this.#footprint !== null) this.#footprint.reads.add(`a\u0000${collection}`);
    return this.#collections.get(collection)?.sortedIds() ?? [];
  }

  /** Ids of documents whose index terms equal `terms`, unordered; undefined if the index does not exist. */
  lookup(collection: string, index: string, terms: Value[]): ReadonlySet<string> | undefined {
    const idx = this.#collection(collection).indexes.get(index);
    if (!idx) return undefined;
    const key = lookupKey(terms);
    if (this.#footprint !== null) this.#footprint.reads.add(`i\u0000${collection}\u0000${index}\u0000${key}`);
    return idx.entries.get(key) ?? new Set();
  }

  /**
   * Writes (or with null deletes) a document, keeping indexes and unique constraints, recorded in the undo log.
   * `isLive` tells whether a conflicting holder of a unique key is still visible (expired documents do not block).
   */
  put(collection: string, id: string, doc: StoredDoc | null, isLive: (doc: StoredDoc) => boolean = () => true): void {
    const coll = this.#collection(collection);
    const old = coll.docs.get(id) ?? null;
    if (doc) this.#checkUnique(collection, coll, old, doc, isLive);
    if (this.#footprint !== null) this.#track(this.#footprint, collection, coll, id, old, doc, isLive);
    this.#apply(coll, id, old, doc);
    this.#writes++;
    this.#written.set(`${collection}/${id}`, { collection, doc });
    this.#undo?.push(() => this.#apply(coll, id, doc, old));
  }

  /**
   * Records a write in the footprint: the document; the collection's membership when it appears or disappears; every
   * index term it leaves or enters (conservatively, also when only other fields change); and its unique entries, which
   * it also reads (the uniqueness check looked them up).
   */
  #track(fp: Footprint, name: string, coll: CollectionStore, id: string, old: StoredDoc | null, doc: StoredDoc | null, isLive: (doc: StoredDoc) => boolean): void {
    fp.log.push({ collection: name, id, doc, isLive });
    fp.writes.add(documentKey(name, id));
    if (!old || !doc) fp.writes.add(`a\u0000${name}`);
    for (const [indexName, index] of coll.indexes) {
      for (const version of [old, doc]) {
        if (version) for (const key of termKeys(version, index.spec.terms)) fp.writes.add(`i\u0000${name}\u0000${indexName}\u0000${key}`);
      }
    }
    coll.uniques.forEach((unique, n) => {
      for (const version of [old, doc]) {
        if (!version) continue;
        for (const key of unique.keys(version)) {
          const entry = `u\u0000${name}\u0000${n}\u0000${key}`;
          fp.reads.add(entry);
          fp.writes.add(entry);
        }
      }
    });
  }

  #checkUnique(name: string, coll: CollectionStore, old: StoredDoc | null, doc: StoredDoc, isLive: (doc: StoredDoc) => boolean): void {
    const violated: FieldPath[][] = [];
    for (const unique of coll.uniques) {
      for (const key of unique.keys(doc)) {
        const owner = unique.owners.get(key);
        if (owner === undefined || owner === doc.id || owner === old?.id) continue;
        const holder = coll.docs.get(owner);
        if (holder && isLive(holder)) {
          violated.push(unique.spec.fields.map((f) => f.path));
          break;
        }
      }
    }
    if (violated.length > 0) throw new UniqueViolationError(name, violated);
  }

  #apply(coll: CollectionStore, id: string, from: StoredDoc | null, to: StoredDoc | null): void {
    if (from) {
      for (const index of coll.indexes.values()) index.remove(from);
      for (const unique of coll.uniques) for (const key of unique.keys(from)) if (unique.owners.get(key) === id) unique.owners.delete(key);
    }
    if (to) {
      coll.docs.set(id, to);
      for (const index of coll.indexes.values()) index.add(to);
      for (const unique of coll.uniques) for (const key of unique.keys(to)) unique.owners.set(key, id);
    } else {
      coll.docs.delete(id);
    }
    if (!from || !to) coll.invalidateOrder();
  }

  /** Drops a whole collection (schema removed it), recorded in the undo log. */
  dropCollection(name: string): void {
    const coll = this.#collections.get(name);
    if (!coll) return;
    if (this.#footprint !== null) this.#footprint.replayable = false;
    this.#collections.delete(name);
    this.#undo?.push(() => this.#collections.set(name, coll));
  }

  /** Records an arbitrary undo step (for state kept outside the store, such as schema). */
  onRollback(step: () => void): void {
    if (this.#footprint !== null) this.#footprint.replayable = false;
    this.#undo?.push(step);
  }

  /**
   * Starts a transaction: every write until commit/rollback is undoable. `track` (contention mode) also records its
   * footprint: what it read and wrote, and a log of its writes.
   */
  begin(track = false): void {
    if (this.#undo) throw new Error('A transaction is already open');
    this.#undo = [];
    this.#writes = 0;
    this.#written = new Map();
    this.#footprint = track ? { reads: new Set(), writes: new Set(), log: [], replayable: true } : null;
  }

  /** The open tracked transaction's footprint so far; null when untracked. */
  get footprint(): Footprint | null {
    return this.#footprint;
  }

  /** Ends the transaction keeping its writes; returns the number of writes. */
  commit(): number {
    this.#undo = null;
    this.#footprint = null;
    return this.#writes;
  }

  /** Ends the transaction undoing its writes in reverse order. */
  rollback(): void {
    const steps = this.#undo ?? [];
    this.#undo = null;
    this.#footprint = null;
    this.#written = new Map();
    for (let i = steps.length - 1; i >= 0; i--) steps[i]!();
  }

  /**
   * Contention mode: ends a tracked transaction undoing its writes (others must not see them yet) but returns its
   * footprint, whose log `replay` applies at commit.
   */
  hold(): Footprint {
    const footprint = this.#footprint;
    if (footprint === null) throw new Error('hold() needs a tracked transaction (begin(true))');
    this.rollback();
    return footprint;
  }

  /**
   * Contention mode: applies a held transaction's logged writes, in their order, as one transaction. Unique
   * constraints are checked again; on a violation everything is undone and the error thrown.
   */
  replay(log: readonly LoggedWrite[]): number {
    this.begin();
    try {
      for (const write of log) this.put(write.collection, write.id, write.doc, write.isLive);
    } catch (error) {
      this.rollback();
      throw error;
    }
    return this.commit();
  }

  get writes(): number {
    return this.#writes;
  }

  /** The documents the open (or just committed) transaction wrote: final versions, null for deleted ones. */
  writtenDocuments(): ReadonlyMap<string, { collection: string; doc: StoredDoc | null }> {
    return this.#written;
  }

  /** The index entries (terms of every index and unique constraint) a stored document holds. */
  indexEntries(collection: string, doc: StoredDoc): Value[][] {
    const spec = this.#specs.get(collection);
    if (!spec) return [];
    const entries: Value[][] = [];
    for (const index of Object.values(spec.indexes)) entries.push(index.terms.map((t) => readField(doc, t.path)));
    for (const unique of spec.uniques) entries.push(unique.fields.map((f) => readField(doc, f.path)));
    return entries;
  }

  /** Every collection's documents, for snapshots. */
  entries(): [string, StoredDoc[]][] {
    return [...this.#collections].map(([name, coll]) => [name, coll.sortedIds().map((id) => coll.docs.get(id)!)]);
  }

  /** Replaces all contents (used to restore a snapshot); indexes are rebuilt by the next configure(). */
  load(collections: [string, StoredDoc[]][]): void {
    this.#collections.clear();
    for (const [name, docs] of collections) {
      const coll = new CollectionStore();
      for (const doc of docs) coll.docs.set(doc.id, doc);
      this.#collections.set(name, coll);
      this.#rebuild(name, coll);
    }
  }
}
