/**
 * IAM pieces of serverless.yml that depend on a stage param's form, computed at package time (osls calls these
 * functions through `${file(./serverless/iam.cjs):name}`; `.cjs` because the framework loads it with require()).
 * Deciding here rather than with an `Fn::If` keeps every packaged template free of conditions that are constant at
 * package time (cfn-lint W8003) and of empty ARNs in a branch that is never taken (cfn-lint E3510).
 */
'use strict';

/** An SSM parameter ARN, as lib/common/config.ts accepts it: partition, region, 12-digit account, `parameter/<name>`. */
const PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]+$/;
const PARAMETER_NAME = /^\/?[A-Za-z0-9_.\-/]+$/;
/** A Cognito user pool id: `<region>_<id>` (CreateUserPool's documented pattern `[\w-]+_[0-9a-zA-Z]+`). */
const USER_POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/]+$/;

class StageParamError extends Error {
  constructor(param, problem, fix) {
    super(`Stage param ${param} ${problem}. ${fix}`);
    this.name = 'StageParamError';
  }
}

const param = (resolveVariable, name) => resolveVariable(`param:${name}`);

/**
 * The ARN of `faunaSecretParameter`, given as a name (`/cognito-fauna/dev/fauna-secret`, or without the leading
 * slash) or as a full ARN (used as it is: it may name another region or account's parameter).
 */
function parameterArn(value, name = 'faunaSecretParameter') {
  const text = String(value ?? '').trim();
  if (text.startsWith('arn:')) {
    if (!PARAMETER_ARN.test(text)) {
      throw new StageParamError(name, `is not a valid SSM parameter ARN (${text})`, 'Use arn:<partition>:ssm:<region>:<account>:parameter/<name>, or just the name.');
    }
    return text;
  }
  if (!PARAMETER_NAME.test(text) || text.endsWith('/')) {
    throw new StageParamError(name, `is not an SSM parameter name or ARN (${JSON.stringify(text)})`, 'Set it in serverless.yml params, e.g. /cognito-fauna/dev/fauna-secret.');
  }
  // A name without a leading slash still has one in its ARN: arn:…:parameter/<name>.
  const path = text.startsWith('/') ? text : `/${text}`;
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:parameter${path}`]] };
}

/** The function's SSM parameter ARN (a string or an Fn::Join), for the IAM resource and the KMS encryption context. */
async function faunaSecretParameterArn({ resolveVariable }) {
  return parameterArn(await param(resolveVariable, 'faunaSecretParameter'));
}

/** The ARN of `userPoolIdParameter`, the SSM String with the served pool id(s) the function reads with its key. */
async function userPoolIdParameterArn({ resolveVariable }) {
  return parameterArn(await param(resolveVariable, 'userPoolIdParameter'), 'userPoolIdParameter');
}

/**
 * The statements of the existing-pool custom resource's role. Refuses an unset or wildcard `existingPoolId`: the
 * role may touch that one pool only. Adds iam:PassRole only when the pool has an SMS role.
 */
async function existingPoolStatements({ resolveVariable }) {
  const stage = await resolveVariable('sls:stage');
  const service = await resolveVariable('self:service');
  const poolId = String((await param(resolveVariable, 'existingPoolId')) ?? '').trim();
  if (poolId === '' || poolId.includes('*')) {
    throw new StageParamError('existingPoolId', `is ${poolId === '' ? 'empty' : `'${poolId}'`} for stage ${stage}, which attaches to an existing pool (poolMode: existing)`, `Set params.${stage}.existingPoolId in serverless.yml to the pool's id (e.g. us-east-1_AbCdEf123; aws cognito-idp list-user-pools shows it), so that the deploy may change that one pool only.`);
  }
  if (!USER_POOL_ID.test(poolId)) {
    throw new StageParamError('existingPoolId', `is not a user pool id ('${poolId}')`, 'A pool id looks like us-east-1_AbCdEf123.');
  }
  const smsRoleArn = String((await param(resolveVariable, 'existingPoolSmsRoleArn')) ?? '').trim();
  if (smsRoleArn !== '' && !IAM_ROLE_ARN.test(smsRoleArn)) {
    throw new StageParamError('existingPoolSmsRoleArn', `is not an IAM role ARN ('${smsRoleArn}')`, "Set it to the pool's SmsConfiguration.SnsCallerArn, or '' when the pool sends no SMS.");
  }
  const functionArn = { 'Fn::GetAtt': ['PreTokenGenerationLambdaFunction', 'Arn'] };
  const logGroupArn = { 'Fn::GetAtt': ['CustomResourceExistingCupLogGroup', 'Arn'] };
  const statements = [
    // ListUserPools has no resource-level permission: IAM only accepts '*' for it.
    { Effect: 'Allow', Action: ['cognito-idp:ListUserPools'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['cognito-idp:DescribeUserPool', 'cognito-idp:UpdateUserPool'],
      Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cognito-idp:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:userpool/${poolId}`]] }],
    },
    // Only Cognito may be granted invoke, and only on this service's function.
    { Effect: 'Allow', Action: ['lambda:AddPermission'], Resource: [functionArn], Condition: { StringEquals: { 'lambda:Principal': 'cognito-idp.amazonaws.com' } } },
    { Effect: 'Allow', Action: ['lambda:RemovePermission'], Resource: [functionArn] },
    // Its own log group only (created by the stack, so the handler needs no logs:CreateLogGroup): the group's ARN
    // ends in `:*`, which covers its streams.
    { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [logGroupArn] },
  ];
  if (smsRoleArn !== '') {
    // UpdateUserPool sends back the pool's whole configuration, SmsConfiguration.SnsCallerArn included, and passing
    // that role needs iam:PassRole on it, to Cognito only.
    statements.push({ Effect: 'Allow', Action: ['iam:PassRole'], Resource: [smsRoleArn], Condition: { StringEquals: { 'iam:PassedToService': 'cognito-idp.amazonaws.com' } } });
  }
  return [{ PolicyName: `${stage}-${service}-custom-resources-lambda`, PolicyDocument: { Version: '2012-10-17', Statement: statements } }];
}

module.exports = { faunaSecretParameterArn, userPoolIdParameterArn, existingPoolStatements, parameterArn, StageParamError };
