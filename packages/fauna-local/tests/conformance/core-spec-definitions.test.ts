/**
 * Conformance: cases restated from Fauna's core specs about definitions, documents, deleted documents, indexes and
 * query stats (core-spec-definitions.cases.ts, each naming its spec file and test), through the real `fauna` driver.
 * Each case runs in a fresh child database, so names never collide; against a real Fauna (FAUNA_ENDPOINT) the same
 * cases run unchanged.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fql, ServiceError, type Client, type Query, type QueryStats, type QueryValue } from 'fauna';
import { startTarget, type ConformanceTarget } from './helpers/target.ts';
import { CORE_SPEC_CASES, SPEC, type CoreSpecCase } from './core-spec-definitions.cases.ts';

let target: ConformanceTarget;
let admin: Client;

beforeAll(async () => {
  target = await startTarget();
  admin = target.client();
});
afterAll(() => target.close());

/** FQL source text as a driver query (the template form the driver always sends). */
function source(text: string): Query {
  const strings = Object.assign([text], { raw: [text] }) as unknown as TemplateStringsArray;
  return fql(strings);
}

/**
 * A client for a fresh child database of the suite's database: type-checked, as a real Fauna's are by default, unless
 * the case turns type checking off (then the database too, since schema code is checked at push by its setting).
 */
async function freshDatabase(typechecked: boolean): Promise<Client> {
  const name = `spec_${randomBytes(5).toString('hex')}`;
  await admin.query(fql`Database.create({ name: ${name}, typechecked: ${typechecked} })`);
  return target.client({ secret: target.scopedSecret(name, 'admin') });
}

type Outcome = { ok: true; data: unknown; stats: QueryStats | undefined } | { ok: false; error: ServiceError };

async function run(client: Client, testCase: CoreSpecCase): Promise<Outcome> {
  const options = testCase.typecheck === undefined ? {} : { typecheck: testCase.typecheck };
  for (const setup of testCase.setup ?? []) await client.query(source(setup), options);
  try {
    const success = await client.query<QueryValue>(source(testCase.query), { ...options, format: 'simple' });
    return { ok: true, data: success.data, stats: success.stats };
  } catch (error) {
    if (error instanceof ServiceError) return { ok: false, error };
    throw error;
  }
}

function describeCase(testCase: CoreSpecCase): string {
  return `${testCase.test}${testCase.what === undefined ? '' : ` [${testCase.what}]`} (restates ${SPEC[testCase.spec]})`;
}

describe('cases restated from the core specs (definitions, documents, indexes, stats)', () => {
  it('holds at least 100 cases, each naming a spec file and a test', () => {
    expect(CORE_SPEC_CASES.length).toBeGreaterThanOrEqual(100);
    for (const testCase of CORE_SPEC_CASES) expect(testCase.test.length).toBeGreaterThan(0);
  });

  it.each(CORE_SPEC_CASES.map((testCase) => [describeCase(testCase), testCase] as const))('%s', async (_name, testCase) => {
    const outcome = await run(await freshDatabase(testCase.typecheck !== false), testCase);
    const expected = testCase.expect;

    if ('error' in expected) {
      expect(outcome.ok ? { data: outcome.data } : { code: outcome.error.code }).toEqual({ code: expected.error.code });
      if (outcome.ok) return;
      if (expected.error.message !== undefined) expect(outcome.error.message).toBe(expected.error.message);
      if (expected.error.summaryIncludes !== undefined) expect(outcome.error.queryInfo?.summary).toContain(expected.error.summaryIncludes);
      if (expected.error.messageIncludes !== undefined) expect(outcome.error.message).toContain(expected.error.messageIncludes);
      if (expected.error.failureMessages !== undefined) {
        const failures = (outcome.error as ServiceError & { constraint_failures?: { message: string }[] }).constraint_failures ?? [];
        expect(failures.map((f) => f.message)).toEqual(expected.error.failureMessages);
      }
      if (expected.error.constraint_failures !== undefined) {
        const failures = (outcome.error as ServiceError & { constraint_failures?: unknown }).constraint_failures;
        expect(failures).toEqual(expected.error.constraint_failures);
      }
      return;
    }
    if (!outcome.ok) throw new Error(`expected success, got ${outcome.error.code}: ${outcome.error.message}`);
    if ('data' in expected) expect(outcome.data).toEqual(expected.data);
    if ('stats' in expected) expect(outcome.stats).toMatchObject(expected.stats);
    if ('dataAndStats' in expected) {
      expect(outcome.data).toEqual(expected.dataAndStats[0]);
      expect(outcome.stats).toMatchObject(expected.dataAndStats[1]);
    }
  });
});
