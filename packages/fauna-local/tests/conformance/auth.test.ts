/**
 * Conformance: secrets and roles. A token minted for an identity authenticates as that identity, and the
 * `customer` role grants exactly what it defines; keys with built-in roles behave as Fauna's do.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthenticationError, Document, QueryRuntimeError, ServiceError, fql } from 'fauna';
import { TRANSPORTS, pushIdentitySchema, startTarget, uniqueEmail, type ConformanceTarget } from './helpers/target.ts';

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startTarget();
  await pushIdentitySchema(target);
});
afterAll(() => target.close());

async function signIn(email = uniqueEmail()): Promise<{ userId: string; secret: string; email: string }> {
  const { data } = await target.client().query<{ userId: string; secret: string }>(fql`signIn(${`sub-${email}`}, ${email}, 3600, {})`);
  return { ...data, email };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => 'succeeded',
    (failure: unknown) => failure,
  );
  if (error === 'succeeded') return error;
  if (error instanceof ServiceError) return error.code;
  throw error;
}

describe.each(TRANSPORTS)('a token over the %s transport', (transport) => {
  it('authenticates as its identity: Query.identity() is the identity document', async () => {
    const identity = await signIn();
    const client = target.client({ transport, secret: identity.secret });

    const { data } = await client.query<Document>(fql`Query.identity()`);

    expect(data).toBeInstanceOf(Document);
    expect(data.id).toBe(identity.userId);
    expect(data).toMatchObject({ email: identity.email });
  });

  it('may read its own identity and the products, as the customer role allows', async () => {
    const identity = await signIn();
    await target.client().query(fql`Product.create({ name: "catalogue", price: 5 })`);
    const client = target.client({ transport, secret: identity.secret });

    const own = await client.query<Document>(fql`Customer.byId(${identity.userId})!`);
    const products = await client.query(fql`Product.byName("catalogue").count()`);

    expect(own.data.id).toBe(identity.userId);
    expect(products.data).toBeGreaterThan(0);
  });

  it("may not read another customer's document, write products or mint tokens", async () => {
    const me = await signIn();
    const other = await signIn();
    const client = target.client({ transport, secret: me.secret });

    const readOther = await codeOf(client.query(fql`Customer.byId(${other.userId})!`));
    const createProduct = await codeOf(client.query(fql`Product.create({ name: "x" })`));
    const mintToken = await codeOf(client.query(fql`Token.create({ document: Customer.byId(${me.userId})! })`));

    expect(readOther).toBe('null_value');
    expect(createProduct).toBe('permission_denied');
    expect(mintToken).toBe('permission_denied');
  });

  it('stops authenticating once the token is deleted', async () => {
    const identity = await signIn();
    const client = target.client({ transport, secret: identity.secret });
    await client.query(fql`1`);

    await target.client().query(fql`Token.byDocument(Customer.byId(${identity.userId})!).forEach(t => t.delete())`);
    const failure = await client.query(fql`1`).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AuthenticationError);
  });
});

describe('keys', () => {
  it('lets a server key read and write data but not create keys', async () => {
    const { data: key } = await target.client().query<{ secret: string }>(fql`Key.create({ role: "server" })`);
    const server = target.client({ secret: key.secret });
    const email = uniqueEmail();

    const created = await server.query<Document>(fql`Customer.create({ email: ${email}, sub: ${email} })`);
    const keyAttempt = await codeOf(server.query(fql`Key.create({ role: "admin" })`));

    expect(created.data).toMatchObject({ email });
    expect(keyAttempt).toBe('permission_denied');
  });

  it('lets a key of a custom role do only what the role grants', async () => {
    const { data: key } = await target.client().query<{ secret: string }>(fql`Key.create({ role: "customer" })`);
    const client = target.client({ secret: key.secret });

    const readProducts = await codeOf(client.query(fql`Product.all().count()`));
    const createCustomer = await codeOf(client.query(fql`Customer.create({ email: "k@example.com", sub: "k" })`));

    expect(readProducts).toBe('succeeded');
    expect(createCustomer).toBe('permission_denied');
  });

  it('answers 401 for a deleted key', async () => {
    const { data: key } = await target.client().query<{ secret: string; id: string }>(fql`Key.create({ role: "server" })`);
    await target.client().query(fql`Key.byId(${key.id})!.delete()`);

    const failure = await target.client({ secret: key.secret }).query(fql`1`).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AuthenticationError);
  });

  it('raises a QueryRuntimeError (permission_denied), not an authorization error, for a field of an unreadable document', async () => {
    const me = await signIn();
    const other = await signIn();

    // x-typecheck false: the unguarded `.email` of a `Ref<Customer>` is refused by a type-checked database before it
    // runs ("Type `Null` does not have field `email`"); the case is about the permission error at run time.
    const failure = await target.client({ secret: me.secret }).query(fql`Customer.byId(${other.userId}).email`, { typecheck: false }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(QueryRuntimeError);
    expect((failure as QueryRuntimeError).code).toBe('permission_denied');
  });
});
