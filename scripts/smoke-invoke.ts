/**
 * Smoke test of a deployed stage: `serverless invoke` of the deployed trigger with a sample event, then a check that
 * the answer carries the Fauna token claim. The CLI's output is captured, never echoed, because it holds a live
 * token secret; only the claim's presence and length are printed.
 *
 *   npm run smoke -- --stage dev [--event events/pretoken.json] [--claim fauna_token_secret] [--user-pool-id <id>]
 *
 * The function refuses events from pools it does not serve, so the sample event is sent with the stage's pool id:
 * --user-pool-id, else the SSM String parameter the stack wrote (stage param userPoolIdParameter; needs
 * ssm:GetParameter on it).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readStageParams } from '../tools/stage-settings.ts';
import { defineCli, isEntryPoint, parseCli, runMain } from '../tools/cli.ts';

export const DEFAULT_SMOKE_EVENT = 'events/pretoken.json';
export const DEFAULT_CLAIM_NAME = 'fauna_token_secret';
export const TRIGGER_FUNCTION = 'preTokenGeneration';

/** Thrown when the smoke invoke fails or its answer lacks the claim; the message never includes the answer itself. */
export class SmokeTestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmokeTestError';
  }
}

/**
 * Finds the claim in a trigger response printed by `serverless invoke` (V1 `claimsOverrideDetails` or
 * V2/V3 `claimsAndScopeOverrideDetails`, ID or access token).
 *
 * @returns the claim's value, or undefined when the output has no such non-empty string claim.
 */
export function findClaim(cliOutput: string, claimName: string): string | undefined {
  const response = parseResponse(cliOutput);
  const overrides = [
    response?.claimsOverrideDetails?.claimsToAddOrOverride,
    response?.claimsAndScopeOverrideDetails?.idTokenGeneration?.claimsToAddOrOverride,
    response?.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride,
  ];
  for (const claims of overrides) {
    const value = claims?.[claimName];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

interface TriggerResponse {
  claimsOverrideDetails?: { claimsToAddOrOverride?: Record<string, unknown> };
  claimsAndScopeOverrideDetails?: {
    idTokenGeneration?: { claimsToAddOrOverride?: Record<string, unknown> };
    accessTokenGeneration?: { claimsToAddOrOverride?: Record<string, unknown> };
  };
}

// `serverless invoke` prints the function's answer (the whole event) as JSON, possibly after plugin chatter.
function parseResponse(cliOutput: string): TriggerResponse | undefined {
  const start = cliOutput.indexOf('{');
  const end = cliOutput.lastIndexOf('}');
  if (start === -1 || end < start) return undefined;
  try {
    return (JSON.parse(cliOutput.slice(start, end + 1)) as { response?: TriggerResponse }).response;
  } catch {
    return undefined;
  }
}

/**
 * The sample event as the stage's pool would send it: same event, `userPoolId` replaced.
 *
 * @example eventForPool('{"userPoolId":"us-east-1_Example1",...}', 'eu-west-1_Abc123')
 */
export function eventForPool(eventJson: string, userPoolId: string): string {
  const event = JSON.parse(eventJson) as Record<string, unknown>;
  return JSON.stringify({ ...event, userPoolId }, null, 2);
}

async function servedPoolId(stage: string, explicit: string | undefined): Promise<string> {
  if (explicit) return explicit;
  const parameterName = (await readStageParams(stage)).userPoolIdParameter;
  if (!parameterName) throw new SmokeTestError('Pass --user-pool-id <id>: the stage has no userPoolIdParameter param.');
  const ssm = new SSMClient({});
  try {
    const answer = await ssm.send(new GetParameterCommand({ Name: parameterName }));
    const value = answer.Parameter?.Value;
    if (!value) throw new SmokeTestError(`SSM parameter ${parameterName} is empty; deploy the stage first or pass --user-pool-id.`);
    return value.split(',')[0]!.trim();
  } finally {
    ssm.destroy();
  }
}

async function invokeDeployed(stage: string, eventFile: string): Promise<string> {
  const cli = path.join(process.cwd(), 'node_modules', '.bin', 'serverless');
  return new Promise((resolve, reject) => {
    const child = spawn(cli, ['invoke', '--stage', stage, '--function', TRIGGER_FUNCTION, '--path', eventFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      // stderr holds the framework's error (no function answer); stdout may hold a secret, so it is not shown.
      code === 0 ? resolve(stdout) : reject(new SmokeTestError(`serverless invoke --stage ${stage} failed (exit ${code}):\n${stderr.slice(-3000)}`)),
    );
  });
}

export const CLI = defineCli({
  command: 'npm run smoke --',
  summary: "Invokes a deployed stage's trigger with a sample event (sent with the stage's pool id) and checks that the answer carries the Fauna token claim. Needs AWS credentials and a deployed stage.",
  options: {
    stage: { type: 'string', value: 'STAGE', help: 'the deployed stage (dev, staging, prod)' },
    event: { type: 'string', value: 'FILE', default: DEFAULT_SMOKE_EVENT, help: 'the sample event' },
    claim: { type: 'string', value: 'NAME', default: DEFAULT_CLAIM_NAME, help: 'the claim that must be in the answer' },
    'user-pool-id': { type: 'string', value: 'ID', help: "the stage's pool id (else read from the stage's userPoolIdParameter in SSM)" },
  },
  examples: ['npm run smoke -- --stage dev', 'npm run smoke -- --stage prod --event events/pretoken.json'],
});

async function main(argv: string[]): Promise<number> {
  const values = parseCli(CLI, argv);
  if (!values) return 0;
  if (!values.stage) throw new SmokeTestError('Pass --stage <dev|staging|prod>.');
  const poolId = await servedPoolId(values.stage, values['user-pool-id']);
  const folder = await mkdtemp(path.join(tmpdir(), 'cognito-fauna-smoke-'));
  let output: string;
  try {
    const eventFile = path.join(folder, 'event.json');
    await writeFile(eventFile, eventForPool(await readFile(values.event, 'utf8'), poolId));
    output = await invokeDeployed(values.stage, eventFile);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  const claim = findClaim(output, values.claim);
  if (!claim) throw new SmokeTestError(`The ${values.stage} trigger answered without a "${values.claim}" claim: check its logs in CloudWatch.`);
  console.log(`Smoke test passed: stage ${values.stage} answered with a ${values.claim} claim (${claim.length} characters).`);
  return 0;
}

if (isEntryPoint(import.meta.url)) {
  runMain('smoke', () => main(process.argv.slice(2)), { isKnown: (error) => error instanceof SmokeTestError });
}
