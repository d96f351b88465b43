/**
 * Conformance corpus: the migration validator's cases from Fauna's core specs, restated and replayed through the real
 * schema API, as `npm run schema:push` and the Fauna CLI drive it.
 *
 * Each case of `core-spec-migrations.cases.json` restates one `validate(live, submitted, expected)` call of
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/test/scala/migration/MigrationValidatorSpec.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/test/scala/migration/MigrationValidatorNestedSpec.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/test/scala/migration/MigrationValidatorWildcardSpec.scala
 * (its spec, test name and position in the test). The spec compares a live and a submitted collection; a real Fauna
 * compares them only when the collection holds documents, so each case pushes the live schema into a database of its
 * own, creates one document that fits it (`document`, a value per required field), then pushes the submitted schema:
 * - `refused`: status 400, the message carries each of the spec's errors with its position (`error: …` and
 *   `at main.fsl:L:C`), in order; the document is unchanged (a refused push writes nothing);
 * - `migrations`: accepted; where the spec's derived migrations are plain (add with a literal backfill, drop, move,
 *   and the wildcard ones, which a document of declared fields only leaves alone), the document read afterwards is
 *   the spec's migrations applied to it.
 * The last block restates the document cases of
 * https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/test/scala/fql2/FQL2MigrationValidatorSpec.scala, whose
 * expected documents the spec states itself.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fql, type Client } from 'fauna';
import { startTarget, type ConformanceTarget } from './helpers/target.ts';

interface SpecCase {
  spec: string;
  test: string;
  n: number;
  collection: string;
  live: string;
  /** FQL source of the document created under the live schema. */
  document: string;
  submitted: string;
  refused?: { error: string; at: string }[];
  migrations?: string[];
}

const CASES = JSON.parse(readFileSync(new URL('./core-spec-migrations.cases.json', import.meta.url), 'utf8')) as SpecCase[];

let target: ConformanceTarget;
let admin: Client;
let databases = 0;

beforeAll(async () => {
  target = await startTarget();
  admin = target.client();
});
afterAll(() => target.close());

/** Raw FQL source as a query (the corpus states documents as FQL text). */
function source(text: string) {
  return fql(Object.assign([text], { raw: [text] }) as unknown as TemplateStringsArray);
}

/** A child database of its own, with a client and a schema push for it. */
async function freshDatabase() {
  const name = `migrations_${++databases}`;
  await admin.query(fql`Database.create({ name: ${name} })`);
  const secret = target.scopedSecret(name, 'admin');
  const client = target.client({ secret });
  return {
    client,
    push: (content: string) => target.pushSchema({ 'main.fsl': content }, { force: 'true' }, secret),
  };
}

/** A document's user fields (without id, coll, ts). */
function userFields(doc: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc as Record<string, unknown>).filter(([k]) => !['id', 'coll', 'ts', 'ttl'].includes(k)));
}

/**
 * The spec's derived migrations applied to a document of declared fields only, or null when one of them is not plain
 * (a split, or a backfill that is not a JSON literal).
 */
function applySpecMigrations(doc: Record<string, unknown>, migrations: string[]): Record<string, unknown> | null {
  const out = structuredClone(doc);
  const at = (path: string) => path.slice(1).split('.');
  const get = (p: string[]) => p.reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), out);
  const remove = (p: string[]) => {
    const parent = get(p.slice(0, -1));
    if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[p[p.length - 1]!];
  };
  const insert = (p: string[], value: unknown) => {
    let o = out as Record<string, unknown>;
    for (const k of p.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    o[p[p.length - 1]!] = value;
  };
  for (const m of migrations) {
    let match: RegExpExecArray | null;
    if ((match = /^drop (\S+)$/.exec(m))) remove(at(match[1]!));
    else if ((match = /^move (\S+) -> (\S+)$/.exec(m))) {
      const v = get(at(match[1]!));
      if (v !== undefined) {
        remove(at(match[1]!));
        insert(at(match[2]!), v);
      }
    } else if ((match = /^add (\S+): [^=]+?(?: = (.*))?$/.exec(m))) {
      const path = at(match[1]!);
      if (get(path) !== undefined) return null;
      if (match[2] === undefined) continue;
      let value: unknown;
      try {
        value = JSON.parse(match[2]);
      } catch {
        return null;
      }
      for (let i = 1; i < path.length; i++) if (get(path.slice(0, i)) === undefined) insert(path.slice(0, i), {});
      if (value !== null) insert(path, value);
    } else if (!/^(move_conflicts|move_wildcard|add_wildcard)\b/.test(m)) {
      return null;
    }
  }
  return out;
}

describe('migration validator cases restated from the core specs, through the schema API', () => {
  it('has the corpus it claims (over 120 cases, each naming its spec and test)', () => {
    expect(CASES.length).toBeGreaterThan(120);
    expect(CASES.every((c) => c.spec.startsWith('MigrationValidator') && c.test.length > 0 && (c.refused !== undefined) !== (c.migrations !== undefined))).toBe(true);
  });

  it.each(CASES.map((c) => [`restates ${c.spec}: ${c.test} (#${c.n})`, c] as const))('%s', async (_name, c) => {
    // Arrange
    const db = await freshDatabase();
    const live = await db.push(c.live);
    expect(live.status).toBe(200);
    await db.client.query(source(`${c.collection}.create(${c.document})`));
    const before = userFields((await db.client.query(source(`${c.collection}.all().first()!`))).data);

    // Act
    const pushed = await db.push(c.submitted);

    // Assert
    const after = userFields((await db.client.query(source(`${c.collection}.all().first()!`))).data);
    if (c.refused) {
      expect(pushed.status).toBe(400);
      const message = pushed.body.error?.message ?? '';
      let from = 0;
      for (const { error, at } of c.refused) {
        const found = message.indexOf(`error: ${error}\nat ${at}`, from);
        expect({ found: found >= 0, error, at, message }).toEqual(expect.objectContaining({ found: true }));
        from = found + 1;
      }
      expect(after).toEqual(before);
    } else {
      expect({ status: pushed.status, body: pushed.body }).toEqual({ status: 200, body: expect.objectContaining({ version: expect.any(Number) }) });
      const expected = applySpecMigrations(before, c.migrations!);
      if (expected !== null) expect(after).toEqual(expected);
    }
  });
});
