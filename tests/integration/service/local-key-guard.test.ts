/**
 * The local stage refuses a FAUNA_SECRET with more than the trigger's role (handlers/sign-in/middleware/local-key-guard.ts),
 * against the real local Fauna: the root (admin) secret and a server key are refused before any sign-in runs, the
 * pretokenTrigger key passes; one probe query per container, none on a deployed stage.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, fql, type Query } from 'fauna';
import { localKeyGuardMiddleware } from '../../../handlers/sign-in/middleware/local-key-guard.ts';
import { ConfigError } from '../../../lib/common/errors.ts';
import { recordSecret } from '../../helpers/log-capture.ts';
import { customersWithEmail, type LocalFauna, queryAs, startFauna, triggerKey } from '../../helpers/local-fauna.ts';
import { holdSecret, idTokenClaims, SERVED_POOL_ID, signInEvent, startService, stubSsm } from '../../helpers/service.ts';

const ssm = stubSsm();

let fauna: LocalFauna;
let trigger: { secret: string };
let serverSecret: string;

beforeAll(async () => {
  fauna = await startFauna();
  trigger = await triggerKey(fauna);
  serverSecret = await queryAs<string>(fauna, fauna.rootSecret, fql`Key.create({ role: "server" }).secret`);
  recordSecret(serverSecret, 'server key');
});

afterAll(async () => {
  ssm.restore();
  await fauna.stop();
});

const localService = (secret: string) => startService({ STAGE: 'local', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET: secret, USER_POOL_IDS: SERVED_POOL_ID });

/** The guard with a query counter in front of a real driver client. */
function countingGuard(secret: string) {
  const queries: Query[] = [];
  const guard = localKeyGuardMiddleware({ query: (query) => (queries.push(query), queryAs(fauna, secret, query)) });
  return { queries, before: () => (guard.before as () => Promise<void>)() };
}

describe('the local stage refuses a key with more than the pretokenTrigger role', () => {
  it.each([
    ['the root (admin) secret', () => fauna.rootSecret],
    ['a server key', () => serverSecret],
  ])('refuses %s with a ConfigError naming FAUNA_SECRET and the fix, asking Fauna once per container', async (_, secret) => {
    // Arrange
    const guard = countingGuard(secret());

    // Act
    const first = guard.before();
    const second = first.catch(() => undefined).then(() => guard.before());

    // Assert
    await expect(first).rejects.toThrow(ConfigError);
    await expect(first).rejects.toThrow('FAUNA_SECRET holds a key with a built-in role (admin or server: it may read the schema) on the local stage');
    await expect(second).rejects.toThrow('Key.create({ role: "pretokenTrigger" })');
    expect(guard.queries).toHaveLength(1);
  });

  it('lets the pretokenTrigger key through, asking Fauna once per container', async () => {
    // Arrange
    const guard = countingGuard(trigger.secret);

    // Act
    await guard.before();
    await guard.before();

    // Assert
    expect(guard.queries).toHaveLength(1);
  });

  it('asks again at the next sign-in when Fauna cannot be reached (no verdict), and does not refuse for it', async () => {
    // Arrange
    const guard = countingGuard(trigger.secret);
    const unreachable = localKeyGuardMiddleware({ query: (query) => (guard.queries.push(query), Promise.reject(new Error('connect ECONNREFUSED'))) });

    // Act
    await (unreachable.before as () => Promise<void>)();
    await (unreachable.before as () => Promise<void>)();

    // Assert
    expect(guard.queries).toHaveLength(2);
  });

  it('the handler on the local stage refuses the sign-in with the admin secret and writes nothing; with the trigger key it signs in', async () => {
    // Arrange
    const email = 'local-guard@example.com';
    const withAdmin = localService(fauna.rootSecret);
    const withTrigger = localService(trigger.secret);

    // Act
    const refused = withAdmin.invoke(signInEvent('5d1b7a1e-0000-4000-8000-00000000a001', email)).finally(() => withAdmin.dispose());
    const granted = withTrigger.invoke(signInEvent('5d1b7a1e-0000-4000-8000-00000000a002', 'local-guard-2@example.com')).finally(() => withTrigger.dispose());

    // Assert
    await expect(refused).rejects.toThrow();
    expect(withAdmin.logs.records('Sign-in failed')[0]?.error).toMatchObject({ name: 'ConfigError', message: expect.stringContaining('FAUNA_SECRET holds a key with a built-in role') });
    expect(await customersWithEmail(fauna, email)).toBe(0);
    expect(idTokenClaims(await granted).userId).toEqual(expect.any(String));
  });

  it('a deployed stage never runs the probe: its one Fauna query is the sign-in, even with a server key in SSM (SSM stubbed with aws-sdk-client-mock)', async () => {
    // Arrange
    const parameter = '/cognito-fauna/dev/fauna-secret';
    holdSecret(ssm, parameter, serverSecret);
    const queries: string[] = [];
    const service = startService({ STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: parameter, USER_POOL_IDS: SERVED_POOL_ID }, {
      createFaunaClient: (configuration, httpClient) => {
        const client = new Client(configuration, httpClient);
        const query = client.query.bind(client);
        client.query = ((fqlQuery: Query, options) => (queries.push(JSON.stringify(fqlQuery.encode())), query(fqlQuery, options))) as Client['query'];
        return client;
      },
    });

    // Act
    const response = await service.invoke(signInEvent('5d1b7a1e-0000-4000-8000-00000000a003', 'local-guard-3@example.com')).finally(() => service.dispose());

    // Assert
    expect(idTokenClaims(response).userId).toEqual(expect.any(String));
    expect(queries).toHaveLength(1);
    expect(queries[0]).toContain('signIn');
    expect(queries[0]).not.toContain('Collection');
  });
});
