/**
 * The revocation function's real handler (Middy chain included) for the integration suites, with logs kept in memory,
 * and the sample CloudTrail events of events/cloudtrail/ rewritten for a given pool and user.
 */
import { readFileSync } from 'node:fs';
import { createRevokeFaunaTokensHandler, type RevocationAnswer } from '../../handlers/revocation/create-revoke-handler.ts';
import type { CloudTrailEvent } from '../../lib/revocation/cloudtrail-event.ts';
import { createTriggerKey } from '../../tools/fauna-admin.ts';
import { recordSecret } from './log-capture.ts';
import { LogLines, observabilityWritingTo } from './log-lines.ts';
import type { LocalFauna } from './local-fauna.ts';
import { lambdaContext } from './service.ts';

export const TEST_AWS_CLIENT_OPTIONS = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

/** Creates a key with the revocation function's role (tokenRevoker) and records its secret for the audit. */
export async function revokeKey(fauna: LocalFauna): Promise<{ id: string; secret: string }> {
  const key = await createTriggerKey({ endpoint: fauna.url, adminSecret: fauna.rootSecret, stage: 'dev', createdBy: 'integration-test', role: 'tokenRevoker' });
  recordSecret(key.secret, 'revoke key');
  return key;
}

export interface RevocationService {
  logs: LogLines;
  invoke(event: CloudTrailEvent): Promise<RevocationAnswer>;
  dispose(): void;
}

/** Builds the real revocation handler from `env` (a cold start). AWS clients get a region and dummy credentials. */
export function startRevocationService(env: Record<string, string>): RevocationService {
  const logs = new LogLines();
  const { logger, metrics } = observabilityWritingTo(logs, { logLevel: 'DEBUG' });
  const built = createRevokeFaunaTokensHandler(env, { logger, metrics, ssmClientOptions: TEST_AWS_CLIENT_OPTIONS, cognitoClientOptions: TEST_AWS_CLIENT_OPTIONS });
  return {
    logs,
    invoke: (event) => built.handler(structuredClone(event), { ...lambdaContext(), functionName: 'cognito-fauna-dev-revokeFaunaTokens' }),
    dispose: built.dispose,
  };
}

const eventsDir = new URL('../../events/cloudtrail/', import.meta.url);

/** A sample CloudTrail event from events/cloudtrail/. */
export function cloudTrailEvent(name: string): CloudTrailEvent {
  return JSON.parse(readFileSync(new URL(name, eventsDir), 'utf8')) as CloudTrailEvent;
}

/** The sample event `name`, as Cognito would log it for user `sub` of pool `userPoolId`. */
export function revocationEventFor(name: string, userPoolId: string, sub: string): CloudTrailEvent {
  const event = cloudTrailEvent(name);
  const detail = event.detail;
  if (detail.requestParameters && 'userPoolId' in detail.requestParameters) detail.requestParameters.userPoolId = userPoolId;
  if (detail.additionalEventData) {
    if ('userPoolId' in detail.additionalEventData) detail.additionalEventData.userPoolId = userPoolId;
    if ('sub' in detail.additionalEventData) detail.additionalEventData.sub = sub;
  }
  return event;
}

/** The CloudWatch EMF records the handler wrote. */
export function emfRecords(logs: LogLines): Record<string, unknown>[] {
  return logs.lines
    .flatMap((line) => line.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
