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
 *
 * A jest run that has written its results but does not exit (a test left a server, socket, timer or child process open:
 * jest then only warns "Jest did not exit one second after the test run has completed" and waits for ever) is stopped
 * after EXIT_GRACE_MS and counted as a failed suite, with the command that finds the handle: a leak fails the run
 * instead of hanging it until CI's time limit.
 */
import { spawn, spawnSync } from 'node:child_process';
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
export const PASS_THROUGH_FLAGS = ['--watch', '--watchAll', '--listTests', '--help', '-h', '--version', '--showConfig'];

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

/** How long a jest run may take to exit once it has written its results; `JEST_EXIT_GRACE_MS` overrides it. */
export const EXIT_GRACE_MS = 30_000;

export interface WatchedRun {
  /** The exit code (1 when the run was stopped or died on a signal). */
  status: number;
  /** The run wrote its result file but did not exit within the grace period, and was stopped. */
  hung: boolean;
}

/**
 * Runs `command args` with the terminal's stdio and waits for it to exit. Once `resultFile` holds a complete JSON
 * document (jest writes it when the last suite has ended), the process has `graceMs` to exit; after that it is killed
 * (its workers end with it: their IPC channel closes) and reported as hung.
 */
export function runWithExitWatchdog(command: string, args: string[], env: NodeJS.ProcessEnv, resultFile: string, graceMs: number): Promise<WatchedRun> {
  rmSync(resultFile, { force: true }); // a stale file must not start the clock
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    let hung = false;
    let deadline: NodeJS.Timeout | undefined;
    const poll = setInterval(() => {
      if (deadline !== undefined || readJson(resultFile) === undefined) return; // absent or still incomplete
      deadline = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, graceMs);
    }, 250);
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(deadline);
      resolve({ status: hung ? 1 : (code ?? 1), hung });
    });
  });
}

/** The path of jest's CLI (jest's package exports hide bin/, so it is located next to the package's manifest). */
function jestBin(): string {
  return join(dirname(createRequire(import.meta.url).resolve('jest/package.json')), 'bin', 'jest.js');
}

/** A jest run for the modes that end on their own and write no results (--watch, --listTests, --help …). */
export function runJestPlain(args: string[], env: NodeJS.ProcessEnv): number {
  return spawnSync(process.execPath, [jestBin(), ...args], { stdio: 'inherit', env }).status ?? 1;
}

/** A jest run that writes its results to `resultFile`; a run that does not exit after writing them fails (see the header). */
export async function runJest(args: string[], env: NodeJS.ProcessEnv, resultFile: string): Promise<number> {
  const graceMs = Number(process.env.JEST_EXIT_GRACE_MS ?? EXIT_GRACE_MS);
  const run = await runWithExitWatchdog(process.execPath, [jestBin(), ...args, '--json', `--outputFile=${resultFile}`], env, resultFile, graceMs);
  if (run.hung) {
    console.error(
      `\njest ${args.join(' ')}: its suites ended but it had not exited ${graceMs / 1000} s later, so it was stopped and the run counts as failed. ` +
        'A test left a server, socket, timer or child process open. Find it with `npm test -- <suite path> --detectOpenHandles`.',
    );
    const result = readJson(resultFile);
    if (result !== undefined) writeFileSync(resultFile, JSON.stringify(markHung(result)));
  }
  return run.status;
}

/** A run's results with one more failed suite, so that a run stopped for not exiting never totals as clean. */
export function markHung(result: JestJson): JestJson {
  return {
    ...result,
    success: false,
    numRuntimeErrorTestSuites: Number(result.numRuntimeErrorTestSuites ?? 0) + 1,
    numFailedTestSuites: Number(result.numFailedTestSuites ?? 0) + 1,
  };
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

async function main(args: string[]): Promise<number> {
  if (args.some((arg) => PASS_THROUGH_FLAGS.includes(arg))) return runJestPlain(args, process.env);

  const { jestArgs, outputFile, json } = splitArgs(args);
  const captureDir = mkdtempSync(join(tmpdir(), 'cognito-fauna-logs-'));
  const env = { ...process.env, [CAPTURE_DIR_ENV]: captureDir };
  const wantJson = json || outputFile !== undefined;
  const firstJson = join(captureDir, 'suites.json');
  const auditJson = join(captureDir, 'audit.json');

  const wholeSuite = collectsCoverage(jestArgs);
  const coverage = wholeSuite ? ['--coverage'] : [];
  // The first run always writes its JSON (to the capture directory), so the audit knows which suites it audits.
  let firstStatus = await runJest([...jestArgs, ...coverage], wholeSuite ? { ...env, [SERVICE_SUITES_ONLY_ENV]: '1' } : env, firstJson);
  const packageJsons = wholeSuite ? PACKAGE_PROJECTS.map((_, i) => join(captureDir, `package-${i}.json`)) : [];
  for (const [i, config] of PACKAGE_PROJECTS.entries()) {
    if (!wholeSuite) break;
    const status = await runJest(['--config', config, ...jestArgs, '--coverage'], env, packageJsons[i]!);
    if (status !== 0) firstStatus = status;
  }
  const evidenceSuitesRan = countEvidenceSuites(readJson(firstJson));
  // The override of testPathIgnorePatterns lifts the config's exclusion of the audit suite for this run only.
  const auditStatus = await runJest(
    // The path goes first: --testPathIgnorePatterns takes a list and would swallow a path that follows it.
    [AUDIT_SUITE, '--testPathIgnorePatterns=/node_modules/'],
    { ...env, [EVIDENCE_SUITES_RAN_ENV]: String(evidenceSuitesRan) },
    auditJson,
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(await main(process.argv.slice(2)));
