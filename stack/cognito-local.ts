/**
 * cognito-local (jagregory/cognito-local) as a child process: its own data folder, a free port on the loopback
 * address, and its Lambda client pointed at serverless-offline so it calls our Pre Token Generation trigger.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LocalStackStartError } from './errors.ts';
import { findFreePort, LOOPBACK_HOST, startWithPortRetry } from './free-port.ts';
import { startNodeProcess } from './node-process.ts';

/** cognito-local starts in about a second; allow for a busy machine. */
export const DEFAULT_COGNITO_READY_TIMEOUT_MS = 30_000;
/** cognito-local's Lambda client signs requests; serverless-offline ignores the signature but needs one. */
const DUMMY_AWS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
const READY_LINE = 'Cognito Local running on';

export interface CognitoLocalOptions {
  /** A folder of its own: cognito-local keeps its config and users in `<dataDir>/.cognito`. */
  dataDir: string;
  /** The Lambda invoke endpoint it calls triggers on, e.g. serverless-offline's `http://127.0.0.1:<lambdaPort>`. */
  lambdaEndpoint: string;
  /** The full Lambda function name (`<service>-<stage>-<function>`) for the PreTokenGeneration trigger. */
  preTokenGenerationFunction: string;
  readyTimeoutMs?: number;
  onOutput?: (line: string) => void;
}

export interface CognitoLocal {
  /** Base URL for the AWS SDK (`endpoint`) and amazon-cognito-identity-js (`endpoint` in the pool data). */
  url: string;
  stop(): Promise<void>;
}

/**
 * Writes cognito-local's `.cognito/config.json` and starts it on a free port.
 *
 * @throws {LocalStackStartError} when it does not start (its output is in the error).
 * @example
 * const cognito = await startCognitoLocal({ dataDir, lambdaEndpoint: offline.lambdaEndpoint, preTokenGenerationFunction: 'cognito-fauna-local-preTokenGeneration' });
 */
export async function startCognitoLocal(options: CognitoLocalOptions): Promise<CognitoLocal> {
  return startWithPortRetry(() => startOnFreePort(options), isPortConflict);
}

async function startOnFreePort(options: CognitoLocalOptions): Promise<CognitoLocal> {
  const port = await findFreePort();
  const url = `http://${LOOPBACK_HOST}:${port}`;
  const configDir = join(options.dataDir, '.cognito');
  await mkdir(configDir, { recursive: true });
  await writeFile(join(configDir, 'config.json'), JSON.stringify(cognitoConfig(options, port, url), null, 2));

  const child = await startNodeProcess({
    name: 'cognito-local',
    args: [cognitoLocalBin()],
    // cognito-local reads `.cognito/` relative to its working directory, which is how each stack gets its own.
    cwd: options.dataDir,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    isReady: (line) => line.includes(READY_LINE),
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_COGNITO_READY_TIMEOUT_MS,
    onOutput: options.onOutput,
  });
  return { url, stop: () => child.stop() };
}

function cognitoConfig(options: CognitoLocalOptions, port: number, url: string): object {
  return {
    LambdaClient: { endpoint: options.lambdaEndpoint, region: 'us-east-1', credentials: DUMMY_AWS_CREDENTIALS },
    TriggerFunctions: { PreTokenGeneration: options.preTokenGenerationFunction },
    ServerConfig: { port, hostname: LOOPBACK_HOST },
    // The token issuer is `<IssuerDomain>/<poolId>`; without this it would name the default port 9229.
    TokenConfig: { IssuerDomain: url },
  };
}

function cognitoLocalBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('cognito-local/package.json')), 'lib', 'bin', 'start.js');
}

function isPortConflict(error: unknown): boolean {
  return error instanceof LocalStackStartError && error.output.some((line) => line.includes('EADDRINUSE'));
}
