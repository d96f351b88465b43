/**
 * The whole sign-in path on one machine: the local Fauna endpoint (schema from `fauna/` applied, a trigger key
 * created), `serverless offline` serving the Pre Token Generation function with that key, and cognito-local
 * calling it for every token it issues. Used by `npm run demo` and the end-to-end tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalFauna, type AdjustableClock } from '../packages/fauna-local/src/index.ts';
import { createTriggerKey } from '../tools/fauna-admin.ts';
import { cognitoAdminClient, createPoolWithClient, type PoolWithClient } from './cognito-admin.ts';
import { startCognitoLocal } from './cognito-local.ts';
import { LocalStackStartError } from './errors.ts';
import { startServerlessOffline } from './serverless-offline.ts';
import { copyService } from './service-copy.ts';
import { onTermination } from './shutdown-hooks.ts';
import { startTriggerProxy } from './trigger-proxy.ts';
import { answerForCognitoLocal, readStageParams, stageTriggerVersion, toTriggerVersion, type TriggerVersion, withUserGroups } from './trigger-event-fixups.ts';
import type { TriggerInvocation } from './trigger-proxy.ts';

export { LocalStackStartError } from './errors.ts';
export type { TriggerInvocation } from './trigger-proxy.ts';

/** The repository root: this file lives in `stack/`. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../', import.meta.url)));
export const DEFAULT_STAGE = 'local';
export const DEFAULT_TRIGGER_FUNCTION_KEY = 'preTokenGeneration';

/** Which part of the stack a line of output or a progress message comes from. */
export type StackSource = 'stack' | 'fauna' | 'serverless-offline' | 'cognito-local';

export interface LocalStackOptions {
  /** The service to run; default the repository this file belongs to. */
  repoRoot?: string;
  /** The serverless stage; it must take `FAUNA_ENDPOINT` and `FAUNA_SECRET` from the environment. Default `local`. */
  stage?: string;
  /**
   * The trigger version the function gets events in; default the stage's `triggerVersion` in serverless.yml.
   * cognito-local sends V1_0 only; the trigger proxy converts (stack/trigger-event-fixups.ts).
   */
  triggerVersion?: TriggerVersion;
  /** FSL folder applied to the local Fauna; default `<repoRoot>/fauna`. */
  schemaDir?: string;
  /** The function in serverless.yml that cognito-local calls; default `preTokenGeneration`. */
  triggerFunctionKey?: string;
  /** Progress messages (`stack`) and every output line of the child processes. Default: discarded. */
  onOutput?: (source: StackSource, line: string) => void;
  /** Stop the stack on SIGINT/SIGTERM of this process (then let the signal end it). Default true. */
  stopOnSignal?: boolean;
  /** Where the stack makes its temporary folder (service copy, cognito-local data); default the OS temp folder. */
  tempRoot?: string;
}

