/**
 * Property: for random sequences of sign-ins by a few Cognito users with random verified/unverified emails, email
 * changes, case and Unicode variants, and identities that existed before the service (email, no sub), through the real
 * handler against the local Fauna (SSM stubbed with aws-sdk-client-mock):
 * - no two subs ever receive a token for the same identity (checked with the returned userIds AND by authenticating
 *   with every returned secret);
 * - a sub keeps the same identity for its whole life;
 * - exactly the users a small model says should get a token get one: everyone whose email is verified and not bound
 *   to another sub, unverified, or absent; the others are refused with IdentityConflictError.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fql } from 'fauna';
import { normaliseEmail } from '../../lib/sign-in/email.ts';
import { type CognitoUser, queryAs, type SecurityWorld, startSecurityWorld } from './helpers/security-world.ts';

let world: SecurityWorld;

beforeAll(async () => {
  world = await startSecurityWorld();
});

afterAll(async () => {
  await world.stop();
});

const USERS = 3;
const ADDRESSES = ['kate', 'am\u00e9lie', 'bob'] as const;
/** Spellings of one address that must all be the same key (or, for the Kelvin sign, no key at all). */
const VARIANTS = ['exact', 'upper', 'padded', 'nfd', 'kelvin'] as const;

interface Step {
  user: number;
  /** Index into ADDRESSES, or null for a user without an email attribute. */
  address: number | null;
  variant: (typeof VARIANTS)[number];
  verified: boolean;
  refresh: boolean;
}

const step: fc.Arbitrary<Step> = fc.record({
  user: fc.integer({ min: 0, max: USERS - 1 }),
  address: fc.option(fc.integer({ min: 0, max: ADDRESSES.length - 1 }), { nil: null, freq: 4 }),
  variant: fc.constantFrom(...VARIANTS),
  verified: fc.boolean(),
  refresh: fc.boolean(),
});

function spelled(address: string, variant: Step['variant']): string {
  switch (variant) {
    case 'exact': return address;
    case 'upper': return address.toUpperCase();
    case 'padded': return ` ${address} `;
    case 'nfd': return address.normalize('NFD');
    case 'kelvin': return address.startsWith('k') ? `\u212A${address.slice(1)}` : address;
  }
}

/** What the service must do, in a few lines: the rules of docs/security.md. */
class Model {
  readonly emailOf = new Map<string, string | null>();
  readonly ownerOf = new Map<string, string | null>();

  constructor(legacyEmails: string[]) {
    for (const email of legacyEmails) this.ownerOf.set(email, null);
  }

  /** Whether the sign-in must be granted; applies it. */
  signIn(sub: string, email: string | null, verified: boolean): boolean {
    const trusted = verified ? email : null;
    if (this.emailOf.has(sub)) {
      if (trusted !== null && trusted !== this.emailOf.get(sub) && !this.ownerOf.has(trusted)) {
        const old = this.emailOf.get(sub);
        if (old) this.ownerOf.delete(old);
        this.emailOf.set(sub, trusted);
        this.ownerOf.set(trusted, sub);
      }
      return true;
    }
    if (trusted === null) {
      this.emailOf.set(sub, null);
      return true;
    }
    if (this.ownerOf.has(trusted) && this.ownerOf.get(trusted) !== null) return false;
    this.emailOf.set(sub, trusted);
    this.ownerOf.set(trusted, sub);
    return true;
  }
}

let runs = 0;

describe('identity exclusivity under random sign-in sequences (real handler, local Fauna)', () => {
  it('never gives two subs the same identity, and grants exactly whom the rules grant', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), fc.subarray([0, 1, 2]), async (steps, legacy) => {
        // Arrange: fresh names per run, and some identities created before the service (email, no sub)
        const run = ++runs;
        const address = (i: number) => `${ADDRESSES[i]}.${run}.${process.pid}@example.com`;
        const legacyEmails = legacy.map((i) => normaliseEmail(address(i))!);
        for (const email of legacyEmails) await queryAs(world.fauna, world.fauna.rootSecret, fql`Customer.create({ email: ${email} })`);
        const model = new Model(legacyEmails);
        const identityOfSub = new Map<string, string>();
        const subOfIdentity = new Map<string, string>();

        for (const s of steps) {
          const sub = `prop-${run}-${process.pid}-user${s.user}`;
          const raw = s.address === null ? undefined : spelled(address(s.address), s.variant);
          const user: CognitoUser = { sub, email: raw, verified: s.verified };

          // Act
          const answer = await world.signIn(user, s.refresh ? { triggerSource: 'TokenGeneration_RefreshTokens', version: '2' } : {});

          // Assert
          const expected = model.signIn(sub, raw === undefined ? null : normaliseEmail(raw), raw !== undefined && s.verified);
          if (!answer.granted) {
            expect({ step: s, outcome: answer.outcome, expected }).toEqual({ step: s, outcome: 'IdentityConflictError', expected: false });
            continue;
          }
          expect({ step: s, expected }).toEqual({ step: s, expected: true });
          expect(subOfIdentity.get(answer.userId) ?? sub).toBe(sub);
          expect(identityOfSub.get(sub) ?? answer.userId).toBe(answer.userId);
          expect(await world.identityOf(answer.secret)).toBe(answer.userId);
          subOfIdentity.set(answer.userId, sub);
          identityOfSub.set(sub, answer.userId);
        }
      }),
      { numRuns: 40 },
    );
  }, 240_000);
});
