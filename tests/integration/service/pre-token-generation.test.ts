/**
 * The real Pre Token Generation handler (Middy chain included) against the local Fauna, SSM stubbed with
 * aws-sdk-client-mock: identities, every event shape and its claims, metrics, the served pools, the key (cached, refetched
 * after a 401, unreadable) and the handler when Fauna is down. One file (about 470 lines) because every test shares one
 * local Fauna, one trigger key and one SSM stub.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { fql } from 'fauna';
import { recordSecret } from '../../helpers/log-capture.ts';
import { customersWithEmail, type LocalFauna, queryAs, startFauna, triggerKey } from '../../helpers/local-fauna.ts';
import { holdSecret, idTokenClaims, sampleEvent, SERVED_POOL_ID, type ServiceUnderTest, signInEvent, ssmCalls, startService, stubSsm } from '../../helpers/service.ts';

const PARAMETER = '/cognito-fauna/dev/fauna-secret';
const ssm = stubSsm();
let fauna: LocalFauna;
let key: { id: string; secret: string };
let service: ServiceUnderTest | undefined;
let users = 0;

/** A Cognito user no other test uses. */
function newUser(): { sub: string; email: string } {
  users += 1;
  return { sub: `0000${users}-aaaa-4bbb-8ccc-${String(Date.now()).padStart(12, '0')}`, email: `user${users}.${Date.now()}@example.com` };
}

function deployedEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: PARAMETER, USER_POOL_IDS: SERVED_POOL_ID, ...extra };
}

function start(extra: Record<string, string> = {}): ServiceUnderTest {
  service = startService(deployedEnv(extra), { logLevel: 'DEBUG' });
  return service;
}

beforeAll(async () => {
  fauna = await startFauna();
  key = await triggerKey(fauna);
});

afterEach(() => {
  service?.dispose();
  service = undefined;
  ssm.reset();
});

afterAll(async () => {
  ssm.restore();
  await fauna.stop();
});

