/**
 * The real Serverless CLI (osls) packages every stage once per run, without AWS credentials, and these tests read
 * the CloudFormation it produced. Expected values come from the stage's params in serverless.yml, so the tests
 * check that the framework turned each stage's configuration into the right infrastructure.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { packageStage, STAGES } from '../../scripts/package-stage.ts';
import type { Stage } from '../../scripts/package-stage.ts';
import { readStageParams } from '../../scripts/lib/stage-settings.ts';
import { asList, PSEUDO, render, resourcesOfType, roleStatements } from './support/cloudformation.ts';
import type { Resource, Statement, Template } from './support/cloudformation.ts';

const SERVICE = 'cognito-fauna';
const FUNCTION_ID = 'PreTokenGenerationLambdaFunction';
const COGNITO_PRINCIPAL = 'cognito-idp.amazonaws.com';
const CUSTOM_RESOURCE_ROLE_ID = 'IamRoleCustomResourcesLambdaExecution';
/** The framework's existing-pool custom resource code, which the role must allow and nothing more. */
const CUSTOM_RESOURCE_CODE_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('serverless/package.json')), 'lib/plugins/aws/custom-resources/resources/cognito-user-pool');
const { 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT } = PSEUDO;
const FUNCTION_ARN = { 'Fn::GetAtt': [FUNCTION_ID, 'Arn'] };
const POOL_ARN_PREFIX = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/`;

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

type TemplateWithConditions = Template & { Conditions?: Record<string, unknown> };

/** Evaluates the template conditions this service uses (`Fn::Not`, `Fn::Equals` on renderable values, `Condition`). */
function conditionHolds(template: TemplateWithConditions, expression: unknown): boolean {
  const object = expression as Record<string, unknown>;
  if ('Condition' in object) return conditionHolds(template, template.Conditions?.[object.Condition as string]);
  if ('Fn::Not' in object) return !conditionHolds(template, (object['Fn::Not'] as unknown[])[0]);
  if ('Fn::Equals' in object) {
    const [left, right] = object['Fn::Equals'] as [unknown, unknown];
    return render(left) === render(right);
  }
  throw new Error(`Unsupported condition ${JSON.stringify(expression)}`);
}

/** A role's statements as CloudFormation would deploy them: `Fn::If` chosen, `AWS::NoValue` dropped. */
function deployedStatements(template: TemplateWithConditions, role: Resource): Statement[] {
  return roleStatements(role).flatMap((statement) => {
    if (!('Fn::If' in statement)) return [statement];
    const [condition, whenTrue, whenFalse] = (statement as unknown as { 'Fn::If': [string, unknown, unknown] })['Fn::If'];
    const chosen = conditionHolds(template, { Condition: condition }) ? whenTrue : whenFalse;
    return (chosen as { Ref?: string }).Ref === 'AWS::NoValue' ? [] : [chosen as Statement];
  });
}

function iamStatements(template: Template): { roleId: string; statement: Statement }[] {
  return resourcesOfType(template, 'AWS::IAM::Role').flatMap(([roleId, role]) => deployedStatements(template, role).map((statement) => ({ roleId, statement })));
}

/** The custom resource role's statements, each reduced to what it allows on what, under which condition. */
function customResourceGrants(template: Template): { actions: string[]; resources: unknown[]; condition?: unknown }[] {
  return deployedStatements(template, template.Resources[CUSTOM_RESOURCE_ROLE_ID]!).map((statement) => {
    expect(statement.Effect).toBe('Allow');
    return { actions: [...actionsOf(statement)].sort(), resources: asList(statement.Resource), ...(statement.Condition && { condition: statement.Condition }) };
  });
}

/** What the custom resource role must allow for the existing pool, given the pool id and SMS role the stage names. */
function expectedCustomResourceGrants(poolId: string, smsRoleArn: string): { actions: string[]; resources: unknown[]; condition?: unknown }[] {
  const poolArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cognito-idp:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':userpool/', poolId]] };
  return [
    { actions: ['cognito-idp:ListUserPools'], resources: ['*'] },
    { actions: ['cognito-idp:DescribeUserPool', 'cognito-idp:UpdateUserPool'], resources: [poolArn] },
    { actions: ['lambda:AddPermission'], resources: [FUNCTION_ARN], condition: { StringEquals: { 'lambda:Principal': COGNITO_PRINCIPAL } } },
    { actions: ['lambda:RemovePermission'], resources: [FUNCTION_ARN] },
    ...(smsRoleArn === '' ? [] : [{ actions: ['iam:PassRole'], resources: [smsRoleArn], condition: { StringEquals: { 'iam:PassedToService': COGNITO_PRINCIPAL } } }]),
  ];
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
    expect(variables.USER_POOL_ID_PARAMETER).toBe(params.userPoolIdParameter);
    if (stage !== 'local') {
      expect(variables.FAUNA_ENDPOINT).toBe(params.faunaEndpoint);
      expect(variables.FAUNA_ENDPOINT).toMatch(/^https?:\/\/\S+/);
      expect(variables).not.toHaveProperty('FAUNA_SECRET');
    }
    expect(secretLooking).toEqual([]);
  });

  it.each(each())('%s: the function may read exactly its two SSM parameters (the key and the served pool id)', (stage) => {
    // Arrange
    const statements = roleStatements(functionRole(stage));

    // Act
    const ssm = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('ssm:')));

    // Assert
    expect(ssm).toHaveLength(1);
    expect(ssm[0]!.Effect).toBe('Allow');
    expect([...actionsOf(ssm[0]!)].sort()).toEqual(['ssm:GetParameter', 'ssm:GetParameters']);
    expect(resourcesOf(ssm[0]!)).toEqual([parameterArn(get(stage).params.faunaSecretParameter!), parameterArn(get(stage).params.userPoolIdParameter!)]);
  });

  it.each(each())('%s: the stack writes the served pool id to the SSM String parameter the function reads', (stage) => {
    // Arrange
    const { template, params } = get(stage);

    // Act
    const parameters = resourcesOfType(template, 'AWS::SSM::Parameter');

    // Assert
    expect(parameters).toHaveLength(1);
    const properties = parameters[0]![1].Properties;
    expect(properties).toMatchObject({ Name: params.userPoolIdParameter, Type: 'String' });
    if (params.poolMode === 'created') {
      const [poolId] = resourcesOfType(template, 'AWS::Cognito::UserPool')[0]!;
      expect(properties.Value).toEqual({ Ref: poolId });
    } else {
      expect(properties.Value).toBe(params.existingPoolId);
    }
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

  it.each(each())('%s: no IAM action anywhere has a wildcard, and resource "*" appears only for the custom resource’s ListUserPools', (stage) => {
    // Arrange
    const statements = iamStatements(get(stage).template);

    // Act
    const wildcardActions = statements.flatMap(({ statement }) => actionsOf(statement)).filter((action) => action.includes('*'));
    const starResources = statements.filter(({ statement }) => asList(statement.Resource).includes('*'));

    // Assert
    expect(wildcardActions).toEqual([]);
    for (const { roleId, statement } of starResources) {
      expect(roleId).toBe(CUSTOM_RESOURCE_ROLE_ID);
      expect(actionsOf(statement)).toEqual(['cognito-idp:ListUserPools']);
    }
    if (get(stage).params.poolMode !== 'existing') expect(starResources).toEqual([]);
    else expect(starResources).toHaveLength(1);
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

  it('created pools: an email change takes effect only once the new address is verified', () => {
    // Arrange
    const stages = byMode('created');

    // Act
    const settings = stages.map((stage) => resourcesOfType(get(stage).template, 'AWS::Cognito::UserPool')[0]![1].Properties.UserAttributeUpdateSettings);

    // Assert
    expect(stages.length).toBeGreaterThan(0);
    for (const setting of settings) expect(setting).toEqual({ AttributesRequireVerificationBeforeUpdate: ['email'] });
  });

  it('created pools: no custom resource and no role besides the function’s', () => {
    // Arrange
    const stages = byMode('created');

    // Act
    const roles = stages.map((stage) => resourcesOfType(get(stage).template, 'AWS::IAM::Role').map(([roleId]) => roleId));

    // Assert
    expect(stages.length).toBeGreaterThan(0);
    for (const roleIds of roles) expect(roleIds).toEqual(['IamRoleLambdaExecution']);
  });

  it('existing pools: the custom resource role allows exactly the calls its code makes, scoped to this pool, this function and (without an SMS role) no PassRole', () => {
    // Arrange
    const stages = byMode('existing');

    // Act
    const grants = stages.map((stage) => [stage, customResourceGrants(get(stage).template)] as const);

    // Assert
    expect(stages.length).toBeGreaterThan(0);
    for (const [stage, stageGrants] of grants) {
      const { params } = get(stage);
      expect(stageGrants).toEqual(expectedCustomResourceGrants(params.existingPoolId!, params.existingPoolSmsRoleArn!));
      expect(get(stage).template.Resources[CUSTOM_RESOURCE_ROLE_ID]!.Properties.ManagedPolicyArns ?? []).toEqual([]);
    }
  });

  it('existing pools: nothing of the framework’s broad default remains (any function, any role, any account)', () => {
    // Arrange
    const stages = byMode('existing');

    // Act
    const resources = stages.flatMap((stage) => deployedStatements(get(stage).template, get(stage).template.Resources[CUSTOM_RESOURCE_ROLE_ID]!).flatMap((statement) => asList(statement.Resource)));
    const rendered = resources.map(render);

    // Assert
    expect(rendered.length).toBeGreaterThan(0);
    for (const resource of rendered) {
      expect(resource).not.toMatch(/function:\*|role\/\*|iam::\*/);
      if (resource !== '*' && !resource.startsWith('<GetAtt:')) expect(resource.startsWith(POOL_ARN_PREFIX) || resource.startsWith('arn:aws:iam::')).toBe(true);
    }
  });

  it('the framework’s existing-pool custom resource code calls exactly the APIs its role allows', async () => {
    // Arrange
    const files = (await readdir(CUSTOM_RESOURCE_CODE_DIR, { recursive: true })).filter((file) => file.endsWith('.js'));
    const sources = await Promise.all(files.map((file) => readFile(path.join(CUSTOM_RESOURCE_CODE_DIR, file), 'utf8')));
    const allowed = new Set(expectedCustomResourceGrants('*', 'arn:aws:iam::123456789012:role/sms').flatMap(({ actions }) => actions));

    // Act
    const commands = new Set(sources.flatMap((source) => [...source.matchAll(/new (\w+)Command\(/g)].map(([, name]) => name!)));

    // Assert: PassRole is the one grant without a command: UpdateUserPool passes the pool's SMS role on.
    expect([...commands].sort()).toEqual(['AddPermission', 'DescribeUserPool', 'ListUserPools', 'RemovePermission', 'UpdateUserPool']);
    expect([...allowed].map((action) => action.split(':')[1]).sort()).toEqual([...commands, 'PassRole'].sort());
  });
});

describe('existing pool with its id and SMS role given as --param', () => {
  const POOL_ID = 'us-east-1_AbCdEf123';
  const SMS_ROLE_ARN = 'arn:aws:iam::123456789012:role/service-role/cognito-fauna-prod-sms';
  let template: Template;

  beforeAll(async () => {
    const dir = path.join(root, 'prod-with-pool-id');
    const cli = path.join(process.cwd(), 'node_modules', '.bin', 'serverless');
    const env = { ...environmentWithoutAwsCredentials(), AWS_REGION: 'us-east-1', SLS_TELEMETRY_DISABLED: '1' };
    await promisify(execFile)(cli, ['package', '--stage', 'prod', '--package', dir, '--param', `existingPoolId=${POOL_ID}`, '--param', `existingPoolSmsRoleArn=${SMS_ROLE_ARN}`], { env });
    template = JSON.parse(await readFile(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  }, 60_000);

  it('scopes DescribeUserPool/UpdateUserPool to that one pool and allows passing only that role, only to Cognito', () => {
    // Act
    const grants = customResourceGrants(template);

    // Assert
    expect(grants).toEqual(expectedCustomResourceGrants(POOL_ID, SMS_ROLE_ARN));
    expect(render((grants[1]!.resources[0]))).toBe(`${POOL_ARN_PREFIX}${POOL_ID}`);
  });
});
