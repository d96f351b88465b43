/**
 * Conformance: the places where the emulator used to answer differently from Fauna, each checked at the wire level
 * (status, code, message) through the real driver on both transports, or with fetch where the CLI or the FQL v4
 * driver is the client. Fauna's answers are the ones the drivers' own integration tests assert
 * (https://github.com/fauna/fauna-js/blob/main/__tests__/integration/query.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryRuntimeError, QueryTimeoutError, fql } from 'fauna';
import { TRANSPORTS, pushIdentitySchema, startTarget, type ConformanceTarget, failureOf } from './helpers/target.ts';
import { randomBytes } from 'node:crypto';

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startTarget();
  await pushIdentitySchema(target);
});
afterAll(() => target.close());

/** A long pure computation: far more than 100 ms of work on any machine. */
const LONG_COMPUTATION = fql`Set.sequence(0, 100000000).fold(0, (a, b) => a + b)`;

describe.each(TRANSPORTS)('over the %s transport', (transport) => {
  it('answers invalid_argument (400) for 2 + "2", as Fauna does', async () => {
    // x-typecheck false: a type-checked database refuses `2 + "2"` before it runs (invalid_query, "Type `String` is
    // not a subtype of `Number`", core FQL2BasicSpec); the case is about the runtime answer.
    const failure = await failureOf(target.client({ transport }).query(fql`2 + "2"`, { typecheck: false }));

    expect(failure).toBeInstanceOf(QueryRuntimeError);
    expect(failure.code).toBe('invalid_argument');
    expect(failure.httpStatus).toBe(400);
    expect(failure.queryInfo?.summary).toEqual(expect.stringContaining('2 + "2"'));
  });

  describe.each([1, 10, 100])('with x-query-timeout-ms %i', (timeoutMs) => {
    it('fails a pure computation that outlives the deadline with 440 time_out and Fauna\'s message', async () => {
      const failure = await failureOf(target.client({ transport, query_timeout_ms: timeoutMs }).query(LONG_COMPUTATION));

      expect(failure).toBeInstanceOf(QueryTimeoutError);
      expect(failure.httpStatus).toBe(440);
      expect(failure.code).toBe('time_out');
      expect(failure.message).toMatch(new RegExp(`^Client set aggressive deadline: query needs \\d+ms, timed out within ${timeoutMs}ms$`));
    });

    it('fails a query that writes documents and then runs past the deadline, writing nothing', async () => {
      const tag = `timeout-${randomBytes(4).toString('hex')}`;
      const writes = fql`Set.sequence(0, 50).forEach(i => Note.create({ tag: ${tag}, i: i }))
        Set.sequence(0, 100000000).fold(0, (a, b) => a + b)`;

      const failure = await failureOf(target.client({ transport, query_timeout_ms: timeoutMs }).query(writes));
      const { data: written } = await target.client({ transport }).query(fql`Note.all().where(.tag == ${tag}).count()`);

      expect(failure).toBeInstanceOf(QueryTimeoutError);
      expect(failure.httpStatus).toBe(440);
      expect(written).toBe(0);
    });
  });

  it('fails even "taco".length with a 1 ms deadline (no query is served that fast), as the drivers\' tests expect', async () => {
    const failure = await failureOf(target.client({ transport, query_timeout_ms: 1 }).query(fql`"taco".length`));

    expect(failure).toBeInstanceOf(QueryTimeoutError);
    expect(failure.httpStatus).toBe(440);
  });

  it('serves a short query well inside a generous deadline', async () => {
    const { data } = await target.client({ transport, query_timeout_ms: 2_000 }).query(fql`"taco".length`);

    expect(data).toBe(4);
  });
});

describe('GET /schema/1/staged/status (fauna schema status)', () => {
  it('answers version, status and a pending_summary string, and a diff string when one is asked for', async () => {
    const plain = await target.schemaApi('GET', 'staged/status', { params: { format: 'summary' } });
    const withDiff = await target.schemaApi('GET', 'staged/status', { params: { diff: 'textual' } });

    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ version: expect.any(Number), status: 'none', pending_summary: expect.any(String) });
    expect(typeof (withDiff.body as { diff?: unknown }).diff).toBe('string');
  });
});

describe('POST /schema/1/diff?diff=textual (fauna schema diff --text)', () => {
  it('answers a line diff of the FSL files, comments included', async () => {
    const files = await target.schemaApi('GET', 'files');
    const current = await target.schemaApi('GET', `files/${encodeURIComponent('collections.fsl')}`);
    const changed = `${current.body.content!.replace('collection Note {\n  *: Any\n}', 'collection Note {\n  // any field\n  *: Any\n}')}`;
    const form = new FormData();
    for (const { filename } of files.body.files!) {
      const content = filename === 'collections.fsl' ? changed : (await target.schemaApi('GET', `files/${encodeURIComponent(filename)}`)).body.content!;
      form.set(filename, new Blob([content]));
    }

    const textual = await target.schemaApi('POST', 'diff', { body: form, params: { diff: 'textual', force: 'true', staged: 'false' } });
    const semantic = await target.schemaApi('POST', 'diff', { body: form, params: { diff: 'semantic', force: 'true', staged: 'false' } });

    expect(textual.status).toBe(200);
    expect(textual.body.diff).toContain('collections.fsl');
    expect(textual.body.diff).toMatch(/^\+\s*\/\/ any field$/m);
    // A comment changes nothing in the schema itself.
    expect(semantic.body.diff).not.toContain('any field');
  });
});

describe('POST / (the FQL v4 endpoint)', () => {
  it('answers in the v4 error shape ({errors:[{code, description}]}) that the faunadb driver parses', async () => {
    const response = await fetch(`${target.url}/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.adminSecret}` },
      body: JSON.stringify({ add: [1, 2] }),
    });
    const body = (await response.json()) as { resource?: unknown; errors?: { code: string; description: string }[] };

    if (target.kind === 'remote') {
      // A Fauna that still serves FQL v4 runs the query; either way the body is one the v4 driver understands.
      expect(body.resource !== undefined || body.errors !== undefined).toBe(true);
      return;
    }
    expect(response.status).toBe(400);
    expect(body.errors).toEqual([{ position: [], code: 'bad request', description: expect.stringMatching(/FQL v4 is not supported by the local Fauna emulator.*POST \/query\/1/) }]);
  });
});
