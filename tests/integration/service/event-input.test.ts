/**
 * The event's bounds and the lenient cases, through the real Pre Token Generation handler (Middy chain, precompiled
 * validator) against the local Fauna; SSM stubbed with aws-sdk-client-mock. A refused event leaves the database as it
 * was (no identity, no token: the Customer and Token collections are compared before and after); a lenient one is
 * answered safely and counted (docs/security.md, "Bad input" and "Lenient input").
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { fql } from 'fauna';
import { MAX_EVENT_DEPTH } from '../../../lib/sign-in/event-bounds.ts';
import { type LocalFauna, queryAs, startFauna, triggerKey } from '../../helpers/local-fauna.ts';
import { grantedClaims, holdSecret, lambdaContext, SERVED_POOL_ID, type ServiceUnderTest, signInEvent, startService, stubSsm } from '../../helpers/service.ts';
import type { PreTokenGenerationEvent } from '../../../lib/sign-in/cognito-event.ts';

const PARAMETER = '/cognito-fauna/dev/fauna-secret';
const NOT_UNDERSTOOD = 'Sign-in request was not understood. Please try again';
const ssm = stubSsm();
let fauna: LocalFauna;
let service: ServiceUnderTest;
let users = 0;

function newUser(): { sub: string; email: string } {
  users += 1;
  return { sub: `0000${users}-eeee-4bbb-8ccc-${String(Date.now()).padStart(12, '0')}`, email: `input${users}.${Date.now()}@example.com` };
}

/** An object nested `levels` deep: { n: { n: … {} } }. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { n: value };
  return value;
}

/** Everything the database holds that a sign-in writes: identities and tokens (as root). */
async function databaseState(): Promise<{ customers: number; tokens: number; subs: string[] }> {
  return queryAs(fauna, fauna.rootSecret, fql`{ customers: Customer.all().count(), tokens: Token.all().count(), subs: Customer.all().map(.sub).toArray() }`);
}

/** The identity bound to `sub`, as stored (as root). */
async function identityOf(sub: string): Promise<{ sub: string; email: string | null } | null> {
  return queryAs(fauna, fauna.rootSecret, fql`let c = Customer.bySub(${sub}).first(); if (c == null) null else { sub: c!.sub, email: c!.email }`);
}

/** The EMF records the handler wrote. */
function metrics(): Record<string, unknown>[] {
  return service.logs.lines.flatMap((line) => line.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  fauna = await startFauna();
  const key = await triggerKey(fauna);
  holdSecret(ssm, PARAMETER, key.secret);
  service = startService({ STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: PARAMETER, USER_POOL_IDS: SERVED_POOL_ID }, { logLevel: 'DEBUG' });
});

afterEach(() => {
  service.logs.lines.length = 0;
});

afterAll(async () => {
  service?.dispose();
  ssm.restore();
  await fauna?.stop();
});

describe('bounds on the event, before any Fauna call (real handler, local Fauna; SSM stubbed with aws-sdk-client-mock)', () => {
  const deep = nested(5000);
  const refused: [string, (event: PreTokenGenerationEvent) => void, RegExp][] = [
    ['an object nested 5,000 levels deep in request.groupConfiguration', (e) => Object.assign(e.request, { groupConfiguration: { groupsToOverride: [], deep } }), /nests deeper than 10 levels/],
    ['an object nested 5,000 levels deep in response', (e) => Object.assign(e, { response: deep }), /nests deeper than 10 levels/],
    ['an object nested 5,000 levels deep in callerContext', (e) => Object.assign(e.callerContext, { deep }), /nests deeper than 10 levels/],
    [`an object nested ${MAX_EVENT_DEPTH + 1} levels deep`, (e) => Object.assign(e, { response: nested(MAX_EVENT_DEPTH) }), /nests deeper than 10 levels/],
    ['a 5 MB attribute', (e) => Object.assign(e.request.userAttributes, { 'custom:bio': 'x'.repeat(5 * 1024 * 1024) }), /holds more than \d+ characters of text/],
    ['a 2,049-character attribute', (e) => Object.assign(e.request.userAttributes, { 'custom:bio': 'x'.repeat(2049) }), /custom:bio must NOT have more than 2048 characters/],
    ['10,000 small values in clientMetadata', (e) => Object.assign(e.request, { clientMetadata: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'v'])) }), /holds more than 5000 values/],
    ['3 MB of text in clientMetadata', (e) => Object.assign(e.request, { clientMetadata: Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`k${i}`, 'v'.repeat(1024 * 1024)])) }), /holds more than \d+ characters of text/],
  ];

  it.each(refused)('refuses %s: nothing written, the bound named, no value logged', async (_label, change, problem) => {
    // Arrange
    const user = newUser();
    const event = signInEvent(user.sub, user.email);
    change(event);
    const before = await databaseState();

    // Act: straight to the handler (the harness's structuredClone cannot copy 5,000 levels; Lambda's JSON.parse can)
    const answer = service.handler(event, lambdaContext());

    // Assert
    await expect(answer).rejects.toMatchObject({ name: 'SignInRejectedError', message: NOT_UNDERSTOOD });
    expect(await databaseState()).toEqual(before);
    expect(service.logs.records('Sign-in failed')).toEqual([
      expect.objectContaining({ error: expect.objectContaining({ name: 'InvalidEventError', message: expect.stringMatching(problem) }) }),
    ]);
    expect(service.logs.text).not.toContain(user.email);
    expect(service.logs.text.length).toBeLessThan(20_000);
  });

  it('accepts the largest event Cognito\'s limits allow in one field (a 2,048-character attribute, 100 attributes)', async () => {
    // Arrange
    const user = newUser();
    const event = signInEvent(user.sub, user.email);
    Object.assign(event.request.userAttributes, Object.fromEntries(Array.from({ length: 96 }, (_, i) => [`custom:a${i}`, 'é'.repeat(2048)])));

    // Act
    const answer = await service.invoke(event);

    // Assert
    expect(grantedClaims(answer).secret).toBeDefined();
  });
});

