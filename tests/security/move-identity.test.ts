/**
 * The operator's fix for a conflict, as a command (`npm run identity:move`) against the local Fauna, with the real
 * handler before and after: a user deleted and re-created in Cognito (new sub, same verified email) is refused; the
 * dry run changes nothing; --apply moves the identity to the new sub and revokes its tokens; the new sub then gets it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fql } from 'fauna';
import { runScript } from '../delivery/helpers/run-script.ts';
import { granted, newEmail, newSub, queryAs, type SecurityWorld, startSecurityWorld } from './helpers/security-world.ts';

let world: SecurityWorld;

beforeAll(async () => {
  world = await startSecurityWorld();
});

afterAll(async () => {
  await world.stop();
});

const move = (fromSub: string, toSub: string, ...flags: string[]) =>
  runScript('scripts/move-identity.ts', ['--stage', 'ci-test', '--from-sub', fromSub, '--to-sub', toSub, ...flags], {
    FAUNA_ENDPOINT: world.fauna.url,
    FAUNA_ADMIN_SECRET: world.fauna.rootSecret,
  });

async function operatorKeys(): Promise<number> {
  return queryAs<number>(world.fauna, world.fauna.rootSecret, fql`Key.all().where((key) => key.role == "identityOperator").count()`);
}

describe('npm run identity:move (as a command, against the local Fauna)', () => {
  it('resolves a re-created user\'s conflict: dry run first, then --apply moves the identity and revokes its tokens', async () => {
    // Arrange: the old user's identity and token; the re-created user is refused
    const email = newEmail('recreated');
    const oldUser = { sub: newSub('deleted'), email, verified: true };
    const newUser = { sub: newSub('recreated'), email, verified: true };
    const old = granted(await world.signIn(oldUser));
    expect(await world.signIn(newUser)).toMatchObject({ granted: false, outcome: 'IdentityConflictError' });

    // Act
    const dryRun = await move(oldUser.sub, newUser.sub);
    const afterDryRun = await world.customer(old.userId);
    const applied = await move(oldUser.sub, newUser.sub, '--apply');
    const signedIn = granted(await world.signIn(newUser));

    // Assert
    expect(dryRun.code).toBe(0);
    expect(dryRun.output).toContain(`Dry run: would move identity ${old.userId} from sub ${oldUser.sub} to sub ${newUser.sub}`);
    expect(afterDryRun).toEqual({ sub: oldUser.sub, email });
    expect(applied.code).toBe(0);
    expect(applied.output).toContain(`Moved identity ${old.userId}`);
    expect(applied.output).toMatch(/"audit":"identity-move".*"applied":true/);
    expect(await world.identityOf(old.secret)).toBeNull();
    expect(signedIn.userId).toBe(old.userId);
    expect(await world.identityOf(signedIn.secret)).toBe(old.userId);
    expect(await world.signIn(oldUser)).toMatchObject({ granted: false, outcome: 'IdentityConflictError' });
    for (const output of [dryRun.output, applied.output]) {
      expect(output).not.toContain(world.fauna.rootSecret);
      expect(output).not.toContain(old.secret);
    }
    expect(await operatorKeys()).toBe(0);
  });

  it('refuses to move onto a sub that already has an identity, or from a sub that has none, changing nothing', async () => {
    // Arrange
    const a = granted(await world.signIn({ sub: newSub('a') }));
    const bUser = { sub: newSub('b') };
    granted(await world.signIn(bUser));
    const aSub = (await world.customer(a.userId))!.sub!;

    // Act
    const onto = await move(aSub, bUser.sub, '--apply');
    const from = await move(newSub('nobody'), newSub('someone'), '--apply');

    // Assert
    expect(onto.code).toBe(2);
    expect(onto.output).toContain('toSub already has an identity');
    expect(from.code).toBe(2);
    expect(from.output).toContain('no identity is bound to fromSub');
    expect((await world.customer(a.userId))!.sub).toBe(aSub);
    expect(await operatorKeys()).toBe(0);
  });
});
