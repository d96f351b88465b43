/**
 * Revokes every Fauna token of one Cognito user, for operators (the same `revokeTokens` query the revokeFaunaTokens
 * function runs). Prints how many tokens were deleted; never a secret.
 *
 *   npm run tokens:revoke -- --stage dev --sub 7d8ca528-4931-4254-9273-ea5ee853f271
 *   npm run tokens:revoke -- --stage dev --user ada@example.com --pool-id us-east-1_Abc123
 *
 * Settings (flag, else environment, else the stage param in serverless.yml): --endpoint / FAUNA_ENDPOINT / faunaEndpoint;
 * the revoke key (role tokenRevoker): FAUNA_REVOKE_SECRET, else the SSM SecureString --parameter /
 * FAUNA_REVOKE_SECRET_PARAMETER / faunaRevokeSecretParameter; with --user, the pool: --pool-id / USER_POOL_ID /
 * existingPoolId (a created pool's id is the stack output UserPoolId). --user asks Cognito (AdminGetUser) for the sub,
 * with the caller's AWS credentials; a user deleted from Cognito can only be revoked by --sub.
 */
import { AdminGetUserCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { Client } from 'fauna';
import { CognitoFaunaError } from '../lib/common/errors.ts';
import { revokeTokensOf, type RevocationResult } from '../lib/revocation/revocation.ts';
import { faunaEndpointSetting, readStageParams, requireSetting, StageSettingError } from '../tools/stage-settings.ts';
import { defineCli, isEntryPoint, parseCli, runMain } from '../tools/cli.ts';

/** One small query: give up quickly rather than hang an operator's terminal. */
export const REVOKE_QUERY_TIMEOUT_MS = 10_000;

/** Thrown when the user cannot be found or the command is used wrongly; the message says what to do. */
export class RevokeCommandError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RevokeCommandError';
  }
}

export type RevokeTarget = { sub: string } | { username: string; userPoolId: string };

export interface RevokeCommandOptions {
  stage: string;
  endpoint: string;
  /** A key with the tokenRevoker role (or an admin key). Never printed. */
  secret: string;
  target: RevokeTarget;
}

export interface RevokeCommandDependencies {
  /** Needed for `--user` only. */
  cognito?: Pick<CognitoIdentityProviderClient, 'send'>;
  log: (line: string) => void;
}

/**
 * Resolves the user's sub (AdminGetUser when given a user name) and deletes every token of their identity.
 *
 * @throws {RevokeCommandError} when Cognito has no such user
 * @throws {CognitoFaunaError} when Fauna refuses the key or the query
 */
export async function revokeUserTokens(options: RevokeCommandOptions, deps: RevokeCommandDependencies): Promise<RevocationResult & { sub: string }> {
  const sub = 'sub' in options.target ? options.target.sub : await subOf(options.target, deps);
  const client = new Client({ endpoint: new URL(options.endpoint), secret: options.secret, query_timeout_ms: REVOKE_QUERY_TIMEOUT_MS, http2_session_idle_ms: 100 });
  try {
    const result = await revokeTokensOf(client, sub);
    deps.log(
      result.userId === null
        ? `No Fauna identity has sub ${sub} on stage ${options.stage}: nothing to revoke (0 tokens deleted).`
        : `Deleted ${result.deleted} Fauna token(s) of identity ${result.userId} (sub ${sub}) on stage ${options.stage}.`,
    );
    return { ...result, sub };
  } finally {
    client.close();
  }
}

async function subOf(target: { username: string; userPoolId: string }, deps: RevokeCommandDependencies): Promise<string> {
  if (!deps.cognito) throw new RevokeCommandError('A Cognito client is needed to look up --user.');
  try {
    const user = await deps.cognito.send(new AdminGetUserCommand({ UserPoolId: target.userPoolId, Username: target.username }));
    const sub = user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value;
    if (!sub) throw new RevokeCommandError(`Cognito returned user ${target.username} without a sub attribute.`);
    return sub;
  } catch (error) {
    if (error instanceof RevokeCommandError) throw error;
    if ((error as { name?: string }).name === 'UserNotFoundException') {
      throw new RevokeCommandError(`Pool ${target.userPoolId} has no user ${target.username} (deleted?). If you know the sub, run with --sub <sub>.`, { cause: error });
    }
    const reason = error instanceof Error ? error.name : String(error);
    throw new RevokeCommandError(`Cognito AdminGetUser failed (${reason}). Check AWS credentials, region and cognito-idp:AdminGetUser on the pool.`, { cause: error });
  }
}

