/**
 * One schema folder, two readers: the local Fauna (`schemaDir`) loads exactly the files `npm run schema:push` sends,
 * subfolders included, since both read it with the package's folder reader (`fauna-local/fsl-files`). Real local
 * Fauna, real schema API over HTTP.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fql } from 'fauna';
import { startLocalFauna } from '../../packages/fauna-local/src/index.ts';
import { pushSchema } from '../../scripts/push-schema.ts';
import { queryAs } from '../helpers/local-fauna.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fsl-files-'));
  await mkdir(join(dir, 'nested/deeper'), { recursive: true });
  await writeFile(join(dir, 'main.fsl'), 'collection Top {}\n');
  await writeFile(join(dir, 'nested/deeper/inner.fsl'), 'collection Inner {}\n');
  await writeFile(join(dir, 'nested/notes.txt'), 'not schema');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('one schema folder, two readers', () => {
  it('the local Fauna loads the same collections that a schema push of the folder creates', async () => {
    // Arrange
    const loaded = await startLocalFauna({ port: 0, schemaDir: dir });
    const pushed = await startLocalFauna({ port: 0 });
    const names = (fauna: { url: string; rootSecret: string }) =>
      queryAs<string[]>(fauna, fauna.rootSecret, fql`Collection.all().map(.name).toArray()`);

    try {
      // Act
      await pushSchema({ endpoint: pushed.url, adminSecret: pushed.rootSecret, dir }, () => undefined);

      // Assert
      expect((await names(loaded)).sort()).toEqual(['Inner', 'Top']);
      expect((await names(pushed)).sort()).toEqual(['Inner', 'Top']);
    } finally {
      await loaded.stop();
      await pushed.stop();
    }
  });
});
