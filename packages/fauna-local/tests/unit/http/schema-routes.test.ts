/**
 * The schema API routes over real HTTP against a FAKE engine (fake-engine.ts): what the HTTP layer parses from the
 * multipart body and query string, and how it renders results and failures.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createFaunaDispatcher } from '../../../src/http/app.ts';
import { startHttpServer, type RunningHttpServer } from '../../../src/http/server.ts';
import { createFakeEngine, FAKE_SECRET, type FakeEngine } from '../helpers/fake-engine.ts';

let engine: FakeEngine;
let server: RunningHttpServer;

beforeEach(async () => {
  engine = createFakeEngine();
  server = await startHttpServer({ host: '127.0.0.1', port: 0, dispatch: createFaunaDispatcher(engine) });
});
afterEach(() => server.stop());

async function call(method: string, path: string, body?: FormData | string, secret = FAKE_SECRET) {
  const response = await fetch(`http://127.0.0.1:${server.port}/schema/1/${path}`, {
    method,
    headers: { authorization: `Bearer ${secret}` },
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

function form(files: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, content] of Object.entries(files)) data.set(name, new Blob([content]));
  return data;
}

describe('POST /schema/1/update', () => {
  it('hands the uploaded files and the default options (override, no force, not staged) to the engine', async () => {
    const response = await call('POST', 'update', form({ 'main.fsl': 'collection A {}', 'x/b.fsl': 'collection B {}' }));

    expect(response.status).toBe(200);
    expect(typeof response.json.version).toBe('number');
    expect(engine.schemaUploads[0]).toEqual({
      files: [
        { filename: 'main.fsl', content: 'collection A {}' },
        { filename: 'x/b.fsl', content: 'collection B {}' },
      ],
      options: { force: false, override: true, staged: false },
    });
  });

  it('reads version, force, override=false and staged from the query string', async () => {
    await call('POST', 'update?version=42&force=true&override=false&staged=true', form({ 'a.fsl': '' }));

    expect(engine.schemaUploads[0]!.options).toEqual({ version: 42n, force: true, override: false, staged: true });
  });

  it('renders an engine failure as {"error":{"message"}} with its status', async () => {
    const response = await call('POST', 'update?version=7', form({ 'a.fsl': '' }));

    expect(response.status).toBe(409);
    expect(response.json).toEqual({ error: { message: 'Stale schema version provided' } });
  });

  it('treats a request without a body as an empty upload', async () => {
    await call('POST', 'update');

    expect(engine.schemaUploads[0]!.files).toEqual([]);
  });

  it('refuses a non-multipart body instead of treating it as an empty upload', async () => {
    const response = await call('POST', 'update', 'collection A {}');

    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: { message: 'Request is not a valid multipart request' } });
    expect(engine.schemaUploads).toHaveLength(0);
  });

  it.each(['notes.txt', '*.fsl', '*x.fsl'])('rejects the file name %s', async (name) => {
    const response = await call('POST', 'update', form({ [name]: '' }));

    expect(response.status).toBe(400);
    expect(response.json.error.message).toBe(`Invalid filename \`${name}\``);
  });

  it('accepts 1023 files plus main.fsl and rejects 1024 files without main.fsl', async () => {
    const files = Object.fromEntries(Array.from({ length: 1023 }, (_, i) => [`f${i}.fsl`, '']));

    const withMain = await call('POST', 'update', form({ ...files, 'main.fsl': '' }));
    const withoutMain = await call('POST', 'update', form({ ...files, 'extra.fsl': '' }));

    expect(withMain.status).toBe(200);
    expect(withoutMain.status).toBe(400);
    expect(withoutMain.json.error.message).toBe('Too many files');
  });

  it('answers 401 with code unauthorized and WWW-Authenticate for a bad secret', async () => {
    const response = await call('POST', 'update', form({ 'a.fsl': '' }), 'wrong');

    expect(response.status).toBe(401);
    expect(response.json).toEqual({ error: { code: 'unauthorized', message: 'Access token required' } });
  });
});

describe('the read endpoints', () => {
  it('lists files and returns one by its URL-encoded name', async () => {
    await call('POST', 'update', form({ 'dir/a b.fsl': 'collection A {}' }));

    const list = await call('GET', 'files');
    const file = await call('GET', `files/${encodeURIComponent('dir/a b.fsl')}`);

    expect(list.json.files).toEqual([{ filename: 'dir/a b.fsl' }]);
    expect(file.json.content).toBe('collection A {}');
  });

  it('reports staged status none on both status paths', async () => {
    const staged = await call('GET', 'staged/status');
    const legacy = await call('GET', 'status');

    expect(staged.json).toEqual({ version: expect.any(Number), status: 'none', pending_summary: '' });
    expect(legacy.json).toEqual(staged.json);
  });

  it('passes the requested diff kind (diff= or format=) to the status and diff calls', async () => {
    const status = await call('GET', 'staged/status?diff=textual');
    const diff = await call('POST', 'diff?format=summary');
    const unknown = await call('POST', 'diff?diff=colourful');

    expect(status.json.diff).toBe('textual diff');
    expect(diff.json.diff).toBe('0 file(s) as summary');
    expect(unknown.json.diff).toBe('0 file(s)');
  });

  it('answers commit and abandon with the root-database message', async () => {
    const response = await call('POST', 'staged/commit');

    expect(response.status).toBe(400);
    expect(response.json.error.message).toBe('Schema cannot be staged in the root database');
  });

  it('refuses the single-item API with 501, naming the emulator', async () => {
    const response = await call('GET', 'items/collections/Customer');

    expect(response.status).toBe(501);
    expect(response.json.error.message).toMatch(/not supported by the local Fauna emulator/);
  });
});
