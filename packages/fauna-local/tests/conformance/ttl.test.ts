/**
 * Conformance: expiry. Locally the endpoint's AdjustableClock is advanced (no waiting); against a real Fauna
 * `advanceTime` really waits, so the TTLs here are a few seconds long.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthenticationError, Document, NullDocument, fql } from 'fauna';
import { pushIdentitySchema, startTarget, uniqueEmail, type ConformanceTarget } from './helpers/target.ts';

/** Short enough to wait for against a real Fauna. */
const TTL_SECONDS = 3;

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startTarget();
  await pushIdentitySchema(target);
});
afterAll(() => target.close());

describe('token expiry (local clock advanced; real time against a real Fauna)', () => {
  it('accepts a token before its ttl and answers 401 once the ttl has passed', async () => {
    const email = uniqueEmail();
    const { data } = await target.client().query<{ secret: string }>(fql`signIn(${`sub-${email}`}, ${email}, ${TTL_SECONDS}, {})`);
    const client = target.client({ secret: data.secret });
    const before = await client.query<Document>(fql`Query.identity()`);

    await target.advanceTime((TTL_SECONDS + 1) * 1000);
    const after = await client.query(fql`1`).catch((error: unknown) => error);

    expect(before.data).toMatchObject({ email });
    expect(after).toBeInstanceOf(AuthenticationError);
  });

  it('reads an expired token document as missing', async () => {
    const email = uniqueEmail();
    const { data: token } = await target.client().query<{ id: string }>(fql`
      let c = Customer.create({ email: ${email}, sub: ${email} })
      let t = Token.create({ document: c, ttl: Time.now().add(${TTL_SECONDS}, "seconds") })
      { id: t.id }`);

    await target.advanceTime((TTL_SECONDS + 1) * 1000);
    const { data } = await target.client().query(fql`Token.byId(${token.id})`);

    expect(data).toBeInstanceOf(NullDocument);
  });
});

describe('document ttl (local clock advanced; real time against a real Fauna)', () => {
  it('hides a document once its ttl has passed', async () => {
    const { data: note } = await target.client().query<Document>(fql`Note.create({ text: "soon gone", ttl: Time.now().add(${TTL_SECONDS}, "seconds") })`);
    const visible = await target.client().query(fql`Note.byId(${note.id}) != null`);

    await target.advanceTime((TTL_SECONDS + 1) * 1000);
    const { data } = await target.client().query(fql`Note.byId(${note.id})`);

    expect(visible.data).toBe(true);
    expect(data).toBeInstanceOf(NullDocument);
  });
});
