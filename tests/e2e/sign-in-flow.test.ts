/**
 * The guide's whole flow, end to end, with real processes: cognito-local issues the tokens and calls the
 * Pre Token Generation function served by serverless offline, which talks to the local Fauna endpoint; the test
 * signs in with amazon-cognito-identity-js and queries Fauna with the claim, through the repository's examples.
 * Nothing is stubbed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthenticationError } from 'fauna';
import { MAX_TOKEN_TTL_SECONDS } from '../../lib/config.ts';
import { faunaClientForUser, readIdentity, readProducts, tryCreateProduct } from '../../examples/query-as-user.ts';
import type { Identity } from '../../examples/query-as-user.ts';
import { faunaSecretOf, FAUNA_SECRET_CLAIM, idTokenClaims, USER_ID_CLAIM } from '../../examples/signin.ts';
import type { SignInConfig } from '../../examples/signin.ts';
import { cognitoAdminClient, createConfirmedUser, createPoolWithClient } from '../../local/stack/cognito-admin.ts';
import type { CreatedUser } from '../../local/stack/cognito-admin.ts';
import { startLocalStack, TokenVerificationError } from '../../local/stack/index.ts';
import type { LocalStack } from '../../local/stack/index.ts';
import { verifyJwtSignature } from '../../local/stack/jwt.ts';
import { SAMPLE_PRODUCT_NAMES, seedProducts } from '../../local/stack/sample-data.ts';
import { captureText, recordSecret } from '../helpers/log-capture.ts';
import { SignInClient } from './support/sign-in-client.ts';
import type { RemoteSignedIn } from './support/sign-in-client.ts';

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
  // examples/signin.ts's signIn and refreshSession, run in a worker thread (see support/sign-in-worker.ts for why).
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
    const admin = cognitoAdminClient(stack.cognitoUrl);
    try {
      const pool = stack.userPool;
      user = await createConfirmedUser(admin, pool.userPoolId, { email: EMAIL, password: PASSWORD });
      signInConfig = { ...pool, endpoint: `${stack.cognitoUrl}/`, authenticationFlow: 'USER_PASSWORD_AUTH' };
    } finally {
      admin.destroy();
    }
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

  it('signs the ID token with a key that cognito-local publishes at its JWKS address, and rejects a tampered token', async () => {
    // Arrange
    const token = first.session.getIdToken().getJwtToken();
    const jwksUrl = `${running().cognitoUrl}/${signInConfig.userPoolId}/.well-known/jwks.json`;
    const [header, , signature] = token.split('.');
    const tamperedPayload = Buffer.from(JSON.stringify({ ...idTokenClaims(first.session), [USER_ID_CLAIM]: 'someone-else' })).toString('base64url');
    const tampered = `${header}.${tamperedPayload}.${signature}`;

    // Act
    const verified = await verifyJwtSignature(token, jwksUrl);
    const rejection = verifyJwtSignature(tampered, jwksUrl);

    // Assert
    expect(verified[FAUNA_SECRET_CLAIM]).toBe(idTokenClaims(first.session)[FAUNA_SECRET_CLAIM]);
    await expect(rejection).rejects.toThrow(TokenVerificationError);
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
    const admin = cognitoAdminClient(running().cognitoUrl);
    let otherConfig: typeof signInConfig;
    try {
      const otherPool = await createPoolWithClient(admin, 'cognito-fauna-elsewhere');
      await createConfirmedUser(admin, otherPool.userPoolId, { email: EMAIL, password: PASSWORD });
      otherConfig = { ...otherPool, endpoint: `${running().cognitoUrl}/`, authenticationFlow: 'USER_PASSWORD_AUTH' };
    } finally {
      admin.destroy();
    }

    // Act
    const attempt = client.signIn(otherConfig, { username: EMAIL, password: PASSWORD });

    // Assert
    await expect(attempt).rejects.toThrow(/PreTokenGeneration|not understood/);
  });
});
