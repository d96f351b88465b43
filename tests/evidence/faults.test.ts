/**
 * Fault matrix: every way Fauna, SSM or the configuration can fail, through the real handler (Middy chain). Fauna's
 * faults come from a fault injector (a tiny HTTP/2 server that speaks just enough of Fauna's protocol to return each
 * one) or from the real local Fauna; SSM is stubbed with aws-sdk-client-mock. For each fault and each fail policy:
 * the documented outcome, an answer within 4.5 s (Cognito allows 5 s), and a message naming the cause.
 * One matrix, one file (about 410 lines): the rows share the local Fauna, the injectors and the assertions.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { createPreTokenGenerationHandler } from '../../handlers/sign-in/create-sign-in-handler.ts';
import { ConfigError } from '../../lib/common/errors.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSM_CLIENT_OPTIONS } from '../../handlers/common/middleware/secret-store.ts';
import { type Fault, refusingEndpoint, startFaultInjector, startSilentHttpServer } from '../support/fault-injector.ts';
import { startEvidenceFauna, type EvidenceFauna } from '../helpers/local-fauna.ts';
import { observabilityWritingTo } from '../helpers/log-lines.ts';
import {
  grantedClaims,
  LogLines,
  recordEmail,
  SECRET_PARAMETER,
  signInEvent,
  ssmCalls,
  stageEnvironment,
  startService,
  stubSsmWithSecret,
  TEST_SSM_CLIENT_OPTIONS,
  type SsmStub,
} from './helpers/service.ts';
import { ANSWER_BUDGET_MS } from './helpers/answer-budget.ts';

/** A well-formed but unknown key: what SSM holds after someone pasted a wrong or deleted key. */
const WRONG_KEY = `fnWRONGKEY${'x'.repeat(30)}`;

type Policy = 'closed' | 'open';
const POLICIES: Policy[] = ['closed', 'open'];

/** What the handler must log about the failure: our error class and, where Fauna gave one, its code. */
interface ExpectedCause {
  errorName: string;
  code?: string;
  /** The operator message names the cause. */
  message: RegExp;
  /** The user-facing source Cognito shows (fail closed). */
  source: 'identity service' | 'key store';
}

interface FaunaFaultRow {
  name: string;
  endpoint: 'injector' | 'refused' | 'local';
  fault?: Fault;
  ssmSecret?: string;
  expected: ExpectedCause;
  /** Key refetches: a 401 makes the handler read SSM once more. */
  ssmCallsAfter: number;
}

const unavailable = (code?: string): ExpectedCause => ({
  errorName: 'FaunaUnavailableError',
  code,
  message: /Fauna is unreachable or did not answer in time|not Fauna's protocol/,
  source: 'identity service',
});

