/**
 * The real Serverless CLI (osls) packages every stage once per run, without AWS credentials, and these tests read
 * the CloudFormation it produced. Expected values come from the stage's params in serverless.yml, so the tests
 * check that the framework turned each stage's configuration into the right infrastructure.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { packageStage, STAGES } from '../../scripts/package-stage.ts';
import type { Stage } from '../../scripts/package-stage.ts';
import { readStageParams } from '../../scripts/lib/stage-settings.ts';
import { asList, PSEUDO, render, resourcesOfType, roleStatements } from './support/cloudformation.ts';
import type { Resource, Statement, Template } from './support/cloudformation.ts';

const SERVICE = 'cognito-fauna';
const FUNCTION_ID = 'PreTokenGenerationLambdaFunction';
const COGNITO_PRINCIPAL = 'cognito-idp.amazonaws.com';
/** What osls 4.3.1's existing-pool custom resource role is given (lib/plugins/aws/package/compile/events/cognito-user-pool.js). */
const FRAMEWORK_CUSTOM_RESOURCE_ACTIONS = ['cognito-idp:ListUserPools', 'cognito-idp:DescribeUserPool', 'cognito-idp:UpdateUserPool', 'lambda:AddPermission', 'lambda:RemovePermission', 'iam:PassRole'];
const { 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT } = PSEUDO;

interface Packaged {
  stage: Stage;
  template: Template;
  params: Record<string, string>;
  dir: string;
}

let root: string;
const packaged = new Map<Stage, Packaged>();

