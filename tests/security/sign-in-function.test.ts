/**
 * The `signIn` function defends itself: whoever holds the trigger key (role pretokenTrigger) can call it directly, with
 * the real driver over HTTP against the local Fauna, bypassing the handler's validation. Every bad argument is refused
 * with `abort({ code: "invalid_argument" })`, and a sub collision with `identity_conflict`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AbortError, fql, type Query } from 'fauna';
import { newEmail, newSub, queryAs, type SecurityWorld, startSecurityWorld } from './helpers/security-world.ts';

let world: SecurityWorld;
const META = { userPoolId: 'us-east-1_Example1', clientId: 'direct-call', triggerSource: 'TokenGeneration_Authentication' };
const TEN_YEARS = 10 * 365 * 24 * 3600;

beforeAll(async () => {
  world = await startSecurityWorld();
});

afterAll(async () => {
  await world.stop();
});

/** Runs `query` with the trigger key and answers the abort value, or fails the test if it was not aborted. */
async function abortOf(query: Query): Promise<{ code: string; message: string }> {
  try {
    await queryAs(world.fauna, world.triggerSecret, query);
  } catch (error) {
    if (error instanceof AbortError) return error.abort as { code: string; message: string };
    throw error;
  }
  throw new Error('signIn accepted the call');
}

async function tokensAndCustomers(): Promise<number> {
  return queryAs<number>(world.fauna, world.fauna.rootSecret, fql`Customer.all().count() + Token.all().count()`);
}

describe('a direct signIn call with the trigger key', () => {
  it('is accepted with good arguments (the control case)', async () => {
    // Act
    const grant = await queryAs<{ userId: string; outcome: string }>(world.fauna, world.triggerSecret, fql`signIn(${newSub('direct')}, ${newEmail('direct')}, true, 3900, ${META}, 10)`);

    // Assert
    expect(grant).toMatchObject({ userId: expect.any(String), outcome: 'created' });
  });

  it.each<[string, () => Query, string]>([
    ['a token lifetime of 10 years', () => fql`signIn(${newSub('ttl')}, null, false, ${TEN_YEARS}, ${META}, 10)`, 'ttlSeconds'],
    ['a token lifetime below 60 s', () => fql`signIn(${newSub('ttl')}, null, false, 59, ${META}, 10)`, 'ttlSeconds'],
    ['a ttl that is not an integer', () => fql`signIn(${newSub('ttl')}, null, false, 3900.5, ${META}, 10)`, 'ttlSeconds'],
    ['megabytes of meta in one field', () => fql`signIn(${newSub('meta')}, null, false, 3900, ${{ ...META, clientId: 'x'.repeat(2_000_000) }}, 10)`, 'meta'],
    ['meta with an extra field', () => fql`signIn(${newSub('meta')}, null, false, 3900, ${{ ...META, payload: 'x'.repeat(1000) }}, 10)`, 'meta'],
    ['meta missing a field', () => fql`signIn(${newSub('meta')}, null, false, 3900, ${{ userPoolId: 'p_1', clientId: 'c' }}, 10)`, 'meta'],
    ['meta that is a string', () => fql`signIn(${newSub('meta')}, null, false, 3900, "meta", 10)`, 'meta'],
    ['a sub of 129 characters', () => fql`signIn(${'s'.repeat(129)}, null, false, 3900, ${META}, 10)`, 'sub'],
    ['an empty sub', () => fql`signIn("", null, false, 3900, ${META}, 10)`, 'sub'],
    ['a sub that is a number', () => fql`signIn(42, null, false, 3900, ${META}, 10)`, 'sub'],
    ['an email of 255 characters', () => fql`signIn(${newSub('email')}, ${`${'a'.repeat(243)}@example.com`}, true, 3900, ${META}, 10)`, 'email'],
    ['an email without @', () => fql`signIn(${newSub('email')}, "not-an-address", true, 3900, ${META}, 10)`, 'email'],
    ['emailVerified as the string "true"', () => fql`signIn(${newSub('verified')}, ${newEmail('v')}, "true", 3900, ${META}, 10)`, 'emailVerified'],
    // Token lifecycle (docs/token-lifecycle.md): the cap is bounded in Fauna, whatever the caller asks for.
    ['a cap of 0 live tokens', () => fql`signIn(${newSub('cap')}, null, false, 3900, ${META}, 0)`, 'maxTokens'],
    ['a cap of 101 live tokens', () => fql`signIn(${newSub('cap')}, null, false, 3900, ${META}, 101)`, 'maxTokens'],
  ])('refuses %s with invalid_argument, writing nothing', async (_label, query, argument) => {
    // Arrange
    const before = await tokensAndCustomers();

    // Act
    const abort = await abortOf(query());

    // Assert
    expect(abort.code).toBe('invalid_argument');
    expect(abort.message).toContain(argument);
    expect(await tokensAndCustomers()).toBe(before);
  });

  it('refuses a sub collision: another sub naming an identity bound to a sub, with a verified email, gets identity_conflict', async () => {
    // Arrange
    const victimSub = newSub('victim');
    const email = newEmail('victim');
    const victim = await queryAs<{ userId: string }>(world.fauna, world.triggerSecret, fql`signIn(${victimSub}, ${email}, true, 3900, ${META}, 10)`);
    const before = await tokensAndCustomers();

    // Act
    const abort = await abortOf(fql`signIn(${newSub('attacker')}, ${email}, true, 3900, ${META}, 10)`);

    // Assert
    expect(abort.code).toBe('identity_conflict');
    expect(await tokensAndCustomers()).toBe(before);
    const stored = await queryAs<{ sub: string }>(world.fauna, world.fauna.rootSecret, fql`Customer.byId(${victim.userId}) { sub }`);
    expect(stored.sub).toBe(victimSub);
  });

  it('can do nothing else: the key sees no Customer and may not call moveIdentity', async () => {
    // Act
    const read = await queryAs(world.fauna, world.triggerSecret, fql`Customer.all().toArray()`).catch((error: unknown) => error);
    const move = await queryAs(world.fauna, world.triggerSecret, fql`moveIdentity("a", "b", false)`).catch((error: unknown) => error);

    // Assert
    // Fauna hides documents a role may not read: the set is empty although customers exist.
    expect(read).toEqual([]);
    expect(await queryAs<number>(world.fauna, world.fauna.rootSecret, fql`Customer.all().count()`)).toBeGreaterThan(0);
    expect(move).toMatchObject({ code: 'permission_denied' });
  });
});
