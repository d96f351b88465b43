/**
 * Rights from Cognito groups and attributes (issue 22), through the real handler (Middy chain included) and the real
 * `fauna` driver against the local Fauna with the project's schema pushed type-checked: the sign-in stores the user's
 * groups and allowlisted attributes on the identity, and the roles in fauna/roles.fsl decide from them what the
 * token's secret may do. SSM is stubbed with aws-sdk-client-mock, as in every handler suite.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fql, type Query } from 'fauna';
import type { PreTokenGenerationEvent } from '../../../lib/sign-in/cognito-event.ts';
import { type LocalFauna, queryAs, startFauna, triggerKey } from '../../helpers/local-fauna.ts';
import { holdSecret, idTokenClaims, SERVED_POOL_ID, type ServiceUnderTest, signInEvent, startService, stubSsm } from '../../helpers/service.ts';

const PARAMETER = '/cognito-fauna/dev/fauna-secret';
const ssm = stubSsm();
let fauna: LocalFauna;
let service: ServiceUnderTest;

/** A V1 sign-in event of `sub` in `groups`, with the given extra Cognito attributes. */
function eventOf(sub: string, groups: string[], attributes: Record<string, string> = {}): PreTokenGenerationEvent {
  const event = signInEvent(sub, `${sub}@example.com`, 'pretoken-refresh.json');
  event.request.userAttributes = { ...event.request.userAttributes, ...attributes };
  event.request.groupConfiguration = { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: null };
  return event;
}

async function secretOf(event: PreTokenGenerationEvent): Promise<string> {
  const claims = idTokenClaims(await service.invoke(event));
  expect(typeof claims.fauna_token_secret).toBe('string');
  return claims.fauna_token_secret as string;
}

/** The error code Fauna answered, or 'ok'. */
async function codeOf(secret: string, query: Query): Promise<string> {
  try {
    await queryAs(fauna, secret, query);
    return 'ok';
  } catch (error) {
    return String((error as { code?: string }).code ?? (error as Error).message);
  }
}

beforeAll(async () => {
  fauna = await startFauna();
  holdSecret(ssm, PARAMETER, (await triggerKey(fauna)).secret);
  service = startService({
    STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: PARAMETER, USER_POOL_IDS: SERVED_POOL_ID,
    IDENTITY_ATTRIBUTES: 'custom:tenantId, given_name',
  });
});

afterAll(async () => {
  service.dispose();
  ssm.restore();
  await fauna.stop();
});

describe('the identity carries the groups and allowlisted attributes of the sign-in (local Fauna; SSM stubbed)', () => {
  it('stores groups and only the allowlisted attributes, readable with the token through Query.identity()', async () => {
    const secret = await secretOf(eventOf('groups-store-1', ['catalog-editors', 'readers'], { 'custom:tenantId': 'acme', given_name: 'Ada', family_name: 'Lovelace' }));

    const identity = await queryAs<{ groups: string[]; attributes: Record<string, string> }>(fauna, secret, fql`Query.identity()!{ groups, attributes }`);

    expect(identity).toEqual({ groups: ['catalog-editors', 'readers'], attributes: { 'custom:tenantId': 'acme', given_name: 'Ada' } });
  });

  it('refreshes them at the next sign-in: a group Cognito no longer sends is gone from the identity', async () => {
    await secretOf(eventOf('groups-refresh-1', ['catalog-editors'], { 'custom:tenantId': 'acme' }));
    const secret = await secretOf(eventOf('groups-refresh-1', [], { 'custom:tenantId': 'globex' }));

    expect(await queryAs(fauna, secret, fql`Query.identity()!{ groups, attributes }`)).toEqual({ groups: [], attributes: { 'custom:tenantId': 'globex' } });
  });

  it('refuses, before any Fauna call, an event with more groups than an identity stores', async () => {
    const groups = Array.from({ length: 101 }, (_, i) => `group-${i}`);

    const refusal = await service.invoke(eventOf('groups-too-many-1', groups)).catch((error: unknown) => error as Error);

    expect(refusal).toBeInstanceOf(Error);
    expect(String((refusal as Error).cause)).toMatch(/groupsToOverride lists 101 groups; an identity stores at most 100/);
    expect(await queryAs<number>(fauna, fauna.rootSecret, fql`Customer.bySub("groups-too-many-1").count()`)).toBe(0);
  });
});

describe('catalog-editors may create and update products; others may not (roles.fsl, local Fauna)', () => {
  it('a member of catalog-editors creates and updates a Product', async () => {
    const secret = await secretOf(eventOf('editor-1', ['catalog-editors']));

    const id = await queryAs<string>(fauna, secret, fql`Product.create({ name: "Editor's lamp" }).id`);
    await queryAs(fauna, secret, fql`Product.byId(${id})!.update({ name: "Editor's lamp, v2" })`);

    expect(await queryAs(fauna, fauna.rootSecret, fql`Product.byId(${id})!.name`)).toBe("Editor's lamp, v2");
  });

  it('a user outside the group can read products but neither create nor update one', async () => {
    const id = await queryAs<string>(fauna, fauna.rootSecret, fql`Product.create({ name: "Shop lamp" }).id`);
    const secret = await secretOf(eventOf('reader-1', ['readers']));

    expect(await queryAs(fauna, secret, fql`Product.byId(${id})!.name`)).toBe('Shop lamp');
    expect(await codeOf(secret, fql`Product.create({ name: "Not mine" })`)).toBe('permission_denied');
    expect(await codeOf(secret, fql`Product.byId(${id})!.update({ name: "Defaced" })`)).toBe('permission_denied');
  });
});

