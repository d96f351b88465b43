/**
 * The real Serverless CLI (osls) packages every stage once per run, without AWS credentials, and these tests read
 * the CloudFormation it produced. Expected values come from the stage's params in serverless.yml, so the tests
 * check that the framework turned each stage's configuration into the right infrastructure.
 *
 * One file on purpose (about 680 lines): packaging every stage costs tens of seconds, so all assertions share the one
 * packaging run of this file; split into several files, each would package again.
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
import { defaultAdminSecretParameter, readStageParams } from '../../tools/stage-settings.ts';
import { deployRoleFor, deployStages, loadDeployRolesTemplate, renderSub, type PolicyStatement } from './helpers/deploy-roles.ts';
import { asList, PSEUDO, render, resourcesOfType, roleStatements } from './helpers/cloudformation.ts';
import { MetricName } from '../../lib/common/observability.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../handlers/common/telemetry/service-telemetry.ts';
import type { Resource, Statement, Template } from './helpers/cloudformation.ts';

const SERVICE = 'cognito-fauna';
const FUNCTION_ID = 'PreTokenGenerationLambdaFunction';
const COGNITO_PRINCIPAL = 'cognito-idp.amazonaws.com';
const CUSTOM_RESOURCE_ROLE_ID = 'IamRoleCustomResourcesLambdaExecution';
const CUSTOM_RESOURCE_FUNCTION_ID = 'CustomDashresourceDashexistingDashcupLambdaFunction';
const CUSTOM_RESOURCE_LOG_GROUP_ID = 'CustomResourceExistingCupLogGroup';
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
  const poolArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cognito-idp:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:userpool/${poolId}`]] };
  return [
    { actions: ['cognito-idp:ListUserPools'], resources: ['*'] },
    { actions: ['cognito-idp:DescribeUserPool', 'cognito-idp:UpdateUserPool'], resources: [poolArn] },
    { actions: ['lambda:AddPermission'], resources: [FUNCTION_ARN], condition: { StringEquals: { 'lambda:Principal': COGNITO_PRINCIPAL } } },
    { actions: ['lambda:RemovePermission'], resources: [FUNCTION_ARN] },
    { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [{ 'Fn::GetAtt': [CUSTOM_RESOURCE_LOG_GROUP_ID, 'Arn'] }] },
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

  it.each(each())('%s: the function role has nothing else but writing to its own log group (serverless/trigger-role.yml)', (stage) => {
    // Arrange
    const statements = roleStatements(functionRole(stage));

    // Act
    const others = statements.filter((statement) => !actionsOf(statement).every((action) => /^(ssm|kms):/.test(action)));

    // Assert
    expect(functionRole(stage).Properties.ManagedPolicyArns ?? []).toEqual([]);
    expect(others.length).toBeGreaterThan(0);
    for (const statement of others) {
      expect(actionsOf(statement).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(asList(statement.Resource)).toEqual([{ 'Fn::GetAtt': ['PreTokenGenerationLogGroup', 'Arn'] }]);
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

  it('created pools: the app client cannot write the verification flags the trigger trusts (email_verified, phone_number_verified)', () => {
    // Arrange
    const stages = byMode('created');

    // Act
    const writable = stages.map((stage) => resourcesOfType(get(stage).template, 'AWS::Cognito::UserPoolClient')[0]![1].Properties.WriteAttributes);

    // Assert
    expect(stages.length).toBeGreaterThan(0);
    for (const attributes of writable) {
      expect(Array.isArray(attributes)).toBe(true);
      expect(attributes).toContain('email');
      expect(attributes).not.toContain('email_verified');
      expect(attributes).not.toContain('phone_number_verified');
    }
  });

    it('created pools: no custom resource and no role besides the functions’ (the trigger’s and revokeFaunaTokens’)', () => {
    // Arrange
    const stages = byMode('created');

    // Act
    const roles = stages.map((stage) => resourcesOfType(get(stage).template, 'AWS::IAM::Role').map(([roleId]) => roleId));

    // Assert
    expect(stages.length).toBeGreaterThan(0);
    for (const roleIds of roles) expect(roleIds).toEqual(['IamRoleLambdaExecution', 'RevokeFaunaTokensRole']);
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

  it('existing pools: the attachment runs only when its properties change (no ForceDeploy unless reattachTrigger), so an unchanged deploy reports no changes', () => {
    // Arrange
    const stages = byMode('existing');

    // Act
    const attachments = stages.map((stage) => resourcesOfType(get(stage).template, 'Custom::CognitoUserPool'));

    // Assert
    expect(stages.length).toBeGreaterThan(0);
    for (const stage of stages) expect(get(stage).params.reattachTrigger).toBe('false');
    for (const found of attachments) {
      expect(found).toHaveLength(1);
      expect(found[0]![1].Properties).not.toHaveProperty('ForceDeploy');
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
    const allowed = new Set(expectedCustomResourceGrants('us-east-1_AbCdEf123', 'arn:aws:iam::123456789012:role/sms').flatMap(({ actions }) => actions).filter((action) => !action.startsWith('logs:')));

    // Act
    const commands = new Set(sources.flatMap((source) => [...source.matchAll(/new (\w+)Command\(/g)].map(([, name]) => name!)));

    // Assert: PassRole is the one grant without a command: UpdateUserPool passes the pool's SMS role on (the logs
    // grants are Lambda's, for the function's own log output).
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

describe('existing pools: the custom resource logs to its own log group only', () => {
  const existing = () => STAGES.filter((stage) => get(stage).params.poolMode === 'existing');

  it('creates the log group Lambda writes to (/aws/lambda/<function name>) before the function, with the stage retention', () => {
    // Arrange
    const stages = existing();

    // Act + Assert
    expect(stages.length).toBeGreaterThan(0);
    for (const stage of stages) {
      const { template, params } = get(stage);
      const group = template.Resources[CUSTOM_RESOURCE_LOG_GROUP_ID]!;
      const customFunction = template.Resources[CUSTOM_RESOURCE_FUNCTION_ID]!;
      expect(group.Type).toBe('AWS::Logs::LogGroup');
      expect(group.Properties.LogGroupName).toBe(`/aws/lambda/${customFunction.Properties.FunctionName as string}`);
      expect(group.Properties.RetentionInDays).toBe(Number(params.logRetentionDays));
      expect(asList(customFunction.DependsOn)).toContain(CUSTOM_RESOURCE_LOG_GROUP_ID);
    }
  });

  it('grants logs:CreateLogStream/PutLogEvents on that group alone and nothing else of CloudWatch Logs', () => {
    // Arrange
    const stages = existing();

    // Act
    const logGrants = stages.flatMap((stage) => customResourceGrants(get(stage).template).filter(({ actions }) => actions.some((action) => action.startsWith('logs:'))));

    // Assert
    expect(logGrants).toHaveLength(stages.length);
    for (const grant of logGrants) expect(grant).toEqual({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [{ 'Fn::GetAtt': [CUSTOM_RESOURCE_LOG_GROUP_ID, 'Arn'] }] });
  });
});

describe('every function logs to its own log group only, which the stack creates', () => {
  /** Each function of the stage with its role, its log group's logical id and the CloudWatch Logs statements of its role. */
  function functionLogGrants(stage: Stage) {
    const { template } = get(stage);
    return resourcesOfType(template, 'AWS::Lambda::Function').map(([functionId, lambda]) => {
      const name = lambda.Properties.FunctionName as string;
      const [roleId] = (lambda.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      const groups = resourcesOfType(template, 'AWS::Logs::LogGroup').filter(([, group]) => group.Properties.LogGroupName === `/aws/lambda/${name}`);
      const statements = deployedStatements(template, template.Resources[roleId]!).filter((statement) => actionsOf(statement).some((action) => action.startsWith('logs:')));
      return { functionId, name, roleId, groups, statements };
    });
  }

  it.each(each())('%s: no function role may create log groups, and each function\'s group is a resource of the stack', (stage) => {
    // Act
    const grants = functionLogGrants(stage);

    // Assert
    expect(grants.length).toBeGreaterThanOrEqual(2);
    for (const { groups, statements } of grants) {
      expect(groups).toHaveLength(1);
      expect(statements.flatMap(actionsOf)).not.toContain('logs:CreateLogGroup');
      expect(statements.flatMap(actionsOf).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    }
  });

  it.each(each())('%s: each function\'s role writes to that function\'s group alone (no prefix that covers another function\'s group)', (stage) => {
    // Act
    const grants = functionLogGrants(stage);

    // Assert: a resource is the group's own GetAtt Arn (`…:log-group:<name>:*`) or that exact ARN, nothing wider.
    for (const { name, groups, statements } of grants) {
      const [groupId] = groups[0]!;
      const ownArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${name}:*`;
      for (const resource of statements.flatMap((statement) => asList(statement.Resource))) {
        const getAtt = (resource as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
        if (getAtt) expect(getAtt).toEqual([groupId, 'Arn']);
        else expect(render(resource)).toBe(ownArn);
      }
    }
  });
});

describe('the Fauna secret goes into the ID token only, on every stage', () => {
  it.each(each())('%s: CLAIM_TARGETS is id (a stage opts in to the access token with claimTargets: id,access)', (stage) => {
    // Act
    const variables = (fn(stage).Properties.Environment as { Variables: Record<string, unknown> }).Variables;

    // Assert
    expect(variables.CLAIM_TARGETS).toBe('id');
    expect(get(stage).params.claimTargets).toBe('id');
  });
});

describe('stage params checked at package time', () => {
  async function packageProd(dirName: string, ...params: string[]): Promise<{ template?: Template; output: string }> {
    const dir = path.join(root, dirName);
    const cli = path.join(process.cwd(), 'node_modules', '.bin', 'serverless');
    const env = { ...environmentWithoutAwsCredentials(), AWS_REGION: 'us-east-1', SLS_TELEMETRY_DISABLED: '1' };
    const args = ['package', '--stage', 'prod', '--package', dir, ...params.flatMap((param) => ['--param', param])];
    try {
      const { stdout, stderr } = await promisify(execFile)(cli, args, { env });
      return { template: JSON.parse(await readFile(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template, output: stdout + stderr };
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      return { output: stdout + stderr };
    }
  }

  it('refuses a wildcard existingPoolId for a stage with poolMode: existing, naming the param and the fix', async () => {
    // Act
    const result = await packageProd('prod-pool-id-star', 'existingPoolId=*');

    // Assert
    expect(result.template).toBeUndefined();
    expect(result.output).toContain("Stage param existingPoolId is '*' for stage prod");
    expect(result.output).toContain('params.prod.existingPoolId');
  }, 60_000);

  it('refuses an empty existingPoolId (the default) in the resolver serverless.yml calls (the CLI cannot pass an empty --param)', async () => {
    // Arrange
    const { existingPoolStatements } = createRequire(import.meta.url)('../../serverless/iam.cjs') as { existingPoolStatements: (input: { resolveVariable: (name: string) => Promise<string> }) => Promise<unknown> };
    const variables: Record<string, string> = { 'sls:stage': 'prod', 'self:service': SERVICE, 'param:existingPoolId': '', 'param:existingPoolSmsRoleArn': '' };

    // Act
    const attempt = existingPoolStatements({ resolveVariable: async (name) => variables[name]! });

    // Assert
    await expect(attempt).rejects.toThrow("Stage param existingPoolId is empty for stage prod, which attaches to an existing pool (poolMode: existing). Set params.prod.existingPoolId in serverless.yml to the pool's id");
  });

  it.each([
    ['a full ARN, used as it is (another region and account)', 'arn:aws:ssm:eu-west-1:210987654321:parameter/shared/fauna-secret', 'arn:aws:ssm:eu-west-1:210987654321:parameter/shared/fauna-secret'],
    ['a name with a leading slash', '/team/fauna-secret', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/team/fauna-secret`],
    ['a name without a leading slash (its ARN still has one)', 'fauna-secret', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/fauna-secret`],
  ])('builds the function role’s SSM resource and KMS encryption context from faunaSecretParameter given as %s', async (_, value, expectedArn) => {
    // Act
    const result = await packageProd(`prod-parameter-${expectedArn.length}-${value.length}`, `faunaSecretParameter=${value}`);

    // Assert
    const statements = roleStatements(result.template!.Resources.IamRoleLambdaExecution!);
    const ssm = statements.find((statement) => actionsOf(statement).includes('ssm:GetParameters'))!;
    const kms = statements.find((statement) => actionsOf(statement).includes('kms:Decrypt'))!;
    // The second resource is the served-pool parameter (userPoolIdParameter), read in the same call.
    expect(resourcesOf(ssm)).toEqual([expectedArn, `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/cognito-fauna/prod/user-pool-id`]);
    expect(render(kms.Condition!.StringEquals!['kms:EncryptionContext:PARAMETER_ARN'])).toBe(expectedArn);
    expect(result.template!.Resources.PreTokenGenerationLambdaFunction!.Properties.Environment).toMatchObject({ Variables: { FAUNA_SECRET_PARAMETER: value } });
  }, 60_000);

  it('refuses a malformed parameter ARN, naming faunaSecretParameter', async () => {
    // Act
    const result = await packageProd('prod-parameter-bad-arn', 'faunaSecretParameter=arn:aws:ssm:us-east-1:12345:parameter/x');

    // Assert
    expect(result.template).toBeUndefined();
    expect(result.output).toContain('Stage param faunaSecretParameter is not a valid SSM parameter ARN');
  }, 60_000);
});

describe('alarms as code, per stage', () => {
  // RevocationFailuresAlarm: serverless/token-revocation.yml, asserted in tests/delivery/token-revocation.test.ts.
  const ALARMS = ['SignInFailureRateAlarm', 'DurationP99Alarm', 'ThrottlesAlarm', 'ErrorsAlarm', 'FaunaKeyRefetchesAlarm', 'RevocationFailuresAlarm'] as const;
  const alarm = (stage: Stage, id: string) => get(stage).template.Resources[id]!.Properties;
  const functionDimension = [{ Name: 'FunctionName', Value: { Ref: FUNCTION_ID } }];
  // handlers/common/telemetry/emf-metrics.ts writes the service name as the one dimension.
  const serviceDimension = [{ Name: 'service', Value: SERVICE_NAME }];

  it.each(each())('%s: six alarms, each notifying (and clearing) on the SNS topic the stack creates', (stage) => {
    // Act
    const alarms = resourcesOfType(get(stage).template, 'AWS::CloudWatch::Alarm');

    // Assert
    expect(alarms.map(([id]) => id).sort()).toEqual([...ALARMS].sort());
    expect(get(stage).template.Resources.AlarmTopic).toMatchObject({ Type: 'AWS::SNS::Topic', Properties: { TopicName: `${SERVICE}-${stage}-alarms` } });
    for (const [, resource] of alarms) {
      expect(resource.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(resource.Properties.OKActions).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(resource.Properties.TreatMissingData).toBe('notBreaching');
      expect(resource.Properties.AlarmName).toMatch(new RegExp(`^${SERVICE}-${stage}-`));
    }
  });

  it.each(each())('%s: the function’s own metrics: Duration p99, Throttles and Errors above the stage thresholds', (stage) => {
    // Arrange
    const { params } = get(stage);

    // Act
    const duration = alarm(stage, 'DurationP99Alarm');
    const throttles = alarm(stage, 'ThrottlesAlarm');
    const errors = alarm(stage, 'ErrorsAlarm');

    // Assert
    expect(duration).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Duration', ExtendedStatistic: 'p99', ComparisonOperator: 'GreaterThanThreshold', Threshold: Number(params.durationP99ThresholdMs), Dimensions: functionDimension });
    expect(Number(params.durationP99ThresholdMs)).toBeLessThan(5000);
    expect(throttles).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Statistic: 'Sum', ComparisonOperator: 'GreaterThanThreshold', Threshold: Number(params.throttlesThreshold), Dimensions: functionDimension });
    expect(errors).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', ComparisonOperator: 'GreaterThanThreshold', Threshold: Number(params.errorsThreshold), Dimensions: functionDimension });
  });

  it.each(each())('%s: the service’s own metrics: sign-in failure rate and Fauna key refetches, on metric names the code emits', (stage) => {
    // Arrange
    const { params } = get(stage);
    const emitted = new Set<string>(Object.values(MetricName));

    // Act
    const rate = alarm(stage, 'SignInFailureRateAlarm');
    const refetches = alarm(stage, 'FaunaKeyRefetchesAlarm');
    const rateMetrics = rate.Metrics as { Id: string; ReturnData: boolean; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown } } }[];

    // Assert
    expect(rate).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: Number(params.signInFailureRateThreshold) });
    const stats = rateMetrics.filter((metric) => metric.MetricStat);
    expect(stats.map((metric) => metric.MetricStat!.Metric.MetricName).sort()).toEqual([MetricName.signIns, MetricName.failures].sort());
    for (const metric of stats) expect(metric.MetricStat!.Metric).toMatchObject({ Namespace: METRICS_NAMESPACE, Dimensions: serviceDimension });
    expect(rateMetrics.filter((metric) => metric.ReturnData)).toEqual([expect.objectContaining({ Id: 'rate', Expression: expect.stringContaining(`>= ${params.signInFailureMinCount}`) })]);
    expect(refetches).toMatchObject({ Namespace: METRICS_NAMESPACE, MetricName: MetricName.keyRefetches, Statistic: 'Sum', Threshold: Number(params.keyRefetchesThreshold), Dimensions: serviceDimension });
    for (const name of [MetricName.keyRefetches, MetricName.signIns, MetricName.failures]) expect(emitted.has(name)).toBe(true);
  });

  it('notifies an existing topic instead when the stage sets alarmTopicArn, and creates none', async () => {
    // Arrange
    const topicArn = 'arn:aws:sns:us-east-1:123456789012:ops-pager';
    const dir = path.join(root, 'dev-with-topic');
    const cli = path.join(process.cwd(), 'node_modules', '.bin', 'serverless');
    const env = { ...environmentWithoutAwsCredentials(), AWS_REGION: 'us-east-1', SLS_TELEMETRY_DISABLED: '1' };

    // Act
    await promisify(execFile)(cli, ['package', '--stage', 'dev', '--package', dir, '--param', `alarmTopicArn=${topicArn}`], { env });
    const template = JSON.parse(await readFile(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;

    // Assert
    expect(resourcesOfType(template, 'AWS::SNS::Topic')).toEqual([]);
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(ALARMS.length);
    for (const [, resource] of alarms) expect(resource.Properties.AlarmActions).toEqual([topicArn]);
  }, 60_000);
});

describe('deploy roles (deploy/github-oidc-roles.yml) cover what deploying each packaged stage creates', () => {
  const rolesTemplate = loadDeployRolesTemplate();
  const arn = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;

  /** Whether `statement` allows `action` on `resource` (IAM's `*` wildcard in resources; conditions not evaluated). */
  function allows(statement: PolicyStatement, action: string, resource: string): boolean {
    const actions = asList(statement.Action);
    const resources = asList(statement.Resource).map((value) => renderSub(value, { ServiceName: SERVICE, GitHubOwner: 'o', GitHubRepository: 'r' }));
    const matches = (pattern: string) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(resource);
    return statement.Effect === 'Allow' && actions.includes(action) && resources.some(matches);
  }

  /** The calls (action, resource ARN) that creating `resource` makes with the deploy role's credentials. */
  function callsToCreate(stage: Stage, logicalId: string, resource: Resource): [string, string][] {
    const props = resource.Properties ?? {};
    const generatedName = `${SERVICE}-${stage}-${logicalId}-AbC123dEf`.slice(0, 64);
    const functionArn = (name: string) => arn('lambda', `function:${name}`);
    switch (resource.Type) {
      case 'AWS::S3::Bucket': {
        const bucket = `arn:aws:s3:::${`${SERVICE}-${stage}-${logicalId}`.toLowerCase().slice(0, 49)}-abc123def`;
        return [['s3:CreateBucket', bucket], ['s3:PutEncryptionConfiguration', bucket], ['s3:PutObject', `${bucket}/serverless/x.zip`]];
      }
      case 'AWS::S3::BucketPolicy': {
        const bucket = `arn:aws:s3:::${`${SERVICE}-${stage}-ServerlessDeploymentBucket`.toLowerCase().slice(0, 49)}-abc123def`;
        return [['s3:PutBucketPolicy', bucket]];
      }
      case 'AWS::Logs::LogGroup':
        return [['logs:CreateLogGroup', arn('logs', `log-group:${render(props.LogGroupName)}`)], ['logs:PutRetentionPolicy', arn('logs', `log-group:${render(props.LogGroupName)}`)]];
      case 'AWS::IAM::Role': {
        const name = props.RoleName === undefined ? generatedName : render(props.RoleName);
        return [['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/${name}`], ['iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/${name}`], ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/${name}`]];
      }
      case 'AWS::Lambda::Function':
        return [['lambda:CreateFunction', functionArn(render(props.FunctionName))], ['lambda:UpdateFunctionCode', functionArn(render(props.FunctionName))]];
      case 'AWS::Lambda::Version':
      case 'AWS::Lambda::Permission': {
        const [target] = (props.FunctionName as { Ref?: string; 'Fn::GetAtt'?: string[] }).Ref !== undefined ? [(props.FunctionName as { Ref: string }).Ref] : (props.FunctionName as { 'Fn::GetAtt': string[] })['Fn::GetAtt'];
        const name = render(get(stage).template.Resources[target!]!.Properties.FunctionName);
        return [[resource.Type === 'AWS::Lambda::Version' ? 'lambda:PublishVersion' : 'lambda:AddPermission', functionArn(name)]];
      }
      case 'Custom::CognitoUserPool': {
        const [target] = (props.ServiceToken as { 'Fn::GetAtt': string[] })['Fn::GetAtt'];
        return [['lambda:InvokeFunction', functionArn(render(get(stage).template.Resources[target!]!.Properties.FunctionName))]];
      }
      case 'AWS::Cognito::UserPool':
        return [['cognito-idp:CreateUserPool', '*'], ['cognito-idp:UpdateUserPool', arn('cognito-idp', 'userpool/us-east-1_AbCdEf123')]];
      case 'AWS::Cognito::UserPoolClient':
        return [['cognito-idp:CreateUserPoolClient', arn('cognito-idp', 'userpool/us-east-1_AbCdEf123')]];
      case 'AWS::CloudWatch::Alarm':
        return [['cloudwatch:PutMetricAlarm', arn('cloudwatch', `alarm:${render(props.AlarmName)}`)]];
      case 'AWS::SNS::Topic':
        return [['sns:CreateTopic', arn('sns', render(props.TopicName))]];
      case 'AWS::Events::Rule':
        return [['events:PutRule', arn('events', `rule/${props.Name === undefined ? generatedName : render(props.Name)}`)]];
      case 'AWS::SSM::Parameter':
        return [['ssm:PutParameter', arn('ssm', `parameter${render(props.Name)}`)]];
      default:
        throw new Error(`The deploy roles do not know ${resource.Type} (${logicalId}): add the permissions creating it needs to deploy/github-oidc-roles.yml, and its case here.`);
    }
  }

  it.each(deployStages.map((stage) => [stage]))('%s: the stack, every resource of the packaged template, the Fauna admin secret (schema:push), the smoke invoke and, for an existing pool, the deploy\'s pool lookup', (stage) => {
    // Arrange
    const statements = deployRoleFor(rolesTemplate, stage).statements;
    const calls: [string, string][] = [
      ['cloudformation:CreateChangeSet', arn('cloudformation', `stack/${SERVICE}-${stage}/0a1b2c3d`)],
      ['cloudformation:ExecuteChangeSet', arn('cloudformation', `stack/${SERVICE}-${stage}/0a1b2c3d`)],
      ['ssm:GetParameter', arn('ssm', `parameter${defaultAdminSecretParameter(stage)}`)],
      ['lambda:InvokeFunction', arn('lambda', `function:${functionName(stage)}`)],
      // serverless/existing-pool-check.cjs resolves existingPoolName with the deploy's own credentials.
      ...(get(stage).params.poolMode === 'existing' ? [['cognito-idp:ListUserPools', '*'] as [string, string]] : []),
      ...Object.entries(get(stage).template.Resources).flatMap(([logicalId, resource]) => callsToCreate(stage, logicalId, resource)),
    ];

    // Act
    const denied = calls.filter(([action, resource]) => !statements.some((statement) => allows(statement, action, resource)));

    // Assert
    expect(calls.length).toBeGreaterThan(10);
    expect(denied).toEqual([]);
  });

  it('dev’s role reaches nothing of staging’s or prod’s stack (the same calls for another stage are denied)', () => {
    // Arrange
    const statements = deployRoleFor(rolesTemplate, 'dev').statements;
    const otherStageCalls = (['staging', 'prod'] as const).flatMap((stage) => Object.entries(get(stage).template.Resources).flatMap(([logicalId, resource]) => callsToCreate(stage, logicalId, resource)));

    // Act
    const allowed = otherStageCalls.filter(([action, resource]) => resource !== '*' && !resource.includes(':userpool/') && statements.some((statement) => allows(statement, action, resource)));

    // Assert
    expect(otherStageCalls.length).toBeGreaterThan(10);
    expect(allowed).toEqual([]);
  });
});
