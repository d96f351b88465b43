/**
 * Builds the real Pre Token Generation handler (Middy chain included) for the evidence suites: SSM stubbed with
 * aws-sdk-client-mock (the only thing stubbed), logs and metrics kept off the terminal but copied to the secrets
 * audit's capture and to memory, so a test can read what the handler logged.
 */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { createPreTokenGenerationHandler } from '../../../handlers/create-handler.ts';
import type { HandlerOverrides, PreTokenGenerationHandler } from '../../../handlers/create-handler.ts';
import type { PreTokenGenerationEvent } from '../../../lib/cognito-event.ts';
import { recordSecret } from '../../helpers/log-capture.ts';
import { LogLines, observabilityWritingTo } from '../../helpers/log-lines.ts';

/**
 * The two debug switches that used to leak (the driver printed the key's `Authorization` header; Powertools printed
 * the event with the email). Every handler the evidence suites build runs with both on, so the secrets audit, which
 * reads every log line of the run, proves that they leak nothing. The marker line tells the audit they were on.
 */
export const DEBUG_SWITCHES = { FAUNA_DEBUG: '1', POWERTOOLS_LOGGER_LOG_EVENT: 'true' } as const;
export const DEBUG_SWITCHES_MARKER = 'evidence: debug switches on (FAUNA_DEBUG=1, POWERTOOLS_LOGGER_LOG_EVENT=true)';
Object.assign(process.env, DEBUG_SWITCHES);
process.stdout.write(`${DEBUG_SWITCHES_MARKER}\n`);

/** The SSM parameter the evidence suites configure; its value is the trigger key. */
export const SECRET_PARAMETER = '/cognito-fauna/evidence/fauna-secret';

/** The user pool the sample events (events/) come from, which the evidence stage serves. */
export const SERVED_POOL_ID = 'us-east-1_Example1';

/** The whole environment of a deployed stage, with the production defaults for everything else. */
export function stageEnvironment(faunaEndpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return { STAGE: 'dev', FAUNA_ENDPOINT: faunaEndpoint, FAUNA_SECRET_PARAMETER: SECRET_PARAMETER, USER_POOL_IDS: SERVED_POOL_ID, ...extra };
}

export { LogLines };

/** A Powertools Logger and Metrics that write to `lines` instead of stdout. */
export function quietObservability(lines: LogLines): { logger: Logger; metrics: Metrics } {
  return observabilityWritingTo(lines);
}

/** The SSM client stub: every GetParameters answers `secret` for {@link SECRET_PARAMETER}. */
export type SsmStub = AwsClientStub<SSMClient>;

/** Stubs SSM (aws-sdk-client-mock) to hold `secret`, and records the secret for the audit. */
export function stubSsmWithSecret(secret: string): SsmStub {
  recordSecret(secret, 'trigger key');
  const stub = mockClient(SSMClient);
  stub.on(GetParametersCommand).resolves({ Parameters: [{ Name: SECRET_PARAMETER, Type: 'SecureString', Value: secret, Version: 1 }], InvalidParameters: [] });
  return stub;
}

/** The number of SSM GetParameters calls the stub received. */
export function ssmCalls(stub: SsmStub): number {
  return stub.commandCalls(GetParametersCommand).length;
}

export interface ServiceUnderTest extends PreTokenGenerationHandler {
  logs: LogLines;
  invoke(event: PreTokenGenerationEvent, requestId?: string): Promise<PreTokenGenerationEvent>;
}

let invocations = 0;

/** The function's timeout (serverless.yml): Lambda's remaining time at the invocation's start. */
export const FUNCTION_TIMEOUT_MS = 5000;

/** A Lambda context as the runtime passes it: the request id, and the remaining time counting down from 5 s. */
export function lambdaContext(requestId = `evidence-${++invocations}`): Context {
  const invokedAt = performance.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'cognito-fauna-dev-preTokenGeneration',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cognito-fauna-dev-preTokenGeneration',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/cognito-fauna-dev-preTokenGeneration',
    logStreamName: 'evidence',
    getRemainingTimeInMillis: () => Math.max(0, Math.round(FUNCTION_TIMEOUT_MS - (performance.now() - invokedAt))),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** SSM client settings for tests: a region and dummy credentials so the SDK never looks for real ones. */
export const TEST_SSM_CLIENT_OPTIONS = { region: 'us-east-1', credentials: { accessKeyId: 'evidence', secretAccessKey: 'evidence' } };

/**
 * Builds the real handler from `env` (cold start) with quiet, captured observability. `ssmClientOptions` defaults to
 * {@link TEST_SSM_CLIENT_OPTIONS} (for aws-sdk-client-mock); pass others to reach a real (fake) SSM endpoint.
 */
export function startService(
  env: Record<string, string>,
  ssmClientOptions: object = TEST_SSM_CLIENT_OPTIONS,
  overrides: Pick<HandlerOverrides, 'wallClock' | 'monotonicClock' | 'createFaunaClient'> = {},
): ServiceUnderTest {
  const logs = new LogLines();
  const built = createPreTokenGenerationHandler(env, { ...quietObservability(logs), ssmClientOptions, ...overrides });
  return {
    ...built,
    logs,
    invoke: (event, requestId) => built.handler(structuredClone(event), lambdaContext(requestId)),
  };
}

const SAMPLE_EVENT = JSON.parse(readFileSync(new URL('../../../events/pretoken.json', import.meta.url), 'utf8')) as PreTokenGenerationEvent;

/**
 * Records a user's email for the secrets audit: personal data, only its redacted form may be logged. (Not done for
 * every event: the fuzzed emails of bad-input.test.ts would make the audit's verbatim search take minutes.)
 */
export function recordEmail(email: string): void {
  recordSecret(email, 'user email (personal data: only its redacted form may be logged)');
  recordSecret(email.toLowerCase(), 'user email, normalised');
}

/** The sample V1 sign-in event (events/pretoken.json) for another user. */
export function signInEvent(sub: string, email: string): PreTokenGenerationEvent {
  const event = structuredClone(SAMPLE_EVENT);
  event.userName = sub;
  event.request.userAttributes = { ...event.request.userAttributes, sub, email };
  return event;
}

/** The Fauna claims the handler put into the ID token (V1 or V2/V3 response), if any (recorded for the audit). */
export function grantedClaims(response: PreTokenGenerationEvent): { secret?: string; userId?: string } {
  const claims =
    response.response.claimsOverrideDetails?.claimsToAddOrOverride ??
    response.response.claimsAndScopeOverrideDetails?.idTokenGeneration?.claimsToAddOrOverride ??
    {};
  const secret = typeof claims.fauna_token_secret === 'string' ? claims.fauna_token_secret : undefined;
  recordSecret(secret, 'minted token secret');
  return { secret, userId: typeof claims.userId === 'string' ? claims.userId : undefined };
}
