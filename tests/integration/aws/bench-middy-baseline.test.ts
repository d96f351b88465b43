/**
 * The bench's warm target is measured against bench/baseline-middy-handler.ts, so that baseline must do the work it
 * claims, no less: validate the event, read the key once through @middy/ssm, run the sign-in query, and write one
 * outcome line and one EMF record per sign-in. Bundled as the bench bundles it (`@aws-sdk/client-ssm` swapped for
 * the shim with jest.unstable_mockModule, as the esbuild alias does), against the real local Fauna and the SSM
 * emulator over real HTTP; nothing is stubbed.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fql } from 'fauna';
import { type LocalFauna, queryAs, startFauna, triggerKey } from '../../helpers/local-fauna.ts';
import { captureText, recordSecret } from '../../helpers/log-capture.ts';
import { type SsmEmulator, startSsmEmulator } from './helpers/ssm-emulator.ts';

jest.unstable_mockModule('@aws-sdk/client-ssm', () => import('../../../shims/aws-sdk-client-ssm/index.ts'));

const PARAMETER = '/cognito-fauna/bench/fauna-secret';
const SAMPLE = JSON.parse(readFileSync(new URL('../../../events/pretoken.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const event = () => structuredClone(SAMPLE) as { request: { userAttributes: Record<string, string> }; response: Record<string, unknown> };
let requests = 0;
const context = () => ({ awsRequestId: `baseline-${++requests}`, functionName: 'bench', getRemainingTimeInMillis: () => 5000 });

let fauna: LocalFauna;
let ssm: SsmEmulator;
let handler: (event: unknown, context: unknown) => Promise<unknown>;
const saved = { ...process.env };
const lines: string[] = [];

beforeAll(async () => {
  fauna = await startFauna();
  const { secret } = await triggerKey(fauna, 'bench-baseline-test');
  ssm = await startSsmEmulator({ [PARAMETER]: secret });
  Object.assign(process.env, {
    FAUNA_ENDPOINT: fauna.url,
    FAUNA_SECRET_PARAMETER: PARAMETER,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-test',
    AWS_ENDPOINT_URL_SSM: ssm.url,
  });
  // Its lines go to memory (and the secrets audit), not the terminal.
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = String(chunk);
    lines.push(...text.split('\n').filter(Boolean));
    captureText('stdout', text);
    return true;
  });
  ({ handler } = (await import('../../../bench/baseline-middy-handler.ts')) as unknown as { handler: typeof handler });
});

afterAll(async () => {
  jest.restoreAllMocks();
  process.env = saved;
  await ssm.stop();
  await fauna.stop();
});

describe('the bench Middy baseline (shim SSM swapped in as bundled; SSM emulator and local Fauna, real HTTP)', () => {
  it('answers with a Fauna token secret that acts as the identity of the event\'s sub, the key read from SSM once', async () => {
    lines.length = 0;
    const first = (await handler(event(), context())) as { response: { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: Record<string, string> } } } };
    await handler(event(), context());
    const secret = first.response.claimsAndScopeOverrideDetails.idTokenGeneration.claimsToAddOrOverride.fauna_token_secret!;
    recordSecret(secret, 'minted token');
    const sub = event().request.userAttributes.sub!;
    expect(await queryAs(fauna, secret, fql`Query.identity()!.sub`)).toBe(sub);
    expect(ssm.requests).toHaveLength(1);
  });

  it('writes one outcome line and one EMF record per sign-in, neither holding the secret', async () => {
    lines.length = 0;
    await handler(event(), context());
    expect(lines).toHaveLength(2);
    const [outcome, emf] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(outcome).toMatchObject({ level: 'INFO', message: 'Sign-in granted a Fauna token', outcome: expect.any(String), userId: expect.any(String) });
    expect(emf).toMatchObject({ _aws: { CloudWatchMetrics: [{ Metrics: [{ Name: 'SignIns' }, { Name: 'FaunaLatency' }] }] }, SignIns: 1 });
    expect(lines.join('\n')).not.toMatch(/fn[A-Za-z0-9_-]{20,}/);
  });

  it('rejects an event the schema refuses before calling Fauna', async () => {
    lines.length = 0;
    const invalid = event();
    delete invalid.request.userAttributes.sub;
    await expect(handler(invalid, context())).rejects.toThrow('Event object failed validation');
    expect(lines).toHaveLength(0);
  });
});
