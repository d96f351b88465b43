/**
 * Conformance: the HTTP calls the Fauna CLI v4 (`fauna-shell` 4.0.0, https://github.com/fauna/fauna-shell) makes,
 * replayed in its order with its parameters, against a child database reached the way `--database <db>` reaches it
 * with `--local` (the scoped secret `secret:<db>:admin`). The CLI itself is not a dependency: its install runs a
 * postinstall (from its `faunadb` dependency) that needs api.github.com, and it weighs about 200 MB. The sequences were
 * recorded from the real CLI with `--verbose-component fetch` against this endpoint:
 *   schema push            POST /schema/1/update?force=true&staged=true            (--active: staged=false)
 *   schema status          GET  /schema/1/staged/status?format=summary, then POST /schema/1/diff?format=summary&staged=true&version=<v>
 *   schema diff [--text]   GET  /schema/1/staged/status, then POST /schema/1/diff?diff=semantic|textual&force=true&staged=true
 *   schema commit          POST /schema/1/staged/commit?force=true
 *   schema pull            GET  /schema/1/staged/status, GET /schema/1/files?staged=false&version=<v>, GET /schema/1/files/<name>?…
 *   query / database …     POST /query/1 through the `fauna` driver (database list/create/delete run the queries below)
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fql } from 'fauna';
import { startTarget, type ConformanceTarget } from './helpers/target.ts';

let target: ConformanceTarget;
let database: string;
let secret: string;

const SCHEMA = 'collection Cli {\n  name: String\n  index byName { terms [.name] }\n}\n';

function form(files: Record<string, string>): FormData {
  const data = new FormData();
  // As the CLI builds it (src/lib/schema.mjs): one part per file, named by its path.
  for (const [name, content] of Object.entries(files)) data.set(name, new Blob([content]));
  return data;
}

/**
 * `fauna schema status` after a staged push. Locally indexes build at once, so it is `ready` straight away; a real Fauna
 * may report `pending` while it builds them, so against one this polls (up to 20 s) as a user would.
 */
async function stagedStatusOnceSettled(): Promise<Awaited<ReturnType<ConformanceTarget['schemaApi']>>> {
  for (let attempt = 0; ; attempt++) {
    const status = await target.schemaApi('GET', 'staged/status', { secret, params: { format: 'summary' } });
    if (status.body.status !== 'pending' || target.kind === 'local' || attempt >= 40) return status;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  target = await startTarget();
  database = `cli_${randomBytes(4).toString('hex')}`;
  // `fauna database create --name <db>` runs this query (src/commands/database/create.mjs).
  await target.client().query(fql`Database.create({ name: ${database}, protected: ${null}, typechecked: ${null}, priority: ${null} })`);
  secret = target.scopedSecret(database, 'admin');
});
afterAll(() => target.close());

describe('fauna schema push / status / diff / commit / pull --database <db>', () => {
  it('stages a push, reports it ready with its diff, commits it, and pulls the committed files', async () => {
    const pushed = await target.schemaApi('POST', 'update', { body: form({ 'main.fsl': SCHEMA }), secret, params: { force: 'true', staged: 'true' } });
    const status = await stagedStatusOnceSettled();
    const localVsStaged = await target.schemaApi('POST', 'diff', { body: form({ 'main.fsl': SCHEMA }), secret, params: { format: 'summary', staged: 'true', version: String(status.body.version) } });
    const stagedDiff = await target.schemaApi('GET', 'staged/status', { secret, params: { diff: 'semantic' } });
    const beforeCommit = await target.client({ secret }).query(fql`Collection.byName("Cli") == null`);

    const committed = await target.schemaApi('POST', 'staged/commit', { secret, params: { force: 'true' } });
    const after = await target.schemaApi('GET', 'staged/status', { secret, params: { format: 'summary' } });
    const files = await target.schemaApi('GET', 'files', { secret, params: { staged: 'false', version: String(after.body.version) } });
    const main = await target.schemaApi('GET', `files/${encodeURIComponent('main.fsl')}`, { secret, params: { staged: 'false', version: String(after.body.version) } });

    expect(pushed.status).toBe(200);
    expect(status.body).toMatchObject({ status: 'ready', pending_summary: expect.any(String) });
    expect(localVsStaged.body.diff).toBe('');
    expect((stagedDiff.body as { diff?: string }).diff).toContain('Cli');
    expect(beforeCommit.data).toBe(true);
    expect(committed.status).toBe(200);
    expect(after.body.status).toBe('none');
    expect(files.body.files).toEqual([{ filename: 'main.fsl' }]);
    expect(main.body.content).toBe(SCHEMA);
  });

  it('shows a textual diff of local files against the schema (fauna schema diff --text)', async () => {
    const changed = SCHEMA.replace('  name: String\n', '  name: String\n  size: Int?\n');

    const diff = await target.schemaApi('POST', 'diff', { body: form({ 'main.fsl': changed }), secret, params: { diff: 'textual', force: 'true', staged: 'true' } });

    expect(diff.status).toBe(200);
    expect(diff.body.diff).toMatch(/^\+\s+size: Int\?$/m);
  });

  it('abandons a staged push, leaving the active schema as it was', async () => {
    await target.schemaApi('POST', 'update', { body: form({ 'main.fsl': `${SCHEMA}collection Extra {\n  *: Any\n}\n` }), secret, params: { force: 'true', staged: 'true' } });

    const abandoned = await target.schemaApi('POST', 'staged/abandon', { secret, params: { force: 'true' } });
    const status = await target.schemaApi('GET', 'staged/status', { secret });
    const { data } = await target.client({ secret }).query(fql`Collection.byName("Extra") == null`);

    expect(abandoned.status).toBe(200);
    expect(status.body.status).toBe('none');
    expect(data).toBe(true);
  });

  it('refuses a staged push on the root database with Fauna\'s message (the CLI shows it)', async () => {
    if (target.kind === 'remote') {
      // The suite runs in a child database of the remote Fauna, so there is no root database to try.
      expect(target.adminSecret).toContain(':admin');
      return;
    }
    const response = await target.schemaApi('POST', 'update', { body: form({ 'main.fsl': SCHEMA }), params: { force: 'true', staged: 'true' } });

    expect(response.status).toBe(400);
    expect(response.body.error?.message).toBe('Schema cannot be staged in the root database');
  });
});

describe('fauna query / database list / database delete --database <db>', () => {
  it('runs a query in the database', async () => {
    const { data } = await target.client({ secret }).query(fql`Collection.all().count()`);

    expect(typeof data).toBe('number');
  });

  it('lists, creates and deletes databases inside it with the CLI\'s own queries', async () => {
    const client = target.client({ secret });
    await client.query(fql`Database.create({ name: "inner", protected: ${null}, typechecked: ${null}, priority: ${null} })`);

    // src/commands/database/list.mjs
    const { data: listed } = await client.query(fql`Database.all().paginate(${10}).data { name }`);
    // src/commands/database/delete.mjs
    await client.query(fql`Database.byName(${'inner'}).delete()`);
    const { data: after } = await client.query(fql`Database.all().paginate(${10}).data { name }`);

    expect(listed).toEqual([{ name: 'inner' }]);
    expect(after).toEqual([]);
  });
});
