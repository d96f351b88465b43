/** Snapshot persistence: atomic replacement, coalescing of commit bursts, flush, and loading. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFileError, SnapshotWriter, loadSnapshot, writeAtomically } from '../../src/persistence.ts';
import type { EngineSnapshot } from '../../src/engine/api.ts';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-fauna-persist-'));
  file = join(dir, 'data.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('SnapshotWriter', () => {
  it('coalesces a burst of 2,000 commits into a few writes and stores the latest state', async () => {
    let state = 0;
    let snapshots = 0;
    const writer = new SnapshotWriter({
      file,
      coalesceMs: 20,
      snapshot: () => {
        snapshots += 1;
        return { formatVersion: 1, state };
      },
    });

    for (let i = 0; i < 2000; i += 1) {
      state = i;
      writer.schedule();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    await writer.flush();

    expect(snapshots).toBeLessThanOrEqual(2);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ formatVersion: 1, state: 1999 });
  });

  it('writes pending commits on flush without waiting for the window', async () => {
    const writer = new SnapshotWriter({ file, coalesceMs: 60_000, snapshot: () => ({ formatVersion: 1, n: 1 }) });

    writer.schedule();
    await writer.flush();

    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ formatVersion: 1, n: 1 });
  });

  it('writes again when a commit lands while a write is in progress', async () => {
    let state = 0;
    const writer = new SnapshotWriter({ file, coalesceMs: 1, snapshot: () => ({ formatVersion: 1, state }) });

    writer.schedule();
    await new Promise((resolve) => setTimeout(resolve, 3));
    state = 2;
    writer.schedule();
    await writer.flush();

    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ formatVersion: 1, state: 2 });
  });

  it('stretches the window to 4× the last write when snapshots are slow to produce', async () => {
    const writer = new SnapshotWriter({
      file,
      coalesceMs: 1,
      snapshot: () => {
        const until = performance.now() + 30;
        while (performance.now() < until);
        return { formatVersion: 1 };
      },
    });

    writer.schedule();
    await writer.flush();

    expect(writer.windowMs).toBeGreaterThanOrEqual(120);
  });

  it('leaves no temporary files behind', async () => {
    const writer = new SnapshotWriter({ file, coalesceMs: 1, snapshot: () => ({ formatVersion: 1 }) });

    for (let i = 0; i < 5; i += 1) {
      writer.schedule();
      await writer.flush();
    }

    expect(await readdir(dir)).toEqual(['data.json']);
  });
});

describe('writeAtomically', () => {
  it('never exposes a partial file to a concurrent reader', async () => {
    const big = JSON.stringify({ formatVersion: 1, payload: 'x'.repeat(2_000_000) });
    await writeAtomically(file, JSON.stringify({ formatVersion: 1, payload: '' }));
    let reads = 0;
    let done = false;

    const writes = (async () => {
      for (let i = 0; i < 10; i += 1) await writeAtomically(file, big);
      done = true;
    })();
    while (!done) {
      JSON.parse(await readFile(file, 'utf8'));
      reads += 1;
    }
    await writes;

    expect(reads).toBeGreaterThan(0);
  });
});

describe('loadSnapshot', () => {
  it('returns undefined when the file does not exist yet', async () => {
    expect(await loadSnapshot(file)).toBeUndefined();
  });

  it('reads a snapshot back', async () => {
    const snapshot: EngineSnapshot = { formatVersion: 1, docs: [1, 2] };
    await writeAtomically(file, JSON.stringify(snapshot));

    expect(await loadSnapshot(file)).toEqual(snapshot);
  });

  it('throws DataFileError naming the file for invalid JSON or an unknown format', async () => {
    await writeFile(file, '{"formatVersion":1,');
    await expect(loadSnapshot(file)).rejects.toThrow(DataFileError);

    await writeFile(file, '{"formatVersion":2}');
    await expect(loadSnapshot(file)).rejects.toThrow(file);
  });
});