describe('the Pre Token Generation handler against local Fauna (SSM stubbed with aws-sdk-client-mock)', () => {
  it('creates the identity on the first sign-in and returns a secret that authenticates as it', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const handler = start();

    // Act
    const response = await handler.invoke(signInEvent(user.sub, user.email));
    const claims = idTokenClaims(response);
    const identity = await queryAs<{ id: string; sub: string; email: string }>(fauna, String(claims.fauna_token_secret), fql`Query.identity()`);

    // Assert
    expect(claims.userId).toEqual(expect.stringMatching(/^\d+$/));
    expect(identity).toMatchObject({ id: claims.userId, sub: user.sub, email: user.email });
  });

  it('reuses the identity on a second sign-in and mints a new token', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const handler = start();

    // Act
    const first = idTokenClaims(await handler.invoke(signInEvent(user.sub, user.email)));
    const second = idTokenClaims(await handler.invoke(signInEvent(user.sub, user.email, 'pretoken-refresh.json')));

    // Assert
    expect(second.userId).toBe(first.userId);
    expect(second.fauna_token_secret).not.toBe(first.fauna_token_secret);
    expect(await customersWithEmail(fauna, user.email)).toBe(1);
    expect(handler.logs.records('Sign-in granted a Fauna token').map((record) => record.created)).toEqual([true, false]);
  });

  it('keeps one identity across case and whitespace variants of the email, storing it normalised', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const handler = start();

    // Act
    const first = idTokenClaims(await handler.invoke(signInEvent(user.sub, `  ${user.email.toUpperCase()} `)));
    const second = idTokenClaims(await handler.invoke(signInEvent(user.sub, user.email)));

    // Assert
    expect(second.userId).toBe(first.userId);
    expect(await customersWithEmail(fauna, user.email)).toBe(1);
  });

  it('keeps one identity when the user changes their email, and stores the new email', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const changedEmail = `changed.${user.email}`;
    const handler = start();
    const before = idTokenClaims(await handler.invoke(signInEvent(user.sub, user.email)));

    // Act
    const after = idTokenClaims(await handler.invoke(signInEvent(user.sub, changedEmail)));

    // Assert
    expect(after.userId).toBe(before.userId);
    expect(await customersWithEmail(fauna, user.email)).toBe(0);
    expect(await customersWithEmail(fauna, changedEmail)).toBe(1);
  });

  it('links an identity that already existed for the verified email, without a sub, to the Cognito sub', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const existingId = await queryAs<string>(fauna, fauna.rootSecret, fql`Customer.create({ email: ${user.email} }).id`);
    const handler = start();

    // Act
    const claims = idTokenClaims(await handler.invoke(signInEvent(user.sub, user.email)));
    const stored = await queryAs<{ sub: string }>(fauna, fauna.rootSecret, fql`Customer.byId(${existingId})`);

    // Assert
    expect(claims.userId).toBe(existingId);
    expect(stored.sub).toBe(user.sub);
  });

  it('ends with one identity when the same user signs in concurrently for the first time', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const handler = start();

    // Act
    const responses = await Promise.all(Array.from({ length: 6 }, () => handler.invoke(signInEvent(user.sub, user.email))));

    // Assert
    const userIds = new Set(responses.map((response) => idTokenClaims(response).userId));
    expect(userIds.size).toBe(1);
    expect(await customersWithEmail(fauna, user.email)).toBe(1);
  });

  it('publishes sign-in, new-identity and Fauna-latency metrics as CloudWatch EMF', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const handler = start();

    // Act
    await handler.invoke(signInEvent(user.sub, user.email));
    await handler.invoke(signInEvent(user.sub, user.email));

    // Assert
    const emf = handler.logs.lines
      .flatMap((line) => line.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(emf).toHaveLength(2);
    expect(emf[0]).toMatchObject({ SignIns: 1, NewIdentities: 1, FaunaLatency: expect.any(Number), service: 'cognito-fauna' });
    expect(emf[1]).toMatchObject({ SignIns: 1, FaunaLatency: expect.any(Number) });
    expect(emf[1]).not.toHaveProperty('NewIdentities');
    expect(JSON.stringify(emf[0])).toContain('"Namespace":"CognitoFauna"');
  });

  it('answers a V1 event with exactly the claims override Cognito expects', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const event = sampleEvent('pretoken.json');
    const handler = start();

    // Act
    const response = await handler.invoke(event);
    const claims = idTokenClaims(response);

    // Assert
    expect(response).toEqual({
      ...event,
      response: {
        claimsOverrideDetails: {
          claimsToAddOrOverride: { fauna_token_secret: expect.stringMatching(/^fn[A-Za-z0-9_-]{20,}$/), userId: claims.userId },
          claimsToSuppress: ['email'],
        },
      },
    });
  });

  it('answers a V2 event with the claims in the ID and access tokens when configured so', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const event = signInEvent(user.sub, user.email, 'pretoken-v2.json');
    const handler = start({ CLAIM_TARGETS: 'id,access', SECRET_CLAIM_NAME: 'db_secret', USER_ID_CLAIM_NAME: 'db_user' });

    // Act
    const response = await handler.invoke(event);

    // Assert
    const details = response.response.claimsAndScopeOverrideDetails;
    const added = details?.idTokenGeneration?.claimsToAddOrOverride ?? {};
    expect(response).toEqual({
      ...event,
      response: {
        claimsAndScopeOverrideDetails: {
          idTokenGeneration: { claimsToAddOrOverride: { db_secret: expect.stringMatching(/^fn/), db_user: expect.stringMatching(/^\d+$/) }, claimsToSuppress: ['email'] },
          accessTokenGeneration: { claimsToAddOrOverride: added },
        },
      },
    });
    recordSecret(added.db_secret, 'minted token secret');
  });

  it('passes a machine-to-machine client-credentials event through untouched without calling Fauna', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const event = sampleEvent('pretoken-m2m-v3.json');
    const handler = start({ CLAIM_TARGETS: 'id,access' });
    const customersBefore = await queryAs<number>(fauna, fauna.rootSecret, fql`Customer.all().count()`);

    // Act
    const response = await handler.invoke(event);

    // Assert
    expect(response).toEqual(event);
    expect(await queryAs<number>(fauna, fauna.rootSecret, fql`Customer.all().count()`)).toBe(customersBefore);
  });

  it('records the pool, app client and trigger source on the minted token', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const event = signInEvent(user.sub, user.email, 'pretoken-new-password.json');
    const handler = start();

    // Act
    const claims = idTokenClaims(await handler.invoke(event));
    const tokenData = await queryAs<unknown[]>(fauna, fauna.rootSecret, fql`Token.byDocument(Customer.byId(${String(claims.userId)})!).map(.data).toArray()`);

    // Assert
    expect(tokenData).toEqual([{ userPoolId: event.userPoolId, clientId: event.callerContext.clientId, triggerSource: 'TokenGeneration_NewPasswordChallenge' }]);
  });

  it('mints a token that stops working once its TTL has passed', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const handler = start({ TOKEN_TTL_SECONDS: '600' });
    const secret = String(idTokenClaims(await handler.invoke(signInEvent(user.sub, user.email))).fauna_token_secret);
    const beforeExpiry = await queryAs<{ id: string }>(fauna, secret, fql`Query.identity()`);

    // Act
    fauna.clock.advance(601_000);
    const afterExpiry = queryAs(fauna, secret, fql`Query.identity()`);

    // Assert
    expect(beforeExpiry.id).toMatch(/^\d+$/);
    await expect(afterExpiry).rejects.toMatchObject({ name: 'AuthenticationError' });
  });

  it('rejects an invalid event with a message naming what is wrong, and logs no value of it', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const event = sampleEvent('invalid/sub-too-long.json');
    const handler = start();

    // Act
    const result = handler.invoke(event);

    // Assert
    await expect(result).rejects.toMatchObject({ name: 'SignInRejectedError', message: 'Sign-in request was not understood. Please try again' });
    const [failure] = handler.logs.records('Sign-in failed');
    expect(failure?.error).toMatchObject({ name: 'InvalidEventError', message: expect.stringContaining('/request/userAttributes/sub must NOT have more than 128 characters') });
    expect(handler.logs.text).not.toContain(event.request.userAttributes.sub);
  });

  it('refuses cognito-local\'s version "0" on a deployed stage and accepts it on the local stage', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const event = { ...signInEvent(user.sub, user.email), version: '0' };
    const deployed = start();
    const local = startService({ STAGE: 'local', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET: key.secret, USER_POOL_IDS: SERVED_POOL_ID }, { logLevel: 'DEBUG' });

    // Act
    const onDeployed = deployed.invoke(event);
    const onLocal = local.invoke(event).finally(() => local.dispose());

    // Assert
    await expect(onDeployed).rejects.toMatchObject({ message: 'Sign-in request was not understood. Please try again' });
    expect(deployed.logs.records('Sign-in failed')[0]?.error).toMatchObject({ message: expect.stringContaining('/version must be 1, 2 or 3') });
    expect(idTokenClaims(await onLocal).userId).toEqual(expect.any(String));
  });

  it('reads the served pool id with the key in ONE GetParameters call, then refuses other pools before Fauna', async () => {
    // Arrange
    const poolParameter = '/cognito-fauna/dev/user-pool-id';
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: PARAMETER, Type: 'SecureString', Value: key.secret, Version: 1 },
        { Name: poolParameter, Type: 'String', Value: SERVED_POOL_ID, Version: 1 },
      ],
      InvalidParameters: [],
    });
    const user = newUser();
    const handler = start({ USER_POOL_IDS: '', USER_POOL_ID_PARAMETER: poolParameter });
    const foreign = { ...signInEvent(user.sub, user.email), userPoolId: 'us-east-1_Other1' };

    // Act
    const served = idTokenClaims(await handler.invoke(signInEvent(user.sub, user.email)));
    const refused = handler.invoke(foreign);

    // Assert
    expect(served.userId).toEqual(expect.any(String));
    await expect(refused).rejects.toMatchObject({ name: 'SignInRejectedError' });
    expect(handler.logs.records('Sign-in failed')[0]?.error).toMatchObject({ name: 'ForeignUserPoolError' });
    expect(ssmCalls(ssm)).toBe(1);
    expect(ssm.commandCalls(GetParametersCommand)[0]!.args[0].input.Names).toEqual([PARAMETER, poolParameter]);
  });

  it('fails the sign-in, naming the parameter, when the served-pool parameter holds no pool id (e.g. existingPoolId left "*")', async () => {
    // Arrange
    const poolParameter = '/cognito-fauna/dev/user-pool-id';
    ssm.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: PARAMETER, Type: 'SecureString', Value: key.secret, Version: 1 },
        { Name: poolParameter, Type: 'String', Value: '*', Version: 1 },
      ],
      InvalidParameters: [],
    });
    const user = newUser();
    const handler = start({ USER_POOL_IDS: '', USER_POOL_ID_PARAMETER: poolParameter });

    // Act
    const result = handler.invoke(signInEvent(user.sub, user.email));

    // Assert
    await expect(result).rejects.toMatchObject({ name: 'SignInRejectedError' });
    expect(handler.logs.records('Sign-in failed')[0]?.error).toMatchObject({ name: 'ServedPoolsUnavailableError', message: expect.stringContaining(poolParameter) });
  });

  it('fetches the key from SSM once across many warm invocations', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const handler = start();

    // Act
    for (let i = 0; i < 10; i++) await handler.invoke(signInEvent(user.sub, user.email));

    // Assert
    expect(ssmCalls(ssm)).toBe(1);
  });

  it('picks up a rotated key after Fauna answers unauthorized, refetching it from SSM once', async () => {
    // Arrange
    const oldKey = await triggerKey(fauna);
    const newKey = await triggerKey(fauna);
    holdSecret(ssm, PARAMETER, oldKey.secret);
    const user = newUser();
    const handler = start();
    await handler.invoke(signInEvent(user.sub, user.email));
    holdSecret(ssm, PARAMETER, newKey.secret);
    await queryAs(fauna, fauna.rootSecret, fql`Key.byId(${oldKey.id})!.delete()`);

    // Act
    const afterRotation = idTokenClaims(await handler.invoke(signInEvent(user.sub, user.email)));
    const warmAgain = idTokenClaims(await handler.invoke(signInEvent(user.sub, user.email)));

    // Assert
    expect(afterRotation.fauna_token_secret).toEqual(expect.stringMatching(/^fn/));
    expect(warmAgain.userId).toBe(afterRotation.userId);
    expect(ssmCalls(ssm)).toBe(2);
  });

  it('fails closed after one refetch when the key was deleted and SSM still holds it', async () => {
    // Arrange
    const doomedKey = await triggerKey(fauna);
    holdSecret(ssm, PARAMETER, doomedKey.secret);
    const user = newUser();
    const handler = start();
    await queryAs(fauna, fauna.rootSecret, fql`Key.byId(${doomedKey.id})!.delete()`);

    // Act
    const result = handler.invoke(signInEvent(user.sub, user.email));

    // Assert
    await expect(result).rejects.toMatchObject({ message: 'Sign-in is temporarily unavailable (identity service). Please try again' });
    expect(ssmCalls(ssm)).toBe(2);
    expect(handler.logs.records('Sign-in failed')[0]?.error).toMatchObject({ name: 'FaunaUnauthorizedError' });
  });

  it('keeps a user on their own identity when their new verified email belongs to another identity, moving no email', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const first = newUser();
    const second = newUser();
    const handler = start();
    await handler.invoke(signInEvent(first.sub, first.email));
    await handler.invoke(signInEvent(second.sub, second.email));

    const firstId = idTokenClaims(await handler.invoke(signInEvent(first.sub, first.email))).userId;

    // Act
    const claims = idTokenClaims(await handler.invoke(signInEvent(first.sub, second.email)));

    // Assert
    expect(claims.userId).toBe(firstId);
    expect(handler.logs.records('Verified email not stored: another identity holds it; the user keeps their own identity')[0]).toMatchObject({ outcome: 'email_held' });
    expect(await customersWithEmail(fauna, first.email)).toBe(1);
    expect(await customersWithEmail(fauna, second.email)).toBe(1);
  });

  it('fails closed with a short message when the key cannot be read from SSM', async () => {
    // Arrange
    ssm.rejects(new Error('AccessDeniedException'));
    const user = newUser();
    const handler = start();

    // Act
    const result = handler.invoke(signInEvent(user.sub, user.email));

    // Assert
    await expect(result).rejects.toMatchObject({ message: 'Sign-in is temporarily unavailable (key store). Please try again' });
  });
});