/** This environment with every AWS credential source removed: packaging must not need one. */
function environmentWithoutAwsCredentials(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return { ...env, AWS_CONFIG_FILE: path.join(root, 'no-aws-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(root, 'no-aws-credentials'), AWS_EC2_METADATA_DISABLED: 'true' };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sls-package-'));
  // In sequence: the CLI and serverless-esbuild share work folders in the project.
  for (const stage of STAGES) {
    const dir = path.join(root, stage);
    await packageStage(stage, dir, { env: environmentWithoutAwsCredentials() });
    const template = JSON.parse(await readFile(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
    packaged.set(stage, { stage, template, params: await readStageParams(stage), dir });
  }
}, 180_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const each = () => STAGES.map((stage) => [stage] as const);
const get = (stage: Stage) => packaged.get(stage)!;
const fn = (stage: Stage) => get(stage).template.Resources[FUNCTION_ID]!;
const functionName = (stage: Stage) => `${SERVICE}-${stage}-preTokenGeneration`;
const parameterArn = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name.startsWith('/') ? name : `/${name}`}`;

function functionRole(stage: Stage): Resource {
  const [roleId] = (fn(stage).Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
  return get(stage).template.Resources[roleId]!;
}

function iamStatements(template: Template): { roleId: string; statement: Statement }[] {
  return resourcesOfType(template, 'AWS::IAM::Role').flatMap(([roleId, role]) => roleStatements(role).map((statement) => ({ roleId, statement })));
}

const actionsOf = (statement: Statement) => asList(statement.Action);
const resourcesOf = (statement: Statement) => asList(statement.Resource).map(render);

describe('serverless package (osls) for every stage', () => {
  it.each(each())('%s: packages without AWS credentials into its own folder', async (stage) => {
    // Arrange / Act: packaged in beforeAll.
    const zip = await stat(path.join(get(stage).dir, 'preTokenGeneration.zip'));

    // Assert
    expect(zip.size).toBeGreaterThan(1000);
    expect(fn(stage).Properties.FunctionName).toBe(functionName(stage));
  });

  it.each(each())('%s: runs Node 22 with a timeout inside Cognito’s 5 s', (stage) => {
    // Act
    const { Runtime, Timeout } = fn(stage).Properties as { Runtime: string; Timeout: number };

    // Assert
    expect(Runtime).toBe('nodejs22.x');
    expect(Timeout).toBeGreaterThan(0);
    expect(Timeout).toBeLessThanOrEqual(5);
  });

  it.each(each())('%s: environment names the endpoint and the SSM parameter, and holds no secret', (stage) => {
    // Arrange
    const { params } = get(stage);
    const variables = (fn(stage).Properties.Environment as { Variables: Record<string, unknown> }).Variables;

    // Act
    const secretLooking = Object.entries(variables).filter(([, value]) => /^fn[A-Za-z0-9_-]{20,}$/.test(String(value)));

    // Assert
    expect(variables.FAUNA_SECRET_PARAMETER).toBe(params.faunaSecretParameter);
    if (stage !== 'local') {
      expect(variables.FAUNA_ENDPOINT).toBe(params.faunaEndpoint);
      expect(variables.FAUNA_ENDPOINT).toMatch(/^https?:\/\/\S+/);
      expect(variables).not.toHaveProperty('FAUNA_SECRET');
    }
    expect(secretLooking).toEqual([]);
  });

  it.each(each())('%s: the function may read exactly its SSM parameter', (stage) => {
    // Arrange
    const statements = roleStatements(functionRole(stage));

    // Act
    const ssm = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('ssm:')));

    // Assert
    expect(ssm).toHaveLength(1);
    expect(ssm[0]!.Effect).toBe('Allow');
    expect([...actionsOf(ssm[0]!)].sort()).toEqual(['ssm:GetParameter', 'ssm:GetParameters']);
    expect(resourcesOf(ssm[0]!)).toEqual([parameterArn(get(stage).params.faunaSecretParameter!)]);
  });

  it.each(each())('%s: the function may decrypt only through SSM, only that parameter, with the configured key', (stage) => {
    // Arrange
    const { params } = get(stage);
    const statements = roleStatements(functionRole(stage));

    // Act
    const kms = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')));
    const conditions = kms[0]?.Condition?.StringEquals ?? {};

    // Assert
    expect(kms).toHaveLength(1);
    expect(actionsOf(kms[0]!)).toEqual(['kms:Decrypt']);
    expect(resourcesOf(kms[0]!)).toEqual([`arn:aws:kms:${REGION}:${ACCOUNT}:key/${params.kmsKeyId}`]);
    expect(render(conditions['kms:ViaService'])).toBe(`ssm.${REGION}.amazonaws.com`);
    expect(render(conditions['kms:EncryptionContext:PARAMETER_ARN'])).toBe(parameterArn(params.faunaSecretParameter!));
  });

  it.each(each())('%s: the function role has nothing else but the framework’s log permissions on its own log group', (stage) => {
    // Arrange
    const statements = roleStatements(functionRole(stage));
    const logGroupArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${SERVICE}-${stage}`;

    // Act
    const others = statements.filter((statement) => !actionsOf(statement).every((action) => /^(ssm|kms):/.test(action)));

    // Assert
    expect(functionRole(stage).Properties.ManagedPolicyArns ?? []).toEqual([]);
    expect(others.length).toBeGreaterThan(0);
    for (const statement of others) {
      expect(actionsOf(statement).every((action) => action.startsWith('logs:'))).toBe(true);
      for (const resource of resourcesOf(statement)) expect(resource.startsWith(logGroupArn)).toBe(true);
    }
  });

  it.each(each())('%s: no IAM action anywhere has a wildcard, and resource "*" appears only in the framework’s existing-pool custom resource', (stage) => {
    // Arrange
    const statements = iamStatements(get(stage).template);

    // Act
    const wildcardActions = statements.flatMap(({ statement }) => actionsOf(statement)).filter((action) => action.includes('*'));
    const starResources = statements.filter(({ statement }) => asList(statement.Resource).includes('*'));

    // Assert
    expect(wildcardActions).toEqual([]);
    for (const { roleId, statement } of starResources) {
      expect(roleId).toBe('IamRoleCustomResourcesLambdaExecution');
      expect(actionsOf(statement).every((action) => action.startsWith('cognito-idp:'))).toBe(true);
    }
    if (get(stage).params.poolMode !== 'existing') expect(starResources).toEqual([]);
  });

  it.each(each())('%s: log group retention is the stage’s logRetentionDays', (stage) => {
    // Arrange
    const groups = resourcesOfType(get(stage).template, 'AWS::Logs::LogGroup');

    // Act
    const group = groups.find(([, resource]) => resource.Properties.LogGroupName === `/aws/lambda/${functionName(stage)}`);

    // Assert
    expect(group).toBeDefined();
    expect(group![1].Properties.RetentionInDays).toBe(Number(get(stage).params.logRetentionDays));
  });
});

