import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fql } from 'fauna';
import { type LocalFauna, queryAs, startFauna, triggerKey } from '../../helpers/local-fauna.ts';
import { holdSecret, idTokenClaims, SERVED_POOL_ID, type ServiceUnderTest, signInEvent, startService, stubSsm } from '../../helpers/service.ts';

const PARAMETER = '/cognito-fauna/dev/fauna-secret';
const ssm = stubSsm();
let fauna: LocalFauna;
let service: ServiceUnderTest;
let secret: string;
let userId: string;
let otherUserId: string;
let triggerSecret: string;

beforeAll(async () => {
  fauna = await startFauna();
  const key = await triggerKey(fauna);
  triggerSecret = key.secret;
  holdSecret(ssm, PARAMETER, key.secret);
  service = startService({ STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: PARAMETER, USER_POOL_IDS: SERVED_POOL_ID }, { logLevel: 'DEBUG' });
  await queryAs(fauna, fauna.rootSecret, fql`Product.create({ name: "Analytical Engine" })`);
  const mine = idTokenClaims(await service.invoke(signInEvent('11111111-1111-4111-8111-111111111111', 'ada@example.com')));
  const other = idTokenClaims(await service.invoke(signInEvent('22222222-2222-4222-8222-222222222222', 'grace@example.com')));
  secret = String(mine.fauna_token_secret);
  userId = String(mine.userId);
  otherUserId = String(other.userId);
});

afterAll(async () => {
  service.dispose();
  ssm.restore();
  await fauna.stop();
});

describe('the customer role of a minted token (schema in fauna/, handler with SSM stubbed by aws-sdk-client-mock)', () => {
  it('can read the Product catalogue', async () => {
    // Act
    const names = await queryAs<string[]>(fauna, secret, fql`Product.all().map(.name).toArray()`);

    // Assert
    expect(names).toEqual(['Analytical Engine']);
  });

  it('can read its own identity document', async () => {
    // Act
    const email = await queryAs<string>(fauna, secret, fql`Customer.byId(${userId})!.email`);

    // Assert
    expect(email).toBe('ada@example.com');
  });

  it('cannot read another identity document', async () => {
    // Act
    const result = queryAs(fauna, secret, fql`Customer.byId(${otherUserId})!.email`);

    // Assert
    await expect(result).rejects.toMatchObject({ name: 'QueryRuntimeError' });
  });

  it.each([
    ['create a Product', fql`Product.create({ name: "Difference Engine" })`],
    ['update a Product', fql`Product.all().first()!.update({ name: "renamed" })`],
    ['update its own identity', fql`Query.identity()!.update({ email: "mallory@example.com" })`],
    ['create an identity', fql`Customer.create({ email: "eve@example.com", sub: "eve" })`],
    ['mint a token', fql`Token.create({ document: Query.identity()! })`],
    // A well-typed call, so that the privilege check refuses it (the database is type-checked: a call with the wrong
    // number of arguments would fail before it runs, with invalid_query).
    ['call signIn', fql`signIn("x", "x@example.com", true, 3600, { userPoolId: "p", clientId: "c", triggerSource: "t" }, 10)`],
  ])('cannot %s', async (_action, query) => {
    // Act
    const result = queryAs(fauna, secret, query);

    // Assert
    await expect(result).rejects.toMatchObject({ name: 'QueryRuntimeError', code: expect.stringMatching(/permission_denied|null_value/) });
  });
});

describe('the pretokenTrigger key the Lambda uses', () => {
  it('sees no identity when it lists the collection (unreadable documents are filtered out)', async () => {
    // Act
    const seenByKey = await queryAs<unknown[]>(fauna, triggerSecret, fql`Customer.all().toArray()`);
    const seenByRoot = await queryAs<number>(fauna, fauna.rootSecret, fql`Customer.all().count()`);

    // Assert
    expect(seenByKey).toEqual([]);
    expect(seenByRoot).toBe(2);
  });

  it('cannot look an identity up by email itself, only through signIn', async () => {
    // Act
    const result = queryAs(fauna, triggerSecret, fql`Customer.byEmail("ada@example.com").toArray()`);

    // Assert
    await expect(result).rejects.toMatchObject({ code: 'permission_denied' });
  });
});