const FAUNA_FAULTS: FaunaFaultRow[] = [
  {
    name: 'Fauna answers 401 unauthorized (the key is refetched once, then refused)',
    endpoint: 'injector',
    fault: { kind: 'status', status: 401, code: 'unauthorized', message: 'Access token required' },
    expected: { errorName: 'FaunaUnauthorizedError', message: /rejected the key/, source: 'identity service' },
    ssmCallsAfter: 2,
  },
  {
    name: 'the real local Fauna refuses a wrong key with 401',
    endpoint: 'local',
    ssmSecret: WRONG_KEY,
    expected: { errorName: 'FaunaUnauthorizedError', message: /rejected the key/, source: 'identity service' },
    ssmCallsAfter: 2,
  },
  {
    name: 'Fauna answers 403 forbidden',
    endpoint: 'injector',
    fault: { kind: 'status', status: 403, code: 'forbidden', message: 'Access denied' },
    expected: { errorName: 'FaunaQueryError', code: 'forbidden', message: /forbidden/, source: 'identity service' },
    ssmCallsAfter: 1,
  },
  {
    name: 'Fauna answers 429 limit_exceeded',
    endpoint: 'injector',
    fault: { kind: 'status', status: 429, code: 'limit_exceeded', message: 'Rate limit exceeded' },
    expected: unavailable('limit_exceeded'),
    ssmCallsAfter: 1,
  },
  {
    name: 'Fauna answers 500 internal_error',
    endpoint: 'injector',
    fault: { kind: 'status', status: 500, code: 'internal_error', message: 'Please create a ticket at https://support.fauna.com' },
    expected: unavailable('internal_error'),
    ssmCallsAfter: 1,
  },
  {
    name: 'Fauna answers 503 time_out',
    endpoint: 'injector',
    fault: { kind: 'status', status: 503, code: 'time_out', message: 'Read timed out' },
    expected: unavailable('time_out'),
    ssmCallsAfter: 1,
  },
  {
    name: 'Fauna accepts the request and never answers (hangs past the budget)',
    endpoint: 'injector',
    fault: { kind: 'hang' },
    expected: unavailable(),
    ssmCallsAfter: 1,
  },
  {
    name: 'Fauna (or a proxy) sends the headers at once, then trickles the body a byte every 50 ms (cut at the client timeout, not by the backstop)',
    endpoint: 'injector',
    fault: { kind: 'trickle', byteEveryMs: 50 },
    expected: unavailable(),
    ssmCallsAfter: 1,
  },
  {
    name: 'a proxy holds the headers 2.6 s, past the client timeout (query timeout + buffer = 2 s)',
    endpoint: 'injector',
    fault: { kind: 'slowHeaders', delayMs: 2600 },
    expected: unavailable(),
    ssmCallsAfter: 1,
  },
  {
    name: 'nothing listens at the Fauna endpoint (connection refused)',
    endpoint: 'refused',
    expected: unavailable(),
    ssmCallsAfter: 1,
  },
  {
    name: 'Fauna answers 200 with a body that is not Fauna JSON',
    endpoint: 'injector',
    fault: { kind: 'malformed', status: 200, body: '<html><body>Welcome to nginx!</body></html>' },
    expected: unavailable(),
    ssmCallsAfter: 1,
  },
  {
    name: 'a proxy in front of Fauna answers 502 with an HTML page',
    endpoint: 'injector',
    fault: { kind: 'malformed', status: 502, body: '<html><body>502 Bad Gateway</body></html>' },
    expected: unavailable(),
    ssmCallsAfter: 1,
  },
  {
    name: 'Fauna answers 200 with JSON that is neither a result nor an error',
    endpoint: 'injector',
    fault: { kind: 'malformed', status: 200, body: '{"hello":"world"}' },
    expected: unavailable(),
    ssmCallsAfter: 1,
  },
];

interface SsmFaultRow {
  name: string;
  stub: (ssm: SsmStub) => void;
}

const ssmError = (name: string, message: string): Error => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

const SSM_FAULTS: SsmFaultRow[] = [
  {
    name: 'the SSM parameter does not exist (ParameterNotFound)',
    stub: (ssm) => ssm.on(GetParametersCommand).resolves({ Parameters: [], InvalidParameters: [SECRET_PARAMETER] }),
  },
  {
    name: 'the function may not read the SSM parameter (AccessDeniedException)',
    stub: (ssm) => ssm.on(GetParametersCommand).rejects(ssmError('AccessDeniedException', 'User is not authorized to perform: ssm:GetParameters')),
  },
  {
    name: 'SSM throttles the request (ThrottlingException)',
    stub: (ssm) => ssm.on(GetParametersCommand).rejects(ssmError('ThrottlingException', 'Rate exceeded')),
  },
];

interface ConfigFaultRow {
  name: string;
  env: (endpoint: string) => Record<string, string>;
  setting: string;
}

