/**
 * Deploy rehearsal: `npm run deploy -- --stage <s>` (osls, the repo's `serverless`) for dev, staging and prod against
 * an AWS emulator, moto_server, then a second deploy and `serverless remove`, each checked in the emulator's state.
 *
 * Not part of `npm test` (it needs Python's moto): `npm run rehearse` runs it, and .ci/run does where moto_server is
 * installed (printing SKIPPED with the reason elsewhere). What moto cannot do is done by the rehearsal's launcher
 * (tests/rehearsal/emulator/moto_rehearsal.py), and the tests' names say where: the created pool is a moto pool made
 * by the launcher's CloudFormation model for AWS::Cognito::UserPool (moto has none); the existing pool's
 * Custom::CognitoUserPool runs the framework's own handler from its uploaded zip under Node (moto needs Docker).
 * CloudWatch alarms and the bucket policy are not in moto's CloudFormation: they are checked by tests/delivery/.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CloudFormationClient, DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient, CreateUserPoolCommand, DescribeUserPoolCommand, ListUserPoolsCommand, UpdateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, GetPolicyCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type CommandResult, type Emulator, rehearsalEnv, runCommand, startEmulator } from './helpers/emulator.ts';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012'; // moto's default account
const DEPLOY_TIMEOUT_MS = 240_000;

let emulator: Emulator;
let env: NodeJS.ProcessEnv;
let clients: {
  cloudFormation: CloudFormationClient;
  cognito: CognitoIdentityProviderClient;
  events: EventBridgeClient;
  iam: IAMClient;
  lambda: LambdaClient;
  ssm: SSMClient;
};

beforeAll(async () => {
  emulator = await startEmulator();
  env = rehearsalEnv(emulator);
  const config = { region: REGION, endpoint: emulator.url, credentials: { accessKeyId: 'rehearsal', secretAccessKey: 'rehearsal' } };
  clients = {
    cloudFormation: new CloudFormationClient(config),
    cognito: new CognitoIdentityProviderClient(config),
    events: new EventBridgeClient(config),
    iam: new IAMClient(config),
    lambda: new LambdaClient(config),
    ssm: new SSMClient(config),
  };
}, 120_000);

afterAll(async () => {
  for (const client of Object.values(clients ?? {})) client.destroy();
  await emulator?.stop();
});

/** `npm run deploy -- --stage <stage> …`, as docs/deploy.md gives it. */
const deploy = (stage: string, ...extra: string[]) => runCommand('npm', ['run', 'deploy', '--', '--stage', stage, ...extra], env);
/** `npx serverless remove --stage <stage> …` */
const remove = (stage: string, ...extra: string[]) => runCommand('npx', ['serverless', 'remove', '--stage', stage, ...extra], env);

function expectSuccess(result: CommandResult): void {
  if (result.code !== 0) throw new Error(`exit ${result.code}:\n${result.output.slice(-4000)}\n--- emulator ---\n${emulator.output().slice(-4000)}`);
}

