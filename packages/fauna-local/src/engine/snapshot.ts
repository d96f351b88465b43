/**
 * The engine's snapshot format: plain JSON (no bigint, no class instances) so the HTTP layer can write it to a file
 * as it is. Field values use the tagged encoding; keys and tokens keep only their secret's hash.
 */
import { parseSchemaFiles } from '../fsl/parser.ts';
import type { StoredDoc } from '../storage/store.ts';
import { decodeTagged } from '../wire/decode.ts';
import type { ModuleResolver } from '../wire/decode.ts';
import { encodeStored } from '../wire/encode.ts';
import type { EngineSnapshot } from './api.ts';
import type { Database, DatabaseDefinition } from './context.ts';
import { newDatabase } from './context.ts';
import { Schema } from './schema.ts';
import { FqlTime, ModuleValue } from '../values/values.ts';

export const SNAPSHOT_FORMAT_VERSION = 1;

interface SnapshotDoc {
  id: string;
  ts: string;
  /** Epoch nanoseconds. */
  ttl?: string;
  data: unknown;
  secretHash?: string;
}

interface SnapshotLevel {
  schemaVersion: string;
  schemaFiles: { filename: string; content: string }[];
  collections: Record<string, SnapshotDoc[]>;
  /** Child databases (absent in snapshots written before child databases existed). */
  databases?: SnapshotChild[];
  /** Files of a schema pushed with `staged=true` and not yet committed or abandoned. */
  stagedFiles?: { filename: string; content: string }[];
}

interface SnapshotChild extends SnapshotLevel {
  name: string;
  globalId: string;
  ts: string;
  /** Tagged encoding. */
  data: unknown;
  typechecked: boolean | null;
  protected: boolean | null;
}

interface SnapshotBody extends SnapshotLevel {
  formatVersion: typeof SNAPSHOT_FORMAT_VERSION;
  lastTxnTs: string;
  lastId: string;
}

/** One database of a snapshot, in engine terms, with its children. */
export interface DatabaseState {
  name: string;
  globalId: bigint;
  definition: DatabaseDefinition;
  schema: Schema;
  collections: [string, StoredDoc[]][];
  databases: DatabaseState[];
  staged: Schema | null;
}

/** What a snapshot holds, in engine terms. */
export interface SnapshotState extends DatabaseState {
  lastTxnTs: bigint;
  lastId: bigint;
}

/** Thrown for a snapshot this engine cannot read. */
export class SnapshotFormatError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'SnapshotFormatError';
  }
}

function levelToJson(state: DatabaseState): SnapshotLevel {
  const collections: Record<string, SnapshotDoc[]> = {};
  for (const [name, docs] of state.collections) {
    collections[name] = docs.map((doc) => {
      const out: SnapshotDoc = { id: doc.id, ts: doc.ts.toString(), data: encodeStored(doc.data) };
      if (doc.ttl) out.ttl = doc.ttl.epochNanos.toString();
      if (doc.secretHash) out.secretHash = doc.secretHash;
      return out;
    });
  }
  const level: SnapshotLevel = {
    schemaVersion: state.schema.version.toString(),
    schemaFiles: [...state.schema.files].map(([filename, content]) => ({ filename, content })),
    collections,
  };
  if (state.staged) level.stagedFiles = [...state.staged.files].map(([filename, content]) => ({ filename, content }));
  if (state.databases.length > 0) {
    level.databases = state.databases.map((child) => ({
      name: child.name,
      globalId: child.globalId.toString(),
      ts: child.definition.ts.toString(),
      data: encodeStored(child.definition.data),
      typechecked: child.definition.typechecked,
      protected: child.definition.protected,
      ...levelToJson(child),
    }));
  }
  return level;
}

/** Serialises the engine state. */
export function toSnapshot(state: SnapshotState): EngineSnapshot {
  const body: SnapshotBody = {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    lastTxnTs: state.lastTxnTs.toString(),
    lastId: state.lastId.toString(),
    ...levelToJson(state),
  };
  return body as unknown as EngineSnapshot;
}