describe('Cognito trigger wiring per stage', () => {
  const byMode = (mode: string) => STAGES.filter((stage) => get(stage).params.poolMode === mode);

  it('covers both pool modes across the stages', () => {
    // Act
    const modes = new Set(STAGES.map((stage) => get(stage).params.poolMode));

    // Assert
    expect(modes).toEqual(new Set(['created', 'existing']));
  });

  it.each(each())('%s: wires the trigger with the stage’s event version and an invoke permission scoped to the pool', (stage) => {
    // Arrange
    const { template, params } = get(stage);
    const pools = resourcesOfType(template, 'AWS::Cognito::UserPool');
    const customPools = resourcesOfType(template, 'Custom::CognitoUserPool');
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(([, resource]) => resource.Properties.Principal === COGNITO_PRINCIPAL);

    // Act / Assert
    expect(['V1_0', 'V2_0', 'V3_0']).toContain(params.triggerVersion);
    if (params.poolMode === 'created') {
      expect(pools).toHaveLength(1);
      expect(customPools).toEqual([]);
      const [poolId, pool] = pools[0]!;
      const lambdaConfig = pool.Properties.LambdaConfig as { PreTokenGeneration?: unknown; PreTokenGenerationConfig: { LambdaArn: unknown; LambdaVersion: string } };
      expect(render(pool.Properties.UserPoolName)).toContain(stage);
      expect(lambdaConfig.PreTokenGenerationConfig.LambdaVersion).toBe(params.triggerVersion);
      expect(lambdaConfig.PreTokenGenerationConfig.LambdaArn).toEqual({ 'Fn::GetAtt': [FUNCTION_ID, 'Arn'] });
      if (lambdaConfig.PreTokenGeneration !== undefined) expect(lambdaConfig.PreTokenGeneration).toEqual(lambdaConfig.PreTokenGenerationConfig.LambdaArn);
      expect(permissions).toHaveLength(1);
      expect(permissions[0]![1].Properties).toEqual({
        FunctionName: { 'Fn::GetAtt': [FUNCTION_ID, 'Arn'] },
        Action: 'lambda:InvokeFunction',
        Principal: COGNITO_PRINCIPAL,
        SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
      });
    } else {
      expect(params.poolMode).toBe('existing');
      expect(pools).toEqual([]);
      // The custom resource adds the invoke permission at deploy time (see the existing-pool permission test below).
      expect(permissions).toEqual([]);
      expect(customPools).toHaveLength(1);
      expect(customPools[0]![1].Properties).toMatchObject({
        FunctionName: functionName(stage),
        UserPoolName: params.existingPoolName,
        UserPoolConfigs: [{ Trigger: 'PreTokenGeneration', LambdaVersion: params.triggerVersion }],
      });
    }
  });

  it('existing pools: the custom resource role has only the framework’s statements', () => {
    // Arrange
    const stages = byMode('existing');

    // Act
    const actions = stages.flatMap((stage) => roleStatements(get(stage).template.Resources.IamRoleCustomResourcesLambdaExecution!).flatMap(actionsOf));

    // Assert
    expect(stages.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(FRAMEWORK_CUSTOM_RESOURCE_ACTIONS));
  });
});
