/**
 * Conformance corpus: the migration validator's cases from Fauna's core specs, restated and replayed through the real
 * schema API, as `npm run schema:push` and the Fauna CLI drive it.
 *
 * Each case of `core-spec-migrations.cases.json` restates one `validate(live, submitted, expected)` call of
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/test/scala/migration/MigrationValidatorSpec.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/test/scala/migration/MigrationValidatorNestedSpec.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/test/scala/migration/MigrationValidatorWildcardSpec.scala
 * (its spec, test name and position in the test): the live and submitted FSL and the expected answer are the spec's,
 * verbatim (its pending tests are left out); `document` is ours, one value per required field of the live schema;
 * one case (`note`) states what a real Fauna answers with a document where the pure validator spec accepts. The spec
 * compares a live and a submitted collection; a real Fauna
 * compares them only when the collection holds documents, so each case pushes the live schema into a database of its
 * own, creates one document that fits it (`document`, a value per required field), then pushes the submitted schema:
 * - `refused`: status 400, the message carries each of the spec's errors with its position (`error: …` and
 *   `at main.fsl:L:C`), in order; the document is unchanged (a refused push writes nothing);
 * - `migrations`: accepted; where the spec's derived migrations are plain (add with a literal backfill, drop, move,
 *   and the wildcard ones, which a document of declared fields only leaves alone), the document read afterwards is
 *   the spec's migrations applied to it.
 * The later blocks restate the document cases of
 * https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/test/scala/fql2/FQL2MigrationValidatorSpec.scala (and of
 * the repo's document migration specs, https://github.com/fauna/faunadb/tree/HEAD/ext/repo/src/test/scala/schema/migration),
 * https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/test/scala/fql2/migration/FQL2MigrationConverterSpec.scala,
 * whose expected documents the specs state themselves, and FQL2IndexMigrationSpec's schemas with index lookups.
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
async function freshDatabase(options: { typechecked?: boolean } = {}) {
  const name = `migrations_${++databases}`;
  await admin.query(fql`Database.create({ name: ${name}, typechecked: ${options.typechecked ?? true} })`);
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
  it('has the corpus it claims (over 140 cases, each naming its spec and test)', () => {
    expect(CASES.length).toBeGreaterThan(140);
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

/** A case of FQL2MigrationValidatorSpec: documents created under `live`, then `submitted` pushed; the documents read after. */
interface DocumentCase {
  /** The spec restated, when not FQL2MigrationValidatorSpec (the repo's document migration specs). */
  spec?: string;
  test: string;
  live: string;
  creates: string[];
  submitted: string;
  /** Each document's user fields after the push, by id. */
  after: Record<string, Record<string, unknown>>;
}

