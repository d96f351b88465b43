/**
 * `serverless offline start` as a child process, serving the service's functions on serverless-offline's
 * Lambda invoke endpoint (what the AWS SDK's `InvokeCommand`, and so cognito-local, calls).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LocalStackStartError } from './errors.ts';
import { findFreePorts, LOOPBACK_HOST, startWithPortRetry } from './free-port.ts';
import { startNodeProcess } from './node-process.ts';

/** serverless-offline bundles the TypeScript handler with esbuild before it listens: slow on a busy machine. */
export const DEFAULT_OFFLINE_READY_TIMEOUT_MS = 120_000;

/** One line per function after serverless-offline's "Function names exposed" notice: `   * key: full-name`. */
const FUNCTION_NAME_LINE = /^\s*\*\s+([\w-]+):\s+(\S+)\s*$/;

export interface ServerlessOfflineOptions {
  /** The folder holding `serverless.yml` (with a `node_modules` the plugins resolve from). */
  serviceDir: string;
  stage: string;
  /** The function whose full name to report; the process counts as ready once serverless-offline lists it. */
  functionKey: string;
  /** Added to the environment of `serverless` and so of the functions, e.g. `FAUNA_ENDPOINT`, `FAUNA_SECRET`. */
  env: Record<string, string>;
  readyTimeoutMs?: number;
  onOutput?: (line: string) => void;
}

export interface ServerlessOffline {
  /** Lambda invoke endpoint, e.g. `http://127.0.0.1:41234`. */
  lambdaEndpoint: string;
  /** The full Lambda name of `functionKey`, as serverless.yml yields it (`<service>-<stage>-<function>` unless renamed). */
  functionName: string;
  stop(): Promise<void>;
}

/**
 * Starts `serverless offline start --stage <stage>` on free Lambda and HTTP ports of the loopback address.
 *
 * @throws {LocalStackStartError} when serverless fails (bad config, bundling error) or never lists the function.
 */
export async function startServerlessOffline(options: ServerlessOfflineOptions): Promise<ServerlessOffline> {
  return startWithPortRetry(() => startOnFreePorts(options), isPortConflict);
}

async function startOnFreePorts(options: ServerlessOfflineOptions): Promise<ServerlessOffline> {
  const [lambdaPort, httpPort] = await findFreePorts(2);
  let functionName: string | undefined;
  const child = await startNodeProcess({
    name: 'serverless offline',
    args: [
      serverlessBin(),
      'offline',
      'start',
      '--stage',
      options.stage,
      '--host',
      LOOPBACK_HOST,
      '--lambdaPort',
      String(lambdaPort),
      '--httpPort',
      String(httpPort),
      '--noSponsor',
      // Without it serverless-offline hands functions only AWS_* variables and serverless.yml's `environment`,
      // and the local stage's key (FAUNA_SECRET) is deliberately not in serverless.yml.
      '--localEnvironment',
    ],
    cwd: options.serviceDir,
    env: { ...process.env, ...offlineEnvironment(), ...options.env },
    isReady: (line) => {
      const match = FUNCTION_NAME_LINE.exec(line);
      if (match?.[1] === options.functionKey) functionName = match[2];
      return functionName !== undefined;
    },
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_OFFLINE_READY_TIMEOUT_MS,
    onOutput: options.onOutput,
  });
  return { lambdaEndpoint: `http://${LOOPBACK_HOST}:${lambdaPort}`, functionName: functionName ?? '', stop: () => child.stop() };
}

/**
 * Keeps the AWS SDK inside serverless from looking for real credentials (the instance-metadata lookup can hang
 * for seconds) and the framework from phoning home; nothing local needs AWS.
 */
function offlineEnvironment(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
}

function serverlessBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('serverless/package.json')), 'bin', 'serverless.js');
}

function isPortConflict(error: unknown): boolean {
  return error instanceof LocalStackStartError && error.output.some((line) => line.includes('EADDRINUSE'));
}
