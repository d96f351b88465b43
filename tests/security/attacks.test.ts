/**
 * Attacks on "the Fauna secret in this JWT acts as this Cognito user", each through the real handler (Middy chain,
 * the real Fauna driver over HTTP) against the local Fauna; SSM stubbed with aws-sdk-client-mock. In every case the
 * attacker never receives the victim's userId, the victim keeps theirs, and every refusal names its outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fql } from 'fauna';
import {
  type CognitoUser,
  type EventShape,
  granted,
  metricTotals,
  newEmail,
  newSub,
  queryAs,
  type SecurityWorld,
  startSecurityWorld,
} from './helpers/security-world.ts';

let world: SecurityWorld;

beforeAll(async () => {
  world = await startSecurityWorld();
});

afterAll(async () => {
  await world.stop();
});

/** A victim who signed up and verified their email, with the identity the service gave them. */
async function victimWithIdentity(email = newEmail('victim')): Promise<{ victim: CognitoUser; userId: string }> {
  const victim = { sub: newSub('victim'), email, verified: true };
  const { userId } = granted(await world.signIn(victim));
  return { victim, userId };
}

/** The victim signs in again: same identity, and the secret authenticates as it. */
async function expectVictimKeeps(victim: CognitoUser, userId: string): Promise<void> {
  const again = granted(await world.signIn(victim));
  expect(again.userId).toBe(userId);
  expect(await world.identityOf(again.secret)).toBe(userId);
}

const SHAPES: [string, EventShape][] = [
  ['V1 sign-in', { version: '1' }],
  ['V2 sign-in', { version: '2' }],
  ['V1 refresh', { version: '1', triggerSource: 'TokenGeneration_RefreshTokens' }],
  ['V2 refresh', { version: '2', triggerSource: 'TokenGeneration_RefreshTokens' }],
  ['V3 hosted UI', { version: '3', triggerSource: 'TokenGeneration_HostedAuth' }],
];

describe('an unverified copy of the victim\'s email', () => {
  it.each(SHAPES)('%s: the attacker gets an identity of their own; the victim\'s stays theirs, email included', async (_label, shape) => {
    // Arrange
    const { victim, userId } = await victimWithIdentity();
    const attacker = { sub: newSub('attacker'), email: victim.email, verified: false };

    // Act
    const answer = granted(await world.signIn(attacker, shape));

    // Assert
    expect(answer.userId).not.toBe(userId);
    expect(await world.identityOf(answer.secret)).toBe(answer.userId);
    expect(await world.customer(answer.userId)).toEqual({ sub: attacker.sub, email: null });
    expect(await world.customer(userId)).toEqual({ sub: victim.sub, email: victim.email });
    await expectVictimKeeps(victim, userId);
  });

  it('never blocks the real owner: the address stays free for the owner\'s verified sign-in', async () => {
    // Arrange: the attacker claims the address first, unverified
    const email = newEmail('owner');
    const attacker = granted(await world.signIn({ sub: newSub('attacker'), email, verified: false }));

    // Act
    const owner = granted(await world.signIn({ sub: newSub('owner'), email, verified: true }));

    // Assert
    expect(owner.userId).not.toBe(attacker.userId);
    expect(await world.customersWithEmail(email)).toBe(1);
    expect(await world.identityOf(owner.secret)).toBe(owner.userId);
  });
});

describe('a verified copy of the victim\'s email on another Cognito user (admin-created, another pool app, case variant)', () => {
  it.each([
    ['the same address', (email: string) => email],
    ['an upper-cased variant', (email: string) => email.toUpperCase()],
    ['a padded variant', (email: string) => `  ${email}\t`],
  ])('%s: refused with IdentityConflictError, counted, logged redacted, whatever the fail policy', async (_label, variant) => {
    // Arrange
    const { victim, userId } = await victimWithIdentity();
    const attacker = { sub: newSub('attacker'), email: variant(victim.email!), verified: true };
    const conflictsBefore = metricTotals(world.closed).IdentityConflicts ?? 0;

    // Act
    const closed = await world.signIn(attacker);
    const open = await world.signIn(attacker, {}, world.open);
    const refresh = await world.signIn(attacker, { triggerSource: 'TokenGeneration_RefreshTokens', version: '2' });

    // Assert
    for (const answer of [closed, open, refresh]) {
      expect(answer).toMatchObject({ granted: false, outcome: 'IdentityConflictError' });
      expect(answer.granted ? '' : answer.error.message).toContain('identity conflict');
    }
    expect((metricTotals(world.closed).IdentityConflicts ?? 0) - conflictsBefore).toBe(2);
    const [logged] = world.closed.logs.records('Sign-in refused: the verified email belongs to an identity bound to another Cognito user').slice(-1);
    expect(logged).toMatchObject({ outcome: 'identity_conflict', email: `${victim.email![0]}***@example.com` });
    expect(world.closed.logs.text).not.toContain(victim.email);
    await expectVictimKeeps(victim, userId);
  });
});

