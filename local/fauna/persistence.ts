/**
 * Persists the engine's snapshot to one JSON file.
 *
 * Durability contract:
 * - The file is only ever replaced by an atomic rename of a fully written, fsynced temporary file in the same
 *   directory, so a reader (or a restart after a crash) sees either the previous complete snapshot or the new one,
 *   never a half-written file.
 * - Commits are coalesced: the first commit after a write schedules the next write `coalesceMs` later, and every commit
 *   in that window rides along. A crash (kill -9, power loss) therefore loses at most the commits of the last
 *   unflushed window (default 50 ms); `flush()` (called by `stop()`) writes whatever is pending.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { EngineSnapshot } from './engine/api.ts';

/** The longest a committed write waits before it reaches the disk. */
export const DEFAULT_COALESCE_MS = 50;

/** The data file exists but cannot be used; the message says which file and why. */
export class DataFileError extends Error {
  constructor(file: string, reason: string, cause?: unknown) {
    super(`The local Fauna data file ${file} cannot be loaded: ${reason}`, { cause });
    this.name = 'DataFileError';
  }
}

/** Reads a snapshot written by SnapshotWriter; undefined when the file does not exist yet. */
export async function loadSnapshot(file: string): Promise<EngineSnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DataFileError(file, (error as Error).message, error);
  }
  let snapshot: unknown;
  try {
    snapshot = JSON.parse(text);
  } catch (error) {
    throw new DataFileError(file, `it is not valid JSON (${(error as Error).message}); move it away to start empty`, error);
  }
  if (typeof snapshot !== 'object' || snapshot === null || (snapshot as { formatVersion?: unknown }).formatVersion !== 1) {
    throw new DataFileError(file, 'it is not a snapshot of format version 1; move it away to start empty');
  }
  return snapshot as EngineSnapshot;
}

export interface SnapshotWriterOptions {
  file: string;
  /** Produces the current snapshot; called at write time, so a coalesced write stores the latest state. */
  snapshot: () => EngineSnapshot;
  coalesceMs?: number;
  /** Where background write failures go (they cannot be thrown to anyone). Default: console.error. */
  onError?: (error: unknown) => void;
}

/** Writes snapshots atomically, at most one at a time, coalescing bursts of commits. */
export class SnapshotWriter {
  readonly #file: string;
  readonly #snapshot: () => EngineSnapshot;
  readonly #coalesceMs: number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;
  #writing: Promise<void> | undefined;

  constructor(options: SnapshotWriterOptions) {
    this.#file = options.file;
    this.#snapshot = options.snapshot;
    this.#coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
    this.#onError = options.onError ?? ((error) => console.error('local Fauna: persisting the data file failed:', error));
  }

  /** Notes a commit; the snapshot reaches the disk within the coalescing window. */
  schedule(): void {
    this.#dirty = true;
    if (this.#timer !== undefined || this.#writing !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#writeLoop().catch(this.#onError);
    }, this.#coalesceMs);
  }

  /** Writes any pending commits now and waits until they are on disk. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#writing !== undefined) await this.#writing.catch(() => undefined);
    if (this.#dirty) await this.#writeLoop();
  }

  /** Writes until nothing is dirty; commits that land during a write trigger one more write. */
  async #writeLoop(): Promise<void> {
    if (this.#writing !== undefined) return this.#writing;
    this.#writing = (async () => {
      try {
        while (this.#dirty) {
          this.#dirty = false;
          await writeAtomically(this.#file, JSON.stringify(this.#snapshot()));
        }
      } finally {
        this.#writing = undefined;
      }
    })();
    return this.#writing;
  }
}

/** Writes `content` to a temporary sibling, fsyncs it, renames it over `file` and fsyncs the directory. */
export async function writeAtomically(file: string, content: string): Promise<void> {
  const directory = dirname(file);
  await mkdir(directory, { recursive: true });
  const temporary = join(directory, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

/** Makes the rename itself durable; some platforms cannot open a directory, which only weakens crash safety. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (e.g. Windows): the rename is still atomic, only its durability across power loss is weaker.
  }
}