describe('lenient input, answered safely and counted (real handler, local Fauna; SSM stubbed with aws-sdk-client-mock)', () => {
  it.each([
    ['"True"', 'True', true],
    ['"TRUE"', 'TRUE', true],
    ['the boolean true', true, true],
    ['the boolean false', false, false],
    ['"yes"', 'yes', false],
    ['the number 1', 1, false],
    ['null', null, false],
    ['" true" (padded)', ' true', false],
  ])('email_verified of %s: granted, the email trusted only if verified', async (_label, value, verified) => {
    // Arrange
    const user = newUser();
    const event = signInEvent(user.sub, user.email);
    (event.request.userAttributes as Record<string, unknown>).email_verified = value;

    // Act
    const answer = await service.invoke(event);

    // Assert
    expect(grantedClaims(answer).secret).toBeDefined();
    expect(await identityOf(user.sub)).toEqual({ sub: user.sub, email: verified ? user.email : null });
  });

  it.each(['not-an-email', 'ada@@example.com', 'ada lovelace@example.com', `${'a'.repeat(250)}@example.com`, '@example.com'])(
    'a malformed email (%j): granted, the identity by sub alone, counted as MalformedEmailsIgnored',
    async (email) => {
      // Arrange
      const user = newUser();
      const event = signInEvent(user.sub, email);

      // Act
      const answer = await service.invoke(event);

      // Assert
      expect(grantedClaims(answer).secret).toBeDefined();
      expect(await identityOf(user.sub)).toEqual({ sub: user.sub, email: null });
      expect(metrics()).toEqual([expect.objectContaining({ MalformedEmailsIgnored: 1, SignIns: 1 })]);
      expect(service.logs.records('The email attribute is not an address: ignored, the identity is found by sub alone (docs/security.md, "Lenient input")')).toHaveLength(1);
      expect(service.logs.text).not.toContain(email);
    },
  );

  it('an unknown TokenGeneration_ trigger source: granted and counted as UnknownTriggerSources; recorded on the token', async () => {
    // Arrange
    const user = newUser();
    const event = { ...signInEvent(user.sub, user.email), triggerSource: 'TokenGeneration_PasskeySignIn' };

    // Act
    const answer = await service.invoke(event);

    // Assert
    const { secret, userId } = grantedClaims(answer);
    expect(secret).toBeDefined();
    expect(metrics()).toEqual([expect.objectContaining({ UnknownTriggerSources: 1, SignIns: 1 })]);
    const tokens = await queryAs<{ triggerSource: string }[]>(fauna, fauna.rootSecret, fql`Token.byDocument(Customer.byId(${userId!})!).map(.data).toArray()`);
    expect(tokens.map((token) => token.triggerSource)).toEqual(['TokenGeneration_PasskeySignIn']);
  });

  it('an unknown trigger source without a sub: passed through untouched, nothing written', async () => {
    // Arrange
    const event = { ...signInEvent('unused', 'unused@example.com'), triggerSource: 'TokenGeneration_MachineFlow' };
    event.request.userAttributes = {};
    const before = await databaseState();

    // Act
    const answer = await service.invoke(event);

    // Assert
    expect(answer).toEqual(event);
    expect(await databaseState()).toEqual(before);
    expect(metrics()).toEqual([expect.objectContaining({ UnknownTriggerSources: 1, ClientCredentialsPassThroughs: 1 })]);
  });
});
