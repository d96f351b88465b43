/**
 * Conformance: the FQL the project relies on (documents, indexes, null handling, projection, UDFs, template
 * composition), run through the real driver.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Document, NullDocument, fql, type QueryValue } from 'fauna';
import { pushIdentitySchema, startTarget, uniqueEmail, type ConformanceTarget } from './helpers/target.ts';

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startTarget();
  await pushIdentitySchema(target);
});
afterAll(() => target.close());

describe('documents', () => {
  it('creates, reads by id, updates (null removes a field), replaces and deletes a document', async () => {
    const client = target.client();
    const email = uniqueEmail();
    const created = await client.query<Document>(fql`Customer.create({ email: ${email}, sub: ${email}, name: "Ann" })`);
    const id = created.data.id;

    const read = await client.query<Document>(fql`Customer.byId(${id})!`);
    const updated = await client.query<Record<string, QueryValue>>(fql`Customer.byId(${id})!.update({ name: null })`);
    const replaced = await client.query<Record<string, QueryValue>>(fql`Customer.byId(${id})!.replace({ email: ${email}, sub: "new" })`);
    await client.query(fql`Customer.byId(${id})!.delete()`);
    const afterDelete = await client.query<NullDocument>(fql`Customer.byId(${id})`);

    expect(read.data).toMatchObject({ email, name: 'Ann' });
    expect(updated.data.name).toBeUndefined();
    expect(replaced.data).toMatchObject({ email, sub: 'new' });
    expect(afterDelete.data).toBeInstanceOf(NullDocument);
  });

  it('finds documents through an index by term, and .first() is null when nothing matches', async () => {
    const client = target.client();
    const email = uniqueEmail();
    await client.query(fql`Customer.create({ email: ${email}, sub: ${email} })`);

    const found = await client.query<Document>(fql`Customer.byEmail(${email}).first()`);
    const missing = await client.query(fql`Customer.byEmail("nobody@example.com").first()`);

    expect(found.data).toMatchObject({ email });
    expect(missing.data).toBeNull();
  });

  it('falls back with ?? when the left side is null or a missing document', async () => {
    const client = target.client();

    const { data } = await client.query(fql`[null ?? 1, Customer.byId("999999") ?? "fallback", 2 ?? 3]`);

    expect(data).toEqual([1, 'fallback', 2]);
  });

  it('projects documents and sets into plain objects', async () => {
    const client = target.client();
    const email = uniqueEmail();
    await client.query(fql`Customer.create({ email: ${email}, sub: ${email}, name: "Bo" })`);

    // x-typecheck false: `Customer` defines its fields, so a type-checked database refuses projecting `missing` before
    // it runs ("Type `Customer` does not have field `missing`"); the case is about what projection reads at run time.
    const { data } = await client.query(fql`Customer.byEmail(${email}) { name, email, missing }`, { typecheck: false });

    expect((data as { data: unknown[] }).data).toEqual([{ name: 'Bo', email, missing: null }]);
  });
});

describe('expressions and composition', () => {
  it('evaluates let blocks, arithmetic, strings and arrays', async () => {
    const client = target.client();

    const { data } = await client.query(fql`
      let a = 6
      let b = a * 7
      { sum: a + b, text: "n=" + b.toString(), mapped: [1, 2, 3].map(x => x * 2), big: 2 ** 10 }`);

    expect(data).toEqual({ sum: 48, text: 'n=42', mapped: [2, 4, 6], big: 1024 });
  });

  it('composes nested fql templates and interpolated objects', async () => {
    const client = target.client();
    const inner = fql`${17} + 3`;

    const { data } = await client.query(fql`{ total: 5 + ${inner}, obj: ${{ a: [1, { b: 'c' }] }} }`);

    expect(data).toEqual({ total: 25, obj: { a: [1, { b: 'c' }] } });
  });

  it('keeps Time.now() constant within one query', async () => {
    const client = target.client();

    const { data } = await client.query(fql`Time.now() == Time.now()`);

    expect(data).toBe(true);
  });
});

describe('user-defined functions', () => {
  it('runs the signIn function: creates the identity once, then finds it again', async () => {
    const client = target.client();
    const email = uniqueEmail();

    const first = await client.query<{ userId: string; secret: string; created: boolean }>(fql`signIn(${`sub-${email}`}, ${email}, 60, {})`);
    const second = await client.query<{ userId: string; secret: string; created: boolean }>(fql`signIn(${`sub-${email}`}, ${email}, 60, {})`);

    expect(first.data.created).toBe(true);
    expect(second.data.created).toBe(false);
    expect(second.data.userId).toBe(first.data.userId);
    expect(first.data.secret).toMatch(/^fn/);
    expect(second.data.secret).not.toBe(first.data.secret);
  });
});
