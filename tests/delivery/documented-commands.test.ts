/**
 * Every command the documentation tells a person to type (tests/delivery/helpers/documented-commands.ts says which
 * count) works as written on a fresh clone. Each one is listed below with how it is checked; a documented command
 * missing from the list fails the first test, naming it, and so does an entry no page documents any more.
 *
 * How each kind is checked:
 * - `run`: run through `sh -c`, exactly as typed, in a fresh copy of the working tree (the files git tracks or would
 *   track, nothing ignored: no .serverless, .packages or .esbuild* left over), with this checkout's node_modules linked
 *   in (the copy must not download anything), without any AWS credential or FAUNA_* variable; it must exit 0.
 * - `install`: `npm install`/`npm ci` as typed, in the copy, with npm's own dry-run switch in the environment
 *   (npm_config_dry_run, npm_config_offline): npm resolves the tree and reports as a real install does, writes nothing,
 *   and must print no warning. The commands chained after it run for real.
 * - `server`: a command that runs until stopped: started as typed, it must print its ready line and answer a query;
 *   then Ctrl-C (SIGINT to its process group) must stop it cleanly.
 * - `aws`: needs AWS credentials (and a deployed stage's Fauna): run as typed without any, it must fail at once with a
 *   message naming the missing credentials, no stack trace, and no call leaving this machine. (`sls deploy` itself is
 *   rehearsed against an AWS emulator by the deploy rehearsal in .ci/run.)
 * - `template`: a form with placeholders (`<stage>`, `…`) or a bare flag: the script exists and its `--help` lists
 *   every flag the form uses.
 * - `covered`: what runs it instead, checked where possible (the enclosing `npm test`, `.ci/run`, a benchmark of
 *   minutes, tools that are not dependencies of this repository).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documentedCommands } from './helpers/documented-commands.ts';

const ROOT = path.join(import.meta.dirname, '../..');

type How =
  | { kind: 'run'; output?: RegExp; inCheckout?: true }
  | { kind: 'install' }
  | { kind: 'server'; ready: RegExp; port?: number }
  | { kind: 'aws' }
  | { kind: 'template' }
  | { kind: 'covered'; by: string; check?: () => void };

const SUITE = (what: string): How => ({ kind: 'covered', by: `the npm test this file runs in (${what}); run nested, it would run those suites twice` });
const BENCHMARK: How = { kind: 'covered', by: 'a benchmark of minutes on 2 cores, run by hand and reported in docs/reliability.md; its --help and flag refusal: tests/delivery/script-flags.test.ts' };
const FAUNA_SHELL: How = { kind: 'covered', by: "Fauna's CLI (fauna-shell), not a dependency (its install needs api.github.com): the HTTP calls it makes are replayed by packages/fauna-local/tests/conformance/fauna-cli.test.ts" };
const ciRuns = (command: string): How => ({
  kind: 'covered',
  by: '.ci/run, as typed (where its tool is installed; the PR workflow always)',
  check: () => expect(readFileSync(path.join(ROOT, '.ci/run'), 'utf8')).toContain(command),
});

/** Every documented command and how it is checked. Keep in step with the docs: the first test compares the two. */
const COMMANDS: Record<string, How> = {
  'npm install && npm run invoke': { kind: 'install' },
  'npm install': { kind: 'install' },
  'npm ci': { kind: 'install' },
  // In the checkout itself: npm does not match allowScripts to packages reached through the copy's symlinked node_modules.
  'npm install-scripts ls': { kind: 'run', output: /No packages with unreviewed install scripts/, inCheckout: true },
  'npm test': SUITE('every suite'),
  'npm test -- packages/fauna-local/tests/conformance': SUITE('packages/fauna-local/tests/conformance'),
  'npm test -- tests/evidence': SUITE('tests/evidence'),
  'npm test -- <path>': SUITE('every path'),
  'npm test -- <path> --detectOpenHandles': SUITE('every path, with jest\'s open-handle detector; tests/evidence/test-runner.test.ts shows the watchdog that names it'),
  'FAUNA_ENDPOINT=http://my-faunadb:8443 FAUNA_ROOT_SECRET=… npm test -- packages/fauna-local/tests/conformance': { kind: 'covered', by: 'a self-hosted Fauna of your own: packages/fauna-local/tests/conformance/helpers/target.ts runs the same suites against the local one' },
  'npm run invoke': { kind: 'run', output: /"fauna_token_secret": "fn/ },
  // The fauna-local package, as a user outside this repository runs it: the pack test installs the packed tarball in
  // a scratch folder (the name is not published yet) and starts the bin there; prepack runs its build.
  'npm install --save-dev fauna-local': { kind: 'covered', by: 'tests/delivery/fauna-local-package.test.ts: the same install, of the packed tarball (not published yet), offline, outside the repository' },
  'npx fauna-local --port 0': { kind: 'covered', by: 'tests/delivery/fauna-local-package.test.ts: started as typed in the scratch folder the tarball is installed in, queried with the fauna driver' },
  'npm run build': { kind: 'covered', by: 'tests/delivery/fauna-local-package.test.ts: npm pack in packages/fauna-local runs it (prepack) and the tarball must hold dist/' },
  'npm test -w fauna-local': SUITE('a whole-suite npm test runs the package project with its coverage gate'),
  'npm test -- packages/fauna-local/tests/unit/fql': SUITE('those suites'),
  'npm run invoke -- --event events/pretoken-v2.json': { kind: 'run', output: /"fauna_token_secret": "fn/ },
  'npm run demo': { kind: 'run', output: /6\. Cognito removes the editor[\s\S]*create Product with the same secret refused by Fauna: permission_denied/ },
  'npm run demo -- --verbose': { kind: 'run' },
  'npx sls invoke local -f preTokenGeneration -p events/pretoken.json': { kind: 'run', output: /"fauna_token_secret": "fn/ },
  'npx sls invoke local -f preTokenGeneration -p events/pretoken.json --stage local': { kind: 'run', output: /"fauna_token_secret": "fn/ },
  'npx sls --help': { kind: 'run', output: /invoke local/ },
  // What the secret may do with the group is checked by tests/delivery/invoke-local-groups.test.ts.
  'npx sls invoke local --stage local -f preTokenGeneration -p events/pretoken-catalog-editor.json --param="identityAttributes=custom:tenantId"': { kind: 'run', output: /"fauna_token_secret": "fn/ },
  'npm run package -- --stage dev': { kind: 'run', output: /Packaged stage dev into \.packages\/dev/ },
  'npm run package -- --all': { kind: 'run', output: /Packaged stage prod into \.packages\/prod/ },
  'npm run build:validator': { kind: 'run', output: /wrote .*event-validator\.ts/ },
  'npm run lint:cfn': ciRuns('npm run lint:cfn'),
  'npm run fauna:local': { kind: 'server', ready: /Local Fauna listening on (http:\/\/\S+)/ },
  'npm run fauna:local -- --schema-dir fauna': { kind: 'server', ready: /Local Fauna listening on (http:\/\/\S+)/ },
  'npm run fauna:local -- --port 0 --schema-dir fauna': { kind: 'server', ready: /Local Fauna listening on (http:\/\/\S+)/ },
  'npm run fauna:local -- --data-file .fauna-local/data.json': { kind: 'server', ready: /Local Fauna listening on (http:\/\/\S+)/ },
  'npm run bench': BENCHMARK,
  'npm run bench:cpu': BENCHMARK,
  'npm run bench:fauna-local': BENCHMARK,
  'npm run fauna-js-suite -- --checkout ../fauna-js': {
    kind: 'covered',
    by: "a clone of github.com/fauna/fauna-js, which a fresh clone of this repository does not have (no network here): run by hand, 27 of 27 stream and feed tests pass (docs/local-fauna.md); its --help and flag refusal: tests/delivery/script-flags.test.ts; its jest configuration: tests/unit/scripts/fauna-js-suite.test.ts",
  },
  'npm run schema:push -- --stage dev': { kind: 'aws' },
  'npm run key:bootstrap -- --stage dev': { kind: 'aws' },
  'npm run key:bootstrap -- --stage dev --role tokenRevoker': { kind: 'aws' },
  'npm run deploy -- --stage dev': { kind: 'aws' },
  'npx serverless deploy --stage dev': { kind: 'aws' },
  'npm run tokens:revoke -- --stage dev --sub 7d8ca528-4931-4254-9273-ea5ee853f271': { kind: 'aws' },
  'npm run tokens:revoke -- --stage dev --user ada@example.com --pool-id us-east-1_Abc123': { kind: 'aws' },
  'aws cloudformation deploy --stack-name cognito-fauna-github-deploy-roles --template-file deploy/github-oidc-roles.yml --capabilities CAPABILITY_NAMED_IAM --parameter-overrides GitHubOwner=<owner> GitHubRepository=<repo>': {
    kind: 'covered',
    by: "the AWS CLI with an account's credentials, once per account: the template and the parameters it names exist (tests/delivery/deploy-roles.test.ts checks the template)",
    check: () => {
      const template = readFileSync(path.join(ROOT, 'deploy/github-oidc-roles.yml'), 'utf8');
      for (const parameter of ['GitHubOwner', 'GitHubRepository', 'ExistingOidcProviderArn']) expect(template).toMatch(new RegExp(`^  ${parameter}:`, 'm'));
    },
  },
  'npm install -g fauna-shell': FAUNA_SHELL,
  "fauna query '1 + 1' --local": FAUNA_SHELL,
  'fauna database create --name app --local': FAUNA_SHELL,
  'fauna database list --local': FAUNA_SHELL,
  'fauna schema push --dir fauna --database app --local': FAUNA_SHELL,
  'fauna schema status --dir fauna --database app --local': FAUNA_SHELL,
  'fauna schema diff --dir fauna --text --database app --local': FAUNA_SHELL,
  'fauna schema commit --database app --local': FAUNA_SHELL,
  'fauna schema pull --dir pulled --database app --local': FAUNA_SHELL,
  'fauna schema push --dir fauna --active --local': FAUNA_SHELL,
  "fauna query 'Collection.all().map(.name).toArray()' --database app --local": FAUNA_SHELL,
  'fauna database delete --name app --local': FAUNA_SHELL,
  'npm run tokens:revoke': { kind: 'template' },
  'npm run tokens:revoke -- --sub': { kind: 'template' },
  'npm run schema:push': { kind: 'template' },
  'npm run schema:push -- --stage <s>': { kind: 'template' },
  'npm run schema:push -- --stage <stage> --dry-run': { kind: 'template' },
  'npm run identity:move': { kind: 'template' },
  'npm run identity:move -- --stage <s> …': { kind: 'template' },
  'npm run identity:move -- --stage prod --from-sub <sub the identity is bound to now> --to-sub <sub that should own it>': { kind: 'template' },
  'npm run identity:move -- --stage prod --from-sub <old sub> --to-sub <new sub> --apply': { kind: 'template' },
  'npm run key:bootstrap': { kind: 'template' },
  'npm run key:bootstrap -- --rotate': { kind: 'template' },
  'npm run key:bootstrap -- --stage <s>': { kind: 'template' },
  'npm run key:bootstrap -- --stage <stage>': { kind: 'template' },
  'npm run key:bootstrap -- --stage <stage> --rotate': { kind: 'template' },
  'npm run key:bootstrap -- --stage <stage> --delete-key <old id>': { kind: 'template' },
  'npm run package -- --stage <s>': { kind: 'template' },
  'npm run deploy -- --stage <s>': { kind: 'template' },
  'npm run deploy -- --stage <stage>': { kind: 'template' },
  'npm run smoke -- --stage <s>': { kind: 'template' },
  'npm run smoke -- --stage <stage>': { kind: 'template' },
  'npm run package': { kind: 'template' },
  'npm run deploy': { kind: 'template' },
  'npm run deploy -- --stage <s> --param reattachTrigger=true': { kind: 'template' },
  'npx serverless remove --stage <s>': { kind: 'covered', by: 'the deploy rehearsal (npm run rehearse, from .ci/run) runs it as typed for dev, staging and prod against moto_server', check: () => expect(readFileSync(path.join(ROOT, '.ci/run'), 'utf8')).toContain('npm run rehearse') },
  'npx sls invoke local': { kind: 'covered', by: 'the command named in prose; its full forms are run as typed above', check: () => expect(Object.keys(COMMANDS).filter((command) => command.startsWith('npx sls invoke local -f ')).length).toBeGreaterThan(0) },
  'npm run rehearse': ciRuns('npm run rehearse'),
  'npm run fauna:local -- --contention 10': { kind: 'server', ready: /Local Fauna listening on (http:\/\/\S+)/ },
};

const documented = documentedCommands(ROOT);
const whereDocumented = new Map<string, string[]>();
for (const { command, where } of documented) whereDocumented.set(command, [...(whereDocumented.get(command) ?? []), where]);
const entries = (kind: How['kind']) => Object.entries(COMMANDS).filter(([, how]) => how.kind === kind).map(([command, how]) => [command, how] as const);

let copy: string;
let scratch: string;

/** This environment as on a fresh machine: no AWS credential source, no Fauna settings, Node 22 of node_modules first. */
function freshEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('FAUNA_') && !name.startsWith('npm_') && name !== 'USER_POOL_IDS' && name !== 'NODE_OPTIONS');
  return {
    ...Object.fromEntries(kept),
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`,
    AWS_CONFIG_FILE: path.join(scratch, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    ...extra,
  };
}

function sh(command: string, env: NodeJS.ProcessEnv, cwd: string = copy): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'documented-commands-'));
  copy = path.join(scratch, 'clone');
  // The working tree as a clone would have it: tracked files plus new ones not ignored, nothing git ignores.
  const files = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  for (const file of files) {
    try {
      cpSync(path.join(ROOT, file), path.join(copy, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // deleted but not yet committed
    }
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('the documented commands', () => {
  it('are each listed here with how they are checked, and every listed one is documented', () => {
    const unlisted = [...whereDocumented].filter(([command]) => !(command in COMMANDS)).map(([command, where]) => `${command}   (${where.join(', ')})`);
    const undocumented = Object.keys(COMMANDS).filter((command) => !whereDocumented.has(command));
    expect({ unlisted, undocumented }).toEqual({ unlisted: [], undocumented: [] });
  });

  it('never start with a bare serverless or sls (not on the PATH of a fresh clone: npx sls …)', () => {
    expect(documented.filter(({ command }) => /^(serverless|sls) /.test(command))).toEqual([]);
  });
});

describe('run as typed in a fresh copy, without AWS credentials or Fauna settings', () => {
  it.each(entries('run'))('%s', async (command, how) => {
    const { code, output } = await sh(command, freshEnvironment(), how.kind === 'run' && how.inCheckout ? ROOT : copy);
    if (code !== 0) throw new Error(`${command} exited ${code}:\n${output.slice(-3000)}`);
    if (how.kind === 'run' && how.output) expect(output).toMatch(how.output);
  }, 240_000);
});

describe('install commands as typed, npm in dry-run mode (nothing written), printing no warning', () => {
  it.each(entries('install'))('%s', async (command) => {
    const { code, output } = await sh(command, freshEnvironment({ npm_config_dry_run: 'true', npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' }));
    if (code !== 0) throw new Error(`${command} exited ${code}:\n${output.slice(-3000)}`);
    expect(output.split('\n').filter((line) => /^npm (warn|WARN|error|ERR)/.test(line))).toEqual([]);
  }, 240_000);
});

describe('servers as typed: ready, answering, stopped by Ctrl-C', () => {
  it.each(entries('server'))('%s', async (command, how) => {
    if (how.kind !== 'server') return;
    const child = spawn('sh', ['-c', command], { cwd: copy, env: freshEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = how.ready.exec(output);
        if (match) resolve(match[1]!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${command} exited ${code} before it was ready:\n${output}`)));
    });
    const answer = await fetch(`${url}/query/1`, { method: 'POST', headers: { authorization: 'Bearer secret', 'content-type': 'application/json' }, body: JSON.stringify({ query: '1 + 1' }) });
    const body = (await answer.json()) as { data?: unknown };
    // Ctrl-C in a terminal: SIGINT to the whole foreground group (the shell, npm and node).
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    process.kill(-child.pid!, 'SIGINT');
    await closed;
    expect({ status: answer.status, data: body.data, stopped: output.includes('Local Fauna stopped.') }).toEqual({ status: 200, data: 2, stopped: true });
  }, 60_000);
});

describe('commands that need AWS, run as typed without credentials: a fast, clear refusal', () => {
  it.each(entries('aws'))('%s', async (command) => {
    const { code, output } = await sh(command, freshEnvironment({ AWS_REGION: 'us-east-1' }));
    expect(code).not.toBe(0);
    expect(output).toMatch(/credentials/i);
    expect(output).not.toMatch(/^\s+at /m);
  }, 120_000);
});

describe('forms with placeholders: the script exists and its --help lists every flag they use', () => {
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  it.each(entries('template'))('%s', async (command) => {
    const script = /^npm run (\S+)/.exec(command)![1]!;
    expect(Object.keys(scripts)).toContain(script);
    const { code, output } = await sh(`npm run ${script} -- --help`, freshEnvironment());
    expect(code).toBe(0);
    for (const flag of command.match(/(?<=\s)--[a-z][\w-]*/g) ?? []) expect(output).toContain(flag);
  }, 60_000);
});

describe('commands something else runs', () => {
  it.each(entries('covered'))('%s', (_command, how) => {
    if (how.kind !== 'covered') return;
    expect(how.by.length).toBeGreaterThan(0);
    how.check?.();
  });
});
