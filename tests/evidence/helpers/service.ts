/**
 * The evidence suites' stage on top of the shared handler harness (tests/helpers/service.ts): one SSM parameter for
 * the trigger key, the served pool, and both debug switches on.
 *
 * The debug switches: two used to leak (the driver printed the key's `Authorization` header; Powertools, the service's
 * former logger, printed the event with the email), and LOG_LEVEL=DEBUG is the most the service's own logger writes.
 * Every handler the evidence suites build runs with all three on, so the secrets audit, which reads every log line of
 * the run, proves that they leak nothing. The marker line tells the audit they were on. Importing this module turns
 * them on for the whole test file.
 */
import { holdSecret, SERVED_POOL_ID, stubSsm, type SsmStub } from '../../helpers/service.ts';

export * from '../../helpers/service.ts';

export const DEBUG_SWITCHES = { FAUNA_DEBUG: '1', POWERTOOLS_LOGGER_LOG_EVENT: 'true', LOG_LEVEL: 'DEBUG' } as const;
export const DEBUG_SWITCHES_MARKER = 'evidence: debug switches on (FAUNA_DEBUG=1, POWERTOOLS_LOGGER_LOG_EVENT=true, LOG_LEVEL=DEBUG)';
Object.assign(process.env, DEBUG_SWITCHES);
process.stdout.write(`${DEBUG_SWITCHES_MARKER}\n`);

/** The SSM parameter the evidence suites configure; its value is the trigger key. */
export const SECRET_PARAMETER = '/cognito-fauna/evidence/fauna-secret';

/** The whole environment of a deployed stage, with the production defaults for everything else. */
export function stageEnvironment(faunaEndpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return { STAGE: 'dev', FAUNA_ENDPOINT: faunaEndpoint, FAUNA_SECRET_PARAMETER: SECRET_PARAMETER, USER_POOL_IDS: SERVED_POOL_ID, ...extra };
}

/** Stubs SSM (aws-sdk-client-mock) to hold `secret` in {@link SECRET_PARAMETER} (recorded for the audit). */
export function stubSsmWithSecret(secret: string): SsmStub {
  const stub = stubSsm();
  holdSecret(stub, SECRET_PARAMETER, secret);
  return stub;
}
