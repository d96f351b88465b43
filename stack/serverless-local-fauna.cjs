/**
 * Serverless Framework (osls) plugin: `sls invoke local` on the local stage (the default stage) works as typed.
 *
 *   npx sls invoke local -f preTokenGeneration -p events/pretoken.json
 *
 * `-f preTokenGeneration` stays required: osls checks required options before it loads any plugin.
 * - Neither FAUNA_SECRET nor FAUNA_ENDPOINT set: starts a local Fauna on a free port with the schema in fauna/, creates
 *   a pretokenTrigger key, gives the function FAUNA_ENDPOINT, FAUNA_SECRET and USER_POOL_IDS (the sample events' pool
 *   unless set), and stops it after the invocation (stack/invoke-local-fauna.ts).
 * - FAUNA_SECRET set: checks that FAUNA_ENDPOINT (default http://127.0.0.1:8443, `npm run fauna:local`'s port)
 *   answers, and stops at once with the recipe when nothing does, instead of letting the function time out.
 * - FAUNA_ENDPOINT set without FAUNA_SECRET: stops at once, naming what to set.
 *
 * Other stages, other functions and other commands: does nothing. `.cjs`: the framework loads plugins with require(); the TypeScript
 * module is imported only when needed.
 */
'use strict';

const path = require('node:path');
const { pathToFileURL } = require('node:url');

const LOCAL_STAGE = 'local';
/** The function whose key (role pretokenTrigger) this plugin makes; revokeFaunaTokens needs a tokenRevoker key of yours. */
const TRIGGER_FUNCTION = 'preTokenGeneration';

class LocalFaunaForInvokePlugin {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options || {};
    // Captured now: serverless-esbuild points serviceDir at its build folder during invoke local.
    this.serviceDir = serverless.serviceDir || process.cwd();
    // As the user started the command: osls copies the function's environment into process.env before the hooks below.
    this.userEnv = { FAUNA_SECRET: process.env.FAUNA_SECRET, FAUNA_ENDPOINT: process.env.FAUNA_ENDPOINT, USER_POOL_IDS: process.env.USER_POOL_IDS };
    this.started = undefined;
    this.hooks = {
      'before:invoke:local:invoke': () => this.prepare(),
      'after:invoke:local:invoke': () => this.stop(),
      error: () => this.stop(),
    };
  }

  stage() {
    return this.options.stage || this.serverless.service.provider.stage;
  }

  fail(message) {
    throw new this.serverless.classes.Error(message, 'COGNITO_FAUNA_LOCAL_FAUNA_UNAVAILABLE');
  }

  async prepare() {
    if (this.stage() !== LOCAL_STAGE || (this.options.function || this.options.f) !== TRIGGER_FUNCTION) return;
    const helpers = await import(pathToFileURL(path.join(__dirname, 'invoke-local-fauna.ts')).href);
    const { FAUNA_SECRET: secret, FAUNA_ENDPOINT: endpoint, USER_POOL_IDS: pools } = this.userEnv;
    if (secret) {
      try {
        await helpers.probeFauna(process.env.FAUNA_ENDPOINT);
      } catch (error) {
        this.fail(error.message);
      }
      return;
    }
    if (endpoint) {
      this.fail(`FAUNA_ENDPOINT is set (${endpoint}) but FAUNA_SECRET is not: set FAUNA_SECRET to a pretokenTrigger key of that Fauna. ${helpers.LOCAL_FAUNA_RECIPE}`);
    }
    this.started = await helpers.startFaunaForInvoke(this.serviceDir, pools);
    Object.assign(process.env, this.started.env);
    process.stderr.write(`${this.started.description}\n`);
  }

  async stop() {
    const started = this.started;
    this.started = undefined;
    if (started) await started.stop();
  }
}

module.exports = LocalFaunaForInvokePlugin;
