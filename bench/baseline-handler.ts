/**
 * The benchmark's baseline: the least a Lambda can do to run the sign-in query: load the `fauna` driver, create a
 * client at init, send the same FQL per invocation. No Middy, no validation, no SSM, no logging, no metrics.
 * `scripts/bench.ts` bundles it exactly like the real handler and compares the two.
 */
import { Client, fql } from 'fauna';

const client = new Client({
  endpoint: new URL(process.env.FAUNA_ENDPOINT ?? 'http://127.0.0.1:8443'),
  secret: process.env.FAUNA_SECRET ?? '',
  query_timeout_ms: 1500,
  client_timeout_buffer_ms: 500,
  max_attempts: 1,
});

interface MinimalEvent {
  userPoolId: string;
  triggerSource: string;
  callerContext: { clientId: string };
  request: { userAttributes: Record<string, string> };
}

export async function handler(event: MinimalEvent): Promise<unknown> {
  const { sub = '', email = '' } = event.request.userAttributes;
  const meta = { userPoolId: event.userPoolId, clientId: event.callerContext.clientId, triggerSource: event.triggerSource };
  const result = await client.query(fql`signIn(${sub}, ${email.trim().toLowerCase()}, true, ${3900}, ${meta}, 10)`);
  return result.data;
}
