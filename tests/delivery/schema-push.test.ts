/**
 * scripts/push-schema.ts against the local Fauna endpoint (real HTTP schema API, real driver; nothing stubbed).
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { fql } from 'fauna';
import { startLocalFauna } from '../../packages/fauna-local/src/index.ts';
import type { LocalFauna } from '../../packages/fauna-local/src/index.ts';
import { pushSchema, SchemaDeletionRefusedError } from '../../scripts/push-schema.ts';
import { readFslFiles } from '../../packages/fauna-local/src/fsl-files.ts';
import { SchemaApiError, schemaDiff, schemaUpdate, StaleSchemaVersionError } from '../../tools/schema-api.ts';
import { runScript } from './helpers/run-script.ts';
import { queryAs } from '../helpers/local-fauna.ts';

// Not Fauna's default `secret`: a distinctive value, so "never printed" can be checked by searching for it.
const ROOT_SECRET = 'fnAdminRootSecretForDeliveryTests0001';

let fauna: LocalFauna;
let scratch: string;
const lines: string[] = [];
const log = (line: string) => lines.push(line);

beforeEach(async () => {
  fauna = await startLocalFauna({ port: 0, rootSecret: ROOT_SECRET });
  scratch = await mkdtemp(path.join(tmpdir(), 'schema-push-'));
  lines.length = 0;
});

afterEach(async () => {
  await fauna.stop();
  await rm(scratch, { recursive: true, force: true });
});

const connection = () => ({ endpoint: fauna.url, adminSecret: ROOT_SECRET });

/** Runs `text` with `secret` against the suite's local Fauna (tests/helpers/local-fauna.ts). */
const query = <T>(secret: string, text: ReturnType<typeof fql>): Promise<T> => queryAs<T>(fauna, secret, text);

/** fauna/ plus a file declaring a collection nothing references, so a later push of fauna/ alone deletes it. */
async function schemaWithLegacy(): Promise<string> {
  const dir = path.join(scratch, 'with-legacy');
  await cp('fauna', dir, { recursive: true });
  await writeFile(path.join(dir, 'legacy.fsl'), '// An old collection the current schema no longer declares.\ncollection Legacy {\n  name: String\n}\n');
  return dir;
}