const DOCUMENT_CASES: DocumentCase[] = [
  {
    test: 'migrations apply on read: can migrate wildcards',
    live: 'collection Foo {\n  *: Any\n}\n',
    creates: ['Foo.create({ id: "1", foo: 3, bar: "non_conforming" })', 'Foo.create({ id: "2", bar: 5, baz: 3 })', 'Foo.create({ id: "3", baz: "hi" })'],
    submitted: 'collection Foo {\n  foo: Int\n  bar: Int\n  baz: String\n  dump: { *: Any }?\n  *: Any\n\n  migrations {\n    add .dump\n    add .foo\n    add .bar\n    add .baz\n    backfill .foo = 0\n    backfill .bar = 0\n    backfill .baz = \'defaut\'\n    move_conflicts .dump\n  }\n}\n',
    after: {
      1: { foo: 3, bar: 0, baz: 'defaut', dump: { bar: 'non_conforming' } },
      2: { foo: 0, bar: 5, baz: 'defaut', dump: { baz: 3 } },
      3: { foo: 0, bar: 0, baz: 'hi' },
    },
  },
  {
    test: 'migrations apply on read: can move wildcards',
    live: 'collection Foo {\n  *: Any\n}\n',
    creates: [
      'Foo.create({ id: "1", foo: 3 })', 'Foo.create({ id: "2", foo: "non_conforming" })', 'Foo.create({ id: "3", baz: "hi" })',
      'Foo.create({ id: "4", dump: 5 })', 'Foo.create({ id: "5", dump: { a: 2 } })', 'Foo.create({ id: "6", dump: { a: 2 }, bar: 5 })',
      'Foo.create({ id: "7", dump: { a: 2 }, a: 5 })',
    ],
    submitted: 'collection Foo {\n  foo: Int?\n  dump: { *: Any }?\n\n  migrations {\n    add .dump\n    add .foo\n    move_conflicts .dump\n    move_wildcard .dump\n  }\n}\n',
    after: {
      1: { foo: 3 },
      2: { dump: { foo: 'non_conforming' } },
      3: { dump: { baz: 'hi' } },
      4: { dump: { dump: 5 } },
      5: { dump: { a: 2 } },
      6: { dump: { a: 2, bar: 5 } },
      7: { dump: { a: 2, _a: 5 } },
    },
  },
  {
    test: 'migrations apply on read: can split a field',
    live: 'collection Foo {\n  foo: Int | String\n}\n',
    creates: ['Foo.create({ id: "1", foo: 3 })', 'Foo.create({ id: "2", foo: 5 })', 'Foo.create({ id: "3", foo: "hello" })', 'Foo.create({ id: "4", foo: "world" })'],
    submitted: 'collection Foo {\n  bar: Int\n  baz: String\n\n  migrations {\n    split .foo -> .bar, .baz\n    backfill .bar = 0\n    backfill .baz = \'\'\n  }\n}\n',
    after: { 1: { bar: 3, baz: '' }, 2: { bar: 5, baz: '' }, 3: { bar: 0, baz: 'hello' }, 4: { bar: 0, baz: 'world' } },
  },
  {
    test: 'don\'t miss new migrations: add',
    live: 'collection User {\n  _no_wildcard: Null\n}\n',
    creates: ['User.create({ id: "1" })'],
    submitted: 'collection User {\n  _no_wildcard: Null\n  foo: Int\n\n  migrations {\n    add .foo\n    backfill .foo = 3\n  }\n}\n',
    after: { 1: { foo: 3 } },
  },
  {
    test: 'don\'t miss new migrations: drop',
    live: 'collection User {\n  _no_wildcard: Null\n\n  foo: Int\n}\n',
    creates: ['User.create({ id: "1", foo: 3 })'],
    submitted: 'collection User {\n  _no_wildcard: Null\n\n  migrations {\n    drop .foo\n  }\n}\n',
    after: { 1: {} },
  },
  {
    test: 'don\'t miss new migrations: move',
    live: 'collection User {\n  foo: Int\n}\n',
    creates: ['User.create({ id: "1", foo: 3 })'],
    submitted: 'collection User {\n  bar: Int\n\n  migrations {\n    move .foo -> .bar\n  }\n}\n',
    after: { 1: { bar: 3 } },
  },
  {
    test: 'don\'t miss new migrations: split',
    live: 'collection User {\n  foo: Int | String\n}\n',
    creates: ['User.create({ id: "1", foo: 3 })', 'User.create({ id: "2", foo: "hi" })'],
    submitted: 'collection User {\n  foo: String\n  bar: Int\n\n  migrations {\n    split .foo -> .foo, .bar\n    backfill .foo = "default"\n    backfill .bar = 0\n  }\n}\n',
    after: { 1: { foo: 'default', bar: 3 }, 2: { foo: 'hi', bar: 0 } },
  },
  {
    test: 'don\'t miss new migrations: move_conflicts',
    live: 'collection User {\n  *: Any\n}\n',
    creates: ['User.create({ id: "1", foo: 3, bar: 10 })', 'User.create({ id: "2", foo: "hi", bar: 10 })'],
    submitted: 'collection User {\n  foo: Int\n  conflicts: { *: Any }?\n  *: Any\n\n  migrations {\n    add .foo\n    backfill .foo = 0\n\n    add .conflicts\n    move_conflicts .conflicts\n  }\n}\n',
    after: { 1: { foo: 3, bar: 10 }, 2: { foo: 0, bar: 10, conflicts: { foo: 'hi' } } },
  },
  {
    test: 'don\'t miss new migrations: move_wildcard',
    live: 'collection User {\n  *: Any\n}\n',
    creates: ['User.create({ id: "1", foo: 3, bar: 10 })', 'User.create({ id: "2", foo: "hi" })'],
    submitted: 'collection User {\n  foo: Int\n  conflicts: { *: Any }?\n\n  migrations {\n    add .foo\n    backfill .foo = 0\n\n    add .conflicts\n    move_conflicts .conflicts\n    move_wildcard .conflicts\n  }\n}\n',
    after: { 1: { foo: 3, conflicts: { bar: 10 } }, 2: { foo: 0, conflicts: { foo: 'hi' } } },
  },
  {
    spec: 'MoveWildcardMigrationSpec',
    test: 'munges names consistently for weird names',
    live: 'collection Foo {\n  *: Any\n}\n',
    creates: ['Foo.create({ id: "1", foo: 3, bar: 4, dump: { baz: 10 }, baz: 5, _baz: 6 })', 'Foo.create({ id: "2", dump: { baz: 10, __baz: 11 }, _baz: 6, baz: 5 })'],
    submitted: 'collection Foo {\n  foo: Int?\n  bar: Int?\n  dump: { *: Any }?\n\n  migrations {\n    add .foo\n    add .bar\n    add .dump\n    move_conflicts .dump\n    move_wildcard .dump\n  }\n}\n',
    after: { 1: { foo: 3, bar: 4, dump: { baz: 10, _baz: 5, __baz: 6 } }, 2: { dump: { baz: 10, __baz: 11, _baz: 5, ___baz: 6 } } },
  },
  {
    spec: 'SplitFieldMigrationSpec',
    test: 'works when there is no input; keeps a value when type matches; fills in backfill value when type matches; renames a value when type differs',
    live: 'collection Foo {\n  a: Int | String | Null\n}\n',
    creates: ['Foo.create({ id: "1" })', 'Foo.create({ id: "2", a: 7 })', 'Foo.create({ id: "3", a: "x" })'],
    submitted: 'collection Foo {\n  a: Int\n  b: String\n\n  migrations {\n    split .a -> .a, .b\n    backfill .a = 0\n    backfill .b = "none"\n  }\n}\n',
    after: { 1: { a: 0, b: 'none' }, 2: { a: 7, b: 'none' }, 3: { a: 0, b: 'x' } },
  },
  {
    spec: 'FQL2MigrationConverterSpec',
    test: 'it converts add and drop migrations',
    live: 'collection User {\n  foo: Int\n}',
    creates: ['User.create({ id: "1", foo: 1 })'],
    submitted: 'collection User {\n  bar: Int = 3\n\n  migrations {\n    drop .foo\n    add .bar\n    backfill .bar = 3\n  }\n}',
    after: { 1: { bar: 3 } },
  },
  {
    spec: 'FQL2MigrationConverterSpec',
    test: 'it converts narrow migrations (#1: the default fills what the split moves out)',
    live: 'collection User {\n  foo: Int | String\n}',
    creates: ['User.create({ id: "1", foo: 5 })', 'User.create({ id: "2", foo: "x" })'],
    submitted: 'collection User {\n  foo: Int = 0\n\n  migrations {\n    split .foo -> .foo, .tmp\n    drop .tmp\n  }\n}',
    after: { 1: { foo: 5 }, 2: { foo: 0 } },
  },
  {
    spec: 'FQL2MigrationConverterSpec',
    test: 'it converts narrow migrations (#2: a nullable field is left empty)',
    live: 'collection User {\n  foo: Int | String\n}',
    creates: ['User.create({ id: "1", foo: 5 })', 'User.create({ id: "2", foo: "x" })'],
    submitted: 'collection User {\n  foo: Int | Null\n\n  migrations {\n    split .foo -> .foo, .tmp\n    drop .tmp\n  }\n}',
    after: { 1: { foo: 5 }, 2: {} },
  },
  {
    spec: 'FQL2MigrationConverterSpec',
    test: 'it converts widen migrations (no migration: documents unchanged)',
    live: 'collection User {\n  foo: Int\n}',
    creates: ['User.create({ id: "1", foo: 5 })'],
    submitted: 'collection User {\n  foo: Int | String = 0\n}',
    after: { 1: { foo: 5 } },
  },
  {
    test: 'refs: don\'t get waxed by a split out of Any',
    live: 'collection A {}\n\ncollection Foo {\n  a: Any\n}\n',
    creates: ['A.create({ id: "0" })', 'Foo.create({ id: "0", a: 0 })', 'Foo.create({ id: "1", a: A.byId("0") })', 'Foo.create({ id: "2", a: A.byId("1") })'],
    submitted: 'collection A {}\n\ncollection Foo {\n  a: Ref<A>?\n\n  migrations {\n    split .a -> .a, .tmp\n    drop .tmp\n  }\n}\n',
    after: { 0: {}, 1: { a: 'A/0' }, 2: { a: 'A/1' } },
  },
];

