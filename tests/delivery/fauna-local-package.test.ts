/**
 * The fauna-local package as it would be published: `npm pack` in packages/fauna-local (its prepack builds dist/),
 * the tarball installed offline into a scratch folder outside the repository (the package has no dependencies, so
 * nothing is fetched), then used there as a user would: `npx fauna-local --port 0` starts an endpoint that the real
 * `fauna` driver queries over HTTP; `import('fauna-local')` runs under plain Node (no type stripping: Node refuses to
 * strip types under node_modules, so this proves the build is JavaScript); and a TypeScript consumer type-checks
 * against the shipped declarations with the Node 16+ resolution (the `exports` map's `types` conditions).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, fql } from 'fauna';

const ROOT = join(import.meta.dirname, '../..');
const PACKAGE_DIR = join(ROOT, 'packages/fauna-local');
// The Node the npm scripts use (Node 22) first on PATH, so that the bin's `#!/usr/bin/env node` finds it.
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, NODE_OPTIONS: '', npm_config_audit: 'false', npm_config_fund: 'false' };

let scratch: string;
let tarball: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'fauna-local-consumer-'));
  const packed = mkdtempSync(join(tmpdir(), 'fauna-local-pack-'));
  execFileSync('npm', ['pack', '--pack-destination', packed], { cwd: PACKAGE_DIR, env: ENV, stdio: 'pipe' });
  tarball = join(packed, readdirSync(packed).find((name) => name.endsWith('.tgz'))!);
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: scratch, env: ENV, stdio: 'pipe' });
}, 180000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(dirname(tarball), { recursive: true, force: true });
});

/** Starts `npx fauna-local --port 0` in the scratch folder; resolves with the URL it prints. */
function startBin(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    // In a process group of its own: npx runs the bin as a child of its own (through a shell), which a signal to npx
    // alone does not always reach; left running, it holds our stdout/stderr pipes open and jest never exits.
    const child = spawn('npx', ['--offline', '--no-install', 'fauna-local', '--port', '0'], { cwd: scratch, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`fauna-local printed no URL within 30 s:\n${output}`)), 30000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Local Fauna listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`fauna-local exited with ${code} before listening:\n${output}`)));
  });
}

/** The live processes of the process group led by `pid`, as `pid state command` (ps lists each with its group id). */
function groupMembers(pid: number): string[] {
  return execFileSync('ps', ['-eo', 'pgid=,pid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pgid, , stat]) => Number(pgid) === pid && !stat?.startsWith('Z')) // a zombie has ended; only its parent's reaping is left
    .map(([, member, stat, ...args]) => `${member} ${stat} ${args.join(' ')}`);
}

/** SIGTERM to npx's whole process group, then waits until npx has exited and its output pipes have closed. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const closed = new Promise((resolve) => child.once('close', resolve)); // 'close': exited and every stdio stream ended
  process.kill(-child.pid!, 'SIGTERM');
  await closed;
}

describe('the packed fauna-local, installed from its tarball outside the repository', () => {
  it('ships the build and the docs, not the sources or the tests', () => {
    // Act
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');

    // Assert
    expect(listing).toEqual(expect.arrayContaining(['package/package.json', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/bin.js', 'package/README.md', 'package/CHANGELOG.md']));
    expect(listing.filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))).toEqual([]);
    expect(listing.filter((name) => name.startsWith('package/tests/') || name.startsWith('package/src/'))).toEqual([]);
  });

  it('starts with `npx fauna-local --port 0` and answers the fauna driver', async () => {
    // Arrange
    const { child, url } = await startBin();
    const client = new Client({ endpoint: new URL(url), secret: 'secret' });

    try {
      // Act
      const answer = await client.query<number>(fql`1 + 1`);

      // Assert
      expect(answer.data).toBe(2);
    } finally {
      client.close();
      await stopGroup(child);
    }

    // Assert: nothing of the group is left (no orphaned server holding the port or our pipes)
    expect(await fetch(url, { method: 'POST' }).then(() => 'answered', () => 'refused')).toBe('refused');
    expect(groupMembers(child.pid!)).toEqual([]);
  }, 60000);

  it('imports as JavaScript under plain Node: startLocalFauna, and the FSL lister of `fauna-local/fsl`', () => {
    // Arrange
    const script = [
      "import { startLocalFauna } from 'fauna-local';",
      "import { listFslItems } from 'fauna-local/fsl';",
      'const fauna = await startLocalFauna({ port: 0 });',
      "console.log(JSON.stringify({ url: fauna.url, items: listFslItems([{ filename: 'main.fsl', content: 'collection Note {}' }]) }));",
      'await fauna.stop();',
    ].join('\n');
    writeFileSync(join(scratch, 'use.mjs'), script);

    // Act
    const output = JSON.parse(execFileSync(process.execPath, ['use.mjs'], { cwd: scratch, env: ENV, encoding: 'utf8' })) as { url: string; items: unknown };

    // Assert
    expect(output.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(output.items).toEqual([{ kind: 'collection', name: 'Note', filename: 'main.fsl' }]);
  }, 60000);

  it('type-checks a TypeScript consumer against the shipped declarations', () => {
    // Arrange
    writeFileSync(join(scratch, 'consumer.ts'), [
      "import { startLocalFauna, type LocalFauna } from 'fauna-local';",
      "import { listFslItems, type FslItem } from 'fauna-local/fsl';",
      "import { readFslFiles } from 'fauna-local/fsl-files';",
      'export async function use(): Promise<[LocalFauna, FslItem[]]> {',
      "  const fauna = await startLocalFauna({ port: 0, typechecked: true });",
      "  return [fauna, listFslItems(await readFslFiles('fauna'))];",
      '}',
      "// @ts-expect-error: an option the API does not have",
      "startLocalFauna({ portt: 0 });",
    ].join('\n'));
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [], typeRoots: [join(ROOT, 'node_modules/@types')] },
      files: ['consumer.ts'],
    }));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');

    // Act
    const run = (): string => execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--types', 'node'], { cwd: scratch, env: ENV, encoding: 'utf8' });

    // Assert: tsc exits 0 (execFileSync throws with tsc's diagnostics otherwise)
    expect(run()).toBe('');
  }, 120000);
});
