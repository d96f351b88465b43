/**
 * The guide's whole flow, end to end, with real processes: cognito-local issues the tokens and calls the
 * Pre Token Generation function served by serverless offline, which talks to the local Fauna endpoint; the test
 * signs in with amazon-cognito-identity-js and queries Fauna with the claim, through the repository's examples.
 * Nothing is stubbed.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthenticationError, Client, fql } from 'fauna';
import { MAX_TOKEN_TTL_SECONDS } from '../../lib/common/config.ts';
import { faunaClientForUser, readIdentity, readProducts, tryCreateProduct } from '../../examples/query-as-user.ts';
import type { Identity } from '../../examples/query-as-user.ts';
import { faunaSecretOf, idTokenClaims, USER_ID_CLAIM } from '../../examples/signin.ts';
import { watchOwnIdentity } from '../../examples/stream-own-identity.ts';
import type { IdentityChange } from '../../examples/stream-own-identity.ts';
import type { SignInConfig } from '../../examples/signin.ts';
import type { CreatedUser } from '../../stack/cognito-admin.ts';
import { startLocalStack } from '../../stack/index.ts';
import type { LocalStack } from '../../stack/index.ts';
import { createBackend } from '../../examples/backend.ts';
import { IdTokenRejectedError, localIdTokenVerifier, trustedFaunaSecret } from '../../examples/verify-id-token.ts';
import { SAMPLE_PRODUCT_NAMES, seedProducts } from '../../stack/sample-data.ts';
import { captureText, recordSecret } from '../helpers/log-capture.ts';
import { SignInClient } from './helpers/sign-in-client.ts';
import type { RemoteSignedIn } from './helpers/sign-in-client.ts';
import { confirmedUserIn, confirmedUserInNewPool } from './helpers/stack-user.ts';

/** Three real processes start (one bundles the handler first); a loaded two-core machine needs the slack. */
const STACK_START_TIMEOUT_MS = 180_000;
const STACK_STOP_TIMEOUT_MS = 30_000;
const EMAIL = 'grace@example.com';
/** `E2E_VERBOSE=1 npm test -- tests/e2e` prints every line the stack's processes write. */
const VERBOSE_ENV = 'E2E_VERBOSE';
const PASSWORD = 'E2e-Passw0rd!';