/** Document references as `Coll/id`, to compare them with the spec's expectations. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('coll' in v && 'id' in v && typeof v.id === 'string') return `${(v.coll as { name: string }).name}/${v.id}`;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return value;
}

describe('documents after a push with migrations, restated from the core spec FQL2MigrationValidatorSpec', () => {
  it.each(DOCUMENT_CASES.map((c) => [`restates ${c.spec ?? 'FQL2MigrationValidatorSpec'}: ${c.test}`, c] as const))('%s', async (_name, c) => {
    // Arrange
    const db = await freshDatabase();
    expect((await db.push(c.live)).status).toBe(200);
    for (const create of c.creates) await db.client.query(source(create));
    const collection = /collection (\w+) \{\n {2}[^}]/.exec(c.submitted)?.[1] ?? 'Foo';

    // Act
    const pushed = await db.push(c.submitted);

    // Assert
    expect({ status: pushed.status, body: pushed.body }).toEqual({ status: 200, body: expect.objectContaining({ version: expect.any(Number) }) });
    const docs = (await db.client.query(source(`${collection}.all().toArray()`))).data as unknown[];
    const byId = Object.fromEntries(docs.map((d) => [(d as { id: string }).id, plain(userFields(d))]));
    expect(byId).toEqual(c.after);
  });

  it('restates FQL2MigrationValidatorSpec: null isn\'t a valid backfill for ref (refused, nothing written)', async () => {
    // Arrange
    const db = await freshDatabase();
    await db.push('collection A {}\n\ncollection Foo {\n  _no_wildcard: Null\n}');
    await db.client.query(fql`Foo.create({ id: "1" })`);

    // Act
    const pushed = await db.push('collection A {}\n\ncollection Foo {\n  _no_wildcard: Null\n  a: Ref<A>\n\n  migrations {\n    add .a\n  }\n}');

    // Assert
    expect(pushed.status).toBe(400);
    expect(pushed.body.error?.message).toContain('error: Invalid database schema update.\n    error: Failed to convert backfill value.\n    constraint failures:\n      a: Expected A | NullA, provided Null');
    expect(pushed.body.error?.message).toContain('at main.fsl:3:1');
  });
});

describe('values a document cannot hold, restated from FQL2MigrationConverterSpec', () => {
  it('restates FQL2MigrationConverterSpec: it errors for non-persistable types (refused, nothing written)', async () => {
    // Arrange
    const db = await freshDatabase();
    await db.push('collection User {\n  foo: Int | ID | Null\n}');
    await db.client.query(fql`User.create({ id: "1", foo: 3 })`);

    // Act
    const pushed = await db.push('collection User {\n  foo: ID | Null\n\n  migrations {\n    split .foo -> .foo, .tmp\n    drop .tmp\n  }\n}');

    // Assert
    expect(pushed.status).toBe(400);
    expect(pushed.body.error?.message).toContain('error: Failed to convert migration.\n    constraint failures:\n      foo: Type cannot be persisted.');
    expect(userFields((await db.client.query(fql`User.byId("1")!`)).data)).toEqual({ foo: 3 });
  });

  it('restates FQL2MigrationConverterSpec: it errors for non-persistable values (refused, nothing written)', async () => {
    // Arrange
    const db = await freshDatabase();
    await db.push('collection User {\n  _no_wildcard: Null\n}');
    await db.client.query(fql`User.create({ id: "1" })`);

    // Act
    const pushed = await db.push('collection User {\n  foo: Any = () => true\n  _no_wildcard: Null\n\n  migrations {\n    add .foo\n  }\n}');

    // Assert
    expect(pushed.status).toBe(400);
    expect(pushed.body.error?.message).toContain('error: Failed to convert migration.\n    constraint failures:\n      Value has type Lambda, which cannot be persisted.');
    expect(userFields((await db.client.query(fql`User.byId("1")!`)).data)).toEqual({});
  });
});

describe('migrations written in FQL and staged, as a real Fauna takes them', () => {
  it('restates FQL2MigrationValidatorSpec: migrations apply on read: can split a field (through Collection.replace)', async () => {
    // Arrange
    const db = await freshDatabase();
    await db.push('collection Foo {\n  foo: Int | String\n}\n');
    await db.client.query(fql`Foo.create({ id: "1", foo: 3 }); Foo.create({ id: "3", foo: "hello" })`);

    // Act
    await db.client.query(fql`Collection.byName("Foo")!.replace({
      name: "Foo",
      fields: { bar: { signature: "Int" }, baz: { signature: "String" } },
      migrations: [{ split: { field: "foo", to: ["bar", "baz"] } }, { backfill: { field: "bar", value: "0" } }, { backfill: { field: "baz", value: "''" } }]
    })`);

    // Assert
    expect((await db.client.query(fql`[Foo.byId("1") { bar, baz }, Foo.byId("3") { bar, baz }]`)).data).toEqual([{ bar: 3, baz: '' }, { bar: 0, baz: 'hello' }]);
  });

  it('restates FQL2MigrationValidatorSpec: conversion: schema converts to model (the definition shows the block)', async () => {
    // Arrange
    const db = await freshDatabase();
    await db.push('collection Foo {\n  tmp: Any\n  zzz: String | Boolean | Time\n}');

    // Act
    const pushed = await db.push('collection Foo {\n  foo: Int | Null\n  bar: String\n  baz: Boolean\n  qux: Time\n  dump: { *: Any }?\n  migrations {\n    add .foo\n    backfill .foo = 3\n    drop .tmp\n    move .zzz -> .yyy\n    split .yyy -> .bar, .baz, .qux\n    backfill .bar = ""\n    backfill .baz = true\n    backfill .qux = Time.now()\n    add .dump\n    add_wildcard\n    move_conflicts .dump\n    move_wildcard .dump\n  }\n}\n');

    // Assert
    expect(pushed.status).toBe(200);
    expect((await db.client.query(fql`Collection.byName('Foo') { fields, migrations }`)).data).toEqual({
      fields: {
        foo: { signature: 'Int | Null' }, bar: { signature: 'String' }, baz: { signature: 'Boolean' }, qux: { signature: 'Time' },
        dump: { signature: '{ *: Any }?' },
      },
      migrations: [
        { add: { field: '.foo' } }, { backfill: { field: '.foo', value: '3' } }, { drop: { field: '.tmp' } },
        { move: { field: '.zzz', to: '.yyy' } }, { split: { field: '.yyy', to: ['.bar', '.baz', '.qux'] } },
        { backfill: { field: '.bar', value: '""' } }, { backfill: { field: '.baz', value: 'true' } },
        { backfill: { field: '.qux', value: 'Time.now()' } }, { add: { field: '.dump' } }, { add_wildcard: {} },
        { move_conflicts: { into: '.dump' } }, { move_wildcard: { into: '.dump' } },
      ],
    });
  });

  it('restates FQL2MigrationValidatorSpec: conversion: model converts to schema (the FQL definition becomes the FSL block)', async () => {
    // Arrange
    const db = await freshDatabase();
    const secret = target.scopedSecret(`migrations_${databases}`, 'admin');

    // Act
    await db.client.query(fql`Collection.create({
      name: "Foo",
      fields: { foo: { signature: "Int | Null" }, baz: { signature: "Boolean" }, qux: { signature: "Time" }, dump: { signature: "{ *: Any }?" } },
      migrations: [
        { drop: { field: "tmp" } }, { move: { field: "zzz", to: "bar" } }, { split: { field: "bar", to: ["baz", "qux"] } },
        { backfill: { field: "baz", value: "true" } }, { backfill: { field: "qux", value: "Time.now()" } }, { add: { field: "dump" } },
        { add_wildcard: {} }, { move_conflicts: { into: "dump" } }, { move_wildcard: { into: "dump" } },
      ]
    })`);
    const file = await target.schemaApi('GET', 'files/main.fsl', { secret });

    // Assert
    expect(file.body.content).toContain('collection Foo {\n  foo: Int | Null\n  baz: Boolean\n  qux: Time\n  dump: { *: Any }?\n  migrations {\n    drop .tmp\n    move .zzz -> .bar\n    split .bar -> .baz, .qux\n    backfill .baz = true\n    backfill .qux = Time.now()\n    add .dump\n    add_wildcard\n    move_conflicts .dump\n    move_wildcard .dump\n  }\n}');
  });

  it('refuses a schema write in FQL whose migrations the validator refuses, writing nothing', async () => {
    // Arrange
    const db = await freshDatabase();
    await db.push('collection Foo {\n  bar: Int\n}\n');
    await db.client.query(fql`Foo.create({ id: "1", bar: 1 })`);

    // Act
    const failure = await db.client.query(fql`Collection.byName("Foo")!.update({ migrations: [{ drop: { field: ".bar" } }] })`).then(() => null, (e: unknown) => e as { code?: string; queryInfo?: { summary?: string } });

    // Assert
    expect(failure?.code).toBe('constraint_failure');
    expect(failure?.queryInfo?.summary).toContain('Cannot drop field `.bar`. Dropped fields must be removed from schema');
    expect((await db.client.query(fql`Foo.byId("1") { bar }`)).data).toEqual({ bar: 1 });
  });

  it('checks a staged push at once and migrates the documents at commit', async () => {
    // Arrange
    const db = await freshDatabase();
    await db.push('collection User {\n  foo: Int\n}\n');
    await db.client.query(fql`User.create({ id: "1", foo: 3 })`);
    const secret = target.scopedSecret(`migrations_${databases}`, 'admin');
    const stage = (content: string) => target.pushSchema({ 'main.fsl': content }, { force: 'true', staged: 'true' }, secret);

    // Act
    const refused = await stage('collection User {\n  bar: Int\n}\n');
    const staged = await stage('collection User {\n  bar: Int\n\n  migrations {\n    move .foo -> .bar\n  }\n}\n');
    // x-typecheck false: the active `User` defines `foo` only, so a type-checked query may not project `bar`; the
    // case reads the stored document before the commit.
    const beforeCommit = (await db.client.query(fql`User.byId("1") { foo, bar }`, { typecheck: false })).data;
    const committed = await target.schemaApi('POST', 'staged/commit', { secret, params: { force: 'true' } });

    // Assert
    expect(refused.status).toBe(400);
    expect(refused.body.error?.message).toContain('error: Field `.foo` is missing from the submitted schema');
    expect(staged.status).toBe(200);
    expect(beforeCommit).toEqual({ foo: 3, bar: null });
    expect(committed.status).toBe(200);
    // x-typecheck false again: after the commit `User` defines `bar` only.
    expect((await db.client.query(fql`User.byId("1") { foo, bar }`, { typecheck: false })).data).toEqual({ foo: null, bar: 3 });
  });
});

/**
 * Indexes over migrated documents, restated from
 * https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/test/scala/fql2/migration/FQL2IndexMigrationSpec.scala:
 * its schemas, with documents of ours, and what an index lookup answers after the push (the spec checks which backing
 * indexes are rebuilt; what a client sees is that lookups follow the migrated values).
 */
