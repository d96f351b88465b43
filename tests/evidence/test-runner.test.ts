/** `npm test` runs jest twice (scripts/test.ts); `.ci/run` must still read correct totals from the merged JSON. */
import { describe, expect, it } from '@jest/globals';
import { collectsCoverage, countEvidenceSuites, mergeJestJson, splitArgs } from '../../scripts/test.ts';

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
});
