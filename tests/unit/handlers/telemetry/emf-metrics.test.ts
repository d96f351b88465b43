import { describe, expect, it } from '@jest/globals';
import { EmfMetrics, MAX_VALUES_PER_METRIC } from '../../../../handlers/common/telemetry/emf-metrics.ts';

function metricsWritingTo(lines: string[]): EmfMetrics {
  return new EmfMetrics({ namespace: 'Ns', serviceName: 'svc', write: (line) => lines.push(line), now: () => 1_796_000_000_000 });
}

describe('EmfMetrics (CloudWatch Embedded Metric Format, one record per invocation)', () => {
  it('writes the stored metrics as one EMF record with the namespace and the service as the one dimension', () => {
    // Arrange
    const lines: string[] = [];
    const metrics = metricsWritingTo(lines);
    metrics.addMetric('SignIns', 'Count', 1);
    metrics.addMetric('FaunaLatency', 'Milliseconds', 3.5);

    // Act
    metrics.flush();

    // Assert
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      _aws: {
        Timestamp: 1_796_000_000_000,
        CloudWatchMetrics: [{ Namespace: 'Ns', Dimensions: [['service']], Metrics: [{ Name: 'SignIns', Unit: 'Count' }, { Name: 'FaunaLatency', Unit: 'Milliseconds' }] }],
      },
      service: 'svc',
      SignIns: 1,
      FaunaLatency: 3.5,
    });
  });

  it('keeps every value of a metric added twice (an EMF value array), up to EMF’s 100', () => {
    // Arrange
    const lines: string[] = [];
    const metrics = metricsWritingTo(lines);
    metrics.addMetric('FaunaKeyRefetches', 'Count', 1);
    metrics.addMetric('FaunaKeyRefetches', 'Count', 1);
    for (let i = 0; i < 150; i++) metrics.addMetric('Many', 'Count', i);

    // Act
    metrics.flush();

    // Assert
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record.FaunaKeyRefetches).toEqual([1, 1]);
    expect(record.Many).toHaveLength(MAX_VALUES_PER_METRIC);
  });

  it('writes nothing when no metric was added, and forgets what it wrote', () => {
    // Arrange
    const lines: string[] = [];
    const metrics = metricsWritingTo(lines);

    // Act
    metrics.flush();
    metrics.addMetric('SignIns', 'Count', 1);
    metrics.flush();
    metrics.flush();

    // Assert
    expect(lines).toHaveLength(1);
  });
});

describe('EmfMetrics values CloudWatch would reject', () => {
  it('drops a value that is not a finite number, keeping the record valid JSON', () => {
    // Arrange
    const lines: string[] = [];
    const metrics = metricsWritingTo(lines);
    metrics.addMetric('FaunaLatency', 'Milliseconds', Number.NaN);
    metrics.addMetric('FaunaLatency', 'Milliseconds', Infinity);
    metrics.addMetric('SignIns', 'Count', 1);

    // Act
    metrics.flush();

    // Assert
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).not.toHaveProperty('FaunaLatency');
    expect(record.SignIns).toBe(1);
  });
});
