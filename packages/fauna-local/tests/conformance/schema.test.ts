/**
 * Conformance: the schema HTTP API driven the way the Fauna CLI v4 drives it (fetch + FormData, one part per file,
 * `Authorization: Bearer`), and the effect of a push on queries.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryCheckError, fql } from 'fauna';
import { startTarget, type ConformanceTarget } from './helpers/target.ts';

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startTarget();
});
afterAll(() => target.close());

const ALPHA = 'collection Alpha {\n  name: String\n}\n';
const BETA = 'collection Beta {\n  *: Any\n}\n';

describe('POST /schema/1/update', () => {
  it('applies the uploaded files and lists them with their content', async () => {
    const pushed = await target.pushSchema({ 'alpha.fsl': ALPHA, 'dir/beta.fsl': BETA });
    const listed = await target.schemaApi('GET', 'files');
    const content = await target.schemaApi('GET', `files/${encodeURIComponent('dir/beta.fsl')}`);
    const { data } = await target.client().query(fql`Collection.all().map(.name).toArray()`);

    expect(pushed.status).toBe(200);
    expect(typeof pushed.body.version).toBe('number');
    expect(listed.body.files?.map((f) => f.filename).sort()).toEqual(['alpha.fsl', 'dir/beta.fsl']);
    expect(listed.body.version).toBe(pushed.body.version);
    expect(content.body.content).toBe(BETA);
    expect(data).toEqual(expect.arrayContaining(['Alpha', 'Beta']));
  });

  it('replaces the whole schema by default: a collection whose file was not uploaded is removed', async () => {
    await target.pushSchema({ 'alpha.fsl': ALPHA, 'beta.fsl': BETA });

    await target.pushSchema({ 'alpha.fsl': ALPHA });
    const failure = await target.client().query(fql`Beta.all().count()`).catch((error: unknown) => error);

    // The database is type-checked: the name of a removed collection is an unbound variable before the query runs.
    expect(failure).toBeInstanceOf(QueryCheckError);
  });

  it('keeps files that were not uploaded with override=false', async () => {
    await target.pushSchema({ 'alpha.fsl': ALPHA, 'beta.fsl': BETA });

    await target.pushSchema({ 'alpha.fsl': ALPHA }, { force: 'true', override: 'false' });
    const { data } = await target.client().query(fql`Beta.all().count()`);

    expect(data).toBe(0);
  });

  it('accepts the current version and rejects a stale one with 409', async () => {
    const first = await target.pushSchema({ 'alpha.fsl': ALPHA });
    const current = String(first.body.version);

    const accepted = await target.pushSchema({ 'alpha.fsl': ALPHA, 'beta.fsl': BETA }, { version: current });
    const stale = await target.pushSchema({ 'alpha.fsl': ALPHA }, { version: current });

    expect(accepted.status).toBe(200);
    expect(stale.status).toBe(409);
    expect(stale.body.error?.message).toBe('Stale schema version provided');
  });

  it('reports an FSL error with 400 and leaves the schema unchanged', async () => {
    const before = await target.pushSchema({ 'alpha.fsl': ALPHA });

    const broken = await target.pushSchema({ 'alpha.fsl': 'collection {' });
    const listed = await target.schemaApi('GET', 'files');

    expect(broken.status).toBe(400);
    expect(typeof broken.body.error?.message).toBe('string');
    expect(listed.body.version).toBe(before.body.version);
  });

  it('rejects a file name that does not end in .fsl', async () => {
    const response = await target.pushSchema({ 'notes.txt': ALPHA });

    expect(response.status).toBe(400);
    expect(response.body.error?.message).toBe('Invalid filename `notes.txt`');
  });
});

describe('the other schema endpoints', () => {
  it('diffs (and validates) an upload without applying it', async () => {
    await target.pushSchema({ 'alpha.fsl': ALPHA });
    const form = new FormData();
    form.set('alpha.fsl', new Blob([ALPHA]));
    form.set('beta.fsl', new Blob([BETA]));

    const diff = await target.schemaApi('POST', 'diff', { body: form });
    const validate = await target.schemaApi('POST', 'validate', { body: form });
    const failure = await target.client().query(fql`Beta.all().count()`).catch((error: unknown) => error);

    expect(diff.status).toBe(200);
    expect(diff.body.diff).toMatch(/Beta/);
    expect(validate.body).toEqual(diff.body);
    expect(failure).toBeInstanceOf(QueryCheckError);
  });

  it('answers 404 for a file that does not exist', async () => {
    const response = await target.schemaApi('GET', 'files/nothing.fsl');

    expect(response.status).toBe(404);
  });

  it('reports staged status none', async () => {
    const response = await target.schemaApi('GET', 'staged/status');

    expect(response.status).toBe(200);
    expect(response.body.status).toBe('none');
  });

  it('answers 401 with code unauthorized (what the CLI checks) for a bad secret', async () => {
    const response = await target.schemaApi('GET', 'files', { secret: 'not-a-secret' });

    expect(response.status).toBe(401);
    expect(response.body.error?.code).toBe('unauthorized');
  });

  it('answers 403 when a server key tries to push schema', async () => {
    const { data } = await target.client().query<{ secret: string }>(fql`Key.create({ role: "server" })`);

    const response = await target.pushSchema({ 'alpha.fsl': ALPHA }, { force: 'true' }, data.secret);

    expect(response.status).toBe(403);
  });
});
