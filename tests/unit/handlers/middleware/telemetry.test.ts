import { describe, expect, it } from '@jest/globals';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { telemetryMiddleware, triggerEventKeys } from '../../../../handlers/common/middleware/telemetry.ts';
import { EmfMetrics } from '../../../../handlers/common/telemetry/emf-metrics.ts';
import { JsonLogger } from '../../../../handlers/common/telemetry/json-logger.ts';

function chain(body: (event: unknown) => Promise<unknown>) {
  const lines: string[] = [];
  const logger = new JsonLogger({ serviceName: 'svc', write: (line) => lines.push(line) });
  const metrics = new EmfMetrics({ namespace: 'Ns', serviceName: 'svc', write: (line) => lines.push(line) });
  const handler = middy(async (event: unknown) => {
    logger.info('inside');
    metrics.addMetric('Calls', 'Count', 1);
    return body(event);
  }).use(telemetryMiddleware({ logger, metrics, eventKeys: triggerEventKeys }));
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { handler, records };
}

const context = (awsRequestId: string) => ({ awsRequestId, functionName: 'fn' }) as Context;
const EVENT = { version: '1', triggerSource: 'TokenGeneration_Authentication', userPoolId: 'us-east-1_Abc', request: { userAttributes: { email: 'kate@example.com' } } };

describe('telemetryMiddleware (real Middy chain)', () => {
  it('puts the invocation’s context and the event’s non-personal keys on its lines, never the event’s attributes', async () => {
    // Arrange
    const { handler, records } = chain(async () => 'ok');

    // Act
    await handler(EVENT, context('r-1'));
    await handler(EVENT, context('r-2'));

    // Assert
    const logs = records().filter((record) => record.message === 'inside');
    expect(logs[0]).toMatchObject({
      cold_start: true, function_name: 'fn', function_request_id: 'r-1', correlation_id: 'r-1',
      triggerSource: 'TokenGeneration_Authentication', eventVersion: '1', userPoolId: 'us-east-1_Abc',
    });
    expect(logs[1]).toMatchObject({ cold_start: false, function_request_id: 'r-2' });
    expect(JSON.stringify(records())).not.toContain('kate@example.com');
  });

  it('writes the metrics after an answer and after a failure, one record each', async () => {
    // Arrange
    const answered = chain(async () => 'ok');
    const failed = chain(async () => {
      throw new Error('boom');
    });

    // Act
    await answered.handler(EVENT, context('r-1'));
    await expect(failed.handler(EVENT, context('r-2'))).rejects.toThrow('boom');

    // Assert
    for (const { records } of [answered, failed]) expect(records().filter((record) => '_aws' in record)).toEqual([expect.objectContaining({ Calls: 1 })]);
  });

  it('leaves out event keys that are not strings (validation runs later in the chain)', () => {
    expect(triggerEventKeys(null)).toEqual({ triggerSource: undefined, eventVersion: undefined, userPoolId: undefined });
    expect(triggerEventKeys({ version: 1, triggerSource: ['x'] })).toEqual({ triggerSource: undefined, eventVersion: undefined, userPoolId: undefined });
  });
});
