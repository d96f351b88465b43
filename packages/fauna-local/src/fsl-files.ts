/**
 * The one reader of an FSL schema folder, shared by `npm run schema:push` (what is sent to Fauna) and the local Fauna's
 * `schemaDir` option (what the emulator loads), so the two always see the same files: every `*.fsl` under the folder,
 * subfolders included, named by its path relative to the folder with `/` separators (as the Fauna CLI uploads them).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

/** One FSL file as uploaded through the schema API (the multipart field name is `filename`) or read from a folder. */
export interface SchemaFile {
  filename: string;
  content: string;
}

/** The folder holds no `*.fsl` file: pushing nothing would delete the whole schema, loading nothing is a wrong path. */
export class NoSchemaFilesError extends Error {
  constructor(dir: string) {
    super(`No schema files (*.fsl) in ${resolve(dir)}: pass the folder that holds the .fsl files (e.g. --dir fauna).`);
    this.name = 'NoSchemaFilesError';
  }
}

/**
 * Every `*.fsl` file under `root`, sorted by name.
 *
 * @throws {NoSchemaFilesError} when there is none.
 */
export async function readFslFiles(root: string): Promise<SchemaFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.fsl'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  if (paths.length === 0) throw new NoSchemaFilesError(root);
  return Promise.all(
    paths.map(async (path) => ({ filename: relative(root, path).split(sep).join('/'), content: await readFile(path, 'utf8') })),
  );
}
