/**
 * Conformance: the tagged and simple wire formats, decoded by the real `fauna` driver on both of its transports.
 * Runs against a fresh local Fauna endpoint, or a real Fauna when FAUNA_ENDPOINT/FAUNA_ROOT_SECRET are set (helpers/target.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateStub, Document, DocumentReference, Module, NullDocument, Page, TimeStub, fql, type QueryValue } from 'fauna';
import { TRANSPORTS, pushIdentitySchema, startTarget, uniqueEmail, type ConformanceTarget } from './helpers/target.ts';

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startTarget();
  await pushIdentitySchema(target);
});
afterAll(() => target.close());

describe.each(TRANSPORTS)('over the %s transport', (transport) => {
  it('decodes a created document into a Document with id, Module coll, TimeStub ts and flat user fields', async () => {
    const client = target.client({ transport });
    const email = uniqueEmail();

    const { data } = await client.query<Document>(fql`Customer.create({ email: ${email}, sub: ${email}, name: "Ann" })`);

    expect(data).toBeInstanceOf(Document);
    expect(data.id).toMatch(/^\d+$/);
    expect(data.coll).toEqual(new Module('Customer'));
    expect(data.ts).toBeInstanceOf(TimeStub);
    expect(data).toMatchObject({ email, name: 'Ann' });
  });

  it('decodes numbers: int, long and double', async () => {
    const client = target.client({ transport });

    const { data } = await client.query(fql`{ small: 7, big: 9007199254740990, half: 1.5, whole: 2.0 }`);

    expect(data).toEqual({ small: 7, big: 9007199254740990, half: 1.5, whole: 2 });
  });

  it('returns a bigint for a long when long_type is bigint', async () => {
    const client = target.client({ transport, long_type: 'bigint' });

    const { data } = await client.query(fql`9223372036854775807`);

    expect(data).toBe(9223372036854775807n);
  });

  it('decodes Time, Date and modules into TimeStub, DateStub and Module', async () => {
    const client = target.client({ transport });

    const { data } = await client.query<{ t: TimeStub; d: DateStub; m: Module }>(
      fql`{ t: Time("2099-06-25T13:32:39.240Z"), d: Date("2024-01-31"), m: Product }`,
    );

    expect(data.t).toBeInstanceOf(TimeStub);
    expect(data.t.isoString).toBe('2099-06-25T13:32:39.240Z');
    expect(data.d).toBeInstanceOf(DateStub);
    expect(data.d.dateString).toBe('2024-01-31');
    expect(data.m).toEqual(new Module('Product'));
  });

  it('round-trips interpolated values: Date, TimeStub, nested objects, arrays and keys starting with @', async () => {
    const client = target.client({ transport });
    const when = new Date('2030-01-02T03:04:05.678Z');

    const { data } = await client.query<Record<string, QueryValue>>(
      fql`${{ when, day: DateStub.from('2030-01-02'), nested: { list: [1, 'two', null] }, '@weird': true }}`,
    );

    expect((data.when as TimeStub).isoString).toBe('2030-01-02T03:04:05.678Z');
    expect((data.day as DateStub).dateString).toBe('2030-01-02');
    expect(data.nested).toEqual({ list: [1, 'two', null] });
    expect(data['@weird']).toBe(true);
  });

  it('keeps a reference stored in a field as a DocumentReference, not an expanded document', async () => {
    const client = target.client({ transport });
    const email = uniqueEmail();

    const { data } = await client.query<Document>(fql`
      let c = Customer.create({ email: ${email}, sub: ${email} })
      Note.create({ owner: c, text: "hi" })`);

    expect((data as unknown as { owner: unknown }).owner).toBeInstanceOf(DocumentReference);
  });

  it('decodes a missing document as a NullDocument whose cause says "not found"', async () => {
    const client = target.client({ transport });

    const { data } = await client.query<NullDocument>(fql`Customer.byId("123456789")`);

    expect(data).toBeInstanceOf(NullDocument);
    expect(data.cause).toBe('not found');
    expect((data.ref as DocumentReference).id).toBe('123456789');
  });

  it('returns sets as a Page with an after cursor, which client.paginate follows to the end', async () => {
    const client = target.client({ transport });
    const name = `widget-${transport}-${uniqueEmail()}`;
    // The prices come in as an array of Ints: `Set.sequence` yields `Number`, which `price: Int?` refuses in a type-checked database.
    const prices = Array.from({ length: 20 }, (_, i) => i);
    await client.query(fql`${prices}.forEach((i) => Product.create({ name: ${name}, price: i }))`);

    const first = await client.query<Page<Document>>(fql`Product.byName(${name})`);
    const pages: Document[][] = [];
    for await (const page of client.paginate<Document>(fql`Product.byName(${name})`)) pages.push(page);

    expect(first.data).toBeInstanceOf(Page);
    expect(first.data.data).toHaveLength(16);
    expect(typeof first.data.after).toBe('string');
    expect(pages.flat().map((doc) => (doc as unknown as { price: number }).price)).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i)); // byName's values: desc(.price)
  });

  it('sends arguments of every driver type as tagged values the server decodes', async () => {
    const client = target.client({ transport });

    const { data } = await client.query(fql`[${1}, ${2 ** 40}, ${0.25}, ${'s'}, ${true}, ${null}, ${[1, [2]]}]`);

    expect(data).toEqual([1, 2 ** 40, 0.25, 's', true, null, [1, [2]]]);
  });
});

describe('the simple format', () => {
  it('answers plain JSON: numbers as numbers, documents as objects, times as strings', async () => {
    const client = target.client({ format: 'simple' });
    const email = uniqueEmail();

    const { data } = await client.query<Record<string, QueryValue>>(
      fql`let c = Customer.create({ email: ${email}, sub: ${email} }); { n: 5, c: c, t: Time("2099-06-25T13:32:39.240Z") }`,
    );

    expect(data.n).toBe(5);
    expect(data.t).toBe('2099-06-25T13:32:39.240Z');
    expect(data.c).toMatchObject({ email, coll: 'Customer' });
  });
});
