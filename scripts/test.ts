/**
 * `npm test`: runs jest twice so the secrets audit sees the logs of the whole run.
 *
 * 1. every suite (whatever arguments were given), with every log line copied to a fresh capture directory
 *    (`tests/helpers/log-capture.setup.ts`);
 * 2. `tests/evidence/secrets-audit.test.ts` alone, after all of them have ended, so it reads a complete capture.
 *
 * When `--json --outputFile=F` is given (as `.ci/run` does), both runs write JSON and F receives their sum, so the
 * audit is a counted test like any other. The exit code is non-zero if either run failed.
 *
 * A run of the whole suite (no test path or name filter) also collects coverage of lib/ and handlers/, so that the
 * thresholds in jest.config.js hold on every `npm test`, in CI too; a filtered run (`npm test -- tests/unit`) does not,
 * since a part of the suite cannot reach them. On a whole-suite run the workspace packages' suites (packages/<name>/tests,
 * which a filtered run reaches through the root config) run instead in each package's own jest project, with that
 * package's coverage thresholds (packages/fauna-local/jest.config.js), between the two runs above.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where the first run copies every log line to (tests/helpers/log-capture.ts reads it); the runner owns the name. */
export const CAPTURE_DIR_ENV = 'EVIDENCE_CAPTURE_DIR';

/** The suite that must run last; jest.config.js ignores it so that a plain run never starts it too early. */
export const AUDIT_SUITE = 'tests/evidence/secrets-audit.test.ts';

/** The workspace packages' own jest projects, run on a whole-suite run with their coverage gates (see the header). */
export const PACKAGE_PROJECTS = ['packages/fauna-local/jest.config.js'];

/** Set for the service's run of a whole-suite run: jest.config.js then leaves packages/ to their own projects. */
export const SERVICE_SUITES_ONLY_ENV = 'SERVICE_SUITES_ONLY';

/** How many evidence suites the first run ran (they switch the debug switches on); the audit checks their marker. */
export const EVIDENCE_SUITES_RAN_ENV = 'EVIDENCE_SUITES_RAN';

// Modes in which jest runs no suites to completion (or never ends): pass them through untouched.
const PASS_THROUGH_FLAGS = ['--watch', '--watchAll', '--listTests', '--help', '-h', '--version', '--showConfig'];

const JEST_COUNTERS = [
  'numTotalTests', 'numPassedTests', 'numFailedTests', 'numPendingTests', 'numTodoTests',
  'numTotalTestSuites', 'numPassedTestSuites', 'numFailedTestSuites', 'numPendingTestSuites', 'numRuntimeErrorTestSuites',
] as const;

type JestJson = Record<string, unknown> & { success: boolean; startTime: number; testResults: unknown[] };

interface SplitArgs {
  jestArgs: string[];
  outputFile: string | undefined;
  json: boolean;
}

// Arguments that run only part of the suite; `--coverage`/`--collectCoverage` chosen by the caller win as given.
const SELECTION_FLAGS = ['-t', '--testNamePattern', '--testPathPattern', '--testPathPatterns', '-o', '--onlyChanged', '--changedSince', '--findRelatedTests', '--shard', '--lastCommit'];
const COVERAGE_FLAGS = ['--coverage', '--collectCoverage'];

/** Whether this run covers the whole suite and so must meet the coverage thresholds (see the header). */
export function collectsCoverage(jestArgs: string[]): boolean {
  for (const arg of jestArgs) {
    const name = arg.split('=')[0]!;
    if (COVERAGE_FLAGS.includes(name)) return false; // the caller decides: pass it through untouched
    if (SELECTION_FLAGS.includes(name)) return false;
    if (!arg.startsWith('-')) return false; // a test path pattern (or a flag's value: then be conservative)
  }
  return true;
}

/** Separates `--json` and `--outputFile` (which this script redirects) from the arguments meant for the first run. */
export function splitArgs(args: string[]): SplitArgs {
  const jestArgs: string[] = [];
  let outputFile: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') json = true;
    else if (arg.startsWith('--outputFile=')) outputFile = arg.slice('--outputFile='.length);
    else if (arg === '--outputFile') outputFile = args[++i];
    else jestArgs.push(arg);
  }
  return { jestArgs, outputFile, json };
}

