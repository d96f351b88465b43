/**
 * Creates the Fauna key the trigger uses (role `pretokenTrigger`: it may only call `signIn`) and stores its secret
 * in the stage's SSM SecureString parameter. Prints only key ids; the secret goes from Fauna straight to SSM.
 *
 *   npm run key:bootstrap -- --stage dev                         first key of a stage
 *   npm run key:bootstrap -- --stage dev --rotate                new key stored; old key(s) listed for later deletion
 *   npm run key:bootstrap -- --stage dev --rotate --delete-old-after 360   …and deleted once the Lambda cache expired
 *   npm run key:bootstrap -- --stage dev --delete-key <id>       delete one old key (the second step of a rotation)
 *   npm run key:bootstrap -- --stage dev --list-keys             ids of the stage's trigger keys
 *   npm run key:bootstrap -- --stage dev --role tokenRevoker     the revocation function's key (docs/token-lifecycle.md),
 *                                                                stored in faunaRevokeSecretParameter; works with every flag above
 *
 * Settings (flag, else environment, else the stage param in serverless.yml): --endpoint / FAUNA_ENDPOINT / faunaEndpoint;
 * --parameter / FAUNA_SECRET_PARAMETER / faunaSecretParameter (where the trigger reads its key);
 * --kms-key-id / FAUNA_SECRET_KMS_KEY_ID / kmsKeyId (`*` or unset: the account's aws/ssm key);
 * admin secret: FAUNA_ADMIN_SECRET, else the SSM SecureString --admin-secret-parameter / faunaAdminSecretParameter
 * (default /cognito-fauna/<stage>/fauna-admin-secret).
 */
import { userInfo } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createTriggerKey, DEFAULT_TRIGGER_ROLE, deleteKey, FaunaAdminError, listTriggerKeyIds } from '../tools/fauna-admin.ts';
import type { FaunaAdminConnection } from '../tools/fauna-admin.ts';
import { DEFAULT_SSM_CACHE_TTL_SECONDS } from '../lib/common/config.ts';
import { adminSecretParameterName, faunaEndpointSetting, kmsKeyFromParams, readStageParams, requireSetting, resolveAdminSecret, StageSettingError } from '../tools/stage-settings.ts';
import { defineCli, isEntryPoint, parseCli, runMain } from '../tools/cli.ts';

/**
 * How long the Lambda may keep serving a cached key after a rotation when the stage does not say
 * (stage param `ssmCacheTtlSeconds`): the handler's own default. Old keys must outlive this.
 */
export const DEFAULT_LAMBDA_KEY_CACHE_SECONDS = DEFAULT_SSM_CACHE_TTL_SECONDS;
/** The revocation function's key role (fauna/tokens.fsl): `--role tokenRevoker` stores it in faunaRevokeSecretParameter. */
export const REVOKER_ROLE = 'tokenRevoker';

export interface BootstrapKeyOptions extends FaunaAdminConnection {
  stage: string;
  /** The SSM SecureString parameter the trigger reads its key from. */
  parameterName: string;
  /** KMS key for the SecureString; undefined = the account's default `aws/ssm` key. */
  kmsKeyId?: string;
  createdBy: string;
  /** Replace the stage's existing key(s). Without it, a stage that already has a key is refused. */
  rotate?: boolean;
  /** With `rotate`: wait this long (the Lambda's key cache expiry) and then delete the old keys. */
  deleteOldAfterSeconds?: number;
  /** Used only in the printed advice when old keys are kept. Default {@link DEFAULT_LAMBDA_KEY_CACHE_SECONDS}. */
  cacheExpirySeconds?: number;
  role?: string;
}

export interface BootstrapKeyDependencies {
  ssm: SSMClient;
  /** Receives every line meant for the user. Never given a secret. */
  log: (line: string) => void;
  /** Injected so tests need not wait for a cache expiry. */
  sleep?: (ms: number) => Promise<void>;
}

export interface BootstrapKeyResult {
  keyId: string;
  /** Keys of the stage that existed before this run. */
  oldKeyIds: string[];
  deletedKeyIds: string[];
}

/** Thrown when the request is refused before anything changed (e.g. the stage already has a key and `rotate` is off). */
export class KeyBootstrapRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyBootstrapRefusedError';
  }
}

