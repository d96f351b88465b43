/**
 * A private copy of the service for one stack. serverless-esbuild bundles into `.esbuild/` inside the service
 * folder and deletes it when serverless-offline stops; two stacks (or a stack and `npm run invoke`) sharing the
 * repository folder would delete each other's bundle. The copy shares the repository's `node_modules` by symlink.
 */
import { cp, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** Top-level entries the service does not need to build or run (and build output of earlier runs). */
const NOT_COPIED = new Set([
  'node_modules',
  '.git',
  '.serverless',
  '.packages',
  '.build',
  '.cognito',
  '.local-data',
  'coverage',
  'bench-results',
  'tests',
]);

/**
 * Copies `repoRoot` (minus {@link NOT_COPIED}) into `targetDir` and links `targetDir/node_modules` to the
 * repository's.
 *
 * @returns `targetDir`, ready to run `serverless` in.
 */
export async function copyService(repoRoot: string, targetDir: string): Promise<string> {
  await cp(repoRoot, targetDir, {
    recursive: true,
    filter: (source) => source === repoRoot || !isExcludedTopLevel(repoRoot, source),
  });
  await symlink(join(repoRoot, 'node_modules'), join(targetDir, 'node_modules'), 'dir');
  return targetDir;
}

function isExcludedTopLevel(repoRoot: string, source: string): boolean {
  const relative = source.slice(repoRoot.length + 1);
  const name = basename(source);
  // serverless-esbuild work folders: `.esbuild` and per-stage ones such as `.esbuild-local`.
  return !relative.includes('/') && (NOT_COPIED.has(name) || name.startsWith('.esbuild'));
}