describe('Unicode variants of an address', () => {
  it('the Kelvin sign (U+212A) is not the Latin K: "\\u212Aate@" never reaches kate@\'s identity', async () => {
    // Arrange
    const email = newEmail('kate');
    const { victim, userId } = await victimWithIdentity(email);
    const kelvin = `\u212A${email.slice(1)}`;

    // Act
    const attacker = granted(await world.signIn({ sub: newSub('kelvin'), email: kelvin, verified: true }));

    // Assert
    expect(attacker.userId).not.toBe(userId);
    expect(await world.customer(attacker.userId)).toEqual({ sub: expect.any(String), email: null });
    await expectVictimKeeps(victim, userId);
  });

  it('the NFC and NFD spellings of one address are one identity for its owner, and a conflict for anyone else', async () => {
    // Arrange
    const nfc = `am\u00e9lie.${Date.now()}@example.fr`;
    const nfd = nfc.normalize('NFD');
    const owner = { sub: newSub('amelie'), email: nfc, verified: true };
    const { userId } = granted(await world.signIn(owner));

    // Act
    const sameOwner = granted(await world.signIn({ ...owner, email: nfd }));
    const other = await world.signIn({ sub: newSub('other'), email: nfd, verified: true });

    // Assert
    expect(nfd).not.toBe(nfc);
    expect(sameOwner.userId).toBe(userId);
    expect(await world.customer(userId)).toEqual({ sub: owner.sub, email: nfc });
    expect(other).toMatchObject({ granted: false, outcome: 'IdentityConflictError' });
  });
});

describe('pre-hijack: the attacker sets the unverified email of someone who has not signed up yet', () => {
  it('the real owner\'s first sign-in gets a new identity, and the attacker\'s refresh never shares it', async () => {
    // Arrange
    const email = newEmail('future');
    const attacker = { sub: newSub('attacker'), email, verified: false };
    const attackerFirst = granted(await world.signIn(attacker));

    // Act
    const owner = granted(await world.signIn({ sub: newSub('owner'), email, verified: true }));
    const attackerRefresh = granted(await world.signIn(attacker, { triggerSource: 'TokenGeneration_RefreshTokens' }));

    // Assert
    expect(owner.userId).not.toBe(attackerFirst.userId);
    expect(attackerRefresh.userId).toBe(attackerFirst.userId);
    expect(await world.identityOf(owner.secret)).toBe(owner.userId);
    expect(await world.identityOf(attackerRefresh.secret)).toBe(attackerFirst.userId);
  });
});

describe('a reused email after the user was deleted and re-created (new sub, same address)', () => {
  it('first sign-in verified: refused as a conflict (an operator moves the old identity with npm run identity:move)', async () => {
    // Arrange
    const { victim: deleted, userId } = await victimWithIdentity();
    const recreated = { sub: newSub('recreated'), email: deleted.email, verified: true };

    // Act
    const answer = await world.signIn(recreated);

    // Assert
    expect(answer).toMatchObject({ granted: false, outcome: 'IdentityConflictError' });
    expect(await world.customer(userId)).toEqual({ sub: deleted.sub, email: deleted.email });
  });

  it('first sign-in unverified: a fresh identity, which it keeps once verified; the old identity and its email stay put', async () => {
    // Arrange
    const { victim: deleted, userId } = await victimWithIdentity();
    const recreated = { sub: newSub('recreated'), email: deleted.email };

    // Act
    const unverified = granted(await world.signIn({ ...recreated, verified: false }));
    const verified = granted(await world.signIn({ ...recreated, verified: true }));

    // Assert
    expect(unverified.userId).not.toBe(userId);
    expect(verified.userId).toBe(unverified.userId);
    expect(await world.customer(verified.userId)).toEqual({ sub: recreated.sub, email: null });
    expect(await world.customer(userId)).toEqual({ sub: deleted.sub, email: deleted.email });
  });
});