describe('indexes after a push with migrations, restated from FQL2IndexMigrationSpec', () => {
  const ids = async (client: Client, query: string) => ((await client.query(source(`${query}.toArray().map(.id)`))).data as string[]).sort();

  it('restates FQL2IndexMigrationSpec: it rebuilds fields that have been split', async () => {
    // Arrange
    const db = await freshDatabase();
    await db.push('collection User {\n  name: String | Time = ""\n\n  index byName {\n    terms [.name]\n  }\n}\n');
    await db.client.query(fql`User.create({ id: "1", name: "ada" }); User.create({ id: "2", name: Time("2020-01-01T00:00:00Z") })`);

    // Act
    const pushed = await db.push('collection User {\n  name: String = ""\n  time: Time = Time.now()\n\n  index byName {\n    terms [.name]\n  }\n\n  migrations {\n    split .name -> .name, .time\n  }\n}\n');

    // Assert
    expect(pushed.status).toBe(200);
    expect(await ids(db.client, 'User.byName("ada")')).toEqual(['1']);
    expect(await ids(db.client, 'User.byName("")')).toEqual(['2']);
    expect((await db.client.query(fql`User.byId("2")!.time.toString()`)).data).toBe('2020-01-01T00:00:00Z');
  });

  it('restates FQL2IndexMigrationSpec: it doesn\'t rebuild from moved fields (the index over the new name answers)', async () => {
    // Arrange
    const db = await freshDatabase();
    await db.push('collection User {\n  name: String = ""\n\n  index byName {\n    terms [.name]\n  }\n}\n');
    await db.client.query(fql`User.create({ id: "1", name: "Bob" })`);

    // Act
    const pushed = await db.push('collection User {\n  firstName: String = ""\n\n  index byName {\n    terms [.firstName]\n  }\n\n  migrations {\n    move .name -> .firstName\n  }\n}\n');

    // Assert
    expect(pushed.status).toBe(200);
    expect(await ids(db.client, 'User.byName("Bob")')).toEqual(['1']);
  });

  it('restates FQL2IndexMigrationSpec: it rebuilds indexes from move_conflicts', async () => {
    // Arrange
    const db = await freshDatabase();
    await db.push('collection User {\n  conflicts: { *: Any }?\n  *: Any\n\n  index byName { terms [.name] }\n  index byConflicts { terms [.conflicts] }\n}\n');
    await db.client.query(fql`User.create({ id: "1", name: 5 }); User.create({ id: "2", name: "eve" })`);

    // Act
    const pushed = await db.push('collection User {\n  conflicts: { *: Any }?\n  name: String = ""\n  *: Any\n\n  index byName { terms [.name] }\n  index byConflicts { terms [.conflicts] }\n\n  migrations {\n    add .name\n    move_conflicts .conflicts\n  }\n}\n');

    // Assert
    expect(pushed.status).toBe(200);
    expect(await ids(db.client, 'User.byName("")')).toEqual(['1']);
    expect(await ids(db.client, 'User.byName("eve")')).toEqual(['2']);
    expect(await ids(db.client, 'User.byConflicts({ name: 5 })')).toEqual(['1']);
  });

  it('restates FQL2IndexMigrationSpec: it rebuilds indexes from move_wildcard', async () => {
    // Arrange: as the spec, in a database that is not type-checked ("so we can create the index": `.foo` is no field
    // once the wildcard is gone, which a type-checked database refuses at push)
    const db = await freshDatabase({ typechecked: false });
    await db.push('collection User {\n  name: String = ""\n  conflicts: { *: Any }?\n  *: Any\n\n  index byName { terms [.name] }\n  index byConflicts { terms [.conflicts] }\n  index byFoo { terms [.foo] }\n}\n');
    await db.client.query(fql`User.create({ id: "1", foo: 1 })`);
    const before = await ids(db.client, 'User.byFoo(1)');

    // Act
    const pushed = await db.push('collection User {\n  name: String = ""\n  conflicts: { *: Any }?\n\n  index byName { terms [.name] }\n  index byConflicts { terms [.conflicts] }\n  index byFoo { terms [.foo] }\n\n  migrations {\n    move_wildcard .conflicts\n  }\n}\n');

    // Assert
    expect(pushed.status).toBe(200);
    expect(before).toEqual(['1']);
    expect(await ids(db.client, 'User.byFoo(1)')).toEqual([]);
    expect(await ids(db.client, 'User.byConflicts({ foo: 1 })')).toEqual(['1']);
  });

  it('restates FQL2IndexMigrationSpec: it updates indexes and unique constraints correctly', async () => {
    // Arrange
    const db = await freshDatabase();
    await db.push('collection User {\n  name: String\n\n  unique [.name]\n\n  index byName {\n    terms [.name]\n  }\n}\n');
    await db.client.query(fql`User.create({ id: "1", name: "Bob" })`);

    // Act
    const pushed = await db.push('collection User {\n  firstName: String\n\n  unique [.firstName]\n\n  index byName {\n    terms [.firstName]\n  }\n\n  migrations {\n    move .name -> .firstName\n  }\n}\n');
    const duplicate = await db.client.query(fql`User.create({ firstName: "Bob" })`).then(() => null, (e: unknown) => e as { code?: string; queryInfo?: { summary?: string } });

    // Assert
    expect(pushed.status).toBe(200);
    expect(await ids(db.client, 'User.byName("Bob")')).toEqual(['1']);
    expect(duplicate?.code).toBe('constraint_failure');
    expect(duplicate?.queryInfo?.summary).toContain('firstName: Failed unique constraint');
  });
});