const CONFIG_FAULTS: ConfigFaultRow[] = [
  { name: 'FAUNA_ENDPOINT is missing', env: () => ({ STAGE: 'dev', FAUNA_SECRET_PARAMETER: SECRET_PARAMETER }), setting: 'FAUNA_ENDPOINT' },
  { name: 'FAUNA_ENDPOINT is not a URL', env: () => stageEnvironment('fauna.internal:8443 please'), setting: 'FAUNA_ENDPOINT' },
  { name: 'FAUNA_SECRET_PARAMETER is missing', env: (url) => ({ STAGE: 'dev', FAUNA_ENDPOINT: url }), setting: 'FAUNA_SECRET_PARAMETER' },
  { name: 'FAUNA_QUERY_TIMEOUT_MS is not a number', env: (url) => stageEnvironment(url, { FAUNA_QUERY_TIMEOUT_MS: '2s' }), setting: 'FAUNA_QUERY_TIMEOUT_MS' },
  { name: 'FAUNA_QUERY_TIMEOUT_MS would not fit in the budget', env: (url) => stageEnvironment(url, { FAUNA_QUERY_TIMEOUT_MS: '6000' }), setting: 'FAUNA_QUERY_TIMEOUT_MS' },
  { name: 'FAIL_POLICY is neither closed nor open', env: (url) => stageEnvironment(url, { FAIL_POLICY: 'sometimes' }), setting: 'FAIL_POLICY' },
  { name: 'STAGE is missing', env: (url) => ({ FAUNA_ENDPOINT: url, FAUNA_SECRET_PARAMETER: SECRET_PARAMETER }), setting: 'STAGE' },
];

/** How long to wait for an answer before calling it a hang (then the budget assertion fails, not jest's timeout). */
const GIVE_UP_MS = 10_000;