const functionName = (stage: string, fn: string) => `cognito-fauna-${stage}-${fn}`;
const functionArn = (stage: string, fn: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName(stage, fn)}`;
const poolArn = (id: string) => `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${id}`;

interface PolicyStatement {
  Principal: { Service: string };
  Action: string;
  Condition?: { ArnLike?: { 'AWS:SourceArn'?: string } };
}

async function invokePolicy(stage: string, fn: string): Promise<PolicyStatement[]> {
  const policy = await clients.lambda.send(new GetPolicyCommand({ FunctionName: functionName(stage, fn) }));
  return (JSON.parse(policy.Policy!) as { Statement: PolicyStatement[] }).Statement;
}

async function poolsNamed(name: string): Promise<string[]> {
  const pools = await clients.cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  return (pools.UserPools ?? []).filter((pool) => pool.Name === name).map((pool) => pool.Id!);
}

async function triggerConfig(poolId: string) {
  const pool = await clients.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
  return pool.UserPool!.LambdaConfig?.PreTokenGenerationConfig;
}

async function servedPoolParameter(stage: string): Promise<string> {
  const parameter = await clients.ssm.send(new GetParameterCommand({ Name: `/cognito-fauna/${stage}/user-pool-id` }));
  return parameter.Parameter!.Value!;
}

/** The revocation rule of the stage: its pattern's pool ids, its target, and the invoke permission EventBridge has. */
async function expectRevocationWiredTo(stage: string, poolId: string): Promise<void> {
  const rules = await clients.events.send(new ListRulesCommand({ NamePrefix: `cognito-fauna-${stage}-` }));
  expect(rules.Rules).toHaveLength(1);
  const rule = rules.Rules![0]!;
  const pattern = JSON.parse(rule.EventPattern!) as { detail: { $or: Record<string, { userPoolId: string[] }>[] } };
  expect(pattern.detail.$or.flatMap((branch) => Object.values(branch).flatMap((field) => field.userPoolId))).toEqual([poolId, poolId]);
  const targets = await clients.events.send(new ListTargetsByRuleCommand({ Rule: rule.Name! }));
  expect(targets.Targets!.map((target) => target.Arn)).toEqual([functionArn(stage, 'revokeFaunaTokens')]);
  const permissions = await invokePolicy(stage, 'revokeFaunaTokens');
  expect(permissions.map((s) => [s.Principal.Service, s.Action, s.Condition?.ArnLike?.['AWS:SourceArn']])).toEqual([['events.amazonaws.com', 'lambda:InvokeFunction', rule.Arn]]);
  const revoker = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName(stage, 'revokeFaunaTokens') }));
  expect(revoker.Environment?.Variables?.USER_POOL_IDS).toBe(poolId);
}

async function expectTriggerWiredTo(stage: string, poolId: string, version: string): Promise<void> {
  expect(await triggerConfig(poolId)).toEqual({ LambdaArn: functionArn(stage, 'preTokenGeneration'), LambdaVersion: version });
  const permissions = await invokePolicy(stage, 'preTokenGeneration');
  expect(permissions.map((s) => [s.Principal.Service, s.Action, s.Condition?.ArnLike?.['AWS:SourceArn']])).toEqual([['cognito-idp.amazonaws.com', 'lambda:InvokeFunction', poolArn(poolId)]]);
}

/** The CloudWatch Logs grants of a function's deployed role: [actions, resources] per statement. */
async function logGrants(stage: string, fn: string): Promise<[string[], string[]][]> {
  const config = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName(stage, fn) }));
  const roleName = config.Role!.split('/').pop()!;
  const names = (await clients.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
  const grants: [string[], string[]][] = [];
  for (const policyName of names) {
    const policy = await clients.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    const document = JSON.parse(decodeURIComponent(policy.PolicyDocument!)) as { Statement: { Action: string | string[]; Resource: string | string[] }[] };
    for (const statement of document.Statement) {
      const actions = [statement.Action].flat();
      if (actions.some((action) => action.startsWith('logs:'))) grants.push([actions.sort(), [statement.Resource].flat()]);
    }
  }
  return grants;
}

async function stackStatus(stage: string): Promise<string | undefined> {
  const stacks = await clients.cloudFormation.send(new ListStacksCommand({}));
  return stacks.StackSummaries?.find((stack) => stack.StackName === `cognito-fauna-${stage}` && stack.StackStatus !== 'DELETE_COMPLETE')?.StackStatus;
}

async function stageFunctions(stage: string): Promise<string[]> {
  const functions = await clients.lambda.send(new ListFunctionsCommand({}));
  return (functions.Functions ?? []).map((fn) => fn.FunctionName!).filter((name) => name.startsWith(`cognito-fauna-${stage}-`)).sort();
}

async function expectStageGone(stage: string): Promise<void> {
  expect(await stackStatus(stage)).toBeUndefined();
  expect(await stageFunctions(stage)).toEqual([]);
  await expect(servedPoolParameter(stage)).rejects.toMatchObject({ name: 'ParameterNotFound' });
  const rules = await clients.events.send(new ListRulesCommand({ NamePrefix: `cognito-fauna-${stage}-` }));
  expect(rules.Rules ?? []).toEqual([]);
}

describe.each([
  { stage: 'dev', version: 'V2_0', tier: 'ESSENTIALS' },
  { stage: 'staging', version: 'V2_0', tier: 'ESSENTIALS' },
])('stage $stage (poolMode created; the pool is made by the rehearsal launcher\'s AWS::Cognito::UserPool model, moto has none)', ({ stage, version, tier }) => {
  let poolId: string;

  test('npm run deploy creates the stack, and the pool it creates has the trigger (function ARN, trigger version) with an invoke permission whose SourceArn is that pool', async () => {
    expectSuccess(await deploy(stage));
    expect(await stackStatus(stage)).toMatch(/_COMPLETE$/);
    const pools = await poolsNamed(`cognito-fauna-${stage}`);
    expect(pools).toHaveLength(1);
    poolId = pools[0]!;
    const pool = await clients.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    expect([pool.UserPool!.UserPoolTier, pool.UserPool!.DeletionProtection]).toEqual([tier, 'ACTIVE']);
    await expectTriggerWiredTo(stage, poolId, version);
    const outputs = (await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: `cognito-fauna-${stage}` }))).Stacks![0]!.Outputs ?? [];
    expect(outputs.find((output) => output.OutputKey === 'UserPoolId')?.OutputValue).toBe(poolId);
  }, DEPLOY_TIMEOUT_MS);

  test('the served-pool parameter holds that pool\'s id, and the trigger puts the secret in the ID token only (CLAIM_TARGETS id)', async () => {
    expect(await servedPoolParameter(stage)).toBe(poolId);
    const trigger = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName(stage, 'preTokenGeneration') }));
    expect(trigger.Environment?.Variables).toMatchObject({ STAGE: stage, USER_POOL_ID_PARAMETER: `/cognito-fauna/${stage}/user-pool-id`, CLAIM_TARGETS: 'id' });
  });

  test('the revocation rule listens to that pool, targets revokeFaunaTokens, and EventBridge may invoke it from that rule only', async () => {
    await expectRevocationWiredTo(stage, poolId);
  });

  test('each function\'s deployed role may write to its own log group only, and create none', async () => {
    for (const fn of ['preTokenGeneration', 'revokeFaunaTokens']) {
      const ownGroup = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${functionName(stage, fn)}:*`;
      expect(await logGrants(stage, fn)).toEqual([[['logs:CreateLogStream', 'logs:PutLogEvents'], [ownGroup]]]);
    }
  });

  test('a second npm run deploy reports no changes', async () => {
    const again = await deploy(stage);
    expectSuccess(again);
    expect(again.output).toContain('No changes to deploy');
  }, DEPLOY_TIMEOUT_MS);

  test('serverless remove deletes the stack, its functions, parameter and rule, and keeps the pool and its users (DeletionPolicy Retain; the launcher refuses to delete a protected pool, as Cognito does)', async () => {
    expectSuccess(await remove(stage));
    await expectStageGone(stage);
    expect(await poolsNamed(`cognito-fauna-${stage}`)).toEqual([poolId]);
  }, DEPLOY_TIMEOUT_MS);
});

