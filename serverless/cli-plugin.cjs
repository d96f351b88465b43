/**
 * The service's own Serverless Framework (osls) plugin, listed first in serverless.yml `plugins`. Three jobs, each small:
 *
 * 1. Declares `lambdaVersion` on `cognitoUserPool` events in the framework's config schema. osls compiles the property
 *    (PreTokenGenerationConfig.LambdaVersion) but its schema does not list it, so every command warned
 *    "unrecognized property 'lambdaVersion'". The trigger wiring is unchanged: the framework still compiles it.
 * 2. Refuses `deploy`, `remove` and `rollback` on the `local` stage, the default stage (provider.stage): a forgotten
 *    `--stage` never reaches a real account.
 * 3. Makes the CLI exit after a failed command. When `invoke local` fails to load the function (an error at init),
 *    osls skips `after:invoke:local:invoke`, where serverless-esbuild disposes its build context; the esbuild service
 *    process it keeps stays referenced and the CLI never exits. The `error` hook disposes it, and an unreferenced
 *    timer ends the process should anything else (the function's own open handles) keep it alive.
 *
 * `.cjs`: the framework loads plugins with require().
 */
'use strict';

/** PreTokenGeneration's versions, as osls validates them (and as Cognito's PreTokenGenerationConfig takes them). */
const LAMBDA_VERSIONS = ['V1_0', 'V2_0', 'V3_0'];
/** Stages that exist only on this machine: never deployed. */
const LOCAL_STAGES = new Set(['local']);
/** Commands that change an AWS account. */
const ACCOUNT_COMMANDS = new Set(['deploy', 'remove', 'rollback']);
/** After a failed command, how long the CLI may take to print and close before it is ended. */
const EXIT_GRACE_MS = 2000;

class CognitoFaunaCliPlugin {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options || {};
    serverless.configSchemaHandler.defineFunctionEventProperties('aws', 'cognitoUserPool', {
      properties: { lambdaVersion: { enum: LAMBDA_VERSIONS } },
    });
    this.hooks = {
      initialize: () => this.refuseLocalDeploy(),
      error: () => this.exitAfterError(),
    };
  }

  refuseLocalDeploy() {
    const command = (this.serverless.processedInput && this.serverless.processedInput.commands) || [];
    const stage = this.options.stage || this.serverless.service.provider.stage;
    if (ACCOUNT_COMMANDS.has(command[0]) && LOCAL_STAGES.has(stage)) {
      throw new this.serverless.classes.Error(
        `The ${stage} stage runs only on this machine and is never deployed (it is the default stage). ` +
          `Pass the stage to ${command[0]}: --stage dev, --stage staging or --stage prod (docs/deploy.md).`,
        'COGNITO_FAUNA_LOCAL_STAGE_NOT_DEPLOYABLE',
      );
    }
  }

  async exitAfterError() {
    setTimeout(() => process.exit(process.exitCode || 1), EXIT_GRACE_MS).unref();
    const esbuild = this.serverless.pluginManager.plugins.find((plugin) => typeof plugin.disposeContexts === 'function');
    if (esbuild) await esbuild.disposeContexts();
  }
}

module.exports = CognitoFaunaCliPlugin;
