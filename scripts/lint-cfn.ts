/**
 * Packages every stage and runs `cfn-lint` (AWS's CloudFormation linter, a Python tool) on each packaged template
 * and on the operator templates under deploy/. Exits 0 only when cfn-lint reports nothing: errors fail, and every
 * warning left must be fixed or suppressed in the template's metadata with a reason (docs/delivery.md).
 *
 *   npm run lint:cfn                       every stage + deploy/*.yml
 *   npm run lint:cfn -- --stage prod       one stage (repeatable) + deploy/*.yml
 *
 * cfn-lint is not an npm package: install it with `pipx install cfn-lint` or `pip install cfn-lint`.
 * `npm test` does not need it (its template tests are plain TypeScript); `.ci/run` and the PR workflow run this.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageStage, STAGES } from './package-stage.ts';
import { defineCli, isEntryPoint, parseCli, runMain } from '../tools/cli.ts';

export const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';
export const OPERATOR_TEMPLATES_DIR = 'deploy';

/** Thrown when cfn-lint cannot be run at all (not installed); the message says how to install it. */
export class CfnLintMissingError extends Error {
  constructor(cause: unknown) {
    super('cfn-lint is not installed (it is a Python tool, not an npm package). Install it with `pipx install cfn-lint` or `pip install cfn-lint`, then run npm run lint:cfn again.', { cause });
    this.name = 'CfnLintMissingError';
  }
}

export interface LintResult {
  file: string;
  exitCode: number;
  output: string;
}

/** Runs `cfn-lint <file>`; cfn-lint's exit code is non-zero for any error or warning it reports. */
export function cfnLint(file: string): Promise<LintResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('cfn-lint', [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new CfnLintMissingError(error) : error));
    child.on('close', (code) => resolve({ file, exitCode: code ?? 1, output: output.trim() }));
  });
}

/** `cfn-lint --version`. @throws {CfnLintMissingError} when cfn-lint is not installed. */
export function cfnLintVersion(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('cfn-lint', ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new CfnLintMissingError(error) : error));
    child.on('close', () => resolve(output.trim()));
  });
}

/** The operator templates (deploy/*.yml), linted with the stages. */
export function operatorTemplates(serviceDir = process.cwd()): string[] {
  const dir = path.join(serviceDir, OPERATOR_TEMPLATES_DIR);
  try {
    return readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

export const CLI = defineCli({
  command: 'npm run lint:cfn --',
  summary: 'Packages the stages and runs cfn-lint (a Python tool: pipx install cfn-lint) on each template and on deploy/*.yml; exits 0 only when cfn-lint reports nothing.',
  options: {
    stage: { type: 'string', value: 'STAGE', multiple: true, help: 'lint this stage only (default: every stage)' },
  },
  examples: ['npm run lint:cfn', 'npm run lint:cfn -- --stage prod'],
});

async function main(argv: string[]): Promise<number> {
  const values = parseCli(CLI, argv);
  if (!values) return 0;
  // Before packaging (a minute for every stage): without cfn-lint there is nothing to do.
  await cfnLintVersion();
  const stages = values.stage ?? [...STAGES];
  const outRoot = mkdtempSync(path.join(tmpdir(), 'cognito-fauna-lint-cfn-'));
  const results: LintResult[] = [];
  try {
    for (const stage of stages) {
      const outDir = path.join(outRoot, stage);
      await packageStage(stage, outDir);
      results.push({ ...(await cfnLint(path.join(outDir, TEMPLATE_FILE))), file: `stage ${stage} (${TEMPLATE_FILE})` });
    }
    for (const file of operatorTemplates()) results.push(await cfnLint(file));
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
  for (const result of results) {
    console.log(`${result.exitCode === 0 ? 'clean ' : 'FAILED'}  ${result.file}`);
    if (result.output) console.log(result.output.replace(/^/gm, '        '));
  }
  const failed = results.filter((result) => result.exitCode !== 0).length;
  console.log(`cfn-lint: ${results.length - failed} clean, ${failed} with findings`);
  return failed === 0 ? 0 : 1;
}

if (isEntryPoint(import.meta.url)) {
  runMain('lint:cfn', () => main(process.argv.slice(2)), { isKnown: (error) => error instanceof CfnLintMissingError });
}