describe('stage prod (poolMode existing: the pool is made with moto\'s cognito-idp API; Custom::CognitoUserPool runs the framework\'s handler from its zip under Node, moto needs Docker)', () => {
  const stage = 'prod';
  let poolId: string;
  let otherPoolId: string;

  beforeAll(async () => {
    // The operator's pool, with the settings Cognito always returns (the framework's handler copies them back).
    const created = await clients.cognito.send(new CreateUserPoolCommand({
      PoolName: 'cognito-fauna-prod',
      LambdaConfig: {},
      Policies: { PasswordPolicy: { MinimumLength: 12 } },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: 7 },
    }));
    poolId = created.UserPool!.Id!;
    const other = await clients.cognito.send(new CreateUserPoolCommand({ PoolName: 'another-team-pool', LambdaConfig: {} }));
    otherPoolId = other.UserPool!.Id!;
  });

  test('with existingPoolId naming another pool than existingPoolName, the deploy fails before any change, naming both ids', async () => {
    const result = await deploy(stage, '--param', `existingPoolId=${otherPoolId}`);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`The user pool named 'cognito-fauna-prod' (existingPoolName) is ${poolId}, but existingPoolId is ${otherPoolId}`);
    expect(await stackStatus(stage)).toBeUndefined();
    expect(await triggerConfig(poolId)).toBeUndefined();
    expect(await triggerConfig(otherPoolId)).toBeUndefined();
  }, DEPLOY_TIMEOUT_MS);

  test('with serverless.yml\'s example existingPoolId (no such pool here), the deploy fails the same way', async () => {
    const result = await deploy(stage);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`is ${poolId}, but existingPoolId is us-east-1_ExAmPlE01`);
    expect(await stackStatus(stage)).toBeUndefined();
  }, DEPLOY_TIMEOUT_MS);

  test('with the pool\'s own id, npm run deploy attaches the trigger (V1_0) to that pool, with an invoke permission whose SourceArn is that pool', async () => {
    expectSuccess(await deploy(stage, '--param', `existingPoolId=${poolId}`));
    expect(await stackStatus(stage)).toMatch(/_COMPLETE$/);
    await expectTriggerWiredTo(stage, poolId, 'V1_0');
    expect(await triggerConfig(otherPoolId)).toBeUndefined();
  }, DEPLOY_TIMEOUT_MS);

  test('the served-pool parameter and the revocation rule name the same pool id', async () => {
    expect(await servedPoolParameter(stage)).toBe(poolId);
    await expectRevocationWiredTo(stage, poolId);
  });

  test('a second npm run deploy reports no changes', async () => {
    const again = await deploy(stage, '--param', `existingPoolId=${poolId}`);
    expectSuccess(again);
    expect(again.output).toContain('No changes to deploy');
  }, DEPLOY_TIMEOUT_MS);

  test('a trigger removed outside the stack is put back by the documented --param reattachTrigger=true (the custom resource\'s Update, run under Node)', async () => {
    // Arrange: someone detaches the trigger in the console (an UpdateUserPool without it).
    await clients.cognito.send(new UpdateUserPoolCommand({ UserPoolId: poolId, LambdaConfig: {} }));
    expect(await triggerConfig(poolId)).toBeUndefined();

    // Act
    const reattached = await deploy(stage, '--param', `existingPoolId=${poolId}`, '--param', 'reattachTrigger=true');

    // Assert
    expectSuccess(reattached);
    await expectTriggerWiredTo(stage, poolId, 'V1_0');
  }, DEPLOY_TIMEOUT_MS);

  test('serverless remove deletes the stack, and its custom resource (run under Node) detaches the trigger from the pool, which stays', async () => {
    expectSuccess(await remove(stage, '--param', `existingPoolId=${poolId}`));
    await expectStageGone(stage);
    expect(await triggerConfig(poolId)).toBeUndefined();
    expect(await poolsNamed('cognito-fauna-prod')).toEqual([poolId]);
  }, DEPLOY_TIMEOUT_MS);
});
