/**
 * Conformance: schema written in FQL (`Collection.create`, `Function.create`, `Role.create`, and `update`, `replace`,
 * `delete` on their definitions), through the real driver on both transports. An FQL change is checked from the
 * schema API (the files the Fauna CLI pulls) and a schema push from FQL, because both paths share one schema.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConstraintFailureError, fql, type QueryValue } from 'fauna';
import { TRANSPORTS, pushIdentitySchema, startTarget, type ConformanceTarget, failureOf } from './helpers/target.ts';

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startTarget();
  await pushIdentitySchema(target);
});
afterAll(() => target.close());

const uniqueName = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

/** Every schema file's text, joined: what `fauna schema pull` would write. */
async function allSchemaText(): Promise<string> {
  const listed = await target.schemaApi('GET', 'files');
  const texts = await Promise.all(listed.body.files!.map(async ({ filename }) => (await target.schemaApi('GET', `files/${encodeURIComponent(filename)}`)).body.content!));
  return texts.join('\n');
}

describe.each(TRANSPORTS)('over the %s transport', (transport) => {
  it('creates a collection with an index and a unique constraint, usable at once by the next query and visible to the schema API', async () => {
    const client = target.client({ transport });
    const name = uniqueName('Wah');

    const created = await client.query<{ name: string; indexes: Record<string, unknown> }>(fql`Collection.create({
      name: ${name},
      indexes: { byColor: { terms: [{ field: ".color" }] } },
      constraints: [{ unique: [{ field: ".color" }] }]
    })`);
    await client.query(fql`Collection(${name}).create({ color: "red" })`);
    const { data: found } = await client.query(fql`Collection(${name}).byColor("red").count()`);
    const duplicate = await failureOf(client.query(fql`Collection(${name}).create({ color: "red" })`));

    expect(created.data.name).toBe(name);
    expect(Object.keys(created.data.indexes)).toEqual(['byColor']);
    expect(found).toBe(1);
    expect(duplicate).toBeInstanceOf(ConstraintFailureError);
    expect(await allSchemaText()).toMatch(new RegExp(`collection ${name} \\{`));
  });

  it('updates, replaces and deletes a collection definition', async () => {
    const client = target.client({ transport });
    const name = uniqueName('Box');
    await client.query(fql`Collection.create({ name: ${name} })`);

    const updated = await client.query<{ ttl_days?: number }>(fql`Collection.byName(${name})!.update({ ttl_days: 3 })`);
    const replaced = await client.query<{ ttl_days?: number; history_days: number }>(fql`Collection.byName(${name})!.replace({ history_days: 2 })`);
    await client.query(fql`Collection.byName(${name})!.delete()`);
    const { data: gone } = await client.query(fql`Collection.byName(${name}) == null`);

    expect(updated.data.ttl_days).toBe(3);
    expect(replaced.data.ttl_days).toBeUndefined();
    expect(replaced.data.history_days).toBe(2);
    expect(gone).toBe(true);
    expect(await allSchemaText()).not.toContain(name);
  });

  it('creates and updates a function that the next query calls', async () => {
    const client = target.client({ transport });
    const name = uniqueName('double');

    await client.query(fql`Function.create({ name: ${name}, body: "(x) => x * 2" })`);
    const { data: first } = await client.query(fql`Function(${name})(21)`);
    await client.query(fql`Function.byName(${name})!.update({ body: "(x) => x * 3" })`);
    const { data: second } = await client.query(fql`Function(${name})(21)`);

    expect(first).toBe(42);
    expect(second).toBe(63);
  });

  it('creates a role with membership and privileges, shown by Role.byName', async () => {
    const client = target.client({ transport });
    const name = uniqueName('reader');

    await client.query(fql`Role.create({ name: ${name}, membership: [{ resource: "Customer" }], privileges: [{ resource: "Product", actions: { read: true } }] })`);
    const { data } = await client.query<{ membership: QueryValue; privileges: QueryValue }>(fql`Role.byName(${name})!`);
    await client.query(fql`Role.byName(${name})!.delete()`);

    expect(data.membership).toEqual([{ resource: 'Customer' }]);
    expect(data.privileges).toEqual([{ resource: 'Product', actions: { read: true } }]);
  });

  it('refuses a second collection of the same name with constraint_failure', async () => {
    const failure = await failureOf(target.client({ transport }).query(fql`Collection.create({ name: "Customer" })`));

    expect(failure).toBeInstanceOf(ConstraintFailureError);
    expect(failure.code).toBe('constraint_failure');
    expect(failure.httpStatus).toBe(400);
  });

  it('undoes a schema change made by a query that then fails', async () => {
    const client = target.client({ transport });
    const name = uniqueName('Gone');

    await failureOf(client.query(fql`Collection.create({ name: ${name} }); abort("no")`));
    const { data } = await client.query(fql`Collection.byName(${name}) == null`);

    expect(data).toBe(true);
  });

  it('denies Role.create to a server key (roles need admin)', async () => {
    const { data: secret } = await target.client({ transport }).query<string>(fql`Key.create({ role: "server" }).secret`);

    const failure = await failureOf(target.client({ transport, secret }).query(fql`Role.create({ name: "nope", privileges: [] })`));

    expect(failure.code).toBe('permission_denied');
  });
});

describe('a schema push and FQL see the same schema', () => {
  it('shows a pushed collection to Collection.byName, and an FQL-created one in the pulled files', async () => {
    const pushedName = uniqueName('Pushed');
    const files = await target.schemaApi('GET', 'files');
    const form = new FormData();
    for (const { filename } of files.body.files!) form.set(filename, new Blob([(await target.schemaApi('GET', `files/${encodeURIComponent(filename)}`)).body.content!]));
    form.set('pushed.fsl', new Blob([`collection ${pushedName} {\n  *: Any\n}\n`]));
    const push = await target.schemaApi('POST', 'update', { body: form, params: { force: 'true', staged: 'false' } });
    const client = target.client();

    const { data: seen } = await client.query(fql`Collection.byName(${pushedName}) != null`);
    const fqlName = uniqueName('FromFql');
    await client.query(fql`Collection.create({ name: ${fqlName} })`);

    expect(push.status).toBe(200);
    expect(seen).toBe(true);
    expect(await allSchemaText()).toContain(`collection ${fqlName}`);
  });
});
