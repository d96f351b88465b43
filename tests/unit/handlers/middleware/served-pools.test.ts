import { describe, expect, it } from '@jest/globals';
import { createServedPools, SERVED_POOLS_PARAMETER } from '../../../../handlers/sign-in/middleware/served-pools.ts';
import { ServedPoolsUnavailableError } from '../../../../lib/common/errors.ts';

describe('createServedPools (the pools this function serves)', () => {
  it('answers the environment’s ids and asks SSM for nothing on the local stage', () => {
    // Act
    const pools = createServedPools({ kind: 'environment', ids: ['us-east-1_Local1'] });

    // Assert
    expect(pools.ssmParameters).toEqual({});
    expect(pools.ids(undefined)).toEqual(['us-east-1_Local1']);
  });

  it('reads the ids from the fetched parameter, and follows a new value after a refetch', () => {
    // Arrange
    const pools = createServedPools({ kind: 'ssm', parameterName: '/cognito-fauna/dev/user-pool-id' });
    // Act
    const first = pools.ids('us-east-1_First1');
    const again = pools.ids('us-east-1_First1');
    const afterRefetch = pools.ids('us-east-1_First1,eu-west-1_Second2');

    // Assert
    expect(pools.ssmParameters).toEqual({ [SERVED_POOLS_PARAMETER]: '/cognito-fauna/dev/user-pool-id' });
    expect(first).toEqual(['us-east-1_First1']);
    expect(again).toBe(first);
    expect(afterRefetch).toEqual(['us-east-1_First1', 'eu-west-1_Second2']);
  });

  it('refuses a missing or malformed value every time, naming the parameter', () => {
    // Arrange
    const pools = createServedPools({ kind: 'ssm', parameterName: '/cognito-fauna/dev/user-pool-id' });

    // Act / Assert
    for (const value of [undefined, 'not a pool id', 'not a pool id']) {
      expect(() => pools.ids(value)).toThrow(ServedPoolsUnavailableError);
    }
    expect(() => pools.ids(undefined)).toThrow('/cognito-fauna/dev/user-pool-id');
  });
});
