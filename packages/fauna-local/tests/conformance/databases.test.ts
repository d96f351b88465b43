/**
 * Conformance: child databases (`Database.create/byName/all/update/delete`), keys and scoped secrets
 * (`<secret>:<db>:<role>` with admin, server, server-readonly and user roles), and the isolation of documents, schema,
 * keys and tokens between databases, nested ones included; through the real driver on both transports, and the schema
 * API with a scoped secret as the Fauna CLI's `--database` flag uses it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthenticationError, fql, type QueryValue } from 'fauna';
import { TRANSPORTS, startTarget, type ConformanceTarget, type Transport, failureOf } from './helpers/target.ts';

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startTarget();
});
afterAll(() => target.close());

const uniqueName = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;

/** A fresh child database of the suite's database, with a `Thing` collection holding one document. */
async function childWithThing(transport: Transport): Promise<string> {
  const name = uniqueName('child');
  await target.client({ transport }).query(fql`Database.create({ name: ${name} })`);
  const admin = target.client({ transport, secret: target.scopedSecret(name, 'admin') });
  await admin.query(fql`Collection.create({ name: "Thing" })`);
  await admin.query(fql`Thing.create({ label: "inside" })`);
  return name;
}

describe.each(TRANSPORTS)('over the %s transport', (transport) => {
  it('creates, finds, lists, updates and deletes a child database', async () => {
    const client = target.client({ transport });
    const name = uniqueName('db');

    const created = await client.query<{ name: string }>(fql`Database.create({ name: ${name}, data: { team: "a" } })`);
    const { data: listed } = await client.query<string[]>(fql`Database.all().map(.name).toArray()`);
    const { data: updated } = await client.query<{ data: QueryValue }>(fql`Database.byName(${name})!.update({ data: { team: "b" } }) { data }`);
    await client.query(fql`Database.byName(${name})!.delete()`);
    const { data: gone } = await client.query(fql`Database.byName(${name}) == null`);

    expect(created.data.name).toBe(name);
    expect(listed).toContain(name);
    expect(updated.data).toEqual({ team: 'b' });
    expect(gone).toBe(true);
  });

  it('keeps documents and schema of a child database out of its parent, and the parent\'s out of the child', async () => {
    const name = await childWithThing(transport);
    const parent = target.client({ transport });
    const child = target.client({ transport, secret: target.scopedSecret(name, 'admin') });

    const { data: parentSeesThing } = await parent.query(fql`Collection.byName("Thing") != null`);
    const { data: childCount } = await child.query(fql`Thing.all().count()`);
    const { data: childDatabases } = await child.query(fql`Database.all().count()`);

    expect(parentSeesThing).toBe(false);
    expect(childCount).toBe(1);
    expect(childDatabases).toBe(0);
  });

  it('honours the scoped roles: server reads and writes documents but not databases, server-readonly only reads', async () => {
    const name = await childWithThing(transport);
    const server = target.client({ transport, secret: target.scopedSecret(name, 'server') });
    const readonly = target.client({ transport, secret: target.scopedSecret(name, 'server-readonly') });

    await server.query(fql`Thing.create({ label: "by server" })`);
    const databases = await failureOf(server.query(fql`Database.create({ name: "nope" })`));
    const { data: count } = await readonly.query(fql`Thing.all().count()`);
    const write = await failureOf(readonly.query(fql`Thing.create({ label: "no" })`));

    expect(databases.code).toBe('permission_denied');
    expect(count).toBe(2);
    expect(write.code).toBe('permission_denied');
  });

  it('honours a scoped user role (`@role/<name>`) defined in the child database', async () => {
    const name = await childWithThing(transport);
    const admin = target.client({ transport, secret: target.scopedSecret(name, 'admin') });
    await admin.query(fql`Role.create({ name: "reader", privileges: [{ resource: "Thing", actions: { read: true } }] })`);
    const reader = target.client({ transport, secret: target.scopedSecret(name, '@role/reader') });

    const { data: count } = await reader.query(fql`Thing.all().count()`);
    const write = await failureOf(reader.query(fql`Thing.create({ label: "no" })`));

    expect(count).toBe(1);
    expect(write.code).toBe('permission_denied');
  });

  it('scopes a key created inside a child database to it, and a parent key made with `database:` to that child', async () => {
    const name = await childWithThing(transport);
    const admin = target.client({ transport, secret: target.scopedSecret(name, 'admin') });
    const { data: innerKey } = await admin.query<string>(fql`Key.create({ role: "server" }).secret`);
    const { data: parentKey } = await target.client({ transport }).query<string>(fql`Key.create({ role: "server", database: ${name} }).secret`);

    const { data: viaInner } = await target.client({ transport, secret: innerKey }).query(fql`Thing.all().count()`);
    const { data: viaParent } = await target.client({ transport, secret: parentKey }).query(fql`Thing.all().count()`);

    expect(viaInner).toBe(1);
    expect(viaParent).toBe(1);
  });

  it('authenticates a token only in the database it was created in, and not after that database is deleted', async () => {
    const name = await childWithThing(transport);
    const admin = target.client({ transport, secret: target.scopedSecret(name, 'admin') });
    await admin.query(fql`Role.create({ name: "self", membership: [{ resource: "Thing" }], privileges: [{ resource: "Thing", actions: { read: true } }] })`);
    const { data: token } = await admin.query<string>(fql`Token.create({ document: Thing.all().first()! }).secret`);

    const { data: label } = await target.client({ transport, secret: token }).query(fql`Thing.all().first()!.label`);
    await target.client({ transport }).query(fql`Database.byName(${name})!.delete()`);
    const after = await failureOf(target.client({ transport, secret: token }).query(fql`1`));

    expect(label).toBe('inside');
    expect(after).toBeInstanceOf(AuthenticationError);
  });

  it('nests databases: a grandchild is reached with a `child/grandchild` scope and is isolated from its parent', async () => {
    const name = await childWithThing(transport);
    const child = target.client({ transport, secret: target.scopedSecret(name, 'admin') });
    await child.query(fql`Database.create({ name: "inner" })`);
    const grandchild = target.client({ transport, secret: target.scopedSecret(`${name}/inner`, 'admin') });

    await grandchild.query(fql`Collection.create({ name: "Deep" })`);
    const { data: deepInChild } = await child.query(fql`Collection.byName("Deep") != null`);
    const { data: thingInGrandchild } = await grandchild.query(fql`Collection.byName("Thing") != null`);

    expect(deepInChild).toBe(false);
    expect(thingInGrandchild).toBe(false);
  });

  it('refuses a scoped secret for a database that does not exist with 401', async () => {
    const failure = await failureOf(target.client({ transport, secret: target.scopedSecret(uniqueName('missing'), 'admin') }).query(fql`1`));

    expect(failure).toBeInstanceOf(AuthenticationError);
    expect(failure.httpStatus).toBe(401);
  });
});

describe('the schema API with a scoped secret (fauna schema push --database)', () => {
  it('pushes and pulls the schema of a child database without touching its parent\'s', async () => {
    const name = uniqueName('schema');
    await target.client().query(fql`Database.create({ name: ${name} })`);
    const secret = target.scopedSecret(name, 'admin');
    const parentBefore = await target.schemaApi('GET', 'files');

    const pushed = await target.pushSchema({ 'child.fsl': 'collection OnlyInChild {\n  *: Any\n}\n' }, { force: 'true' }, secret);
    const childFiles = await target.schemaApi('GET', 'files', { secret });
    const parentAfter = await target.schemaApi('GET', 'files');
    const { data } = await target.client({ secret }).query(fql`Collection.byName("OnlyInChild") != null`);

    expect(pushed.status).toBe(200);
    expect(childFiles.body.files).toEqual([{ filename: 'child.fsl' }]);
    expect(parentAfter.body.files).toEqual(parentBefore.body.files);
    expect(data).toBe(true);
  });
});
