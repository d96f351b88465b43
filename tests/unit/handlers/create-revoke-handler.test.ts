import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { createRevokeFaunaTokensHandler } from '../../../handlers/revocation/create-revoke-handler.ts';
import type { CloudTrailEvent } from '../../../lib/revocation/cloudtrail-event.ts';
import { captureText } from '../../helpers/log-capture.ts';

const POOL = 'us-east-1_EXAMPLE12';
const sample = () => JSON.parse(readFileSync(new URL('../../../events/cloudtrail/admin-disable-user.json', import.meta.url), 'utf8')) as CloudTrailEvent;
/** A caller that passes no Lambda context methods (local tools): the handler falls back to its own timeout. */
const bareContext = { awsRequestId: 'unit-revocation' } as unknown as Context;

describe('createRevokeFaunaTokensHandler with its default logger and metrics (local stage, key from the environment)', () => {
  const env = { STAGE: 'local', FAUNA_ENDPOINT: 'http://127.0.0.1:9', FAUNA_SECRET: 'fnUnitTestKey', USER_POOL_IDS: POOL, LOG_LEVEL: 'ERROR' };
  /** What the default logger writes to stdout: kept here (and in the secrets audit's capture), off the terminal. */
  const stdout: string[] = [];
  const errorMessages = () => stdout.map((line) => JSON.parse(line) as { level?: string; message?: string }).filter((line) => line.level === 'ERROR').map((line) => line.message);

  beforeEach(() => {
    stdout.length = 0;
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      const text = String(chunk);
      stdout.push(...text.split('\n').filter(Boolean));
      captureText('stdout', text);
      return true;
    });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('answers a permanent failure (an event of another kind) without a Lambda context, and throws a transient one (Fauna down)', async () => {
    // Arrange
    const built = createRevokeFaunaTokensHandler(env);
    const foreign = { ...sample(), source: 'aws.s3' };

    try {
      // Act
      const answer = await built.handler(foreign, bareContext);
      const down = built.handler(sample(), bareContext);

      // Assert
      expect(answer).toEqual({ outcome: 'failed', error: 'InvalidRevocationEventError' });
      await expect(down).rejects.toMatchObject({ transient: true });
      expect(errorMessages()).toEqual(['Revocation failed', 'Revocation failed']);
    } finally {
      built.dispose();
    }
  });

  it('stops at cold start with the ConfigError when a setting is wrong', () => {
    expect(() => createRevokeFaunaTokensHandler({ ...env, USER_POOL_IDS: '*' })).toThrow(expect.objectContaining({ name: 'ConfigError' }));
    expect(errorMessages()).toEqual(['Invalid configuration: the function cannot start']);
  });
});
