/**
 * The revocation function as the real Serverless CLI (osls) packages it for every stage (no AWS credentials): its
 * EventBridge rule matches exactly this pool's Cognito calls it handles (sign-outs, disable, delete, RevokeToken,
 * group and attribute changes), its own role allows exactly what it does, and the
 * trigger's role gained nothing. The Fauna side: the revoke key's role may only call revokeTokens and identity-sync.fsl's
 * three functions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RevocationMetricName } from '../../lib/revocation/revocation.ts';
import { parseFslFiles } from '../../packages/fauna-local/src/fsl-schema.ts';
import { packageStage, STAGES, type Stage } from '../../scripts/package-stage.ts';
import { readStageParams } from '../../tools/stage-settings.ts';
import { asList, PSEUDO, render, resourcesOfType, roleStatements, type Resource, type Statement, type Template } from './helpers/cloudformation.ts';
import { matchesPattern } from './helpers/event-pattern.ts';

const FUNCTION_ID = 'RevokeFaunaTokensLambdaFunction';
const ROLE_ID = 'RevokeFaunaTokensRole';
const TRIGGER_ROLE_ID = 'IamRoleLambdaExecution';
const CREATED_POOL_ID = 'CognitoUserPoolCognitoFaunaUsers';
const { 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT } = PSEUDO;
const SAMPLE_POOL = 'us-east-1_EXAMPLE12';
const EVENTS_DIR = new URL('../../events/cloudtrail/', import.meta.url);
const SAMPLES = readdirSync(EVENTS_DIR).filter((name) => name.endsWith('.json'));

interface Packaged { template: Template; params: Record<string, string> }

let root: string;
const packaged = new Map<Stage, Packaged>();
const get = (stage: Stage) => packaged.get(stage)!;
const each = () => STAGES.map((stage) => [stage] as const);
const parameterArn = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sls-revocation-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  for (const stage of STAGES) {
    const dir = path.join(root, stage);
    await packageStage(stage, dir, { env: { ...env, AWS_EC2_METADATA_DISABLED: 'true' } });
    const template = JSON.parse(await readFile(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
    packaged.set(stage, { template, params: await readStageParams(stage) });
  }
}, 180_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The pool id the stage's template uses: a Ref to the created pool, or the existingPoolId param. */
const expectedPoolId = (stage: Stage) => (get(stage).params.poolMode === 'created' ? { Ref: CREATED_POOL_ID } : get(stage).params.existingPoolId);

/** The rule's pattern with the stage's pool id replaced by `poolId`, so that it can be matched against events. */
function patternFor(stage: Stage, poolId: string): Record<string, unknown> {
  const [[, rule]] = resourcesOfType(get(stage).template, 'AWS::Events::Rule') as [[string, Resource]];
  const text = JSON.stringify(rule.Properties.EventPattern).replaceAll(JSON.stringify(expectedPoolId(stage)), JSON.stringify(poolId));
  return JSON.parse(text) as Record<string, unknown>;
}

function sample(name: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(name, EVENTS_DIR), 'utf8')) as Record<string, any>;
}


