/**
 * Static type checking as Fauna's core does it, restated from the core's own specs (the cases are in
 * core-spec-typer.cases.ts, each naming the spec and test it restates): queries in a type-checked database are
 * checked before they run, schema code is checked at push (one error refuses the push), and a database created with
 * `typechecked: false` keeps the dynamic behaviour unless a request sends `x-typecheck: true`. A success answers the
 * query's `static_type` as the core prints it, where the spec pins one.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, fql, QueryCheckError, ServiceError, type Query } from 'fauna';
import { TYPER_CASES } from './core-spec-typer.cases.ts';
import { startTarget, type ConformanceTarget } from './helpers/target.ts';

/** The collections the restated cases name (core specs: Author with byName in FQL2TypecheckSpec, User and Foo). */
const CORPUS_SCHEMA = `collection Author {
  index byName {
    terms [.name]
  }
}

collection User {
  name: String
}

collection Foo {
  my_field: Number
}

collection Book {}
`;

let target: ConformanceTarget;
let client: Client;

/** A query from its text (the cases are plain FQL, without placeholders). */
function queryOf(text: string): Query {
  return fql(Object.assign([text], { raw: [text] }) as unknown as TemplateStringsArray);
}

beforeAll(async () => {
  target = await startTarget();
  const pushed = await target.pushSchema({ 'main.fsl': CORPUS_SCHEMA });
  if (pushed.status !== 200) throw new Error(`corpus schema refused: ${JSON.stringify(pushed.body)}`);
  client = target.client();
});

afterAll(async () => {
  await target.close();
});

describe('queries in a type-checked database, restated from the core specs', () => {
  it('has the corpus the issue asks for (at least 150 cases, each naming its spec and test)', () => {
    // Assert
    expect(TYPER_CASES.length).toBeGreaterThanOrEqual(150);
    expect(TYPER_CASES.filter((c) => !c.spec.startsWith('ext/') || c.test === '')).toEqual([]);
    expect(TYPER_CASES.filter((c) => 'error' in c.expect).length).toBeGreaterThanOrEqual(30);
  });

  it.each(TYPER_CASES.map((c) => [`${c.query.split('\n')[0]} (restates ${c.spec.split('/').pop()}: ${c.test})`, c] as const))('%s', async (_name, c) => {
    // Act
    const outcome = await client.query(queryOf(c.query)).then((r) => ({ data: r.data as unknown, staticType: r.static_type }), (error: unknown) => ({ error }));

    // Assert
    if (!('error' in c.expect)) {
      if ('error' in outcome) throw outcome.error;
      if ('data' in c.expect) expect(outcome.data).toEqual(c.expect.data);
      if (c.expect.staticType !== undefined) expect(outcome.staticType).toBe(c.expect.staticType);
      return;
    }
    expect('error' in outcome).toBe(true);
    const error = (outcome as { error: ServiceError }).error;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.code).toBe(c.expect.error);
    if (c.expect.error === 'invalid_query') {
      expect(error).toBeInstanceOf(QueryCheckError);
      expect(error.message).toBe('The query failed 1 validation check');
    }
    if (c.expect.message !== undefined) expect(error.queryInfo?.summary).toContain(`error: ${c.expect.message}\n`);
    if (c.expect.summary !== undefined) expect(error.queryInfo?.summary).toBe(c.expect.summary);
  });
});