async function revokeSecret(parameterName: string | undefined, ssm: () => Promise<Pick<SSMClient, 'send'>>): Promise<string> {
  if (process.env.FAUNA_REVOKE_SECRET) return process.env.FAUNA_REVOKE_SECRET;
  if (!parameterName) throw new StageSettingError('Missing the revoke key: set FAUNA_REVOKE_SECRET, or pass --parameter <SSM SecureString name>.');
  try {
    const result = await (await ssm()).send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
    if (!result.Parameter?.Value) throw new StageSettingError(`SSM parameter ${parameterName} is empty: store the revoke key in it (npm run key:bootstrap -- --role tokenRevoker).`);
    return result.Parameter.Value;
  } catch (error) {
    if (error instanceof StageSettingError) throw error;
    const reason = error instanceof Error ? error.name : String(error);
    throw new StageSettingError(`Could not read the revoke key from SSM parameter ${parameterName} (${reason}). Check AWS credentials, region and ssm:GetParameter/kms:Decrypt access.`, { cause: error });
  }
}

export const CLI = defineCli({
  command: 'npm run tokens:revoke --',
  summary: "Deletes every Fauna token of one Cognito user (role tokenRevoker's revokeTokens); prints the count, never a secret. Needs the stage's Fauna and its revoke key (AWS credentials for the SSM parameter and, with --user, Cognito).",
  options: {
    stage: { type: 'string', value: 'STAGE', help: 'the stage (local, dev, staging, prod): its params in serverless.yml are the defaults' },
    sub: { type: 'string', value: 'SUB', help: "the user's Cognito sub (one of --sub or --user)" },
    user: { type: 'string', value: 'NAME', help: 'the Cognito user name (asks Cognito for the sub: AdminGetUser)' },
    'pool-id': { type: 'string', value: 'ID', help: "with --user: the pool (else USER_POOL_ID, else the stage's existingPoolId)" },
    endpoint: { type: 'string', value: 'URL', help: 'Fauna endpoint (else FAUNA_ENDPOINT, else the stage param faunaEndpoint)' },
    parameter: { type: 'string', value: 'NAME', help: 'SSM SecureString of the revoke key (else FAUNA_REVOKE_SECRET in the environment, else FAUNA_REVOKE_SECRET_PARAMETER / faunaRevokeSecretParameter)' },
  },
  examples: ['npm run tokens:revoke -- --stage dev --sub 7d8ca528-4931-4254-9273-ea5ee853f271', 'npm run tokens:revoke -- --stage dev --user ada@example.com --pool-id us-east-1_Abc123'],
});

async function main(argv: string[]): Promise<number> {
  const values = parseCli(CLI, argv);
  if (!values) return 0;
  const stage = requireSetting('stage', 'pass --stage <local|dev|staging|prod>.', values.stage);
  if ((values.sub === undefined) === (values.user === undefined)) {
    throw new RevokeCommandError('Pass exactly one of --sub <Cognito sub> or --user <Cognito user name>.');
  }
  const params = await readStageParams(stage);
  const endpoint = faunaEndpointSetting(values.endpoint, params);
  const secret = await revokeSecret(
    values.parameter ?? process.env.FAUNA_REVOKE_SECRET_PARAMETER ?? params.faunaRevokeSecretParameter,
    async () => new (await import('@aws-sdk/client-ssm')).SSMClient({}),
  );
  let target: RevokeTarget;
  let cognito: CognitoIdentityProviderClient | undefined;
  if (values.sub !== undefined) {
    target = { sub: values.sub };
  } else {
    const poolFromParams = params.existingPoolId && params.existingPoolId !== '*' ? params.existingPoolId : undefined;
    const userPoolId = requireSetting('user pool id', 'pass --pool-id <id> or set USER_POOL_ID (a created pool\'s id is the stack output UserPoolId).', values['pool-id'], process.env.USER_POOL_ID, poolFromParams);
    target = { username: values.user!, userPoolId };
    cognito = new (await import('@aws-sdk/client-cognito-identity-provider')).CognitoIdentityProviderClient({});
  }
  await revokeUserTokens({ stage, endpoint, secret, target }, { cognito, log: (line) => console.log(line) });
  return 0;
}

if (isEntryPoint(import.meta.url)) {
  runMain('tokens:revoke', () => main(process.argv.slice(2)), { isKnown: (error) => error instanceof RevokeCommandError || error instanceof StageSettingError || error instanceof CognitoFaunaError, isRefusal: (error) => error instanceof RevokeCommandError });
}
