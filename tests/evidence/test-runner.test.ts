/** `npm test` runs jest twice (scripts/test.ts); `.ci/run` must still read correct totals from the merged JSON. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectsCoverage, countEvidenceSuites, markHung, mergeJestJson, runWithExitWatchdog, splitArgs } from '../../scripts/test.ts';

const run = (passed: number, failed: number, runtimeErrors: number, results: string[]) => ({
  success: failed === 0 && runtimeErrors === 0,
  startTime: 1000 + passed,
  numTotalTests: passed + failed,
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: 0,
  numTodoTests: 0,
  numTotalTestSuites: results.length,
  numPassedTestSuites: results.length - runtimeErrors,
  numFailedTestSuites: runtimeErrors,
  numPendingTestSuites: 0,
  numRuntimeErrorTestSuites: runtimeErrors,
  testResults: results,
});

describe('npm test runner (scripts/test.ts)', () => {
  it('takes --json and --outputFile (either spelling) for itself and passes every other argument to jest', () => {
    // Act
    const joined = splitArgs(['tests/unit', '--json', '--outputFile=/tmp/r.json', '-t', 'config']);
    const separate = splitArgs(['--outputFile', '/tmp/s.json', 'tests/e2e']);

    // Assert
    expect(joined).toEqual({ jestArgs: ['tests/unit', '-t', 'config'], outputFile: '/tmp/r.json', json: true });
    expect(separate).toEqual({ jestArgs: ['tests/e2e'], outputFile: '/tmp/s.json', json: false });
  });

  it('adds up the counts of the suites run and the audit run, so .ci/run prints the totals of both', () => {
    // Arrange
    const suites = run(120, 2, 1, ['a', 'b', 'c']);
    const audit = run(4, 0, 0, ['audit']);

    // Act
    const merged = mergeJestJson(suites, audit);

    // Assert
    expect(merged).toMatchObject({
      success: false,
      startTime: 1004,
      numTotalTests: 126,
      numPassedTests: 124,
      numFailedTests: 2,
      numTotalTestSuites: 4,
      numRuntimeErrorTestSuites: 1,
      testResults: ['a', 'b', 'c', 'audit'],
    });
  });

  it('fails the merged run when only the audit failed', () => {
    // Act
    const merged = mergeJestJson(run(10, 0, 0, ['a']), run(3, 1, 0, ['audit']));

    // Assert
    expect(merged.success).toBe(false);
    expect(merged.numFailedTests).toBe(1);
  });

  it('collects coverage (held to jest.config.js thresholds) on a whole-suite run only, and leaves an explicit choice alone', () => {
    // Act + Assert: the whole suite, as CI runs it (.ci/run's --json flags are split off before)
    expect(collectsCoverage([])).toBe(true);
    expect(collectsCoverage(['--ci', '--maxWorkers=2'])).toBe(true);
    // part of the suite: a path, a name filter, changed files
    expect(collectsCoverage(['tests/unit'])).toBe(false);
    expect(collectsCoverage(['-t', 'config'])).toBe(false);
    expect(collectsCoverage(['--onlyChanged'])).toBe(false);
    // the caller's own coverage flag is passed through as given
    expect(collectsCoverage(['--coverage=false'])).toBe(false);
  });

  it('counts the evidence suites that switch the debug switches on, so a filtered run is audited for what it ran', () => {
    // Arrange: jest's --json names test files by absolute path
    const root = process.cwd();
    const result = {
      success: true, startTime: 0,
      testResults: [
        { name: `${root}/tests/evidence/faults.test.ts` }, // imports helpers/service.ts
        { name: `${root}/tests/evidence/test-runner.test.ts` }, // this file: it does not
        { name: `${root}/tests/unit/sanity.test.ts` },
        { name: `${root}/tests/evidence/no-such-suite.test.ts` },
      ],
    };

    // Act + Assert
    expect(countEvidenceSuites(result)).toBe(1);
    expect(countEvidenceSuites(undefined)).toBe(0);
  });

  describe('a run that writes its results but does not exit (a test left a handle open)', () => {
    // Real child processes stand in for jest: each writes a result file the way jest's --outputFile does.
    const dir = mkdtempSync(join(tmpdir(), 'test-runner-'));
    const resultFile = join(dir, 'result.json');
    const writeResult = `require('fs').writeFileSync(${JSON.stringify(resultFile)}, JSON.stringify({ success: true }));`;
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is stopped after the grace period and reported as hung, with a failing status', async () => {
      // Act: results written, then an interval keeps the process alive for ever, as a leaked server would
      const started = Date.now();
      const run = await runWithExitWatchdog(process.execPath, ['-e', `${writeResult} setInterval(() => {}, 1000);`], process.env, resultFile, 500);

      // Assert
      expect(run).toEqual({ status: 1, hung: true });
      expect(Date.now() - started).toBeLessThan(15_000);
    });

    it('is not stopped when it exits after writing, whatever its status', async () => {
      // Act
      const clean = await runWithExitWatchdog(process.execPath, ['-e', `${writeResult} setTimeout(() => process.exit(0), 200);`], process.env, resultFile, 5_000);
      const failing = await runWithExitWatchdog(process.execPath, ['-e', `${writeResult} process.exit(3);`], process.env, resultFile, 5_000);

      // Assert
      expect(clean).toEqual({ status: 0, hung: false });
      expect(failing).toEqual({ status: 3, hung: false });
    });

    it('never starts the clock on a result file left by an earlier run, so a long run is not cut short', async () => {
      // Arrange: a complete result from before; this run writes nothing and takes longer than the grace period
      await runWithExitWatchdog(process.execPath, ['-e', writeResult], process.env, resultFile, 5_000);

      // Act
      const run = await runWithExitWatchdog(process.execPath, ['-e', 'setTimeout(() => process.exit(0), 1500);'], process.env, resultFile, 300);

      // Assert
      expect(run).toEqual({ status: 0, hung: false });
    });

    it('counts a stopped run as one more failed suite, so .ci/run never prints a clean total for it', () => {
      // Act
      const marked = markHung(run(40, 0, 0, ['a']));

      // Assert
      expect(marked).toMatchObject({ success: false, numRuntimeErrorTestSuites: 1, numFailedTestSuites: 1, numPassedTests: 40 });
    });
  });
});
