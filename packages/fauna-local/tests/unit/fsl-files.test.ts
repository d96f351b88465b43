/**
 * The reader of a schema folder (src/fsl-files.ts, the `fauna-local/fsl-files` export). The promise it exists for (the
 * local Fauna loads exactly the files `npm run schema:push` sends) is the service's: tests/delivery/schema-folder.test.ts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NoSchemaFilesError, readFslFiles } from '../../src/fsl-files.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fsl-files-'));
  await mkdir(join(dir, 'nested/deeper'), { recursive: true });
  await writeFile(join(dir, 'main.fsl'), 'collection Top {}\n');
  await writeFile(join(dir, 'nested/deeper/inner.fsl'), 'collection Inner {}\n');
  await writeFile(join(dir, 'nested/notes.txt'), 'not schema');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readFslFiles', () => {
  it('reads every *.fsl under the folder, named by its relative path with / separators, sorted', async () => {
    // Act
    const files = await readFslFiles(dir);

    // Assert
    expect(files).toEqual([
      { filename: 'main.fsl', content: 'collection Top {}\n' },
      { filename: 'nested/deeper/inner.fsl', content: 'collection Inner {}\n' },
    ]);
  });

  it('refuses a folder without FSL files, naming the folder (pushing nothing would delete the whole schema)', async () => {
    // Arrange
    const empty = await mkdtemp(join(tmpdir(), 'fsl-empty-'));

    // Act
    const outcome = readFslFiles(empty);

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(NoSchemaFilesError);
    await expect(outcome).rejects.toThrow(empty);
    await rm(empty, { recursive: true, force: true });
  });
});
