/**
 * Settings the delivery scripts need per stage, resolved in this order: command-line flag, environment variable,
 * the stage's `params` in serverless.yml (so a stage is configured in one place), then a default.
 * `${sls:stage}` is substituted; values that hold any other `${…}` variable are ignored (only the framework resolves those).
 */
import { readFile } from 'node:fs/promises';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parse } from 'yaml';

export const DEFAULT_SERVERLESS_FILE = 'serverless.yml';

/** Where a stage's Fauna admin secret lives in SSM unless the stage param `faunaAdminSecretParameter` says otherwise. */
export function defaultAdminSecretParameter(stage: string): string {
  return `/cognito-fauna/${stage}/fauna-admin-secret`;
}

/** The stage's KMS key for the trigger's SecureString; serverless.yml's `'*'` (any key) means SSM's default key. */
export function kmsKeyFromParams(params: Record<string, string>): string | undefined {
  const key = params.faunaSecretKmsKeyId ?? params.kmsKeyId;
  return key && key !== '*' ? key : undefined;
}

/** Thrown when a required setting is missing or cannot be read; the message says how to provide it. */
export class StageSettingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StageSettingError';
  }
}

/**
 * Reads `params.default` merged with `params.<stage>` from serverless.yml. Missing file or params = `{}`.
 *
 * @example
 * const params = await readStageParams('dev'); // { faunaEndpoint: 'https://fauna.dev.example.com', … }
 */
export async function readStageParams(stage: string, file = DEFAULT_SERVERLESS_FILE): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return {};
  }
  const config = parse(text) as { params?: Record<string, Record<string, unknown> | undefined> } | null;
  const merged = { ...config?.params?.default, ...config?.params?.[stage] };
  const literal: Record<string, string> = {};
  for (const [name, value] of Object.entries(merged)) {
    if (value === null || value === undefined || typeof value === 'object') continue;
    const text = String(value).replaceAll('${sls:stage}', stage).replaceAll('${opt:stage}', stage);
    if (!text.includes('${')) literal[name] = text;
  }
  return literal;
}

/** Returns the first defined, non-empty value, or throws with `howToSet` in the message. */
export function requireSetting(name: string, howToSet: string, ...candidates: (string | undefined)[]): string {
  const value = candidates.find((candidate) => candidate !== undefined && candidate !== '');
  if (value === undefined) throw new StageSettingError(`Missing ${name}: ${howToSet}`);
  return value;
}

/** The Fauna endpoint: `--endpoint`, else `FAUNA_ENDPOINT`, else the stage param `faunaEndpoint`. */
export function faunaEndpointSetting(flag: string | undefined, params: Record<string, string>, env = process.env): string {
  return requireSetting('Fauna endpoint', 'pass --endpoint <url>, set FAUNA_ENDPOINT, or set the stage param faunaEndpoint in serverless.yml.', flag, env.FAUNA_ENDPOINT, params.faunaEndpoint);
}

/**
 * The SSM parameter that holds the admin secret: `--admin-secret-parameter`, else `FAUNA_ADMIN_SECRET_PARAMETER`, else
 * the stage param `faunaAdminSecretParameter`, else the stage's default name (none without a stage).
 */
export function adminSecretParameterName(flag: string | undefined, params: Record<string, string>, stage: string | undefined, env = process.env): string | undefined {
  return flag ?? env.FAUNA_ADMIN_SECRET_PARAMETER ?? params.faunaAdminSecretParameter ?? (stage ? defaultAdminSecretParameter(stage) : undefined);
}

/**
 * The admin secret: `FAUNA_ADMIN_SECRET` if set, else the SecureString parameter `parameterName` (decrypted).
 * The secret is returned, never logged.
 */
export async function resolveAdminSecret(input: { envSecret: string | undefined; parameterName: string | undefined; ssm: SSMClient }): Promise<string> {
  if (input.envSecret) return input.envSecret;
  if (!input.parameterName) {
    throw new StageSettingError('Missing the Fauna admin secret: set FAUNA_ADMIN_SECRET, or pass --admin-secret-parameter <SSM SecureString name> (or set the stage param faunaAdminSecretParameter).');
  }
  try {
    const result = await input.ssm.send(new GetParameterCommand({ Name: input.parameterName, WithDecryption: true }));
    const value = result.Parameter?.Value;
    if (!value) throw new StageSettingError(`SSM parameter ${input.parameterName} is empty: store the admin secret in it.`);
    return value;
  } catch (error) {
    if (error instanceof StageSettingError) throw error;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new StageSettingError(`Could not read the admin secret from SSM parameter ${input.parameterName} (${reason}). Check AWS credentials, region and ssm:GetParameter/kms:Decrypt access.`, { cause: error });
  }
}
