import { describe, expect, it } from '@jest/globals';
import { functionHome } from '../../../lib/revocation/function-home.ts';

describe('functionHome (the account and region a Lambda function runs in)', () => {
  it('reads both from the function ARN, with or without a version or alias, ignoring AWS_REGION', () => {
    expect(functionHome('arn:aws:lambda:eu-west-1:123456789012:function:cognito-fauna-dev-revokeFaunaTokens', 'us-east-1')).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(functionHome('arn:aws:lambda:us-gov-west-1:123456789012:function:revoke:7', undefined)).toEqual({ account: '123456789012', region: 'us-gov-west-1' });
    expect(functionHome('arn:aws-cn:lambda:cn-north-1:123456789012:function:revoke:$LATEST', undefined)).toEqual({ account: '123456789012', region: 'cn-north-1' });
  });

  it('falls back to the region alone (account unknown) without an ARN, or with one that is not a function\'s', () => {
    expect(functionHome(undefined, 'us-east-1')).toEqual({ account: undefined, region: 'us-east-1' });
    expect(functionHome('arn:aws:iam::123456789012:role/x', undefined)).toEqual({ account: undefined, region: undefined });
    expect(functionHome(42, 'us-east-1')).toEqual({ account: undefined, region: 'us-east-1' });
  });
});
