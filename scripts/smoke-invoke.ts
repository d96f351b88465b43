/**
 * Smoke test of a deployed stage: `serverless invoke` of the deployed trigger with a sample event, then a check that
 * the answer carries the Fauna token claim. The CLI's output is captured, never echoed, because it holds a live
 * token secret; only the claim's presence and length are printed.
 *
 *   npm run smoke -- --stage dev [--event events/pretoken.json] [--claim fauna_token_secret]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

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

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { stage: { type: 'string' }, event: { type: 'string', default: DEFAULT_SMOKE_EVENT }, claim: { type: 'string', default: DEFAULT_CLAIM_NAME } },
  });
  if (!values.stage) throw new SmokeTestError('Pass --stage <dev|staging|prod>.');
  const output = await invokeDeployed(values.stage, values.event);
  const claim = findClaim(output, values.claim);
  if (!claim) throw new SmokeTestError(`The ${values.stage} trigger answered without a "${values.claim}" claim: check its logs in CloudWatch.`);
  console.log(`Smoke test passed: stage ${values.stage} answered with a ${values.claim} claim (${claim.length} characters).`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof SmokeTestError ? error.message : `smoke test failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
