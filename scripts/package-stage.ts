/**
 * Packages the service for one or more stages with the Serverless Framework CLI (osls), each stage into its own
 * folder, without AWS credentials (`serverless package` only renders CloudFormation and zips the bundle).
 *
 *   npm run package -- --stage dev            → .serverless/dev
 *   npm run package -- --all                  → .serverless/<stage> for every stage
 *   npm run package -- --stage prod --out-dir /tmp/pkg
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

export const STAGES = ['local', 'dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

export const DEFAULT_PACKAGE_ROOT = '.serverless';

/** Thrown when `serverless package` exits non-zero; carries its output so the cause is visible. */
export class PackageError extends Error {
  readonly output: string;
  constructor(stage: string, exitCode: number | null, output: string) {
    super(`serverless package --stage ${stage} failed (exit ${exitCode}). Its output:\n${output.slice(-4000)}`);
    this.name = 'PackageError';
    this.output = output;
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

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { stage: { type: 'string', multiple: true }, all: { type: 'boolean', default: false }, 'out-dir': { type: 'string' } },
  });
  const stages = values.all ? [...STAGES] : (values.stage ?? []);
  if (stages.length === 0) {
    console.error(`Pass --stage <${STAGES.join('|')}> (repeatable) or --all.`);
    return 1;
  }
  for (const stage of stages) {
    const outDir = path.join(values['out-dir'] ?? DEFAULT_PACKAGE_ROOT, stage);
    await packageStage(stage, outDir);
    console.log(`Packaged stage ${stage} into ${outDir}`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