/** Runs `act` and returns its outcome and how long it took to settle (Infinity if it had not after GIVE_UP_MS). */
async function timed<T>(act: () => Promise<T>): Promise<{ elapsedMs: number; result?: T; error?: unknown }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<{ elapsedMs: number; error: unknown }>((resolve) => {
    timer = setTimeout(() => resolve({ elapsedMs: Infinity, error: new Error(`no answer within ${GIVE_UP_MS} ms`) }), GIVE_UP_MS);
  });
  const settled = act().then(
    (result) => ({ elapsedMs: performance.now() - started, result }),
    (error: unknown) => ({ elapsedMs: performance.now() - started, error }),
  );
  try {
    return await Promise.race([settled, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

recordEmail('Fault.Matrix@Example.com');
const EVENT = signInEvent('0a1b2c3d-0000-4000-8000-00000000fa17', 'Fault.Matrix@Example.com');

/**
 * Teardown registered as soon as each thing is started, so a test that fails (or throws while arranging) still stops
 * every server and service it started; otherwise a listening server keeps jest from exiting. Every step runs even if
 * an earlier one throws; the first error is reported.
 */
let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  const steps = cleanups.reverse();
  cleanups = [];
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
});

describe('fault matrix (SSM stubbed with aws-sdk-client-mock; Fauna faults from a fault injector or the local Fauna)', () => {
  let fauna: EvidenceFauna;

  beforeAll(async () => {
    fauna = await startEvidenceFauna();
  });

  afterAll(async () => {
    await fauna?.stop();
  });

  describe.each(POLICIES)('with FAIL_POLICY=%s', (policy) => {
    it.each(FAUNA_FAULTS)('$name: documented outcome within 4.5 s, cause named', async (row) => {
      // Arrange
      let url: string;
      let faunaRequests = (): number => 1;
      if (row.endpoint === 'injector') {
        const injector = await startFaultInjector(row.fault!);
        cleanups.push(() => injector.stop());
        url = injector.url;
        faunaRequests = injector.requests;
      } else if (row.endpoint === 'refused') {
        url = await refusingEndpoint();
      } else {
        url = fauna.url;
      }
      const ssm = stubSsmWithSecret(row.ssmSecret ?? fauna.triggerKey);
      cleanups.push(() => ssm.restore());
      const service = startService(stageEnvironment(url, { FAIL_POLICY: policy }));
      cleanups.push(() => service.dispose());

      // Act
      const { elapsedMs, result, error } = await timed(() => service.invoke(EVENT));

      // Assert
      expect(elapsedMs).toBeLessThan(ANSWER_BUDGET_MS);
      if (policy === 'closed') {
        expect(result).toBeUndefined();
        expect(error).toMatchObject({ name: 'SignInRejectedError', message: `Sign-in is temporarily unavailable (${row.expected.source}). Please try again` });
      } else {
        expect(error).toBeUndefined();
        expect(result).toMatchObject({ userPoolId: EVENT.userPoolId, request: EVENT.request });
        expect(grantedClaims(result!)).toEqual({ secret: undefined, userId: undefined });
      }
      const [logged] = service.logs.records('Sign-in failed');
      expect(logged).toMatchObject({
        failPolicy: policy,
        outcome: policy === 'closed' ? 'reject' : 'continueWithoutClaims',
        error: { name: row.expected.errorName, message: expect.stringMatching(row.expected.message), ...(row.expected.code ? { code: row.expected.code } : {}) },
      });
      expect(ssmCalls(ssm)).toBe(row.ssmCallsAfter);
      if (row.endpoint === 'injector') expect(faunaRequests()).toBe(row.ssmCallsAfter);
    });

    it.each(SSM_FAULTS)('$name: documented outcome within 4.5 s, Fauna never called, cause named', async (row) => {
      // Arrange
      const injector = await startFaultInjector({ kind: 'status', status: 500, code: 'internal_error', message: 'must not be reached' });
      cleanups.push(() => injector.stop());
      const ssm = mockClient(SSMClient);
      cleanups.push(() => ssm.restore());
      row.stub(ssm);
      const service = startService(stageEnvironment(injector.url, { FAIL_POLICY: policy }));
      cleanups.push(() => service.dispose());

      // Act
      const { elapsedMs, result, error } = await timed(() => service.invoke(EVENT));

      // Assert
      expect(elapsedMs).toBeLessThan(ANSWER_BUDGET_MS);
      if (policy === 'closed') {
        expect(error).toMatchObject({ name: 'SignInRejectedError', message: 'Sign-in is temporarily unavailable (key store). Please try again' });
      } else {
        expect(error).toBeUndefined();
        expect(grantedClaims(result!)).toEqual({ secret: undefined, userId: undefined });
      }
      const [logged] = service.logs.records('Sign-in failed');
      expect(logged).toMatchObject({ error: { name: 'SecretUnavailableError', message: expect.stringContaining(SECRET_PARAMETER), source: 'key store' } });
      expect(injector.requests()).toBe(0);
    });
  });

  describe.each(POLICIES)('SSM hanging (the real SDK client with the production timeouts, against a silent endpoint), FAIL_POLICY=%s', (policy) => {
    /** The production SSM client settings, pointed at a test endpoint with dummy credentials. */
    const ssmOptions = (endpoint: string) => ({ ...SSM_CLIENT_OPTIONS, ...TEST_SSM_CLIENT_OPTIONS, endpoint });

    it('SSM never answers at cold start: documented outcome within 4.5 s of the cold start, cause named', async () => {
      // Arrange
      const silent = await startSilentHttpServer();
      cleanups.push(() => silent.stop());
      const started = performance.now();
      const service = startService(stageEnvironment(fauna.url, { FAIL_POLICY: policy }), { ssmClientOptions: ssmOptions(silent.url) });
      cleanups.push(() => service.dispose());

      // Act: the cold start (init, where the SSM fetch begins) and the invocation count against one budget
      const { result, error } = await timed(() => service.invoke(EVENT));
      const elapsedMs = performance.now() - started;

      // Assert
      expect(elapsedMs).toBeLessThan(ANSWER_BUDGET_MS);
      if (policy === 'closed') expect(error).toMatchObject({ message: 'Sign-in is temporarily unavailable (key store). Please try again' });
      else expect(grantedClaims(result!)).toEqual({ secret: undefined, userId: undefined });
      expect(service.logs.records('Sign-in failed')).toEqual([
        expect.objectContaining({ error: expect.objectContaining({ name: 'SecretUnavailableError', source: 'key store' }) }),
      ]);
      expect(silent.requests()).toBeGreaterThan(0);
    });

    it('Fauna rejects the cached key and SSM hangs on the refetch: documented outcome within 4.5 s of the cold start', async () => {
      // Arrange: SSM answers the cold-start fetch with a key Fauna refuses, then hangs on the refetch the 401 causes
      let requests = 0;
      const ssm = createServer((request, response) => {
        requests++;
        if (requests > 1) return; // hang
        request.resume();
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ Parameters: [{ Name: SECRET_PARAMETER, Type: 'SecureString', Value: WRONG_KEY, Version: 1 }], InvalidParameters: [] }));
      });
      await new Promise<void>((resolve) => ssm.listen(0, '127.0.0.1', resolve));
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            ssm.close(() => resolve());
            ssm.closeAllConnections();
          }),
      );
      const ssmUrl = `http://127.0.0.1:${(ssm.address() as AddressInfo).port}`;
      const started = performance.now();
      const service = startService(stageEnvironment(fauna.url, { FAIL_POLICY: policy }), { ssmClientOptions: ssmOptions(ssmUrl) });
      cleanups.push(() => service.dispose());

      // Act
      const { result, error } = await timed(() => service.invoke(EVENT));
      const elapsedMs = performance.now() - started;

      // Assert
      expect(elapsedMs).toBeLessThan(ANSWER_BUDGET_MS);
      if (policy === 'closed') expect(error).toMatchObject({ name: 'SignInRejectedError' });
      else expect(grantedClaims(result!)).toEqual({ secret: undefined, userId: undefined });
      expect(service.logs.records('Sign-in failed')).toEqual([
        expect.objectContaining({ error: expect.objectContaining({ name: 'SecretUnavailableError', source: 'key store' }) }),
      ]);
      expect(requests).toBeGreaterThan(1);
    });
  });

  it('a bug (a TypeError inside the sign-in) is logged as UnexpectedError, not as a Fauna failure, and the fail policy answers', async () => {
    // Arrange: a Fauna client whose query throws what a bug in lib/ would
    const ssm = stubSsmWithSecret(fauna.triggerKey);
    cleanups.push(() => ssm.restore());
    const broken = { query: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'data')")), close: () => undefined };
    const service = startService(stageEnvironment(fauna.url, { FAIL_POLICY: 'closed' }), { createFaunaClient: () => broken as never });
    cleanups.push(() => service.dispose());

    // Act
    const { error } = await timed(() => service.invoke(EVENT));

    // Assert
    expect(error).toMatchObject({ name: 'SignInRejectedError' });
    expect(service.logs.records('Sign-in failed')).toEqual([
      expect.objectContaining({ error: expect.objectContaining({ name: 'UnexpectedError', cause: 'TypeError', message: expect.stringMatching(/a bug, not an outage/) }) }),
    ]);
  });

  it.each(CONFIG_FAULTS)('$name: the function refuses to start, naming the setting, within 4.5 s', async (row) => {
    // Arrange
    const logs = new LogLines();
    const env = { ...row.env(fauna.url), FAIL_POLICY: row.setting === 'FAIL_POLICY' ? 'sometimes' : 'open' };

    // Act
    const { elapsedMs, error } = await timed(async () =>
      createPreTokenGenerationHandler(env, { ...observabilityWritingTo(logs), ssmClientOptions: TEST_SSM_CLIENT_OPTIONS }),
    );

    // Assert: even FAIL_POLICY=open cannot let sign-ins through a function that has no valid configuration
    expect(elapsedMs).toBeLessThan(ANSWER_BUDGET_MS);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe(row.setting);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${row.setting} .*(Set it|leave it unset|Remove it)`));
    expect(logs.records('Invalid configuration: the function cannot start')).toEqual([
      expect.objectContaining({ error: expect.objectContaining({ name: 'ConfigError', message: (error as Error).message }) }),
    ]);
  });
});
