/**
 * The baseline for the warm sign-in: the least a handler built the way this project must be built does per sign-in,
 * none of it the project's own code. Middy with its default early timeout, `@middy/validator` with the same
 * precompiled event schema, `@middy/ssm` for the key (fetched at init, cached), the sign-in query, and one JSON log
 * line plus one EMF record on stdout (an outcome line for the on-call engineer, the metrics the alarms need).
 *
 * Left out, because they are the project's choices rather than the frame's: the served-pool check, email
 * normalisation, the per-invocation deadline, the fail policy, the key refetch and the connection re-opening. What the
 * handler costs beyond this baseline is the cost of those; what this baseline costs beyond a bare `client.query` is
 * the cost of the frame. `bench/bench.ts` measures both behind the 2 ms hop (docs/reliability.md, "Figures").
 */
import middy from '@middy/core';
import ssm from '@middy/ssm';
import validator from '@middy/validator';
import { Client } from 'fauna';
import { validate as validateEvent } from '../lib/sign-in/generated/event-validator.ts';
import { type MinimalEvent, signInQuery } from './baseline-event.ts';

type EventSchema = NonNullable<Parameters<typeof validator>[0]>['eventSchema'];

type Grant = {
  userId: string;
  secret: string;
  outcome: string;
};

let client: Client | undefined;

async function signIn(event: MinimalEvent & { response: object }, context: { faunaKey: string; awsRequestId: string }): Promise<object> {
  client ??= new Client({
    endpoint: new URL(process.env.FAUNA_ENDPOINT!),
    secret: context.faunaKey,
    query_timeout_ms: 1500,
    client_timeout_buffer_ms: 500,
    max_attempts: 1,
  });
  const started = performance.now();
  const { data } = await client.query<Grant>(signInQuery(event));
  const latencyMs = performance.now() - started;
  const line = { level: 'INFO', message: 'Sign-in granted a Fauna token', timestamp: new Date().toISOString(), service: 'bench', function_request_id: context.awsRequestId, userId: data.userId, outcome: data.outcome };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  const metrics = [{ Name: 'SignIns', Unit: 'Count' }, { Name: 'FaunaLatency', Unit: 'Milliseconds' }];
  const record = { _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: 'Bench', Dimensions: [['service']], Metrics: metrics }] }, service: 'bench', SignIns: 1, FaunaLatency: latencyMs };
  process.stdout.write(`${JSON.stringify(record)}\n`);
  event.response = { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: { fauna_token_secret: data.secret } } } };
  return event;
}

export const handler = middy(signIn)
  .use(validator({ eventSchema: validateEvent as unknown as EventSchema }))
  .use(ssm({ fetchData: { faunaKey: process.env.FAUNA_SECRET_PARAMETER ?? '' }, setToContext: true, cacheExpiry: -1 }));
