import { describe, expect, it } from '@jest/globals';
import { initStartedAt } from '../../../handlers/common/init-started-at.ts';

describe('initStartedAt (when Cognito’s clock for the first invocation started)', () => {
  it('is the process’s time origin (0) inside Lambda, where the runtime process was started for this init', () => {
    // Act
    const started = initStartedAt({ AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001' }, () => 12_345);

    // Assert
    expect(started).toBe(0);
  });

  it('is the module’s load time elsewhere (serverless offline, invoke local), where the process may be long running', () => {
    // Act
    const started = initStartedAt({}, () => 12_345);

    // Assert
    expect(started).toBe(12_345);
  });
});
