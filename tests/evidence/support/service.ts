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
import type { PreTokenGenerationHandler } from '../../../handlers/create-handler.ts';
import type { PreTokenGenerationEvent } from '../../../lib/cognito-event.ts';
import { recordSecret } from '../../helpers/log-capture.ts';
import { LogLines, observabilityWritingTo } from '../../helpers/log-lines.ts';

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

/** A Lambda context as the runtime passes it; only the request id matters to the handler. */
export function lambdaContext(requestId = `evidence-${++invocations}`): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'cognito-fauna-dev-preTokenGeneration',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cognito-fauna-dev-preTokenGeneration',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/cognito-fauna-dev-preTokenGeneration',
    logStreamName: 'evidence',
    getRemainingTimeInMillis: () => 5000,
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
export function startService(env: Record<string, string>, ssmClientOptions: object = TEST_SSM_CLIENT_OPTIONS): ServiceUnderTest {
  const logs = new LogLines();
  const built = createPreTokenGenerationHandler(env, { ...quietObservability(logs), ssmClientOptions });
  return {
    ...built,
    logs,
    invoke: (event, requestId) => built.handler(structuredClone(event), lambdaContext(requestId)),
  };
}

const SAMPLE_EVENT = JSON.parse(readFileSync(new URL('../../../events/pretoken.json', import.meta.url), 'utf8')) as PreTokenGenerationEvent;

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
