/**
 * The key bootstrap command's list and delete steps, run as a command against the local Fauna endpoint.
 * These steps touch only Fauna (no AWS call), so nothing is stubbed.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startLocalFauna } from '../../packages/fauna-local/src/index.ts';
import type { LocalFauna } from '../../packages/fauna-local/src/index.ts';
import { createTriggerKey, listTriggerKeyIds } from '../../tools/fauna-admin.ts';
import { runScript } from './helpers/run-script.ts';

const ROOT_SECRET = 'fnAdminRootSecretForKeyCliTests000001';
let fauna: LocalFauna;

beforeEach(async () => {
  fauna = await startLocalFauna({ port: 0, rootSecret: ROOT_SECRET, schemaDir: 'fauna' });
});

afterEach(async () => {
  await fauna.stop();
});

const run = (args: string[]) => runScript('scripts/bootstrap-key.ts', ['--stage', 'ci-test', ...args], { FAUNA_ENDPOINT: fauna.url, FAUNA_ADMIN_SECRET: ROOT_SECRET });

describe('npm run key:bootstrap (as a command, against the local Fauna endpoint)', () => {
  it('lists the stage’s trigger keys and deletes one by id, printing ids only', async () => {
    // Arrange
    const connection = { endpoint: fauna.url, adminSecret: ROOT_SECRET };
    const old = await createTriggerKey({ ...connection, stage: 'ci-test', createdBy: 'jest' });
    const current = await createTriggerKey({ ...connection, stage: 'ci-test', createdBy: 'jest' });
    await createTriggerKey({ ...connection, stage: 'other-stage', createdBy: 'jest' });

    // Act
    const listed = await run(['--list-keys']);
    const deleted = await run(['--delete-key', old.id]);
    const deletedAgain = await run(['--delete-key', old.id]);

    // Assert
    expect(listed.code).toBe(0);
    expect(listed.output).toContain(`${old.id}, ${current.id}`);
    expect(deleted.code).toBe(0);
    expect(deletedAgain.code).toBe(1);
    expect(deletedAgain.output).toContain('does not exist');
    expect(await listTriggerKeyIds({ ...connection, stage: 'ci-test' })).toEqual([current.id]);
    for (const secret of [old.secret, current.secret, ROOT_SECRET]) expect(listed.output + deleted.output + deletedAgain.output).not.toContain(secret);
  });

  it('explains a rejected admin secret without printing it', async () => {
    // Act
    const result = await runScript('scripts/bootstrap-key.ts', ['--stage', 'ci-test', '--list-keys'], { FAUNA_ENDPOINT: fauna.url, FAUNA_ADMIN_SECRET: 'fnNotTheAdminSecret0000000000000' });

    // Assert
    expect(result.code).toBe(1);
    expect(result.output).toContain('rejected the admin secret (401)');
    expect(result.output).not.toContain('fnNotTheAdminSecret');
  });
});
