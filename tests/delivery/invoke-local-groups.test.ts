/**
 * Issue 22's first "done when", through the Serverless CLI (osls) as a person types it, in a private copy of the
 * service, on the local stage, against a local Fauna this test starts (the documented FAUNA_SECRET route of
 * docs/local-stack.md): the token secret of an event whose `groupConfiguration.groupsToOverride` is
 * ["catalog-editors"] can create a Product; the secret of the sample event (no group) cannot; and `Query.identity()`
 * read with the secret shows the groups and the allowlisted attribute the sign-in stored. No AWS anywhere.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fql } from 'fauna';
import { copyService } from '../../stack/service-copy.ts';
import { extractInvokeResult } from '../../tools/invoke-output.ts';
import { type LocalFauna, queryAs, startFauna, triggerKey } from '../helpers/local-fauna.ts';

const ROOT = path.join(import.meta.dirname, '../..');
export const INVOKE_CATALOG_EDITOR =
  'npx sls invoke local --stage local -f preTokenGeneration -p events/pretoken-catalog-editor.json --param="identityAttributes=custom:tenantId"';
const INVOKE_NO_GROUP = 'npx sls invoke local --stage local -f preTokenGeneration -p events/pretoken.json --param="identityAttributes=custom:tenantId"';

let root: string;
let service: string;
let fauna: LocalFauna;
let key: string;

function sh(command: string): Promise<{ code: number | null; output: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('FAUNA_') && name !== 'NODE_OPTIONS'));
  Object.assign(env, {
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`,
    AWS_CONFIG_FILE: path.join(root, 'no-aws-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(root, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true', SLS_TELEMETRY_DISABLED: '1',
    FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET: key, USER_POOL_IDS: 'us-east-1_Example1',
  });
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd: service, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Runs an invoke and returns the Fauna token secret of its V1 response. */
async function secretOf(command: string): Promise<string> {
  const { code, output } = await sh(command);
  const result = extractInvokeResult(output)?.value as { response?: { claimsOverrideDetails?: { claimsToAddOrOverride?: Record<string, string> } } } | undefined;
  const secret = result?.response?.claimsOverrideDetails?.claimsToAddOrOverride?.fauna_token_secret;
  expect({ code, hasSecret: typeof secret === 'string' }).toEqual({ code: 0, hasSecret: true });
  return secret!;
}

async function denied(secret: string, query: ReturnType<typeof fql>): Promise<string> {
  return queryAs(fauna, secret, query).then(() => 'ok', (error: { code?: string }) => String(error.code));
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sls-invoke-groups-'));
  service = await copyService(ROOT, path.join(root, 'service'));
  fauna = await startFauna();
  key = (await triggerKey(fauna)).secret;
}, 60_000);

afterAll(async () => {
  await fauna?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('npx sls invoke local --stage local with groups (the real CLI; a local Fauna started by the test)', () => {
  it(`${INVOKE_CATALOG_EDITOR}: the secret can create a Product and reads its stored groups and attributes`, async () => {
    const secret = await secretOf(INVOKE_CATALOG_EDITOR);

    const name = await queryAs<string>(fauna, secret, fql`Product.create({ name: "Made by an editor" }).name`);
    const identity = await queryAs(fauna, secret, fql`Query.identity()!{ groups, attributes }`);

    expect(name).toBe('Made by an editor');
    expect(identity).toEqual({ groups: ['catalog-editors'], attributes: { 'custom:tenantId': 'acme' } });
  }, 120_000);

  it('the sample event, whose user is in no group: the secret reads products but cannot create one', async () => {
    const secret = await secretOf(INVOKE_NO_GROUP);

    // Nothing to store: the identity is not written for it, and an absent field means no group and no attribute.
    expect(await queryAs(fauna, secret, fql`Query.identity()!{ groups, attributes }`)).toEqual({ groups: null, attributes: null });
    expect(await queryAs<number>(fauna, secret, fql`Product.all().count()`)).toBeGreaterThanOrEqual(1);
    expect(await denied(secret, fql`Product.create({ name: "Not an editor" })`)).toBe('permission_denied');
  }, 120_000);
});
