/**
 * The like-for-like baseline for cold starts: `baseline-handler.ts` plus the one thing no correct deployment can skip,
 * fetching the Fauna key from SSM. The request starts at init, as the service's does, with the same SSM client the
 * bundle ships (`@aws-sdk/client-ssm`, aliased to the shim by serverless.yml's esbuild options), and is awaited by the
 * first invocation. No Middy, no validation, no logging, no metrics, no connection opened ahead.
 */
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Client } from 'fauna';
import { type MinimalEvent, signInQuery } from './baseline-event.ts';

const names = [process.env.FAUNA_SECRET_PARAMETER ?? '', process.env.USER_POOL_ID_PARAMETER ?? ''];
const parameters = new SSMClient({}).send(new GetParametersCommand({ Names: names, WithDecryption: true }));
// Handled here so an unanswered prefetch is not an unhandled rejection before the first invocation awaits it.
parameters.catch(() => undefined);
let client: Client | undefined;

export async function handler(event: MinimalEvent): Promise<unknown> {
  if (!client) {
    const found = (await parameters).Parameters as { Name: string; Value: string }[];
    const secret = found.find((parameter) => parameter.Name === names[0])!.Value;
    client = new Client({ endpoint: new URL(process.env.FAUNA_ENDPOINT!), secret, query_timeout_ms: 1500, client_timeout_buffer_ms: 500, max_attempts: 1 });
  }
  const result = await client.query(signInQuery(event));
  return result.data;
}