describe('schema push against the local Fauna endpoint', () => {
  it('applies fauna/*.fsl to an empty database and shows the diff first', async () => {
    // Act
    const result = await pushSchema({ ...connection(), dir: 'fauna' }, log);

    // Assert
    expect(result.outcome).toBe('applied');
    expect(lines[0]).toContain('collection `Customer`');
    const created = await query<{ email: string }>(ROOT_SECRET, fql`Customer.create({ email: "a@example.com", sub: "s-1" }) { email }`);
    expect(created.email).toBe('a@example.com');
    const functionExists = await query<boolean>(ROOT_SECRET, fql`Function.byName("signIn") != null`);
    expect(functionExists).toBe(true);
  });

  it('finds nothing to change on a second push of the same files', async () => {
    // Arrange
    const first = await pushSchema({ ...connection(), dir: 'fauna' }, log);

    // Act
    const second = await pushSchema({ ...connection(), dir: 'fauna' }, log);

    // Assert
    expect(second.outcome).toBe('unchanged');
    expect(second.diff.trim()).toBe('');
    expect(second.version).toBe(first.version);
    expect(lines.at(-1)).toMatch(/No schema changes/);
  });

  it('refuses a push that would delete a collection and changes nothing', async () => {
    // Arrange
    await pushSchema({ ...connection(), dir: await schemaWithLegacy() }, log);
    await query(ROOT_SECRET, fql`Legacy.create({ name: "kept" })`);

    // Act
    const refused = pushSchema({ ...connection(), dir: 'fauna' }, log);

    // Assert
    await expect(refused).rejects.toBeInstanceOf(SchemaDeletionRefusedError);
    await expect(refused).rejects.toMatchObject({ deletedItems: [{ kind: 'collection', name: 'Legacy' }], message: expect.stringContaining('--allow-deletes') });
    const kept = await query<string[]>(ROOT_SECRET, fql`Legacy.all().map((doc) => doc.name).toArray()`);
    expect(kept).toEqual(['kept']);
  });

  it('deletes the collection when --allow-deletes is given', async () => {
    // Arrange
    await pushSchema({ ...connection(), dir: await schemaWithLegacy() }, log);

    // Act
    const result = await pushSchema({ ...connection(), dir: 'fauna', allowDeletes: true }, log);

    // Assert
    expect(result.outcome).toBe('applied');
    expect(result.deletedItems).toEqual([{ kind: 'collection', name: 'Legacy' }]);
    expect(await query<boolean>(ROOT_SECRET, fql`Collection.byName("Legacy") == null`)).toBe(true);
  });

  it('changes nothing on a dry run', async () => {
    // Act
    const result = await pushSchema({ ...connection(), dir: 'fauna', dryRun: true }, log);

    // Assert
    expect(result.outcome).toBe('dry-run');
    expect(await query<boolean>(ROOT_SECRET, fql`Collection.byName("Customer") == null`)).toBe(true);
  });

  it('reports a stale version when someone pushed between the diff and the update', async () => {
    // Arrange
    const files = await readFslFiles('fauna');
    const { version } = await schemaDiff(connection(), files);
    await schemaUpdate(connection(), [{ filename: 'other.fsl', content: 'collection Other {}\n' }], version);

    // Act
    const stale = schemaUpdate(connection(), files, version);

    // Assert
    await expect(stale).rejects.toBeInstanceOf(StaleSchemaVersionError);
    await expect(stale).rejects.toMatchObject({ status: 409, message: expect.stringContaining('run the push again') });
  });

  it('maps invalid FSL to a 400 error that carries the server diagnostic', async () => {
    // Arrange
    const dir = path.join(scratch, 'invalid');
    await cp('fauna', dir, { recursive: true });
    await writeFile(path.join(dir, 'broken.fsl'), 'collection Broken {\n  name: NoSuchType\n');

    // Act
    const rejected = pushSchema({ ...connection(), dir }, log);

    // Assert
    await expect(rejected).rejects.toMatchObject({ name: 'SchemaApiError', status: 400, message: expect.stringMatching(/rejected the schema \(400\): .+\n.*Fix the FSL/s) });
  });

  it('maps a rejected secret to a 401 error that names the setting to fix', async () => {
    // Act
    const rejected = pushSchema({ endpoint: fauna.url, adminSecret: 'fnWrongSecret', dir: 'fauna' }, log);

    // Assert
    await expect(rejected).rejects.toBeInstanceOf(SchemaApiError);
    await expect(rejected).rejects.toMatchObject({ status: 401, message: expect.stringContaining('FAUNA_ADMIN_SECRET') });
  });

  it('maps a server key (not admin) to a 403 error that asks for an admin key', async () => {
    // Arrange
    const serverSecret = await query<string>(ROOT_SECRET, fql`Key.create({ role: "server" }).secret`);

    // Act
    const denied = pushSchema({ endpoint: fauna.url, adminSecret: serverSecret, dir: 'fauna' }, log);

    // Assert
    await expect(denied).rejects.toMatchObject({ status: 403, message: expect.stringContaining('admin key') });
  });

  it('never prints the admin secret when run as a command, in success or failure', async () => {
    // Arrange
    const run = (args: string[]) => runScript('scripts/push-schema.ts', args, { FAUNA_ADMIN_SECRET: ROOT_SECRET, FAUNA_ENDPOINT: fauna.url });
    const dir = await schemaWithLegacy();

    // Act
    const applied = await run(['--dir', dir]);
    const refused = await run(['--dir', 'fauna']);

    // Assert
    expect(applied.code).toBe(0);
    expect(applied.output).toContain('Schema applied');
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('collection Legacy');
    expect(applied.output + refused.output).not.toContain(ROOT_SECRET);
  });
});

