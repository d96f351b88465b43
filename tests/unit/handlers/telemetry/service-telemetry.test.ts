import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createTelemetry } from '../../../../handlers/common/telemetry/service-telemetry.ts';

describe('createTelemetry (the logger and metrics both functions build at cold start)', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('logs a bad LOG_LEVEL once, to stdout, and keeps logging at INFO rather than failing the function', () => {
    // Arrange
    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));

    // Act
    const { logger } = createTelemetry({ LOG_LEVEL: 'loud' });
    logger.debug('hidden');

    // Assert
    expect(logger.level).toBe('INFO');
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0]!)).toMatchObject({ level: 'WARN', service: 'cognito-fauna', message: expect.stringContaining('LOG_LEVEL "loud"') });
  });

  it('uses the logger and metrics it is given', () => {
    // Arrange
    const given = createTelemetry({ LOG_LEVEL: 'ERROR' });

    // Act
    const built = createTelemetry({ LOG_LEVEL: 'loud' }, given);

    // Assert
    expect(built.logger).toBe(given.logger);
    expect(built.metrics).toBe(given.metrics);
  });
});
