/**
 * `npm run identity:move`: the operator's fix for a refused sign-in (IdentityConflictError), e.g. a user deleted and
 * re-created in Cognito (new sub, same verified email). Moves the identity bound to --from-sub to --to-sub and revokes
 * every token it had, through the `moveIdentity` function, which only the `identityOperator` role may call.
 *
 *   npm run identity:move -- --stage dev --from-sub <old sub> --to-sub <new sub>            dry run: says what it would do
 *   npm run identity:move -- --stage dev --from-sub <old sub> --to-sub <new sub> --apply    does it
 *
 * Authentication: FAUNA_OPERATOR_SECRET (a key with role identityOperator); else the admin secret (FAUNA_ADMIN_SECRET,
 * else the stage's admin secret parameter, as `npm run key:bootstrap`), with which the script creates a 10-minute
 * identityOperator key, uses it and deletes it. Prints ids and counts only, never a secret, and one JSON audit line
 * (who, when, stage, subs, identity, tokens revoked, applied) for the operator's records.
 */
import { userInfo } from 'node:os';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AbortError, Client, fql, ServiceError } from 'fauna';
import { deleteKey, FaunaAdminError } from '../tools/fauna-admin.ts';
import { adminSecretParameterName, faunaEndpointSetting, readStageParams, requireSetting, resolveAdminSecret, StageSettingError } from '../tools/stage-settings.ts';
import { defineCli, isEntryPoint, parseCli, runMain } from '../tools/cli.ts';

/** The role whose only privilege is `moveIdentity { call }` (fauna/roles.fsl). */
export const OPERATOR_ROLE = 'identityOperator';
/** Lifetime of the key the script creates when it runs with the admin secret. */
export const OPERATOR_KEY_TTL_SECONDS = 600;

export interface MoveIdentityOptions {
  endpoint: string;
  stage: string;
  fromSub: string;
  toSub: string;
  apply: boolean;
  /** Who runs the move (recorded in the audit line and on the temporary key). */
  operator: string;
  /** A key with role identityOperator; or, with `adminSecret`, one is created for this run. */
  operatorSecret?: string;
  adminSecret?: string;
}

export type MoveIdentityResult = {
  userId: string;
  revokedTokens: number;
  applied: boolean;
};

/** The move was refused before anything changed; `code` is moveIdentity's abort code. */
export class IdentityMoveRefusedError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IdentityMoveRefusedError';
    this.code = code;
  }
}

const HOW_TO_FIX: Record<string, string> = {
  not_found: 'Check --from-sub: it must be the sub the identity is bound to now (the deleted user\'s).',
  target_bound: 'The new sub already has an identity of its own (it signed in before its email was verified). Delete or move that identity first, after checking it holds nothing the user needs.',
  invalid_argument: 'Pass two different subs of at most 128 characters.',
};

/**
 * Runs the move (or, without `apply`, the dry run) and logs what it did.
 *
 * @throws {IdentityMoveRefusedError} when moveIdentity refuses (no identity for fromSub, toSub taken, bad argument).
 * @throws {FaunaAdminError} when the secrets are refused.
 */
export async function moveIdentity(options: MoveIdentityOptions, log: (line: string) => void): Promise<MoveIdentityResult> {
  const { secret, cleanup } = await operatorSecret(options);
  try {
    const client = new Client({ endpoint: new URL(options.endpoint), secret, query_timeout_ms: 10_000 });
    let result: MoveIdentityResult;
    try {
      result = (await client.query<MoveIdentityResult>(fql`moveIdentity(${options.fromSub}, ${options.toSub}, ${options.apply})`)).data;
    } catch (error) {
      if (error instanceof AbortError) {
        const abort = error.abort as { code?: string; message?: string } | null;
        const code = abort?.code ?? 'unknown';
        throw new IdentityMoveRefusedError(code, `${abort?.message ?? 'moveIdentity refused.'} ${HOW_TO_FIX[code] ?? ''}`.trim(), { cause: error });
      }
      if (error instanceof ServiceError) {
        throw new FaunaAdminError(`moveIdentity failed (${error.code}). Push the schema in fauna/ and use a key with role ${OPERATOR_ROLE}.`, { cause: error });
      }
      throw error;
    } finally {
      client.close();
    }
    const verb = result.applied ? 'Moved' : 'Dry run: would move';
    log(`${verb} identity ${result.userId} from sub ${options.fromSub} to sub ${options.toSub}; ${result.revokedTokens} token(s) ${result.applied ? 'revoked' : 'would be revoked'}.`);
    if (!result.applied) log('Nothing changed. Run again with --apply to do it.');
    log(JSON.stringify({
      audit: 'identity-move',
      at: new Date().toISOString(),
      operator: options.operator,
      stage: options.stage,
      fromSub: options.fromSub,
      toSub: options.toSub,
      userId: result.userId,
      revokedTokens: result.revokedTokens,
      applied: result.applied,
    }));
    return result;
  } finally {
    await cleanup();
  }
}