export interface LocalStack {
  fauna: {
    url: string;
    rootSecret: string;
    /** Advance it to make tokens expire without waiting. */
    clock: AdjustableClock;
  };
  /** The Fauna key the trigger runs with (role `pretokenTrigger`); its secret is only in the offline process's env. */
  triggerKeyId: string;
  /** serverless-offline's Lambda invoke endpoint. */
  lambdaEndpoint: string;
  /** The full Lambda name cognito-local invokes. */
  triggerFunctionName: string;
  /** cognito-local's URL: the AWS SDK `endpoint` and amazon-cognito-identity-js pool `endpoint`. */
  cognitoUrl: string;
  /**
   * The user pool (and an app client) the stack created in cognito-local: the one pool the function serves
   * (USER_POOL_IDS); events from any other pool are refused.
   */
  userPool: PoolWithClient;
  /** Every trigger call cognito-local made so far (function, trigger source, status), oldest first. */
  triggerInvocations(): readonly TriggerInvocation[];
  /** Ends every process the stack started and removes its temporary files. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * The Lambda name serverless-offline gives the trigger (`<service>-<stage>-<function>`, the service being
 * serverless.yml's `service: cognito-fauna`); cognito-local must be told it before serverless-offline runs.
 */
function offlineFunctionName(functionKey: string, stage: string): string {
  return `cognito-fauna-${stage}-${functionKey}`;
}

/**
 * Starts the local stack on free ports of 127.0.0.1, so several can run at once. On any failure everything
 * already started is stopped before the error is thrown.
 *
 * @throws {LocalStackStartError} naming the part that failed, with its last output lines.
 * @example
 * const stack = await startLocalStack({ onOutput: (source, line) => console.error(`[${source}] ${line}`) });
 * try {
 *   // create a user in stack.userPool at stack.cognitoUrl, sign in, query stack.fauna.url with the claim
 * } finally {
 *   await stack.stop();
 * }
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const stage = options.stage ?? DEFAULT_STAGE;
  const report = options.onOutput ?? (() => {});
  const stoppers: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      unregisterSignals();
      // Reverse start order: cognito-local calls the trigger, the trigger calls Fauna.
      for (const stopOne of stoppers.reverse()) {
        await stopOne().catch((error: unknown) => report('stack', `stop failed: ${String(error)}`));
      }
    })();
    return stopping;
  };
  const unregisterSignals = options.stopOnSignal === false ? () => {} : onTermination(stop);
  // A signal can arrive between two starts: whatever starts after it is stopped at once.
  const track = async (stopOne: () => Promise<void>): Promise<void> => {
    if (stopping === undefined) {
      stoppers.push(stopOne);
      return;
    }
    await stopOne();
    throw new LocalStackStartError('The local stack was stopped while it was starting.');
  };

  try {
    const workDir = await mkdtemp(join(options.tempRoot ?? tmpdir(), 'cognito-fauna-stack-'));
    await track(() => rm(workDir, { recursive: true, force: true }));

    report('stack', 'starting the local Fauna endpoint');
    const fauna = await startLocalFauna({ port: 0, schemaDir: options.schemaDir ?? join(repoRoot, 'fauna') });
    await track(() => fauna.stop());
    const triggerKey = await createTriggerKey({ endpoint: fauna.url, adminSecret: fauna.rootSecret, stage, createdBy: 'local-stack' });
    report('stack', `local Fauna at ${fauna.url}, trigger key ${triggerKey.id}`);

    // cognito-local sends `region: "local"`; the proxy gives the function the region Cognito would send. It starts
    // first, without a target: the function must know the pool it serves, which exists only once cognito-local runs.
    // It also fills in the user's groups and sends the stage's trigger version (trigger-event-fixups.ts): cognito-local
    // sends neither. Its admin client is made once cognito-local runs (below), before any sign-in.
    const triggerVersion = options.triggerVersion ?? stageTriggerVersion(await readStageParams(join(repoRoot, 'serverless.yml'), stage), stage);
    let groupsAdmin: ReturnType<typeof cognitoAdminClient> | undefined;
    const proxy = await startTriggerProxy({
      fixups: {
        event: async (event) => toTriggerVersion(groupsAdmin ? await withUserGroups(event, groupsAdmin) : event, triggerVersion),
        answer: (answer) => answerForCognitoLocal(answer),
      },
    });
    await track(() => proxy.stop());

    report('stack', 'starting cognito-local');
    const functionName = offlineFunctionName(options.triggerFunctionKey ?? DEFAULT_TRIGGER_FUNCTION_KEY, stage);
    const cognito = await startCognitoLocal({
      dataDir: join(workDir, 'cognito'),
      lambdaEndpoint: proxy.url,
      preTokenGenerationFunction: functionName,
      onOutput: (line) => report('cognito-local', line),
    });
    await track(() => cognito.stop());
    groupsAdmin = cognitoAdminClient(cognito.url);
    const groupsClient = groupsAdmin;
    await track(async () => groupsClient.destroy());
    const admin = cognitoAdminClient(cognito.url);
    let userPool: PoolWithClient;
    try {
      userPool = await createPoolWithClient(admin, `cognito-fauna-${stage}`);
    } finally {
      admin.destroy();
    }
    report('stack', `cognito-local at ${cognito.url}, user pool ${userPool.userPoolId}`);

    report('stack', 'starting serverless offline (bundles the handler first)');
    const serviceDir = await copyService(repoRoot, join(workDir, 'service'));
    const offline = await startServerlessOffline({
      serviceDir,
      stage,
      functionKey: options.triggerFunctionKey ?? DEFAULT_TRIGGER_FUNCTION_KEY,
      env: { FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET: triggerKey.secret, USER_POOL_IDS: userPool.userPoolId },
      onOutput: (line) => report('serverless-offline', line),
    });
    await track(() => offline.stop());
    if (offline.functionName !== functionName) {
      throw new LocalStackStartError(`serverless offline serves ${offline.functionName}, but cognito-local was told to call ${functionName}.`);
    }
    proxy.retarget(offline.lambdaEndpoint);
    report('stack', `serverless offline serves ${offline.functionName} at ${offline.lambdaEndpoint}`);

    return {
      fauna: { url: fauna.url, rootSecret: fauna.rootSecret, clock: fauna.clock },
      triggerKeyId: triggerKey.id,
      lambdaEndpoint: offline.lambdaEndpoint,
      triggerFunctionName: offline.functionName,
      cognitoUrl: cognito.url,
      userPool,
      triggerInvocations: () => proxy.invocations(),
      stop,
    };
  } catch (error) {
    await stop();
    if (error instanceof LocalStackStartError) throw error;
    throw new LocalStackStartError(`The local stack did not start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
