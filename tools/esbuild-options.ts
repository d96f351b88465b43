/**
 * The esbuild options serverless-esbuild uses for the deployed bundle, read from serverless.yml `custom.esbuild`, so
 * that the benchmark and the bundle tests build exactly what `serverless package` builds.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { parse } from 'yaml';

/** The service folder: serverless runs esbuild there, so relative paths in the options (the alias) resolve from it. */
export const SERVICE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

// serverless-esbuild's own settings, which it removes before calling esbuild (serverless-esbuild 1.57 dist/bundle.js).
const PLUGIN_ONLY_KEYS = new Set([
  'concurrency', 'zipConcurrency', 'exclude', 'nativeZip', 'packager', 'packagePath', 'watch', 'keepOutputDirectory',
  'packagerOptions', 'installExtraArgs', 'outputFileExtension', 'outputBuildFolder', 'outputWorkFolder', 'nodeExternals',
  'skipBuild', 'skipRebuild', 'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'disposeContext',
]);

/** Thrown when serverless.yml has no usable `custom.esbuild`. */
export class EsbuildOptionsError extends Error {
  override readonly name = 'EsbuildOptionsError';
}

/**
 * Returns serverless.yml's `custom.esbuild` as serverless-esbuild hands it to esbuild: plugin-only keys removed,
 * `exclude` merged into `external`, working directory the service folder.
 *
 * @param serviceDir - the folder holding serverless.yml (default: this repository)
 * @throws {EsbuildOptionsError} when `custom.esbuild` is missing
 */
export function serverlessEsbuildOptions(serviceDir: string = SERVICE_DIR): BuildOptions {
  const document = parse(readFileSync(join(serviceDir, 'serverless.yml'), 'utf8')) as { custom?: { esbuild?: Record<string, unknown> } };
  const settings = document.custom?.esbuild;
  if (!settings) throw new EsbuildOptionsError(`serverless.yml in ${serviceDir} has no custom.esbuild section.`);
  const options = Object.fromEntries(Object.entries(settings).filter(([key]) => !PLUGIN_ONLY_KEYS.has(key))) as BuildOptions;
  const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);
  const exclude = asList(settings.exclude);
  return {
    ...options,
    external: [...asList(settings.external), ...(exclude.includes('*') ? [] : exclude)],
    absWorkingDir: serviceDir,
  };
}
