/**
 * Shared setup of the service integration suites: the real handler (Middy chain included) against the local Fauna
 * endpoint, with SSM stubbed through aws-sdk-client-mock (the only stub) and logs kept in memory (and copied to the
 * secrets audit's capture).
 */
import { readFileSync } from 'node:fs';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { Client, fql, type QueryValue } from 'fauna';
import { createPreTokenGenerationHandler } from '../../../handlers/create-handler.ts';
import type { PreTokenGenerationEvent } from '../../../lib/cognito-event.ts';
import { type LocalFauna, startLocalFauna } from '../../../local/fauna/index.ts';
import { createTriggerKey } from '../../../tools/fauna-admin.ts';
import { recordSecret } from '../../helpers/log-capture.ts';
import { LogLines, observabilityWritingTo } from '../../helpers/log-lines.ts';

export const SCHEMA_DIR = new URL('../../../fauna/', import.meta.url).pathname;
/** The user pool the sample events (events/) come from; the suites' stage serves it (USER_POOL_IDS). */
export const SERVED_POOL_ID = 'us-east-1_Example1';
export type { LocalFauna };

/** Starts the local Fauna endpoint on a free port with the service's schema. */
export function startFauna(): Promise<LocalFauna> {
  return startLocalFauna({ port: 0, schemaDir: SCHEMA_DIR });
}

/** Creates a key with the trigger's role (pretokenTrigger) and records its secret for the audit. */
export async function triggerKey(fauna: LocalFauna): Promise<{ id: string; secret: string }> {
  const key = await createTriggerKey({ endpoint: fauna.url, adminSecret: fauna.rootSecret, stage: 'dev', createdBy: 'integration-test' });
  recordSecret(key.secret, 'trigger key');
  return key;
}

/** Runs `query` with `secret` through the real driver and returns its data; the client is closed afterwards. */
export async function queryAs<T = unknown>(fauna: LocalFauna, secret: string, query: ReturnType<typeof fql>): Promise<T> {
  const client = new Client({ secret, endpoint: new URL(fauna.url), http2_session_idle_ms: 100 });
  try {
    return (await client.query<QueryValue>(query)).data as T;
  } finally {
    client.close();
  }
}

export { LogLines };

/** The SSM stub (aws-sdk-client-mock) for the whole file. */
export type SsmStub = AwsClientStub<SSMClient>;

export function stubSsm(): SsmStub {
  return mockClient(SSMClient);
}

/** Makes the stub answer `secret` for `parameterName`. */
export function holdSecret(ssm: SsmStub, parameterName: string, secret: string): void {
  ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: parameterName, Type: 'SecureString', Value: secret, Version: 1 }], InvalidParameters: [] });
}

export function ssmCalls(ssm: SsmStub): number {
  return ssm.commandCalls(GetParametersCommand).length;
}

let requests = 0;

/** A Lambda context as the runtime passes it. */
export function lambdaContext(): Context {
  const requestId = `integration-${++requests}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'cognito-fauna-dev-preTokenGeneration',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cognito-fauna-dev-preTokenGeneration',
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/cognito-fauna-dev-preTokenGeneration',
    logStreamName: 'integration',
    getRemainingTimeInMillis: () => 5000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** SSM client settings for tests: a region and dummy credentials so the SDK never looks for real ones. */
const TEST_SSM_CLIENT_OPTIONS = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

export interface Service {
  logs: LogLines;
  invoke(event: PreTokenGenerationEvent): Promise<PreTokenGenerationEvent>;
  dispose(): void;
}

/** Builds the real handler from `env` (a cold start), with logs and metrics captured in memory. */
export function startService(env: Record<string, string>): Service {
  const logs = new LogLines();
  const { logger, metrics } = observabilityWritingTo(logs, { logLevel: 'DEBUG' });
  const built = createPreTokenGenerationHandler(env, { logger, metrics, ssmClientOptions: TEST_SSM_CLIENT_OPTIONS });
  return {
    logs,
    invoke: (event) => built.handler(structuredClone(event), lambdaContext()),
    dispose: built.dispose,
  };
}

const eventsDir = new URL('../../../events/', import.meta.url);

/** A sample event from events/. */
export function sampleEvent(name: string): PreTokenGenerationEvent {
  return JSON.parse(readFileSync(new URL(name, eventsDir), 'utf8')) as PreTokenGenerationEvent;
}

/** The V1 sample sign-in (events/pretoken.json) for another user. */
export function signInEvent(sub: string, email: string, name = 'pretoken.json'): PreTokenGenerationEvent {
  const event = sampleEvent(name);
  event.userName = sub;
  event.request.userAttributes = { ...event.request.userAttributes, sub, email };
  return event;
}

/** The claims the handler added to the ID token (V1 or V2/V3); the secret is recorded for the audit. */
export function idTokenClaims(response: PreTokenGenerationEvent): Record<string, unknown> {
  const claims =
    response.response.claimsOverrideDetails?.claimsToAddOrOverride ??
    response.response.claimsAndScopeOverrideDetails?.idTokenGeneration?.claimsToAddOrOverride ??
    {};
  recordSecret(claims.fauna_token_secret, 'minted token secret');
  return claims;
}

/** How many Customer documents hold `email` (as root). */
export function customersWithEmail(fauna: LocalFauna, email: string): Promise<number> {
  return queryAs<number>(fauna, fauna.rootSecret, fql`Customer.byEmail(${email}).count()`);
}