/** Thrown when the secret could not be stored in SSM (the new key has been deleted again). */
export class KeyStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyStoreError';
  }
}

/**
 * Creates the trigger key, stores its secret in SSM and, when rotating, deletes the old keys after the cache expiry.
 *
 * @throws {KeyBootstrapRefusedError} when the stage already has a key and `rotate` is not set.
 * @throws {KeyStoreError} when PutParameter fails; the new key is deleted so no unused secret stays valid.
 * @throws {FaunaAdminError} for Fauna failures (bad admin secret, missing role).
 */
export async function bootstrapKey(options: BootstrapKeyOptions, deps: BootstrapKeyDependencies): Promise<BootstrapKeyResult> {
  const connection = { endpoint: options.endpoint, adminSecret: options.adminSecret };
  const role = options.role ?? DEFAULT_TRIGGER_ROLE;
  const oldKeyIds = await listTriggerKeyIds({ ...connection, stage: options.stage, role });
  if (oldKeyIds.length > 0 && !options.rotate) {
    throw new KeyBootstrapRefusedError(
      `Stage ${options.stage} already has trigger key(s) ${oldKeyIds.join(', ')}. To replace them run with --rotate (see docs/deploy.md, "Rotating the trigger key").`,
    );
  }

  const key = await createTriggerKey({ ...connection, stage: options.stage, createdBy: options.createdBy, role });
  try {
    await deps.ssm.send(
      new PutParameterCommand({
        Name: options.parameterName,
        Value: key.secret,
        Type: 'SecureString',
        KeyId: options.kmsKeyId,
        Overwrite: true,
        Description: `Fauna key ${key.id} (role ${role}) for the ${options.stage} pre-token trigger`,
      }),
    );
  } catch (error) {
    await deleteKey({ ...connection, keyId: key.id });
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new KeyStoreError(
      `Could not store the new key in SSM parameter ${options.parameterName} (${reason}); the new key was deleted again. Check AWS credentials and ssm:PutParameter/kms:Encrypt access.`,
      { cause: error },
    );
  }
  deps.log(`Created Fauna key ${key.id} (role ${role}) for stage ${options.stage}; secret stored in SSM parameter ${options.parameterName}.`);

  if (oldKeyIds.length === 0) return { keyId: key.id, oldKeyIds, deletedKeyIds: [] };
  if (options.deleteOldAfterSeconds === undefined) {
    const wait = options.cacheExpirySeconds ?? DEFAULT_LAMBDA_KEY_CACHE_SECONDS;
    deps.log(`Old key(s) ${oldKeyIds.join(', ')} stay valid so warm Lambdas keep working. After the key cache expiry (${wait} s) delete each with:`);
    for (const id of oldKeyIds) deps.log(`  npm run key:bootstrap -- --stage ${options.stage} --delete-key ${id}`);
    return { keyId: key.id, oldKeyIds, deletedKeyIds: [] };
  }

  deps.log(`Waiting ${options.deleteOldAfterSeconds} s for cached keys to expire before deleting ${oldKeyIds.join(', ')}.`);
  await (deps.sleep ?? delay)(options.deleteOldAfterSeconds * 1000);
  for (const id of oldKeyIds) {
    await deleteKey({ ...connection, keyId: id });
    deps.log(`Deleted old key ${id}.`);
  }
  return { keyId: key.id, oldKeyIds, deletedKeyIds: oldKeyIds };
}