/** Adds up two jest `--json` results as if one run had produced both. */
export function mergeJestJson(first: JestJson, second: JestJson): JestJson {
  const merged: JestJson = { ...first, success: first.success && second.success, testResults: [...first.testResults, ...second.testResults] };
  for (const counter of JEST_COUNTERS) merged[counter] = Number(first[counter] ?? 0) + Number(second[counter] ?? 0);
  merged.startTime = Math.min(first.startTime, second.startTime);
  return merged;
}

function runJest(args: string[], env: NodeJS.ProcessEnv): number {
  // jest's package exports hide bin/, so locate it next to the package's manifest.
  const jestBin = join(dirname(createRequire(import.meta.url).resolve('jest/package.json')), 'bin', 'jest.js');
  const result = spawnSync(process.execPath, [jestBin, ...args], { stdio: 'inherit', env });
  return result.status ?? 1;
}

function readJson(file: string): JestJson | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JestJson;
  } catch {
    return undefined;
  }
}

/**
 * How many of a run's test files are evidence suites that switch the debug switches on: those that import
 * tests/evidence/helpers/service.ts, which turns them on and prints the marker the audit looks for.
 */
export function countEvidenceSuites(result: JestJson | undefined): number {
  const files = (result?.testResults ?? []) as Array<{ name?: string }>;
  return files.filter((file) => {
    const name = file.name ?? '';
    if (!/[\\/]tests[\\/]evidence[\\/]/.test(name)) return false;
    try {
      return readFileSync(name, 'utf8').includes("/helpers/service.ts'");
    } catch {
      return false;
    }
  }).length;
}

function main(args: string[]): number {
  if (args.some((arg) => PASS_THROUGH_FLAGS.includes(arg))) return runJest(args, process.env);

  const { jestArgs, outputFile, json } = splitArgs(args);
  const captureDir = mkdtempSync(join(tmpdir(), 'cognito-fauna-logs-'));
  const env = { ...process.env, [CAPTURE_DIR_ENV]: captureDir };
  const wantJson = json || outputFile !== undefined;
  const firstJson = join(captureDir, 'suites.json');
  const auditJson = join(captureDir, 'audit.json');

  const wholeSuite = collectsCoverage(jestArgs);
  const coverage = wholeSuite ? ['--coverage'] : [];
  // The first run always writes its JSON (to the capture directory), so the audit knows which suites it audits.
  let firstStatus = runJest([...jestArgs, ...coverage, '--json', `--outputFile=${firstJson}`], wholeSuite ? { ...env, [SERVICE_SUITES_ONLY_ENV]: '1' } : env);
  const packageJsons = wholeSuite ? PACKAGE_PROJECTS.map((_, i) => join(captureDir, `package-${i}.json`)) : [];
  PACKAGE_PROJECTS.forEach((config, i) => {
    if (!wholeSuite) return;
    const status = runJest(['--config', config, ...jestArgs, '--coverage', '--json', `--outputFile=${packageJsons[i]}`], env);
    if (status !== 0) firstStatus = status;
  });
  const evidenceSuitesRan = countEvidenceSuites(readJson(firstJson));
  // The override of testPathIgnorePatterns lifts the config's exclusion of the audit suite for this run only.
  const auditStatus = runJest(
    // The path goes first: --testPathIgnorePatterns takes a list and would swallow a path that follows it.
    [AUDIT_SUITE, '--testPathIgnorePatterns=/node_modules/', ...(wantJson ? ['--json', `--outputFile=${auditJson}`] : [])],
    { ...env, [EVIDENCE_SUITES_RAN_ENV]: String(evidenceSuitesRan) },
  );

  if (wantJson) {
    const first = readJson(firstJson);
    const audit = readJson(auditJson);
    // A run that wrote no JSON crashed: count it as a failed suite rather than let the totals look clean.
    const crashed = (): JestJson => ({ success: false, startTime: Date.now(), testResults: [], numRuntimeErrorTestSuites: 1, numTotalTestSuites: 1 });
    const packages = packageJsons.map((file) => readJson(file) ?? crashed());
    const merged = [...packages, audit ?? crashed()].reduce(mergeJestJson, first ?? crashed());
    if (outputFile) writeFileSync(outputFile, JSON.stringify(merged));
    else process.stdout.write(JSON.stringify(merged) + '\n');
  }

  const failed = firstStatus !== 0 || auditStatus !== 0;
  if (failed) console.error(`Captured logs kept for inspection in ${captureDir}`);
  else rmSync(captureDir, { recursive: true, force: true });
  return failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(main(process.argv.slice(2)));