describe('revokeFaunaTokens as packaged for every stage', () => {
  it.each(each())('%s: runs with its own role, its own key parameter and this stage’s pool', (stage) => {
    // Arrange
    const fn = get(stage).template.Resources[FUNCTION_ID]!;
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

    // Assert
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': [ROLE_ID, 'Arn'] });
    expect(variables.FAUNA_SECRET_PARAMETER).toBe(get(stage).params.faunaRevokeSecretParameter);
    expect(variables.FAUNA_SECRET_PARAMETER).not.toBe(get(stage).params.faunaSecretParameter);
    expect(variables.USER_POOL_IDS).toEqual(expectedPoolId(stage));
    expect(variables.IDENTITY_ATTRIBUTES).toBe(get(stage).params.identityAttributes);
    expect(fn.Properties.Timeout).toBeLessThanOrEqual(15);
  });

  it.each(each())('%s: the EventBridge rule matches each sample event of this pool and nothing else', (stage) => {
    // Arrange
    const pattern = patternFor(stage, SAMPLE_POOL);
    const failed = sample('variants/admin-delete-user-access-denied.json');
    const otherPool = sample('admin-user-global-sign-out.json');
    otherPool.detail.requestParameters.userPoolId = 'us-east-1_OtherPool9';
    const otherCall = sample('admin-disable-user.json');
    otherCall.detail.eventName = 'AdminEnableUser';
    const otherSource = { ...sample('delete-user.json'), source: 'aws.s3' };
    const selfServiceElsewhere = sample('global-sign-out.json');
    selfServiceElsewhere.detail.additionalEventData.userPoolId = 'us-east-1_OtherPool9';
    // Attack: a group grant for a user of another pool must not reach the function.
    const groupElsewhere = sample('admin-add-user-to-group.json');
    groupElsewhere.detail.requestParameters.userPoolId = 'us-east-1_OtherPool9';
    const deniedGroup = { ...sample('admin-add-user-to-group.json') };
    deniedGroup.detail.errorCode = 'AccessDenied';
    const clientElsewhere = sample('revoke-token.json');
    clientElsewhere.detail.additionalEventData.userPoolId = 'us-east-1_OtherPool9';

    // Act
    const matched = SAMPLES.filter((name) => matchesPattern(pattern, sample(name)));
    const strays = [failed, otherPool, otherCall, otherSource, selfServiceElsewhere, groupElsewhere, deniedGroup, clientElsewhere].filter((event) => matchesPattern(pattern, event));

    // Assert
    expect(matched.sort()).toEqual([...SAMPLES].sort());
    expect(SAMPLES).toHaveLength(12);
    expect(strays).toEqual([]);
  });

  it.each(each())('%s: the rule targets only this function, and only that rule may invoke it', (stage) => {
    // Arrange
    const { template } = get(stage);
    const [[ruleId, rule]] = resourcesOfType(template, 'AWS::Events::Rule') as [[string, Resource]];
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(([, permission]) => render(permission.Properties.FunctionName) === `<GetAtt:${FUNCTION_ID}.Arn>`);

    // Assert
    expect(ruleId).toBeTruthy();
    expect((rule.Properties.Targets as { Arn: unknown }[]).map((target) => target.Arn)).toEqual([{ 'Fn::GetAtt': [FUNCTION_ID, 'Arn'] }]);
    expect(permissions).toHaveLength(1);
    expect(permissions[0]![1].Properties.Principal).toBe('events.amazonaws.com');
    expect(render(permissions[0]![1].Properties.SourceArn)).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:rule/${rule.Properties.Name as string}`);
  });

  it.each(each())('%s: its role allows exactly its log group, its key parameter (and KMS through SSM) and AdminGetUser on this pool', (stage) => {
    // Arrange
    const { template, params } = get(stage);
    const statements: Statement[] = roleStatements(template.Resources[ROLE_ID]!);

    // Act
    const grants = statements.map((statement) => ({
      effect: statement.Effect,
      actions: asList(statement.Action).sort(),
      resources: asList(statement.Resource).map(render),
      condition: statement.Condition,
    }));

    // Assert
    const revokeParameter = parameterArn(params.faunaRevokeSecretParameter!);
    expect(grants).toEqual([
      { effect: 'Allow', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/cognito-fauna-${stage}-revokeFaunaTokens:*`], condition: undefined },
      { effect: 'Allow', actions: ['ssm:GetParameter', 'ssm:GetParameters'], resources: [revokeParameter], condition: undefined },
      {
        effect: 'Allow',
        actions: ['kms:Decrypt'],
        resources: [`arn:aws:kms:${REGION}:${ACCOUNT}:key/${params.kmsKeyId}`],
        condition: { StringEquals: { 'kms:ViaService': expect.anything(), 'kms:EncryptionContext:PARAMETER_ARN': expect.anything() } },
      },
      {
        effect: 'Allow',
        actions: ['cognito-idp:AdminGetUser'],
        resources: [params.poolMode === 'created' ? `<GetAtt:${CREATED_POOL_ID}.Arn>` : `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${params.existingPoolId}`],
        condition: undefined,
      },
    ]);
    expect(render(grants[2]!.condition!.StringEquals!['kms:EncryptionContext:PARAMETER_ARN'])).toBe(revokeParameter);
    expect(template.Resources[ROLE_ID]!.Properties.ManagedPolicyArns ?? []).toEqual([]);
  });

  it.each(each())('%s: the trigger’s role gained nothing: no revoke key, no Cognito call', (stage) => {
    // Arrange
    const statements = roleStatements(get(stage).template.Resources[TRIGGER_ROLE_ID]!);

    // Act
    const resources = statements.flatMap((statement) => asList(statement.Resource).map(render));
    const actions = statements.flatMap((statement) => asList(statement.Action));

    // Assert
    expect(resources).not.toContain(parameterArn(get(stage).params.faunaRevokeSecretParameter!));
    expect(actions.filter((action) => action.startsWith('cognito-idp:'))).toEqual([]);
  });
});

describe('the revocation alarm', () => {
  it.each(each())('%s: RevocationFailures above 0 notifies the stage’s alarm topic, on the metric name the code emits', (stage) => {
    // Act
    const alarm = get(stage).template.Resources.RevocationFailuresAlarm!;

    // Assert
    expect(alarm.Type).toBe('AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'CognitoFauna',
      MetricName: RevocationMetricName.failures,
      Dimensions: [{ Name: 'service', Value: 'cognito-fauna' }],
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      AlarmActions: [{ Ref: 'AlarmTopic' }],
      AlarmName: `cognito-fauna-${stage}-revocation-failures`,
    });
  });
});

describe('the revoke key’s Fauna role (fauna/tokens.fsl)', () => {
  it('tokenRevoker may only call revokeTokens and the Cognito-change functions, and each runs as server', () => {
    // Arrange
    const schema = parseFslFiles(['tokens.fsl', 'identity-sync.fsl'].map((filename) => ({ filename, content: readFileSync(`fauna/${filename}`, 'utf8') })));
    const callable = ['revokeTokens', 'changeIdentityGroup', 'setIdentityAttributes', 'revokeClientTokens'];

    // Act
    const role = schema.roles.find((candidate) => candidate.name === 'tokenRevoker');
    const roles = callable.map((name) => schema.functions.find((fn) => fn.name === name)?.role);

    // Assert
    expect(role?.membership ?? []).toEqual([]);
    expect(role?.privileges).toEqual(callable.map((resource) => ({ resource, actions: { call: true } })));
    expect(roles).toEqual(callable.map(() => 'server'));
  });
});
