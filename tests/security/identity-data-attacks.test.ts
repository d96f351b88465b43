/**
 * Attacks on the identity's groups, attributes and tenant (issue 22), with the real handler (Middy chain included) and
 * the real `fauna` driver against the local Fauna (SSM stubbed with aws-sdk-client-mock, the only stub): a signed-in
 * user holds its own token secret and tries every write a customer token could send to give itself a group, another
 * attribute or another tenant. None may succeed, and the stored data must stay what Cognito said. A holder of the
 * trigger key can only pass well-formed groups and attributes (signIn checks them with checkIdentityData).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fql, type Query } from 'fauna';
import type { PreTokenGenerationEvent } from '../../lib/sign-in/cognito-event.ts';
import { type LocalFauna, queryAs, startFauna, triggerKey } from '../helpers/local-fauna.ts';
import { holdSecret, idTokenClaims, SERVED_POOL_ID, type ServiceUnderTest, signInEvent, startService, stubSsm } from '../helpers/service.ts';

const PARAMETER = '/cognito-fauna/security/fauna-secret';
const META = { userPoolId: SERVED_POOL_ID, clientId: 'c', triggerSource: 'TokenGeneration_Authentication' };
const ssm = stubSsm();
let fauna: LocalFauna;
let service: ServiceUnderTest;
let trigger: string;
let mine: { userId: string; secret: string };

function eventOf(sub: string, groups: string[], tenant?: string): PreTokenGenerationEvent {
  const event = signInEvent(sub, `${sub}@example.com`);
  if (tenant !== undefined) event.request.userAttributes = { ...event.request.userAttributes, 'custom:tenantId': tenant };
  event.request.groupConfiguration = { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: null };
  return event;
}

async function codeOf(secret: string, query: Query): Promise<string> {
  return queryAs(fauna, secret, query).then(() => 'ok', (error: { code?: string }) => String(error.code));
}

const stored = () => queryAs(fauna, fauna.rootSecret, fql`Customer.byId(${mine.userId})!{ groups, attributes }`);

beforeAll(async () => {
  fauna = await startFauna();
  trigger = (await triggerKey(fauna)).secret;
  holdSecret(ssm, PARAMETER, trigger);
  service = startService({ STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: PARAMETER, USER_POOL_IDS: SERVED_POOL_ID, IDENTITY_ATTRIBUTES: 'custom:tenantId' });
  const claims = idTokenClaims(await service.invoke(eventOf('attacker-data-1', ['readers'], 'acme')));
  mine = { userId: claims.userId as string, secret: claims.fauna_token_secret as string };
  await queryAs(fauna, fauna.rootSecret, fql`Order.create({ tenant: "globex", item: "secret plans" })`);
});

afterAll(async () => {
  service.dispose();
  ssm.restore();
  await fauna.stop();
});

describe('a user cannot change its own groups, attributes or tenant with its token (local Fauna)', () => {
  it.each<[string, () => Query]>([
    ['update its groups through Query.identity()', () => fql`Query.identity()!.update({ groups: ["catalog-editors", "tenant-admins"] })`],
    ['update its tenant through Query.identity()', () => fql`Query.identity()!.update({ attributes: { "custom:tenantId": "globex" } })`],
    ['update its groups by id', () => fql`Customer.byId(${mine.userId})!.update({ groups: ["catalog-editors"] })`],
    ['replace its identity', () => fql`Customer.byId(${mine.userId})!.replace({ sub: "attacker-data-1", groups: ["tenant-admins"], attributes: { "custom:tenantId": "globex" } })`],
    ['create a second identity in the group', () => fql`Customer.create({ sub: "attacker-data-2", groups: ["catalog-editors"] })`],
    ['mint itself a token for such an identity', () => fql`Token.create({ document: Query.identity()! })`],
    ['call signIn with its groups', () => fql`signIn("attacker-data-1", null, false, 3900, ${META}, 10, ["catalog-editors"], { "custom:tenantId": "globex" })`],
    ['unset its tenant', () => fql`Query.identity()!.update({ attributes: null })`],
  ])('%s: refused', async (_label, query) => {
    expect(await codeOf(mine.secret, query())).toBe('permission_denied');
  });

  it('after every attempt the identity still holds what Cognito said, and the rights follow from that alone', async () => {
    expect(await stored()).toEqual({ groups: ['readers'], attributes: { 'custom:tenantId': 'acme' } });
    expect(await codeOf(mine.secret, fql`Product.create({ name: "escalated" })`)).toBe('permission_denied');
    expect(await queryAs(fauna, mine.secret, fql`Order.all().map(.item).toArray()`)).toEqual([]);
  });

  it("cannot move another tenant's order into its own tenant to read it, nor create one in the other tenant", async () => {
    const globexOrder = await queryAs<string>(fauna, fauna.rootSecret, fql`Order.byTenant("globex").first()!.id`);

    expect(await codeOf(mine.secret, fql`Order.byId(${globexOrder})!.update({ tenant: "acme" })`)).not.toBe('ok');
    expect(await codeOf(mine.secret, fql`Order.create({ tenant: "globex", item: "planted" })`)).toBe('permission_denied');
    expect(await queryAs(fauna, fauna.rootSecret, fql`Order.byId(${globexOrder})!.tenant`)).toBe('globex');
  });
});

describe('the trigger key can only pass well-formed groups and attributes (signIn checks them itself)', () => {
  it.each<[string, () => Query, RegExp]>([
    ['101 groups', () => fql`signIn("trigger-data-1", null, false, 3900, ${META}, 10, ${Array.from({ length: 101 }, (_, i) => `g${i}`)}, {})`, /groups must be an array of at most 100/],
    ['a group that is not a string', () => fql`signIn("trigger-data-2", null, false, 3900, ${META}, 10, [42], {})`, /groups must be an array/],
    ['an empty group name', () => fql`signIn("trigger-data-3", null, false, 3900, ${META}, 10, [""], {})`, /group names of 1 to 128/],
    ['an attribute value that is not a string', () => fql`signIn("trigger-data-4", null, false, 3900, ${META}, 10, [], { "custom:tenantId": 7 })`, /attributes must be an object/],
    ['groups without attributes', () => fql`signIn("trigger-data-5", null, false, 3900, ${META}, 10, ["catalog-editors"])`, /exactly groups and attributes/],
    ['a third extra argument', () => fql`signIn("trigger-data-6", null, false, 3900, ${META}, 10, [], {}, "more")`, /exactly groups and attributes/],
  ])('%s: aborted with invalid_argument, nothing written', async (_label, query, message) => {
    const failure = await queryAs(fauna, trigger, query()).then(() => null, (error: { code?: string; abort?: { code?: string; message?: string } }) => error);

    expect(failure?.abort?.code).toBe('invalid_argument');
    expect(failure?.abort?.message).toMatch(message);
    expect(await queryAs(fauna, fauna.rootSecret, fql`Customer.where((c) => (c.sub ?? "").startsWith("trigger-data-")).count()`)).toBe(0);
  });
});
