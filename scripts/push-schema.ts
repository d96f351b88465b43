/**
 * Pushes `fauna/*.fsl` to a stage's Fauna database through the schema API, the way the Fauna CLI does interactively:
 * diff first (printed), refuse deletions unless `--allow-deletes`, then update with the diff's version so that a
 * concurrent push fails as stale instead of being overwritten.
 *
 *   npm run schema:push -- --stage dev [--dry-run] [--allow-deletes] [--dir fauna]
 *   npm run schema:push -- --endpoint http://127.0.0.1:8443   (FAUNA_ADMIN_SECRET=… in the environment)
 *
 * Endpoint: --endpoint, else FAUNA_ENDPOINT, else the stage param `faunaEndpoint`.
 * Admin secret: FAUNA_ADMIN_SECRET, else the SSM SecureString named by --admin-secret-parameter / the stage param
 * `faunaAdminSecretParameter` (default /cognito-fauna/<stage>/fauna-admin-secret). Exit codes: 0 applied or nothing to do, 1 failed, 2 refused (deletions).
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { findDeletedItems, formatItem } from '../tools/fsl-items.ts';
import type { SchemaItemRef } from '../tools/fsl-items.ts';
import { NoSchemaFilesError, readFslFiles } from '../packages/fauna-local/src/fsl-files.ts';
import { fetchSchemaFiles, SchemaApiError, schemaDiff, schemaUpdate } from '../tools/schema-api.ts';
import type { SchemaApiConnection } from '../tools/schema-api.ts';
import { adminSecretParameterName, faunaEndpointSetting, readStageParams, resolveAdminSecret, StageSettingError } from '../tools/stage-settings.ts';
import { defineCli, isEntryPoint, parseCli, runMain } from '../tools/cli.ts';

export const DEFAULT_SCHEMA_DIR = 'fauna';

export interface PushSchemaOptions extends SchemaApiConnection {
  /** Folder holding the `*.fsl` files. Default {@link DEFAULT_SCHEMA_DIR}. */
  dir?: string;
  /** Apply even if collections, roles, functions or access providers would be deleted (with their data). */
  allowDeletes?: boolean;
  /** Show the diff and the deletion check, change nothing. */
  dryRun?: boolean;
}

export type PushSchemaOutcome = 'applied' | 'unchanged' | 'dry-run';

export interface PushSchemaResult {
  outcome: PushSchemaOutcome;
  diff: string;
  deletedItems: SchemaItemRef[];
  /** The schema version after the push (the diff's version when nothing was applied). */
  version: number;
}

/** Thrown when the push would delete schema items and `allowDeletes` is not set. Nothing was changed. */
export class SchemaDeletionRefusedError extends Error {
  readonly deletedItems: SchemaItemRef[];
  constructor(deletedItems: SchemaItemRef[]) {
    super(
      `Refusing to push: it would delete ${deletedItems.map(formatItem).join(', ')}. Deleting a collection deletes its documents. ` +
        'If that is intended, run again with --allow-deletes; otherwise restore the item in fauna/.',
    );
    this.name = 'SchemaDeletionRefusedError';
    this.deletedItems = deletedItems;
  }
}

/**
 * Diffs, checks for deletions and applies the local schema.
 *
 * @param log receives every line meant for the user (the diff and the outcome); never a secret.
 * @throws {SchemaDeletionRefusedError} when items would be deleted without `allowDeletes`.
 * @throws {SchemaApiError} for any schema API failure; {@link StaleSchemaVersionError} when someone pushed in between.
 */
export async function pushSchema(options: PushSchemaOptions, log: (line: string) => void): Promise<PushSchemaResult> {
  const localFiles = await readFslFiles(options.dir ?? DEFAULT_SCHEMA_DIR);
  const { version, diff } = await schemaDiff(options, localFiles);
  log(diff.trim() ? `Schema diff against ${options.endpoint} (version ${version}):\n${diff.trimEnd()}` : `No schema changes against ${options.endpoint} (version ${version}).`);

  const remoteFiles = await fetchSchemaFiles(options);
  const deletedItems = findDeletedItems({ remoteFiles, localFiles, diff });
  if (deletedItems.length > 0 && !options.allowDeletes) throw new SchemaDeletionRefusedError(deletedItems);
  if (deletedItems.length > 0) log(`Deleting (allowed by --allow-deletes): ${deletedItems.map(formatItem).join(', ')}`);

  if (!diff.trim()) return { outcome: 'unchanged', diff, deletedItems, version };
  if (options.dryRun) {
    log('Dry run: nothing applied.');
    return { outcome: 'dry-run', diff, deletedItems, version };
  }
  const newVersion = await schemaUpdate(options, localFiles, version);
  log(`Schema applied (version ${newVersion}).`);
  return { outcome: 'applied', diff, deletedItems, version: newVersion };
}

export const CLI = defineCli({
  command: 'npm run schema:push --',
  summary: "Pushes fauna/*.fsl to a stage's Fauna through the schema API: the diff first, deletions refused unless --allow-deletes. Needs the stage's Fauna and its admin secret (AWS credentials for the SSM parameter).",
  options: {
    stage: { type: 'string', value: 'STAGE', help: 'the stage (local, dev, staging, prod): its params in serverless.yml are the defaults' },
    endpoint: { type: 'string', value: 'URL', help: 'Fauna endpoint (else FAUNA_ENDPOINT, else the stage param faunaEndpoint)' },
    dir: { type: 'string', value: 'DIR', default: DEFAULT_SCHEMA_DIR, help: 'the folder of .fsl files' },
    'admin-secret-parameter': { type: 'string', value: 'NAME', help: 'SSM SecureString holding the admin secret (else FAUNA_ADMIN_SECRET in the environment, else faunaAdminSecretParameter)' },
    'allow-deletes': { type: 'boolean', default: false, help: 'apply a diff that deletes collections, roles or functions' },
    'dry-run': { type: 'boolean', default: false, help: 'print the diff, change nothing' },
  },
  examples: ['npm run schema:push -- --stage dev', 'npm run schema:push -- --stage dev --dry-run', 'FAUNA_ADMIN_SECRET=secret npm run schema:push -- --endpoint http://127.0.0.1:8443'],
});

async function main(argv: string[]): Promise<number> {
  const values = parseCli(CLI, argv);
  if (!values) return 0;
  const params = values.stage ? await readStageParams(values.stage) : {};
  const endpoint = faunaEndpointSetting(values.endpoint, params);
  const adminSecret = await resolveAdminSecret({
    envSecret: process.env.FAUNA_ADMIN_SECRET,
    parameterName: adminSecretParameterName(values['admin-secret-parameter'], params, values.stage),
    ssm: new SSMClient({}),
  });
  await pushSchema({ endpoint, adminSecret, dir: values.dir, allowDeletes: values['allow-deletes'], dryRun: values['dry-run'] }, (line) => console.log(line));
  return 0;
}

if (isEntryPoint(import.meta.url)) {
  runMain('schema:push', () => main(process.argv.slice(2)), { isKnown: (error) => error instanceof SchemaApiError || error instanceof StageSettingError || error instanceof NoSchemaFilesError || error instanceof SchemaDeletionRefusedError, isRefusal: (error) => error instanceof SchemaDeletionRefusedError });
}
