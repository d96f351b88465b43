/**
 * The benchmark's baseline: the least a Lambda can do to run the sign-in query: load the `fauna` driver, create a
 * client at init, send the same FQL per invocation. No Middy, no validation, no SSM, no logging, no metrics.
 * `bench/bench.ts` bundles it exactly like the real handler and compares the two.
 */
import { Client } from 'fauna';
import { type MinimalEvent, signInQuery } from './baseline-event.ts';

const client = new Client({
  endpoint: new URL(process.env.FAUNA_ENDPOINT ?? 'http://127.0.0.1:8443'),
  secret: process.env.FAUNA_SECRET ?? '',
  query_timeout_ms: 1500,
  client_timeout_buffer_ms: 500,
  max_attempts: 1,
});

export async function handler(event: MinimalEvent): Promise<unknown> {
  const result = await client.query(signInQuery(event));
  return result.data;
}