export const CLI = defineCli({
  command: 'npm run key:bootstrap --',
  summary: "Creates the stage's Fauna key (role pretokenTrigger, or --role tokenRevoker) and stores its secret in the stage's SSM SecureString; prints key ids only. Needs AWS credentials and the stage's Fauna.",
  options: {
    stage: { type: 'string', value: 'STAGE', help: 'the stage (local, dev, staging, prod): its params in serverless.yml are the defaults' },
    endpoint: { type: 'string', value: 'URL', help: 'Fauna endpoint (else FAUNA_ENDPOINT, else the stage param faunaEndpoint)' },
    parameter: { type: 'string', value: 'NAME', help: 'SSM parameter for the key (else FAUNA_SECRET_PARAMETER, else faunaSecretParameter / faunaRevokeSecretParameter)' },
    'kms-key-id': { type: 'string', value: 'ID', help: "KMS key of the SecureString (else FAUNA_SECRET_KMS_KEY_ID, else kmsKeyId; '*' = aws/ssm)" },
    'admin-secret-parameter': { type: 'string', value: 'NAME', help: 'SSM SecureString holding the Fauna admin secret (else FAUNA_ADMIN_SECRET in the environment, else faunaAdminSecretParameter)' },
    'created-by': { type: 'string', value: 'NAME', help: "stored in the key's data (default GITHUB_ACTOR or your user name)" },
    rotate: { type: 'boolean', default: false, help: 'store a new key; list the old ones for later deletion' },
    'delete-old-after': { type: 'string', value: 'SECONDS', help: 'with --rotate: delete the old keys after this long (≥ the Lambda cache TTL)' },
    'delete-key': { type: 'string', value: 'ID', help: 'delete one old key (the second step of a rotation)' },
    'list-keys': { type: 'boolean', default: false, help: "print the ids of the stage's keys of the role" },
    role: { type: 'string', value: 'ROLE', help: 'pretokenTrigger (default) or tokenRevoker' },
  },
  examples: ['npm run key:bootstrap -- --stage dev', 'npm run key:bootstrap -- --stage dev --rotate', 'npm run key:bootstrap -- --stage dev --delete-key <id>', 'npm run key:bootstrap -- --stage dev --role tokenRevoker'],
});

async function main(argv: string[]): Promise<number> {
  const values = parseCli(CLI, argv);
  if (!values) return 0;
  const stage = requireSetting('stage', 'pass --stage <local|dev|staging|prod>.', values.stage);
  const params = await readStageParams(stage);
  const endpoint = faunaEndpointSetting(values.endpoint, params);
  const ssm = new SSMClient({});
  const adminSecret = await resolveAdminSecret({
    envSecret: process.env.FAUNA_ADMIN_SECRET,
    parameterName: adminSecretParameterName(values['admin-secret-parameter'], params, stage),
    ssm,
  });
  const log = (line: string) => console.log(line);
  // Token lifecycle: the revoke key (role tokenRevoker) lives in its own parameter.
  const role = values.role ?? DEFAULT_TRIGGER_ROLE;
  const roleParameter = role === REVOKER_ROLE ? params.faunaRevokeSecretParameter : params.faunaSecretParameter;

  if (values['list-keys']) {
    const ids = await listTriggerKeyIds({ endpoint, adminSecret, stage, role });
    log(ids.length ? `Trigger keys of stage ${stage}: ${ids.join(', ')}` : `Stage ${stage} has no trigger key.`);
    return 0;
  }
  if (values['delete-key']) {
    await deleteKey({ endpoint, adminSecret, keyId: values['delete-key'] });
    log(`Deleted key ${values['delete-key']}.`);
    return 0;
  }
  await bootstrapKey(
    {
      endpoint,
      adminSecret,
      stage,
      parameterName: requireSetting('SSM parameter name', 'pass --parameter <name>, set FAUNA_SECRET_PARAMETER, or set the stage param faunaSecretParameter (faunaRevokeSecretParameter for --role tokenRevoker).', values.parameter, role === REVOKER_ROLE ? undefined : process.env.FAUNA_SECRET_PARAMETER, roleParameter),
      kmsKeyId: values['kms-key-id'] ?? process.env.FAUNA_SECRET_KMS_KEY_ID ?? kmsKeyFromParams(params),
      createdBy: values['created-by'] ?? process.env.GITHUB_ACTOR ?? userInfo().username,
      rotate: values.rotate,
      deleteOldAfterSeconds: parseSeconds(values['delete-old-after']),
      cacheExpirySeconds: parseSeconds(params.ssmCacheTtlSeconds),
      role,
    },
    { ssm, log },
  );
  return 0;
}

function parseSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0) throw new StageSettingError(`"${value}" is not a number of seconds: pass a whole number ≥ 0.`);
  return seconds;
}

if (isEntryPoint(import.meta.url)) {
  runMain('key:bootstrap', () => main(process.argv.slice(2)), { isKnown: (error) => error instanceof KeyBootstrapRefusedError || error instanceof KeyStoreError || error instanceof FaunaAdminError || error instanceof StageSettingError, isRefusal: (error) => error instanceof KeyBootstrapRefusedError });
}