describe('sign-in through cognito-local, the trigger in serverless offline, and Fauna queried as the user', () => {
  let stack: LocalStack | undefined;
  let signInConfig: SignInConfig;
  let user: CreatedUser;
  let first: RemoteSignedIn;
  // examples/signin.ts's signIn and refreshSession, run in a worker thread (see helpers/sign-in-worker.ts for why).
  const client = new SignInClient();

  function running(): LocalStack {
    if (stack === undefined) throw new Error('The local stack did not start (see beforeAll).');
    return stack;
  }

  async function identityOf(secret: string): Promise<Identity> {
    const client = faunaClientForUser(secret, running().fauna.url);
    try {
      return await readIdentity(client);
    } finally {
      client.close();
    }
  }

  function secretOf(signedInSession: Parameters<typeof faunaSecretOf>[0]): string {
    const secret = faunaSecretOf(signedInSession);
    recordSecret(secret, 'fauna_token_secret from an e2e ID token');
    return secret;
  }

  beforeAll(async () => {
    // Every line the stack's processes print (the Lambda's logs included) goes to the secrets audit.
    stack = await startLocalStack({
      onOutput: (source, line) => {
        captureText(source, `${line}\n`);
        if (process.env[VERBOSE_ENV] === '1') process.stderr.write(`[${source}] ${line}\n`);
      },
    });
    await seedProducts(stack.fauna);
    ({ user, signInConfig } = await confirmedUserIn(stack.cognitoUrl, stack.userPool, { email: EMAIL, password: PASSWORD }));
    first = await client.signIn(signInConfig, { username: EMAIL, password: PASSWORD });
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await client.close();
    await stack?.stop();
  }, STACK_STOP_TIMEOUT_MS);

  it('puts the Fauna token secret and the user id into the ID token and suppresses the email claim', () => {
    // Arrange
    const claims = idTokenClaims(first.session);

    // Act
    const secret = secretOf(first.session);

    // Assert
    expect(secret).toMatch(/^fn[A-Za-z0-9_-]{20,}$/);
    expect(claims[USER_ID_CLAIM]).toEqual(expect.any(String));
    expect(claims.sub).toBe(user.sub);
    expect(claims).not.toHaveProperty('email');
  });

  /** aws-jwt-verify, pointed at cognito-local's issuer and JWKS, for the app client the user signed in with. */
  const verifierFor = (clientId: string) => localIdTokenVerifier({ issuer: `${running().cognitoUrl}/${signInConfig.userPoolId}`, clientId });

  function tamperedIdToken(): string {
    const [header, , signature] = first.session.getIdToken().getJwtToken().split('.');
    const payload = Buffer.from(JSON.stringify({ ...idTokenClaims(first.session), [USER_ID_CLAIM]: 'someone-else' })).toString('base64url');
    return `${header}.${payload}.${signature}`;
  }

  it('verifies the ID token with aws-jwt-verify against cognito-local’s JWKS (issuer, audience, token_use, expiry) before trusting its Fauna secret', async () => {
    // Arrange
    const token = first.session.getIdToken().getJwtToken();

    // Act
    const { secret, payload } = await trustedFaunaSecret(token, verifierFor(signInConfig.clientId));

    // Assert
    expect(secret).toBe(secretOf(first.session));
    expect(payload).toMatchObject({ token_use: 'id', aud: signInConfig.clientId, iss: `${running().cognitoUrl}/${signInConfig.userPoolId}`, sub: user.sub });
  });

  it.each([
    ['a tampered token (payload changed, signature kept)', () => tamperedIdToken(), () => signInConfig.clientId, /signature/i],
    ['a token for another app client (wrong audience)', () => first.session.getIdToken().getJwtToken(), () => 'another-app-client', /audience|aud/i],
    ['an access token (token_use access, not id)', () => first.session.getAccessToken().getJwtToken(), () => signInConfig.clientId, /token_use|audience|aud/i],
  ])('refuses %s and never hands out its Fauna secret', async (_, token, clientId, reason) => {
    // Act
    const attempt = trustedFaunaSecret(token(), verifierFor(clientId()));

    // Assert
    await expect(attempt).rejects.toThrow(IdTokenRejectedError);
    await expect(attempt).rejects.toThrow(reason);
  });

  it('serves the example backend’s /products to a verified ID token and answers 401 to a tampered or wrong-audience one', async () => {
    // Arrange
    const rejected: string[] = [];
    const backendFor = (clientId: string) => createBackend({ verifier: verifierFor(clientId), faunaEndpoint: running().fauna.url, onRejected: (error) => rejected.push(error.message) });
    const call = async (clientId: string, token: string) => {
      const server = backendFor(clientId);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/products`, { headers: { authorization: `Bearer ${token}` } });
        return { status: response.status, body: (await response.json()) as { products?: { name: string }[]; error?: string } };
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    };
    const good = first.session.getIdToken().getJwtToken();

    // Act
    const verified = await call(signInConfig.clientId, good);
    const tampered = await call(signInConfig.clientId, tamperedIdToken());
    const wrongAudience = await call('another-app-client', good);

    // Assert
    expect(verified.status).toBe(200);
    expect(verified.body.products!.map((product) => product.name).sort()).toEqual([...SAMPLE_PRODUCT_NAMES].sort());
    expect(tampered).toEqual({ status: 401, body: { error: 'invalid_token' } });
    expect(wrongAudience).toEqual({ status: 401, body: { error: 'invalid_token' } });
    expect(rejected).toHaveLength(2);
  });

  it('gives a secret that authenticates as the user’s Customer identity document', async () => {
    // Arrange
    const secret = secretOf(first.session);

    // Act
    const identity = await identityOf(secret);

    // Assert
    expect(identity).toEqual({ id: idTokenClaims(first.session)[USER_ID_CLAIM], collection: 'Customer', email: EMAIL });
  });

  it('lets the user read Product and refuses the user a Product write (role customer)', async () => {
    // Arrange
    const client = faunaClientForUser(secretOf(first.session), running().fauna.url);

    try {
      // Act
      const products = await readProducts(client);
      const write = await tryCreateProduct(client, 'Written by a customer');

      // Assert
      expect(products.map((product) => product.name).sort()).toEqual([...SAMPLE_PRODUCT_NAMES].sort());
      expect(write).toEqual({ allowed: false, code: 'permission_denied', message: expect.any(String) });
    } finally {
      client.close();
    }
  });

  it("streams the user's own Customer with the ID token's secret and never another identity's change (examples/stream-own-identity.ts)", async () => {
    // Arrange
    const userId = idTokenClaims(first.session)[USER_ID_CLAIM] as string;
    const client = faunaClientForUser(secretOf(first.session), running().fauna.url);
    const admin = new Client({ endpoint: new URL(running().fauna.url), secret: running().fauna.rootSecret });
    const changes: IdentityChange[] = [];
    const watch = watchOwnIdentity(client, (change) => changes.push(change));

    try {
      await watch.ready;
      // Act: another identity appears and changes before and after this user's own document changes.
      const other = await admin.query<string>(fql`Customer.create({ sub: "e2e-stream-other", email: "stream-other@example.com" }).id`);
      await admin.query(fql`Customer.byId(${userId})!.update({ groups: ["streamed"] })`);
      await admin.query(fql`Customer.byId(${other.data})!.update({ groups: ["other"] })`);
      const deadline = Date.now() + 5_000;
      while (changes.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 300));

      // Assert
      expect(changes.map((change) => [change.type, change.id, change.groups])).toEqual([['update', userId, ['streamed']]]);
    } finally {
      watch.stop();
      await watch.done;
      client.close();
      admin.close();
    }
  });

  it('maps a second sign-in of the same user to the same identity, with a new secret', async () => {
    // Arrange
    const firstSecret = secretOf(first.session);

    // Act
    const second = await client.signIn(signInConfig, { username: EMAIL, password: PASSWORD });
    const secondSecret = secretOf(second.session);

    // Assert
    expect(idTokenClaims(second.session)[USER_ID_CLAIM]).toBe(idTokenClaims(first.session)[USER_ID_CLAIM]);
    expect(secondSecret).not.toBe(firstSecret);
    expect((await identityOf(secondSecret)).id).toBe(idTokenClaims(first.session)[USER_ID_CLAIM]);
  });

  it('mints a new, different, working secret when the session is refreshed (TokenGeneration_RefreshTokens)', async () => {
    // Arrange
    const oldSecret = secretOf(first.session);

    const invocationsBefore = running().triggerInvocations().length;

    // Act
    const refreshed = (await client.refresh(first)).session;
    const newSecret = secretOf(refreshed);

    // Assert
    expect(running().triggerInvocations().slice(invocationsBefore)).toEqual([
      expect.objectContaining({ triggerSource: 'TokenGeneration_RefreshTokens', status: 200, functionError: undefined }),
    ]);
    expect(newSecret).not.toBe(oldSecret);
    expect(idTokenClaims(refreshed)).not.toHaveProperty('email');
    expect((await identityOf(newSecret)).id).toBe(idTokenClaims(first.session)[USER_ID_CLAIM]);
  });

  // Runs last: it moves the local Fauna's clock past every token's TTL.
  it('answers the old secret with 401 (AuthenticationError) once the token TTL has passed on the Fauna clock', async () => {
    // Arrange
    const oldSecret = secretOf(first.session);
    const before = await identityOf(oldSecret);

    // Act: past the longest TTL the service's configuration accepts
    running().fauna.clock.advance((MAX_TOKEN_TTL_SECONDS + 60) * 1000);
    const after = identityOf(oldSecret);

    // Assert
    expect(before.id).toBe(idTokenClaims(first.session)[USER_ID_CLAIM]);
    await expect(after).rejects.toThrow(AuthenticationError);
    await expect(after).rejects.toMatchObject({ httpStatus: 401 });
  });

  it('refuses the sign-in of a user of another pool in the same cognito-local: the function serves only the stack\'s pool', async () => {
    // Arrange
    const { signInConfig: otherConfig } = await confirmedUserInNewPool(running().cognitoUrl, 'cognito-fauna-elsewhere', { email: EMAIL, password: PASSWORD });

    // Act
    const attempt = client.signIn(otherConfig, { username: EMAIL, password: PASSWORD });

    // Assert
    await expect(attempt).rejects.toThrow(/PreTokenGeneration|not understood/);
  });
});