/**
 * Reads a snapshot taken by {@link toSnapshot}.
 * @throws SnapshotFormatError for another format version; FslSyntaxError if its schema files no longer parse.
 */
export function fromSnapshot(snapshot: EngineSnapshot): SnapshotState {
  const body = snapshot as unknown as SnapshotBody;
  if (body.formatVersion !== SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotFormatError(`Unsupported snapshot format ${String(body.formatVersion)}; this engine reads format ${SNAPSHOT_FORMAT_VERSION}.`);
  }
  return { ...levelFromJson(body, '', 0n, { ts: 0n, data: null, typechecked: null, protected: null }), lastTxnTs: BigInt(body.lastTxnTs), lastId: BigInt(body.lastId) };
}

function levelFromJson(body: SnapshotLevel, name: string, globalId: bigint, definition: DatabaseDefinition): DatabaseState {
  const files = new Map(body.schemaFiles.map((f) => [f.filename, f.content]));
  const items = files.size > 0 ? parseSchemaFiles(body.schemaFiles) : { collections: [], roles: [], functions: [] };
  const schema = new Schema(items, files, BigInt(body.schemaVersion));
  // Stored values may reference any collection, including ones dropped since; decode leniently.
  const modules: ModuleResolver = (name) => new ModuleValue(name, schema.collections.has(name));
  const collections: [string, StoredDoc[]][] = Object.entries(body.collections).map(([name, docs]) => [
    name,
    docs.map((doc) => ({
      id: doc.id,
      ts: BigInt(doc.ts),
      ttl: doc.ttl === undefined ? null : new FqlTime(BigInt(doc.ttl)),
      data: decodeTagged(doc.data, modules) as StoredDoc['data'],
      ...(doc.secretHash ? { secretHash: doc.secretHash } : {}),
    })),
  ]);
  const databases = (body.databases ?? []).map((child) =>
    levelFromJson(child, child.name, BigInt(child.globalId), {
      ts: BigInt(child.ts),
      data: decodeTagged(child.data, modules),
      typechecked: child.typechecked,
      protected: child.protected,
    }),
  );
  const staged = body.stagedFiles ? new Schema(parseSchemaFiles(body.stagedFiles), new Map(body.stagedFiles.map((f) => [f.filename, f.content])), schema.version) : null;
  return { name, globalId, definition, schema, collections, databases, staged };
}

/** A database and everything below it, in the snapshot's terms. */
function databaseState(db: Database): DatabaseState {
  return {
    name: db.name,
    globalId: db.globalId,
    definition: db.definition,
    schema: db.schema,
    collections: db.store.entries(),
    databases: [...db.children.values()].map(databaseState),
    staged: db.staged,
  };
}

/** The snapshot of a whole database tree. */
export function snapshotDatabases(root: Database, lastTxnTs: bigint): EngineSnapshot {
  return toSnapshot({ ...databaseState(root), lastTxnTs, lastId: root.ids.last });
}

/**
 * Loads a snapshot into an empty root database (children included) and returns the last transaction time it saw.
 * @throws SnapshotFormatError for another format version.
 */
export function restoreDatabases(root: Database, snapshot: EngineSnapshot): bigint {
  const state = fromSnapshot(snapshot);
  const load = (db: Database, level: DatabaseState) => {
    db.schema = level.schema;
    db.staged = level.staged;
    db.store.load(level.collections);
    db.store.configure(level.schema.storageSpecs());
    for (const child of level.databases) {
      const childDb = newDatabase(child.name, child.globalId, root.ids, child.definition.ts);
      childDb.definition = child.definition;
      db.children.set(child.name, childDb);
      load(childDb, child);
    }
  };
  load(root, state);
  root.ids.restore(state.lastId);
  return state.lastTxnTs;
}
