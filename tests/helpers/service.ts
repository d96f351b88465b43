/**
 * The one handler harness of the integration, evidence and security suites: the real Pre Token Generation handler
 * (Middy chain included) built from an environment as a cold start builds it, SSM stubbed with aws-sdk-client-mock
 * (the only thing stubbed), logs and metrics kept off the terminal but copied to memory (so a test can read what the
 * handler logged) and to the secrets audit's capture. Every secret it hands out is recorded for that audit.
 */
import { readFileSync } from 'node:fs';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { createPreTokenGenerationHandler } from '../../handlers/sign-in/create-sign-in-handler.ts';
import type { HandlerOverrides, PreTokenGenerationHandler } from '../../handlers/sign-in/create-sign-in-handler.ts';
import type { PreTokenGenerationEvent } from '../../lib/sign-in/cognito-event.ts';
import { recordSecret } from './log-capture.ts';
import { LogLines, observabilityWritingTo } from './log-lines.ts';
import type { JsonLogger } from '../../handlers/common/telemetry/json-logger.ts';

export { LogLines };

/** The user pool the sample events (events/) come from; the suites' stages serve it (USER_POOL_IDS). */
export const SERVED_POOL_ID = 'us-east-1_Example1';

/** The function's timeout (serverless.yml): Lambda's remaining time at the invocation's start. */
export const FUNCTION_TIMEOUT_MS = 5000;

/** SSM client settings for tests: a region and dummy credentials so the SDK never looks for real ones. */
export const TEST_SSM_CLIENT_OPTIONS = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

/** The SSM client stub (aws-sdk-client-mock). */
export type SsmStub = AwsClientStub<SSMClient>;

export function stubSsm(): SsmStub {
  return mockClient(SSMClient);
}

/** Makes the stub answer `secret` for `parameterName` to every GetParameters, and records the secret for the audit. */
export function holdSecret(ssm: SsmStub, parameterName: string, secret: string): void {
  recordSecret(secret, 'trigger key');
  ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: parameterName, Type: 'SecureString', Value: secret, Version: 1 }], InvalidParameters: [] });
}

/** The number of SSM GetParameters calls the stub received. */
export function ssmCalls(ssm: SsmStub): number {
  return ssm.commandCalls(GetParametersCommand).length;
}

let invocations = 0;

/** A Lambda context as the runtime passes it: the request id, and the remaining time counting down from 5 s. */
export function lambdaContext(requestId = `test-${++invocations}`): Context {
  const invokedAt = performance.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'cognito-fauna-dev-preTokenGeneration',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cognito-fauna-dev-preTokenGeneration',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/cognito-fauna-dev-preTokenGeneration',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, Math.round(FUNCTION_TIMEOUT_MS - (performance.now() - invokedAt))),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface ServiceUnderTest extends PreTokenGenerationHandler {
  logs: LogLines;
  /** The handler's logger (its level is the environment's unless `logLevel` was given). */
  logger: JsonLogger;
  invoke(event: PreTokenGenerationEvent, requestId?: string): Promise<PreTokenGenerationEvent>;
}

export interface ServiceOptions extends Pick<HandlerOverrides, 'wallClock' | 'monotonicClock' | 'createFaunaClient' | 'initStartedAt'> {
  /** Default {@link TEST_SSM_CLIENT_OPTIONS} (for aws-sdk-client-mock); pass others to reach a real (fake) SSM endpoint. */
  ssmClientOptions?: object;
  /** The log level; default the handler's own (LOG_LEVEL or INFO). */
  logLevel?: 'DEBUG' | 'INFO';
}

/** Builds the real handler from `env` (a cold start), with logs and metrics captured in memory. */
export function startService(env: Record<string, string>, options: ServiceOptions = {}): ServiceUnderTest {
  const { ssmClientOptions = TEST_SSM_CLIENT_OPTIONS, logLevel, ...overrides } = options;
  const logs = new LogLines();
  const observability = observabilityWritingTo(logs, logLevel === undefined ? {} : { logLevel });
  const built = createPreTokenGenerationHandler(env, { ...observability, ssmClientOptions, ...overrides });
  return {
    ...built,
    logs,
    logger: observability.logger,
    invoke: (event, requestId) => built.handler(structuredClone(event), lambdaContext(requestId)),
  };
}

const EVENTS_DIR = new URL('../../events/', import.meta.url);

/** A sample event from events/ (a fresh copy). */
export function sampleEvent(name: string): PreTokenGenerationEvent {
  return JSON.parse(readFileSync(new URL(name, EVENTS_DIR), 'utf8')) as PreTokenGenerationEvent;
}

/** A sample sign-in event (default the V1 events/pretoken.json) for another user. */
export function signInEvent(sub: string, email: string, name = 'pretoken.json'): PreTokenGenerationEvent {
  const event = sampleEvent(name);
  event.userName = sub;
  event.request.userAttributes = { ...event.request.userAttributes, sub, email };
  return event;
}

/**
 * Records a user's email for the secrets audit: personal data, only its redacted form may be logged. (Not done for
 * every event: the fuzzed emails of bad-input.test.ts would make the audit's verbatim search take minutes.)
 */
export function recordEmail(email: string): void {
  recordSecret(email, 'user email (personal data: only its redacted form may be logged)');
  recordSecret(email.toLowerCase(), 'user email, normalised');
}

/** The claims the handler added to the ID token (V1 or V2/V3 response); the token secret is recorded for the audit. */
export function idTokenClaims(response: PreTokenGenerationEvent): Record<string, unknown> {
  const claims =
    response.response.claimsOverrideDetails?.claimsToAddOrOverride ??
    response.response.claimsAndScopeOverrideDetails?.idTokenGeneration?.claimsToAddOrOverride ??
    {};
  recordSecret(claims.fauna_token_secret, 'minted token secret');
  return claims;
}

/** The Fauna claims the handler put into the ID token, if any: the token secret and the identity's id. */
export function grantedClaims(response: PreTokenGenerationEvent): { secret?: string; userId?: string } {
  const claims = idTokenClaims(response);
  return {
    secret: typeof claims.fauna_token_secret === 'string' ? claims.fauna_token_secret : undefined,
    userId: typeof claims.userId === 'string' ? claims.userId : undefined,
  };
}
