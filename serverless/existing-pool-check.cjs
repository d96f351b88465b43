/**
 * One pool identity for poolMode: existing (docs/deploy.md "One pool, one id").
 *
 * The framework's custom resource (Custom::CognitoUserPool) finds the pool to attach the trigger to by its *name*
 * (existingPoolName: ListUserPools, first match), while the served-pool parameter the function reads and the
 * revocation rule use the pool's *id* (existingPoolId). Cognito pool names are not unique and nothing ties the two
 * params together: a name that resolves to another pool would attach the trigger there while the function refuses
 * every event from it, and revocation would watch a pool nobody signs in to.
 *
 * This plugin resolves the name at deploy time (`before:deploy:deploy`, after packaging, before anything is uploaded
 * or changed) and fails the deploy unless exactly one pool has that name and its id is the one the stack serves and
 * revokes for. `serverless package` needs no AWS access and is not checked. `.cjs`: osls loads plugins with require().
 */
'use strict';

const { CognitoIdentityProviderClient, ListUserPoolsCommand } = require('@aws-sdk/client-cognito-identity-provider');

const PAGE_SIZE = 60; // ListUserPools' maximum

class PoolIdentityError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PoolIdentityError';
  }
}

/** Every pool named `name` (ListUserPools pages through the region's pools; Cognito filters by nothing). */
async function poolsNamed(client, name) {
  const matches = [];
  let nextToken;
  do {
    const page = await client.send(new ListUserPoolsCommand({ MaxResults: PAGE_SIZE, ...(nextToken ? { NextToken: nextToken } : {}) }));
    for (const pool of page.UserPools ?? []) if (pool.Name === name) matches.push(pool.Id);
    nextToken = page.NextToken;
  } while (nextToken);
  return matches;
}

/**
 * What an existing-pool stage attaches to, serves and revokes for, read from the resolved service, or undefined for
 * a stage that creates its pool (one resource, one id: nothing to check).
 */
function existingPoolTarget(service) {
  const events = Object.values(service.functions ?? {}).flatMap((fn) => fn.events ?? []);
  const attach = events.map((event) => event.cognitoUserPool).find((pool) => pool && pool.existing);
  if (!attach) return undefined;
  const template = service.provider?.compiledCloudFormationTemplate?.Resources ?? {};
  const servedParameter = template.CognitoFaunaUserPoolIdParameter?.Properties?.Value;
  return {
    name: String(attach.pool),
    servedId: typeof servedParameter === 'string' ? servedParameter : undefined,
    revokedId: String(service.custom?.tokenRevocation?.userPoolId ?? ''),
  };
}

/** Throws PoolIdentityError unless `matches` (the ids of the pools named target.name) is exactly the served id. */
function checkPoolIdentity(target, matches, { stage, region }) {
  const { name, revokedId } = target;
  const servedId = target.servedId ?? revokedId;
  const fix = `Set params.${stage}.existingPoolId (serverless.yml) to the id of the pool to attach to, and existingPoolName to that pool's name (aws cognito-idp list-user-pools --max-results 60 shows both).`;
  if (servedId !== revokedId) {
    throw new PoolIdentityError(`Stage ${stage} serves user pool ${servedId} (userPoolIdParameter) but revokes tokens for ${revokedId}. Both come from existingPoolId; ${fix}`);
  }
  if (matches.length === 0) {
    throw new PoolIdentityError(`Stage ${stage} attaches the trigger to the user pool named '${name}' (existingPoolName), but no pool in ${region} has that name; the stack would serve pool ${servedId} (existingPoolId). ${fix}`);
  }
  if (matches.length > 1) {
    throw new PoolIdentityError(`${matches.length} user pools in ${region} are named '${name}' (${matches.join(', ')}): the framework attaches the trigger to the first one ListUserPools returns, which need not be ${servedId} (existingPoolId). Pool names cannot be changed; attach to a pool whose name is unique in the region.`);
  }
  if (matches[0] !== servedId) {
    throw new PoolIdentityError(`The user pool named '${name}' (existingPoolName) is ${matches[0]}, but existingPoolId is ${servedId}: the trigger would be attached to ${matches[0]} while the function serves, and revocation watches, ${servedId}, so every sign-in would be refused and no revocation would fire. ${fix}`);
  }
}

class ExistingPoolCheck {
  constructor(serverless, options, utils) {
    this.serverless = serverless;
    this.log = utils?.log;
    this.hooks = { 'before:deploy:deploy': () => this.check() };
  }

  async check() {
    const target = existingPoolTarget(this.serverless.service);
    if (!target) return;
    const provider = this.serverless.getProvider('aws');
    const client = new CognitoIdentityProviderClient(await provider.getAwsSdkV3Config());
    const matches = await poolsNamed(client, target.name);
    try {
      checkPoolIdentity(target, matches, { stage: provider.getStage(), region: provider.getRegion() });
    } catch (error) {
      if (!(error instanceof PoolIdentityError)) throw error;
      // A ServerlessError prints as the deploy's one error message, without a stack trace.
      throw new this.serverless.classes.Error(error.message, 'EXISTING_POOL_IDENTITY');
    }
    this.log?.notice?.(`User pool '${target.name}' is ${matches[0]}: the trigger is attached to, and the stack serves and revokes for, that one pool.`);
  }
}

module.exports = ExistingPoolCheck;
module.exports.poolsNamed = poolsNamed;
module.exports.existingPoolTarget = existingPoolTarget;
module.exports.checkPoolIdentity = checkPoolIdentity;
module.exports.PoolIdentityError = PoolIdentityError;
