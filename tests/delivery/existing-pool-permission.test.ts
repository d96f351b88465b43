/**
 * For an existing pool the template has no AWS::Lambda::Permission: the framework's custom resource adds it at
 * deploy time. This runs that code (osls's own module, as it ships in node_modules) with the Lambda API stubbed by
 * aws-sdk-client-mock, to show the permission it adds is scoped to the pool's ARN.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';

const require = createRequire(import.meta.url);
const PERMISSIONS_MODULE = 'serverless/lib/plugins/aws/custom-resources/resources/cognito-user-pool/lib/permissions.js';
// Resolve the SDK the way the framework's module does, so the stub replaces the very class it uses.
const { LambdaClient, AddPermissionCommand } = require(require.resolve('@aws-sdk/client-lambda', { paths: [require.resolve(PERMISSIONS_MODULE)] })) as typeof import('@aws-sdk/client-lambda');
const { addPermission } = require(PERMISSIONS_MODULE) as { addPermission: (config: Record<string, string>) => Promise<unknown> };

const lambdaMock = mockClient(LambdaClient);

afterEach(() => {
  lambdaMock.reset();
});

describe("the framework's existing-pool custom resource (Lambda API stubbed with aws-sdk-client-mock)", () => {
  it('grants Cognito invoke on the function only for the one pool ARN', async () => {
    // Arrange
    lambdaMock.on(AddPermissionCommand).resolves({ Statement: '{}' });

    // Act
    await addPermission({
      functionName: 'cognito-fauna-prod-preTokenGeneration',
      userPoolName: 'cognito-fauna-prod',
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '123456789012',
      userPoolId: 'eu-west-1_AbCdEf123',
    });

    // Assert
    const calls = lambdaMock.commandCalls(AddPermissionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toMatchObject({
      Action: 'lambda:InvokeFunction',
      FunctionName: 'cognito-fauna-prod-preTokenGeneration',
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123',
    });
  });
});
