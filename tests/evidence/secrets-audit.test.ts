/**
 * The secrets audit: runs after every other suite of `npm test` (scripts/test.ts) and reads the log lines they all
 * wrote (tests/helpers/log-capture.ts). No server key and no minted token secret may appear in any of them.
 */
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { captureDir, INSTALLED_SOURCE, readCapturedWrites, readRecordedSecrets } from '../helpers/log-capture.ts';
import { FAUNA_SECRET_SHAPE, findLeaks } from './helpers/secret-scan.ts';

/** Written by tests/evidence/helpers/service.ts when it turns the debug switches on (kept literal: importing that
 * module here would turn them on in the audit's own process too). */
const DEBUG_SWITCHES_MARKER = 'evidence: debug switches on (FAUNA_DEBUG=1, POWERTOOLS_LOGGER_LOG_EVENT=true, LOG_LEVEL=DEBUG)';

describe('secrets audit of the whole test run', () => {
  it('captures what this process writes to stdout and the console', () => {
    // Arrange
    const marker = `audit-capture-check-${randomBytes(8).toString('hex')}`;

    // Act
    process.stdout.write(`${marker} stdout\n`);
    console.info(`${marker} console`);
    const captured = readCapturedWrites().map((write) => write.text);

    // Assert: the console line arrives through the console hook or, in band, through the stream jest's console uses
    expect(captured.filter((text) => text.includes(`${marker} stdout`))).toHaveLength(1);
    expect(captured.filter((text) => text.includes(`${marker} console`)).length).toBeGreaterThanOrEqual(1);
  });

  it('had log capture installed in the suites that ran before it', () => {
    // Arrange
    const dir = captureDir();

    // Act
    const installedElsewhere = readCapturedWrites().filter((write) => write.source === INSTALLED_SOURCE && write.file !== `${process.pid}.log`);

    // Assert
    expect(dir).toBeDefined();
    expect(installedElsewhere.length).toBeGreaterThan(0);
  });

  it('finds a recorded secret that was written to a log line (the detector works)', () => {
    // Arrange: a fake secret in memory only, so the real capture stays clean
    const fakeSecret = `fn${randomBytes(30).toString('base64url')}`;
    const writes = [{ file: 'probe.log', source: 'stdout', text: `{"level":"INFO","message":"token ${fakeSecret}"}\n` }];

    // Act
    const recordedLeaks = findLeaks(writes, [{ kind: 'probe', secret: fakeSecret }]);
    const unrecordedLeaks = findLeaks(writes, []);

    // Assert
    expect(recordedLeaks).toEqual([expect.objectContaining({ kind: 'probe', file: 'probe.log' })]);
    expect(unrecordedLeaks).toEqual([expect.objectContaining({ kind: 'Fauna-shaped secret (not recorded)' })]);
    expect(`a fn-prefixed word like fnord or ${'fn' + 'x'.repeat(10)}`.match(FAUNA_SECRET_SHAPE)).toBeNull();
  });

  it('audited runs had the debug switches on (FAUNA_DEBUG=1, POWERTOOLS_LOGGER_LOG_EVENT=true, LOG_LEVEL=DEBUG)', () => {
    // Arrange: scripts/test.ts says how many evidence suites the first run ran (none in `npm test -- tests/unit`)
    const evidenceSuitesRan = Number(process.env.EVIDENCE_SUITES_RAN ?? 'NaN');

    // Act
    const marked = readCapturedWrites().filter((write) => write.text.includes(DEBUG_SWITCHES_MARKER));

    // Assert: the evidence suites switch them on and say so; no other suite does
    expect(Number.isInteger(evidenceSuitesRan)).toBe(true);
    if (evidenceSuitesRan > 0) expect(marked.length).toBeGreaterThan(0);
    else expect(marked).toEqual([]);
  });

  it('finds no server key, no minted token secret and no full user email in any captured log line', () => {
    // Arrange
    const secrets = readRecordedSecrets();
    const writes = readCapturedWrites();

    // Act
    const leaks = findLeaks(writes, secrets);

    // Assert: a failure lists the kind, a hint and the capture file of each leak, never the secret itself
    expect(writes.length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });
});
