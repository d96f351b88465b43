/**
 * Adopting a database that followed Fauna's guide (identities keyed by email alone), against the local Fauna through
 * the real schema push and the real handler (SSM stubbed with aws-sdk-client-mock): the guide's schema is pushed,
 * Customer documents are created the guide's way ({ email }), this service's schema is pushed over it (nullable
 * fields, a migrations block), and then the owners sign in.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fql } from 'fauna';
import { startLocalFauna, type LocalFauna } from '../../packages/fauna-local/src/index.ts';
import { pushSchema } from '../../scripts/push-schema.ts';
import { queryAs, triggerKey } from '../helpers/local-fauna.ts';
import { holdSecret, idTokenClaims, SERVED_POOL_ID, type ServiceUnderTest, startService, stubSsm } from '../helpers/service.ts';
import { eventFor } from './helpers/security-world.ts';

/** The schema of Fauna's guide, as it publishes it. */
const GUIDE_SCHEMA = 'collection Customer {\n  unique [.email]\n  index byEmail {\n    terms [.email]\n  }\n}\n';
const PARAMETER = '/cognito-fauna/adopt/fauna-secret';
const ssm = stubSsm();
let fauna: LocalFauna;
let scratch: string;
let service: ServiceUnderTest;
const guideIds: Record<string, string> = {};
const log: string[] = [];

beforeAll(async () => {
  fauna = await startLocalFauna({ port: 0 });
  scratch = await mkdtemp(path.join(tmpdir(), 'adopt-guide-'));
  await writeFile(path.join(scratch, 'main.fsl'), GUIDE_SCHEMA);
  const connection = { endpoint: fauna.url, adminSecret: fauna.rootSecret };
  await pushSchema({ ...connection, dir: scratch }, (line) => log.push(line));
  for (const name of ['ada', 'grace', 'squatted']) {
    guideIds[name] = await queryAs<string>(fauna, fauna.rootSecret, fql`Customer.create({ email: ${`${name}@guide.example`} }).id`);
  }
  // A guide document with an ad hoc field (the guide's collection accepts any field) and one whose email is no String.
  guideIds.adhoc = await queryAs<string>(fauna, fauna.rootSecret, fql`Customer.create({ email: "adhoc@guide.example", name: "Ad Hoc" }).id`);
  guideIds.odd = await queryAs<string>(fauna, fauna.rootSecret, fql`Customer.create({ email: 42 }).id`);
  await pushSchema({ ...connection, dir: 'fauna' }, (line) => log.push(line));
  const key = await triggerKey(fauna);
  holdSecret(ssm, PARAMETER, key.secret);
  service = startService({ STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: PARAMETER, USER_POOL_IDS: SERVED_POOL_ID }, { logLevel: 'DEBUG' });
});

afterAll(async () => {
  service.dispose();
  ssm.restore();
  await fauna.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('a database that followed Fauna\'s guide, after this service\'s schema push', () => {
  it('migrated the guide\'s documents as the block says (core rules): ad hoc fields and an email of another type moved to conflicts', async () => {
    // Act
    const adhoc = await queryAs(fauna, fauna.rootSecret, fql`Customer.byId(${guideIds.adhoc!}) { email, sub, conflicts }`);
    const odd = await queryAs(fauna, fauna.rootSecret, fql`Customer.byId(${guideIds.odd!}) { email, sub, conflicts }`);

    // Assert
    expect(adhoc).toEqual({ email: 'adhoc@guide.example', sub: null, conflicts: { name: 'Ad Hoc' } });
    expect(odd).toEqual({ email: null, sub: null, conflicts: { email: 42 } });
  });

  it('kept the guide\'s documents as they were: email, no sub', async () => {
    // Act
    const stored = await queryAs(fauna, fauna.rootSecret, fql`Customer.byId(${guideIds.ada!}) { email, sub }`);

    // Assert
    expect(log.join('\n')).toContain('Customer');
    expect(stored).toEqual({ email: 'ada@guide.example', sub: null });
  });

  it('links a guide identity on its owner\'s first verified sign-in, with a secret that authenticates as it', async () => {
    // Act
    const claims = idTokenClaims(await service.invoke(eventFor({ sub: 'cognito-ada', email: 'Ada@Guide.Example', verified: true })));

    // Assert
    expect(claims.userId).toBe(guideIds.ada);
    expect(await queryAs(fauna, String(claims.fauna_token_secret), fql`Query.identity()!.id`)).toBe(guideIds.ada);
    expect(await queryAs(fauna, fauna.rootSecret, fql`Customer.byId(${guideIds.ada!}) { email, sub }`)).toEqual({ email: 'ada@guide.example', sub: 'cognito-ada' });
  });

  it('does not link it on an unverified sign-in: that user gets an identity of their own, and the owner can still link', async () => {
    // Act
    const squatter = idTokenClaims(await service.invoke(eventFor({ sub: 'cognito-squatter', email: 'squatted@guide.example', verified: false })));
    const owner = idTokenClaims(await service.invoke(eventFor({ sub: 'cognito-owner', email: 'squatted@guide.example', verified: true })));

    // Assert
    expect(squatter.userId).not.toBe(guideIds.squatted);
    expect(owner.userId).toBe(guideIds.squatted);
    expect(await queryAs(fauna, fauna.rootSecret, fql`Customer.byId(${guideIds.squatted!}) { sub }`)).toEqual({ sub: 'cognito-owner' });
  });

  it('treats a missing email like Fauna does in unique constraints: any number of identities without one', async () => {
    // Act
    const created = await queryAs<number>(fauna, fauna.rootSecret, fql`[Customer.create({ sub: "no-email-1" }), Customer.create({ sub: "no-email-2" }), Customer.create({ email: null, sub: "no-email-3" })].length`);

    // Assert
    expect(created).toBe(3);
    expect(await queryAs<number>(fauna, fauna.rootSecret, fql`Customer.all().where((c) => c.email == null).count()`)).toBeGreaterThanOrEqual(3);
  });
});
