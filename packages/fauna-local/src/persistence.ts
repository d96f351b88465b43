/**
 * Persists the engine's snapshot to one JSON file.
 *
 * Durability contract:
 * - The file is only ever replaced by an atomic rename of a fully written, fsynced temporary file in the same
 *   directory, so a reader (or a restart after a crash) sees either the previous complete snapshot or the new one,
 *   never a half-written file.
 * - Commits are coalesced: the first commit after a write schedules the next write one window later, and every commit
 *   in that window rides along. The window is `coalesceMs` (default 50 ms), stretched to 4× the duration of the last
 *   write when snapshots get big, so persisting never takes more than about a fifth of the event loop. A crash
 *   (kill -9, power loss) therefore loses at most the commits of the last window; `flush()` (called by `stop()`)
 *   writes whatever is pending.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { EngineSnapshot } from './engine/api.ts';

/** How long a committed write waits, at least, before it reaches the disk (bursts ride along). */
export const DEFAULT_COALESCE_MS = 50;
/** The window is at least this multiple of the last write's duration, bounding the time spent persisting. */
const WINDOW_PER_WRITE_DURATION = 4;

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
  #lastWriteMs = 0;

  constructor(options: SnapshotWriterOptions) {
    this.#file = options.file;
    this.#snapshot = options.snapshot;
    this.#coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
    this.#onError = options.onError ?? ((error) => console.error('local Fauna: persisting the data file failed:', error));
  }

  /** Notes a commit; the snapshot reaches the disk within the coalescing window. */
  schedule(): void {
    this.#dirty = true;
    this.#arm();
  }

  /** The current coalescing window in ms: `coalesceMs`, or longer when the last write took long. */
  get windowMs(): number {
    return Math.max(this.#coalesceMs, Math.ceil(this.#lastWriteMs * WINDOW_PER_WRITE_DURATION));
  }

  /** Writes any pending commits now and waits until they are on disk. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#writing !== undefined) await this.#writing.catch(() => undefined);
    // The finished write may have re-armed the timer; this flush takes over its work.
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#dirty) await this.#write();
  }

  /** Starts the window timer unless one is running or a write is in progress (its end re-arms). */
  #arm(): void {
    if (!this.#dirty || this.#timer !== undefined || this.#writing !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#dirty) this.#write().catch(this.#onError);
    }, this.windowMs);
  }

  /** One write of the latest snapshot; commits that land meanwhile wait for the next window. */
  #write(): Promise<void> {
    this.#dirty = false;
    const started = performance.now();
    this.#writing = writeAtomically(this.#file, JSON.stringify(this.#snapshot())).finally(() => {
      this.#lastWriteMs = performance.now() - started;
      this.#writing = undefined;
      this.#arm();
    });
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