describe('tenants in one database: an identity sees and creates the orders of its own tenant only (roles.fsl)', () => {
  let acmeOrder: string;
  let globexOrder: string;
  let acme: string;
  let globex: string;
  let noTenant: string;
  let acmeAdmin: string;

  beforeAll(async () => {
    acme = await secretOf(eventOf('tenant-acme-1', [], { 'custom:tenantId': 'acme' }));
    globex = await secretOf(eventOf('tenant-globex-1', [], { 'custom:tenantId': 'globex' }));
    noTenant = await secretOf(eventOf('tenant-none-1', []));
    acmeAdmin = await secretOf(eventOf('tenant-acme-admin-1', ['tenant-admins'], { 'custom:tenantId': 'acme' }));
    acmeOrder = await queryAs<string>(fauna, acme, fql`Order.create({ tenant: "acme", item: "anvil" }).id`);
    globexOrder = await queryAs<string>(fauna, globex, fql`Order.create({ tenant: "globex", item: "anvil" }).id`);
  });

  /** Every way a customer token can list or fetch orders, and the order ids each one returned. */
  async function visibleOrders(secret: string): Promise<Record<string, string[]>> {
    const ids = (query: Query) => queryAs<string[]>(fauna, secret, query);
    return {
      all: await ids(fql`Order.all().map(.id).toArray()`),
      where: await ids(fql`Order.where(.item == "anvil").map(.id).toArray()`),
      byTenantAcme: await ids(fql`Order.byTenant("acme").map(.id).toArray()`),
      byTenantGlobex: await ids(fql`Order.byTenant("globex").map(.id).toArray()`),
      byItem: await ids(fql`Order.byItem("anvil").map(.id).toArray()`),
      byId: await ids(fql`[${acmeOrder}, ${globexOrder}].filter((id) => Order.byId(id).exists())`),
      firstWhere: await ids(fql`[Order.firstWhere(.tenant == "globex")?.id, Order.firstWhere(.tenant == "acme")?.id].where((id) => id != null)`),
    };
  }

  it('acme sees only acme orders and globex only globex orders, under all(), where, both indexes and byId', async () => {
    expect(Object.values(await visibleOrders(acme)).flat().every((id) => id === acmeOrder)).toBe(true);
    expect((await visibleOrders(acme)).all).toEqual([acmeOrder]);
    expect(Object.values(await visibleOrders(globex)).flat().every((id) => id === globexOrder)).toBe(true);
    expect((await visibleOrders(globex)).byTenantGlobex).toEqual([globexOrder]);
  });

  it("reading another tenant's order by id gives nothing of it, not even its fields", async () => {
    expect(await codeOf(acme, fql`Order.byId(${globexOrder})!.item`)).not.toBe('ok');
    expect(await queryAs(fauna, acme, fql`Order.byId(${globexOrder})?.item`)).toBeNull();
  });

  it('a user without a tenant sees no orders and can create none', async () => {
    expect(Object.values(await visibleOrders(noTenant)).flat()).toEqual([]);
    expect(await codeOf(noTenant, fql`Order.create({ tenant: "acme", item: "x" })`)).toBe('permission_denied');
  });

  it("a customer cannot create an order in another tenant, nor update or delete its own tenant's orders", async () => {
    expect(await codeOf(acme, fql`Order.create({ tenant: "globex", item: "planted" })`)).toBe('permission_denied');
    expect(await codeOf(acme, fql`Order.byId(${acmeOrder})!.update({ quantity: 5 })`)).toBe('permission_denied');
    expect(await codeOf(acme, fql`Order.byId(${acmeOrder})!.delete()`)).toBe('permission_denied');
  });

  it('a tenant-admin updates and deletes orders of its tenant only, and cannot move one to another tenant', async () => {
    const spare = await queryAs<string>(fauna, acme, fql`Order.create({ tenant: "acme", item: "spare" }).id`);

    await queryAs(fauna, acmeAdmin, fql`Order.byId(${acmeOrder})!.update({ quantity: 3 })`);
    expect(await codeOf(acmeAdmin, fql`Order.byId(${acmeOrder})!.update({ tenant: "globex" })`)).toBe('permission_denied');
    expect(await codeOf(acmeAdmin, fql`Order.byId(${globexOrder})!.update({ quantity: 9 })`)).not.toBe('ok');
    expect(await codeOf(acmeAdmin, fql`Order.byId(${globexOrder})!.delete()`)).not.toBe('ok');
    await queryAs(fauna, acmeAdmin, fql`Order.byId(${spare})!.delete()`);

    const orders = await queryAs<Record<string, unknown>[]>(fauna, fauna.rootSecret, fql`Order.all().map((o) => { id: o.id, tenant: o.tenant, quantity: o.quantity }).toArray()`);
    expect(orders).toEqual(expect.arrayContaining([
      { id: acmeOrder, tenant: 'acme', quantity: 3 },
      { id: globexOrder, tenant: 'globex', quantity: 1 },
    ]));
    expect(orders.map((o) => o.id)).not.toContain(spare);
  });
});