async function operatorSecret(options: MoveIdentityOptions): Promise<{ secret: string; cleanup: () => Promise<void> }> {
  if (options.operatorSecret) return { secret: options.operatorSecret, cleanup: async () => undefined };
  if (!options.adminSecret) throw new StageSettingError(`Set FAUNA_OPERATOR_SECRET (a key with role ${OPERATOR_ROLE}) or FAUNA_ADMIN_SECRET.`);
  const admin = new Client({ endpoint: new URL(options.endpoint), secret: options.adminSecret, query_timeout_ms: 10_000 });
  let key: { id: string; secret: string };
  try {
    const data = { purpose: 'identity:move', stage: options.stage, createdBy: options.operator };
    key = (await admin.query<{ id: string; secret: string }>(fql`let key = Key.create({ role: ${OPERATOR_ROLE}, ttl: Time.now().add(${OPERATOR_KEY_TTL_SECONDS}, "seconds"), data: ${data} })
{ id: key.id, secret: key.secret }`)).data;
  } catch (error) {
    throw new FaunaAdminError(`Could not create a temporary ${OPERATOR_ROLE} key with the admin secret: check FAUNA_ADMIN_SECRET and that the schema in fauna/ (role ${OPERATOR_ROLE}) is pushed.`, { cause: error });
  } finally {
    admin.close();
  }
  return {
    secret: key.secret,
    cleanup: () => deleteKey({ endpoint: options.endpoint, adminSecret: options.adminSecret!, keyId: key.id }),
  };
}

export const CLI = defineCli({
  command: 'npm run identity:move --',
  summary: 'Moves the Fauna identity bound to --from-sub to --to-sub and revokes its tokens (a dry run unless --apply). Needs the stage\'s Fauna and an operator or admin secret (AWS credentials for the SSM parameter).',
  options: {
    stage: { type: 'string', value: 'STAGE', help: 'the stage (local, dev, staging, prod): its params in serverless.yml are the defaults' },
    endpoint: { type: 'string', value: 'URL', help: 'Fauna endpoint (else FAUNA_ENDPOINT, else the stage param faunaEndpoint)' },
    'from-sub': { type: 'string', value: 'SUB', help: 'the Cognito sub the identity is bound to now' },
    'to-sub': { type: 'string', value: 'SUB', help: 'the Cognito sub that should own it' },
    apply: { type: 'boolean', default: false, help: 'do it (without: print what it would do)' },
    'admin-secret-parameter': { type: 'string', value: 'NAME', help: 'SSM SecureString holding the admin secret (else FAUNA_OPERATOR_SECRET / FAUNA_ADMIN_SECRET, else faunaAdminSecretParameter)' },
  },
  examples: ['npm run identity:move -- --stage dev --from-sub <old sub> --to-sub <new sub>', 'npm run identity:move -- --stage dev --from-sub <old sub> --to-sub <new sub> --apply'],
});

async function main(argv: string[]): Promise<number> {
  const values = parseCli(CLI, argv);
  if (!values) return 0;
  const stage = requireSetting('stage', 'pass --stage <local|dev|staging|prod>.', values.stage);
  const fromSub = requireSetting('--from-sub', 'pass --from-sub <the sub the identity is bound to now>.', values['from-sub']);
  const toSub = requireSetting('--to-sub', 'pass --to-sub <the sub that should own it>.', values['to-sub']);
  const params = await readStageParams(stage);
  const endpoint = faunaEndpointSetting(values.endpoint, params);
  const operatorSecretValue = process.env.FAUNA_OPERATOR_SECRET;
  let adminSecret: string | undefined;
  if (!operatorSecretValue) {
    const ssm = new SSMClient({});
    try {
      adminSecret = await resolveAdminSecret({
        envSecret: process.env.FAUNA_ADMIN_SECRET,
        parameterName: adminSecretParameterName(values['admin-secret-parameter'], params, stage),
        ssm,
      });
    } finally {
      ssm.destroy();
    }
  }
  await moveIdentity(
    { endpoint, stage, fromSub, toSub, apply: values.apply, operator: process.env.GITHUB_ACTOR ?? userInfo().username, operatorSecret: operatorSecretValue, adminSecret },
    (line) => console.log(line),
  );
  return 0;
}

if (isEntryPoint(import.meta.url)) {
  runMain('identity:move', () => main(process.argv.slice(2)), { isKnown: (error) => error instanceof IdentityMoveRefusedError || error instanceof FaunaAdminError || error instanceof StageSettingError, isRefusal: (error) => error instanceof IdentityMoveRefusedError });
}
