/**
 * Packages the service for one or more stages with the Serverless Framework CLI (osls), each stage into its own
 * folder, without AWS credentials (`serverless package` only renders CloudFormation and zips the bundle).
 *
 *   npm run package -- --stage dev            → .packages/dev
 *   npm run package -- --all                  → .packages/<stage> for every stage
 *   npm run package -- --stage prod --out-dir /tmp/pkg
 *
 * Not into `.serverless/<stage>`: the CLI copies the whole of `.serverless` into the `--package` folder, so a folder
 * inside it receives a copy of itself, recursively, until the path is too long (ENAMETOOLONG).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { defineCli, isEntryPoint, parseCli, runMain } from '../tools/cli.ts';

export const STAGES = ['local', 'dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** A sibling of the CLI's own `.serverless` work folder, never inside it (see the header). */
export const DEFAULT_PACKAGE_ROOT = '.packages';
/** The CLI's work folder: no package folder may lie inside it. */
export const CLI_WORK_FOLDER = '.serverless';

/** Longest line of the cause kept in a message (a path the CLI built recursively can run to kilobytes). */
const MAX_CAUSE_LINE = 300;

/**
 * The lines of the CLI's output that say why it failed: its error block (osls prints `Error:` and then the message,
 * after any stack), else the last lines that are not stack frames (`    at …`); long lines shortened.
 */
export function failureCause(output: string): string {
  const lines = output.split('\n').map((line) => line.trimEnd());
  const errorBlock = lines.lastIndexOf('Error:');
  const meaningful = (errorBlock >= 0 ? lines.slice(errorBlock + 1) : lines).filter((line) => line.trim() !== '' && !/^\s+at /.test(line));
  const cause = (errorBlock >= 0 && meaningful.length > 0 ? meaningful : meaningful.slice(-15)).map((line) => (line.length > MAX_CAUSE_LINE ? `${line.slice(0, MAX_CAUSE_LINE)}…` : line));
  return cause.join('\n');
}

/** Thrown when `serverless package` exits non-zero: the message is the cause the CLI printed; `output` has all of it. */
export class PackageError extends Error {
  readonly output: string;
  constructor(stage: string, exitCode: number | null, output: string) {
    super(`serverless package --stage ${stage} failed (exit ${exitCode}):\n${failureCause(output)}`);
    this.name = 'PackageError';
    this.output = output;
  }
}

/** Thrown for an output folder the CLI would copy into itself. */
export class PackageFolderError extends Error {
  constructor(outDir: string) {
    super(`Cannot package into ${outDir}: it is inside ${CLI_WORK_FOLDER}/, which the CLI copies into the package folder (recursively). Use --out-dir outside it (default ${DEFAULT_PACKAGE_ROOT}).`);
    this.name = 'PackageFolderError';
  }
}

/**
 * Runs `serverless package --stage <stage> --package <outDir>` in `options.cwd` (default: the current folder)
 * with `options.env` (default: this process's environment).
 *
 * @returns the combined output of the CLI.
 * @throws {PackageError} when the CLI fails.
 */
export async function packageStage(stage: string, outDir: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const cwd = options.cwd ?? process.cwd();
  const relative = path.relative(path.resolve(cwd, CLI_WORK_FOLDER), path.resolve(cwd, outDir));
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) throw new PackageFolderError(outDir);
  const cli = path.join(cwd, 'node_modules', '.bin', 'serverless');
  const base = options.env ?? process.env;
  // No AWS credentials are needed to package; a region keeps the CLI from looking for a profile's region.
  const env = { ...base, AWS_REGION: base.AWS_REGION ?? 'us-east-1', SLS_TELEMETRY_DISABLED: '1' };
  return new Promise((resolve, reject) => {
    const child = spawn(cli, ['package', '--stage', stage, '--package', outDir], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new PackageError(stage, code, output))));
  });
}

export const CLI = defineCli({
  command: 'npm run package --',
  summary: `Packages the service with the Serverless CLI (osls) into <out-dir>/<stage>: CloudFormation and the zipped bundle. No AWS credentials needed.`,
  options: {
    stage: { type: 'string', value: STAGES.join('|'), multiple: true, help: 'a stage to package' },
    all: { type: 'boolean', default: false, help: 'package every stage' },
    'out-dir': { type: 'string', value: 'DIR', help: `where the stage folders go (default ${DEFAULT_PACKAGE_ROOT}; not inside ${CLI_WORK_FOLDER}/)` },
  },
  examples: ['npm run package -- --stage dev', 'npm run package -- --all', 'npm run package -- --stage prod --out-dir /tmp/pkg'],
});

async function main(argv: string[]): Promise<number> {
  const values = parseCli(CLI, argv);
  if (!values) return 0;
  const stages = values.all ? [...STAGES] : (values.stage ?? []);
  if (stages.length === 0) {
    console.error(`Pass --stage <${STAGES.join('|')}> (repeatable) or --all.`);
    return 2;
  }
  for (const stage of stages) {
    const outDir = path.join(values['out-dir'] ?? DEFAULT_PACKAGE_ROOT, stage);
    await packageStage(stage, outDir);
    console.log(`Packaged stage ${stage} into ${outDir}`);
  }
  return 0;
}

if (isEntryPoint(import.meta.url)) {
  runMain('package', () => main(process.argv.slice(2)), { isKnown: (error) => error instanceof PackageError || error instanceof PackageFolderError });
}
