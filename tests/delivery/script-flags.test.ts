/**
 * Every npm script that runs one of our files (package.json `scripts`: `node scripts/x.ts`, `fauna:local`) prints its
 * usage for `--help` and exits 0 without doing its work, and refuses an unknown flag with exit 2, naming it, before
 * doing any. The list comes from package.json, so a new script is covered as soon as it is added.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { runScript } from './helpers/run-script.ts';

const ROOT = path.join(import.meta.dirname, '../..');
const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** `node [flags] <file>.ts` → the file; other scripts (tsc, jest through scripts/test.ts, serverless) are not ours to parse. */
function scriptFile(command: string): string | undefined {
  const match = /^(?:NODE_OPTIONS=\S+ )?node (?:--\S+ )*(\S+\.ts)$/.exec(command);
  return match?.[1];
}

/** scripts/test.ts and scripts/rehearse.ts hand every argument to jest (their --help is jest's); the others parse their own. */
const PASSES_ARGUMENTS_ON = new Set(['test', 'rehearse']);

const ours = Object.entries(scripts)
  .map(([name, command]) => [name, scriptFile(command)] as const)
  .filter((entry): entry is readonly [string, string] => entry[1] !== undefined && !PASSES_ARGUMENTS_ON.has(entry[0]));

describe('npm scripts: --help and unknown flags', () => {
  it('finds the scripts in package.json (the list below is not empty)', () => {
    expect(ours.map(([name]) => name)).toEqual(expect.arrayContaining(['package', 'invoke', 'bench', 'tokens:revoke', 'fauna:local']));
  });

  it.each(ours)('npm run %s -- --help prints its usage and exits 0', async (name, file) => {
    const { code, output } = await runScript(path.join(ROOT, file), ['--help'], {});
    expect(code).toBe(0);
    expect(output).toMatch(new RegExp(`^Usage: npm run ${name.replace(':', '\\:')} --`, 'm'));
  }, 20_000);

  it.each(ours)('npm run %s -- --no-such-flag is refused with exit 2, naming the flag', async (name, file) => {
    const { code, output } = await runScript(path.join(ROOT, file), ['--no-such-flag'], {});
    expect({ code, named: output.includes("'--no-such-flag'") }).toEqual({ code: 2, named: true });
    expect(output).not.toMatch(/^\s+at /m);
  }, 20_000);
});