describe('the handler when Fauna is down (SSM stubbed with aws-sdk-client-mock)', () => {
  let downUrl: string;

  beforeAll(async () => {
    const stopped = await startFauna();
    downUrl = stopped.url;
    await stopped.stop();
  });

  it('fails closed by default, well within Cognito\'s 5 s', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    service = startService({ ...deployedEnv(), FAUNA_ENDPOINT: downUrl }, { logLevel: 'DEBUG' });
    const started = performance.now();

    // Act
    const result = service.invoke(signInEvent(user.sub, user.email));

    // Assert
    await expect(result).rejects.toMatchObject({ name: 'SignInRejectedError', message: 'Sign-in is temporarily unavailable (identity service). Please try again' });
    expect(performance.now() - started).toBeLessThan(2500);
    expect(service.logs.records('Sign-in failed')[0]?.error).toMatchObject({ name: 'FaunaUnavailableError', cause: 'NetworkError' });
  });

  it('fails open when configured: the event comes back without the claim, well within 5 s', async () => {
    // Arrange
    holdSecret(ssm, PARAMETER, key.secret);
    const user = newUser();
    const event = signInEvent(user.sub, user.email);
    service = startService({ ...deployedEnv(), FAUNA_ENDPOINT: downUrl, FAIL_POLICY: 'open' }, { logLevel: 'DEBUG' });
    const started = performance.now();

    // Act
    const response = await service.invoke(event);

    // Assert
    expect(performance.now() - started).toBeLessThan(2500);
    expect(response).toEqual({ ...event, response: { claimsOverrideDetails: { claimsToSuppress: ['email'] } } });
    expect(service.logs.records('Sign-in failed')[0]).toMatchObject({ outcome: 'continueWithoutClaims', failPolicy: 'open' });
  });
});