describe('events from another user pool', () => {
  it.each([
    ['the same region', 'us-east-1_SomeoneElse1'],
    ['another partition', 'us-gov-west-1_Elsewhere9'],
  ])('%s: refused before any Fauna call, whatever the fail policy', async (_label, poolId) => {
    // Arrange
    const { victim, userId } = await victimWithIdentity();
    const countBefore = await queryAs<number>(world.fauna, world.fauna.rootSecret, fql`Customer.all().count() + Token.all().count()`);

    // Act
    const closed = await world.signIn(victim, { userPoolId: poolId });
    const open = await world.signIn(victim, { userPoolId: poolId }, world.open);

    // Assert
    expect(closed).toMatchObject({ granted: false, outcome: 'ForeignUserPoolError' });
    expect(open).toMatchObject({ granted: false, outcome: 'ForeignUserPoolError' });
    expect(await queryAs<number>(world.fauna, world.fauna.rootSecret, fql`Customer.all().count() + Token.all().count()`)).toBe(countBefore);
    await expectVictimKeeps(victim, userId);
  });
});

describe('users without an email (phone-only pools, federated users without the attribute)', () => {
  it.each(SHAPES)('%s: get an identity keyed by sub alone, the same one every time, and never anyone else\'s', async (_label, shape) => {
    // Arrange
    const phoneOnly = { sub: newSub('phone') };
    const other = { sub: newSub('phone') };

    // Act
    const first = granted(await world.signIn(phoneOnly, shape));
    const second = granted(await world.signIn(phoneOnly, shape));
    const otherAnswer = granted(await world.signIn(other, shape));

    // Assert
    expect(second.userId).toBe(first.userId);
    expect(otherAnswer.userId).not.toBe(first.userId);
    expect(await world.customer(first.userId)).toEqual({ sub: phoneOnly.sub, email: null });
    expect(await world.identityOf(second.secret)).toBe(first.userId);
  });
});

describe('an identity created before this service (Fauna\'s guide, an operator): email and no sub', () => {
  it('is linked on its owner\'s first VERIFIED sign-in (older tokens revoked), never on an unverified one', async () => {
    // Arrange
    const email = newEmail('legacy');
    const legacyId = await queryAs<string>(world.fauna, world.fauna.rootSecret, fql`Customer.create({ email: ${email} }).id`);
    const oldToken = await queryAs<string>(world.fauna, world.fauna.rootSecret, fql`Token.create({ document: Customer.byId(${legacyId})! }).secret`);

    // Act
    const unverified = granted(await world.signIn({ sub: newSub('squatter'), email, verified: false }));
    const owner = granted(await world.signIn({ sub: newSub('owner'), email, verified: true }));

    // Assert
    expect(unverified.userId).not.toBe(legacyId);
    expect(owner.userId).toBe(legacyId);
    expect(await world.identityOf(oldToken)).toBeNull();
    expect(await world.identityOf(owner.secret)).toBe(legacyId);
    expect(metricTotals(world.closed).IdentitiesLinked).toBeGreaterThanOrEqual(1);
  });
});

describe('email changes of a user found by sub', () => {
  it('a verified change moves the stored email and revokes the identity\'s earlier tokens; an unverified one changes nothing', async () => {
    // Arrange
    const { victim: user, userId } = await victimWithIdentity();
    const before = granted(await world.signIn(user));
    const newAddress = newEmail('moved');

    // Act
    const unverified = granted(await world.signIn({ ...user, email: newAddress, verified: false }));
    const storedAfterUnverified = await world.customer(userId);
    const verified = granted(await world.signIn({ ...user, email: newAddress, verified: true }));

    // Assert
    expect(unverified.userId).toBe(userId);
    expect(storedAfterUnverified).toEqual({ sub: user.sub, email: user.email });
    expect(verified.userId).toBe(userId);
    expect(await world.customer(userId)).toEqual({ sub: user.sub, email: newAddress });
    expect(await world.identityOf(before.secret)).toBeNull();
    expect(await world.identityOf(verified.secret)).toBe(userId);
  });

  it('a verified change to an address another identity holds: the user keeps their own identity, the email stays put', async () => {
    // Arrange
    const { victim, userId: victimId } = await victimWithIdentity();
    const { victim: user, userId } = await victimWithIdentity();
    const heldBefore = metricTotals(world.closed).IdentityEmailHeld ?? 0;

    // Act
    const answer = granted(await world.signIn({ ...user, email: victim.email, verified: true }));

    // Assert
    expect(answer.userId).toBe(userId);
    expect(await world.customer(userId)).toEqual({ sub: user.sub, email: user.email });
    expect(await world.customer(victimId)).toEqual({ sub: victim.sub, email: victim.email });
    expect((metricTotals(world.closed).IdentityEmailHeld ?? 0) - heldBefore).toBe(1);
    const [logged] = world.closed.logs.records('Verified email not stored: another identity holds it; the user keeps their own identity').slice(-1);
    expect(logged).toMatchObject({ outcome: 'email_held', email: `${victim.email![0]}***@example.com` });
  });
});