describe('schema code at push (restates FQL2TypecheckEverythingSpec, FQL2EnvTypecheckSpec)', () => {
  const CHILD = 'typer_push';
  let childSecret: string;

  beforeAll(async () => {
    await client.query(fql`Database.create({ name: ${CHILD} })`);
    childSecret = target.scopedSecret(CHILD, 'admin');
  });

  it('accepts a function whose body type-checks against its signature (FQL2TypecheckEverythingSpec: it works)', async () => {
    // Act
    const pushed = await target.pushSchema({ 'main.fsl': 'collection User {\n  name: String\n}\n\nfunction foo(a: Number): Number { a + 2 }\n' }, {}, childSecret);
    const { data } = await target.client({ secret: childSecret }).query(fql`foo(1)`);

    // Assert
    expect(pushed.status).toBe(200);
    expect(data).toBe(3);
  });

  it('refuses the whole push when a function body does not type-check (FQL2TypecheckEverythingSpec: it finds invalid databases)', async () => {
    // Act
    const refused = await target.pushSchema({ 'main.fsl': 'collection Kept {}\n\nfunction foo(a: Int): Int { a.fooo }\n' }, {}, childSecret);
    const { data: kept } = await target.client({ secret: childSecret }).query(fql`Collection.byName("Kept") != null`);

    // Assert
    expect(refused.status).toBe(400);
    expect(refused.body.error?.message).toContain('Invalid database schema update.');
    expect(refused.body.error?.message).toContain('error: Type `Int` does not have field `fooo`');
    expect(refused.body.error?.message).toContain('at main.fsl:3:31');
    expect(kept).toBe(false);
  });

  it('refuses a push whose function passes Math.min to take (take wants Int, Math.min returns Number)', async () => {
    // Act
    const refused = await target.pushSchema({ 'main.fsl': 'function firstTwo(): Array<Int> {\n  [1, 2, 3].take(Math.min(2, 5))\n}\n' }, {}, childSecret);

    // Assert
    expect(refused.status).toBe(400);
    expect(refused.body.error?.message).toContain('error: Type `Number` is not a subtype of `Int`');
  });

  it('refuses Function.create whose body does not type-check with invalid_schema (FQL2EnvTypecheckSpec: checks env types)', async () => {
    // Act
    const failure = await target.client({ secret: childSecret }).query(fql`Function.create({ name: "aFn", body: "x => 'foo' / x" })`).catch((error: unknown) => error);

    // Assert
    expect(failure).toBeInstanceOf(ServiceError);
    expect((failure as ServiceError).code).toBe('invalid_schema');
  });

  it('checks index and unique-constraint fields against the document type (FQL2DefinedFieldsSpec: unique on an undefined field)', async () => {
    // Act
    const refused = await target.pushSchema({ 'main.fsl': 'collection FooBad {\n  my_field: Number\n  unique [.your_field]\n}\n' }, {}, childSecret);

    // Assert
    expect(refused.status).toBe(400);
    expect(refused.body.error?.message).toContain('error: Type `{ id: ID, ts: Time, ttl: Time | Null, my_field: Number }` does not have field `your_field`');
  });

  it('checks role predicates and computed fields at push', async () => {
    // Act
    const predicate = await target.pushSchema({ 'main.fsl': 'collection Thing {\n  n: Int\n}\n\nrole reader {\n  privileges Thing {\n    read {\n      predicate ((doc) => doc.n.nope)\n    }\n  }\n}\n' }, {}, childSecret);
    const computed = await target.pushSchema({ 'main.fsl': 'collection Thing {\n  n: Int\n  compute twice: String = (doc) => doc.n * 2\n}\n' }, {}, childSecret);

    // Assert
    expect(predicate.status).toBe(400);
    expect(predicate.body.error?.message).toContain('error: Type `Int` does not have field `nope`');
    expect(computed.status).toBe(400);
    expect(computed.body.error?.message).toContain('error: Type `Number` is not a subtype of `String`');
  });
});

describe('a database created with typechecked: false (restates FQL2EnvTypecheckSpec, FQL2BasicSpec)', () => {
  const CHILD = 'typer_untyped';
  let untyped: Client;

  beforeAll(async () => {
    await client.query(fql`Database.create({ name: ${CHILD}, typechecked: false })`);
    untyped = target.client({ secret: target.scopedSecret(CHILD, 'admin') });
  });

  it('says so in Query.isEnvTypechecked(), runs ill-typed queries dynamically, and accepts ill-typed schema code', async () => {
    // Act
    const flag = await untyped.query(fql`Query.isEnvTypechecked()`);
    const lambda = await untyped.query(fql`(x => 'foo' / x) != null`);
    const pushed = await target.pushSchema({ 'main.fsl': 'function foo(a: Int): Int { a.fooo }\n' }, {}, target.scopedSecret(CHILD, 'admin'));

    // Assert
    expect(flag.data).toBe(false);
    expect(lambda.data).toBe(true);
    expect(pushed.status).toBe(200);
  });

  it('type-checks a query that sends x-typecheck: true, and only that one (the header overrides the database)', async () => {
    // Act
    const checked = await untyped.query(fql`2 + "a"`, { typecheck: true }).catch((error: unknown) => error);
    const dynamic = await untyped.query(fql`2 + "a"`).catch((error: unknown) => error);
    const flag = await untyped.query(fql`Query.isEnvTypechecked()`, { typecheck: true });

    // Assert
    expect(checked).toBeInstanceOf(QueryCheckError);
    expect((checked as QueryCheckError).queryInfo?.summary).toContain('error: Type `String` is not a subtype of `Number`');
    expect(dynamic).toBeInstanceOf(ServiceError);
    expect(dynamic).not.toBeInstanceOf(QueryCheckError);
    expect(flag.data).toBe(false);
  });

  it('checks the schema once the database is switched to typechecked: true (FQL2EnvTypecheckSpec: checks env types if db typechecking is enabled)', async () => {
    // Arrange
    await client.query(fql`Database.create({ name: "typer_flip", typechecked: false })`);
    const flip = target.client({ secret: target.scopedSecret('typer_flip', 'admin') });
    await flip.query(fql`Function.create({ name: "aFn", body: "x => 'foo' / x" })`);
    await client.query(fql`Database.byName("typer_flip")!.update({ typechecked: true })`);

    // Act
    const update = await flip.query(fql`Function.byName("aFn")!.update({})`).catch((error: unknown) => error);
    await flip.query(fql`Function.byName("aFn")!.delete()`);
    const left = await flip.query(fql`Function.all().count()`);

    // Assert
    expect(update).toBeInstanceOf(ServiceError);
    expect((update as ServiceError).code).toBe('invalid_schema');
    expect(left.data).toBe(0);
  });

  it('runs a query of a type-checked database dynamically when it sends x-typecheck: false', async () => {
    // Act
    const failure = await client.query(fql`2 + "a"`, { typecheck: false }).catch((error: unknown) => error);

    // Assert
    expect(failure).toBeInstanceOf(ServiceError);
    expect(failure).not.toBeInstanceOf(QueryCheckError);
  });
});
