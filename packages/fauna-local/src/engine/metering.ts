/**
 * The query's `stats`, counted by the core's rules (PROTOCOL.md §13):
 *
 * - **compute_ops**: one unit per native method call (operators included: `a + b` calls `+` on `a`) and per function
 *   application, plus one per element that `toArray()` or `count()` walks; billed as ceil(units / 50), at least 1
 *   (CORE: `ext/stats/src/main/scala/QueryMetrics.scala` `BaselineCompute`, `runtime/fql2/FQLInterpreter.scala`
 *   `incrCompute`, `runtime/fql2/ValueSet.scala` `toArray`, `runtime/fql2/stdlib/Sets.scala` `count`).
 * - **read_ops**: a document read costs ceil(bytes / 4096), at least 1 (a missing document reads 14 bytes); an index
 *   page costs ceil(bytes / 4096) + partitions - 1, where an index with terms has 1 partition and one without terms
 *   (and a collection's `all()`) has 8 (CORE: `ext/repo/src/main/scala/query/Query.scala` `readOpsPerByte`,
 *   `model/doc/Index.scala` `MaxIndexPartitions`). Each document and each index page is read once per transaction
 *   (the core's read cache): reading it again, or reading a document this transaction wrote, costs nothing.
 *   Schema items count only when read as documents (`Collection.byName`, `.definition`), not when a query uses them.
 * - **write_ops**: per document written, ceil(bytes / 1024) of its final version and index entries (writes to one
 *   document in one transaction add up to one document write) (CORE: `ext/storage/src/main/scala/ops/Write.scala`
 *   `getStats`). A schema change writes its definition document and the FSL files document, plus one per new index.
 *
 * Byte sizes are the emulator's estimate of the stored encoding (`valueBytes`); the op counts follow from the rules.
 */
import { valueKey } from '../values/keys.ts';
import { isPlainObject } from '../values/values.ts';
import type { FqlObject, Value } from '../values/values.ts';

/** Units of interpreter work per billed compute op (CORE: QueryMetrics.BaselineCompute). */
export const COMPUTE_UNITS_PER_OP = 50;
/** Bytes read per billed read op (CORE: QueryMetrics.BytesPerReadOp). */
export const BYTES_PER_READ_OP = 4096;
/** Bytes written per billed write op (CORE: QueryMetrics.BytesPerWriteOp). */
export const BYTES_PER_WRITE_OP = 1024;
/** What reading a document that does not exist reads (CORE: FQL2MetricsSpec "get document not found"). */
export const MISSING_DOC_BYTES = 14;
/** Partitions of an index without terms, and of a collection's documents index (CORE: Index.MaxIndexPartitions). */
export const TERMLESS_INDEX_PARTITIONS = 8;
/** Fixed part of a stored document version: id, collection, timestamps, ttl and the version header. */
const DOC_HEADER_BYTES = 40;
/** Fixed part of an index entry: document id, timestamp and the entry's tuple header. */
const INDEX_ENTRY_BYTES = 24;

export interface Meter {
  computeUnits: number;
  readOps: number;
  bytesRead: number;
  /** `coll/id` of documents read or written in this transaction (read again for free). */
  readDocs: Set<string>;
  /** Index scans already read in this transaction (by collection, index and terms). */
  readPages: Set<string>;
  /** Bytes of the schema documents this transaction wrote (definition and FSL files). */
  schemaWriteBytes: number[];
}

export function newMeter(): Meter {
  return { computeUnits: 0, readOps: 0, bytesRead: 0, readDocs: new Set(), readPages: new Set(), schemaWriteBytes: [] };
}

/** One method call or function application (or `n` elements walked by `toArray`/`count`). */
export function meterCompute(meter: Meter, units = 1): void {
  meter.computeUnits += units;
}

export function computeOps(meter: Meter): number {
  return Math.max(1, Math.ceil(meter.computeUnits / COMPUTE_UNITS_PER_OP));
}

/** The estimated stored size of a value (a compact tagged encoding: one tag byte plus the payload). */
export function valueBytes(value: Value): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return 1 + Buffer.byteLength(value);
  if (typeof value === 'bigint' || typeof value === 'number') return 9;
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + valueBytes(item), 1);
  if (isPlainObject(value)) return objectBytes(value);
  // Times, dates, references, bytes and modules: a tag and a fixed-size payload.
  return 13;
}

function objectBytes(value: FqlObject): number {
  let sum = 1;
  for (const [key, item] of Object.entries(value)) sum += 1 + Buffer.byteLength(key) + valueBytes(item);
  return sum;
}

/** Stored documents are immutable records, so each one's size is computed once. */
const sizes = new WeakMap<FqlObject, number>();

/** Bytes of a stored document version with these fields. */
export function documentBytes(data: FqlObject): number {
  let size = sizes.get(data);
  if (size === undefined) sizes.set(data, (size = DOC_HEADER_BYTES + objectBytes(data)));
  return size;
}

/** Bytes of one index entry holding these terms and values. */
export function indexEntryBytes(values: readonly Value[]): number {
  return values.reduce<number>((sum, v) => sum + valueBytes(v), INDEX_ENTRY_BYTES);
}

/**
 * A document read (`data` null: it does not exist), priced by its size. Free when this transaction already read or
 * wrote it.
 */
export function meterDocumentRead(meter: Meter, coll: string, id: string, data: FqlObject | null): void {
  const key = `${coll}/${id}`;
  if (meter.readDocs.has(key)) return;
  meter.readDocs.add(key);
  const read = data === null ? MISSING_DOC_BYTES : documentBytes(data);
  meter.bytesRead += read;
  meter.readOps += Math.max(1, Math.ceil(read / BYTES_PER_READ_OP));
}

/** A document this transaction wrote: later reads of it come from the transaction, not from storage. */
export function meterDocumentWritten(meter: Meter, coll: string, id: string): void {
  meter.readDocs.add(`${coll}/${id}`);
}

/**
 * One scan of an index (or of a collection's documents): `entryBytes` is the size of the entries it returned.
 * Free when this transaction already scanned the same index with the same terms.
 */
export function meterIndexRead(meter: Meter, scan: { coll: string; index: string; terms: readonly Value[] }, partitions: number, entryBytes: number): void {
  const key = `${scan.coll}\u0000${scan.index}\u0000${scan.terms.map(valueKey).join('\u0000')}`;
  if (meter.readPages.has(key)) return;
  meter.readPages.add(key);
  meter.bytesRead += entryBytes;
  meter.readOps += Math.max(1, Math.ceil(entryBytes / BYTES_PER_READ_OP)) + partitions - 1;
}

/** Partitions of an index with these many terms (CORE: Index.DefaultPartitionPolicy). */
export function partitionsFor(termCount: number): number {
  return termCount === 0 ? TERMLESS_INDEX_PARTITIONS : 1;
}

/** A schema document this transaction wrote (a definition, or the FSL files), by its size. */
export function meterSchemaWrite(meter: Meter, bytes: number): void {
  meter.schemaWriteBytes.push(bytes);
}

/** Write ops and bytes of a committed transaction, from the bytes written per document. */
export function writeTotals(meter: Meter, documentWrites: ReadonlyMap<string, number>): { ops: number; bytes: number } {
  let ops = 0;
  let bytes = 0;
  for (const written of [...documentWrites.values(), ...meter.schemaWriteBytes]) {
    ops += Math.max(1, Math.ceil(written / BYTES_PER_WRITE_OP));
    bytes += written;
  }
  return { ops, bytes };
}
