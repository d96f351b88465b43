import { describe, expect, it } from '@jest/globals';
import { JsonLogger, type LogLevel, logLevelFrom } from '../../../../handlers/common/telemetry/json-logger.ts';

function loggerAt(level?: LogLevel): { logger: JsonLogger; records: () => Record<string, unknown>[]; lines: string[] } {
  const lines: string[] = [];
  const logger = new JsonLogger({ serviceName: 'svc', level, write: (line) => lines.push(line), now: () => new Date('2026-11-30T08:00:00.000Z') });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('JsonLogger (one JSON object per line, Powertools field names)', () => {
  it('writes level, message, timestamp and service, then persistent keys, invocation keys and the call’s attributes', () => {
    // Arrange
    const { logger, records, lines } = loggerAt();
    logger.appendPersistentKeys({ stage: 'dev' });
    logger.startInvocation({ function_request_id: 'r-1', cold_start: true });

    // Act
    logger.info('Signed in', { userId: '42' }, { outcome: 'existing' });

    // Assert
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(records()[0]).toEqual({
      level: 'INFO', message: 'Signed in', timestamp: '2026-11-30T08:00:00.000Z', service: 'svc', stage: 'dev',
      function_request_id: 'r-1', cold_start: true, userId: '42', outcome: 'existing',
    });
  });

  it('forgets the previous invocation’s keys at the next startInvocation, keeping the persistent ones', () => {
    // Arrange
    const { logger, records } = loggerAt();
    logger.appendPersistentKeys({ stage: 'dev' });
    logger.startInvocation({ function_request_id: 'r-1', triggerSource: 'TokenGeneration_Authentication' });

    // Act
    logger.startInvocation({ function_request_id: 'r-2' });
    logger.warn('second');

    // Assert
    expect(records()[0]).toEqual({ level: 'WARN', message: 'second', timestamp: expect.any(String), service: 'svc', stage: 'dev', function_request_id: 'r-2' });
  });

  it('lets a call’s attribute win over a key of the same name, and drops undefined values as JSON does', () => {
    // Arrange
    const { logger, records } = loggerAt();
    logger.startInvocation({ outcome: 'pending', xray_trace_id: undefined });

    // Act
    logger.error('Sign-in failed', { outcome: 'failed' });

    // Assert
    expect(records()[0]).toMatchObject({ level: 'ERROR', outcome: 'failed' });
    expect(records()[0]).not.toHaveProperty('xray_trace_id');
  });

  it.each([
    ['DEBUG', ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    ['INFO', ['INFO', 'WARN', 'ERROR']],
    ['WARN', ['WARN', 'ERROR']],
    ['ERROR', ['ERROR']],
    ['SILENT', []],
  ] as const)('at %s writes only %j', (level, written) => {
    // Arrange
    const { logger, records } = loggerAt(level);

    // Act
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');

    // Assert
    expect(records().map((record) => record.level)).toEqual(written);
  });
});

describe('logLevelFrom (LOG_LEVEL, then Lambda’s AWS_LAMBDA_LOG_LEVEL, else INFO)', () => {
  it('reads LOG_LEVEL in any case', () => {
    expect(logLevelFrom({ LOG_LEVEL: 'debug' })).toEqual({ level: 'DEBUG' });
  });

  it('falls back to Lambda’s advanced logging control, then to INFO', () => {
    expect(logLevelFrom({ AWS_LAMBDA_LOG_LEVEL: 'WARN' })).toEqual({ level: 'WARN' });
    expect(logLevelFrom({})).toEqual({ level: 'INFO' });
    expect(logLevelFrom({ LOG_LEVEL: '' })).toEqual({ level: 'INFO' });
  });

  it('answers INFO for an unknown value and names the value and the accepted ones in `problem`', () => {
    // Act
    const { level, problem } = logLevelFrom({ LOG_LEVEL: 'verbose' });

    // Assert
    expect(level).toBe('INFO');
    expect(problem).toBe('LOG_LEVEL "verbose" is not one of DEBUG, INFO, WARN, ERROR, SILENT; logging at INFO');
  });
});
