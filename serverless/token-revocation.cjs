/**
 * IAM pieces of serverless/token-revocation.yml that depend on a stage param's form, computed at package time like
 * serverless/iam.cjs does for the trigger: the revoke key's parameter may be a name or a full ARN.
 */
'use strict';

const { parameterArn, StageParamError } = require('./iam.cjs');

/** The ARN of `faunaRevokeSecretParameter` (a string, or an Fn::Join for a name), for IAM and the KMS context. */
async function faunaRevokeSecretParameterArn({ resolveVariable }) {
  const value = await resolveVariable('param:faunaRevokeSecretParameter');
  try {
    return parameterArn(value);
  } catch (error) {
    if (!(error instanceof StageParamError)) throw error;
    const renamed = new StageParamError('faunaRevokeSecretParameter', '', '');
    renamed.message = error.message.replace('faunaSecretParameter', 'faunaRevokeSecretParameter').replace('/fauna-secret', '/fauna-revoke-secret');
    throw renamed;
  }
}

module.exports = { faunaRevokeSecretParameterArn };
