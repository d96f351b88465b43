/**
 * `npm run fauna-js-suite`: the runner of fauna-js's own integration tests, on a stand-in clone laid out like
 * fauna-js (`__tests__/integration/*.test.ts` in TypeScript with CommonJS `import x = require()`, reading
 * FAUNA_ENDPOINT / FAUNA_SECRET as its `__tests__/client.ts` does). The real clone needs github.com; the run against
 * it is by hand (docs/local-fauna.md). This checks what the runner promises: a fresh, untyped local Fauna reachable
 * with the root secret `secret`, the clone's TypeScript compiled, the default test files, and a failing test failing
 * the run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

const ROOT = path.join(import.meta.dirname, '../../..');
const checkouts: string[] = [];

/** A stand-in clone whose stream and feed tests run `body` (TypeScript, CommonJS). */
function standInClone(body: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fauna-js-'));
  checkouts.push(dir);
  mkdirSync(path.join(dir, '__tests__/integration'), { recursive: true });
  for (const name of ['stream', 'feed']) {
    writeFileSync(path.join(dir, `__tests__/integration/${name}.test.ts`), `import assert = require("assert");\n${body}\n`);
  }
  return dir;
}

function runSuite(checkout: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/fauna-js-suite.ts'), '--checkout', checkout], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 90_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

afterAll(() => {
  for (const dir of checkouts) rmSync(dir, { recursive: true, force: true });
});

describe('npm run fauna-js-suite', () => {
  it("runs the clone's stream and feed tests against a fresh, untyped local Fauna with the root secret `secret`", () => {
    const checkout = standInClone(`
test("reaches the local Fauna as the driver's tests do", async () => {
  const response = await fetch(process.env["FAUNA_ENDPOINT"] + "/query/1", {
    method: "POST",
    headers: { authorization: "Bearer " + process.env["FAUNA_SECRET"] },
    body: JSON.stringify({ query: "Query.isEnvTypechecked()" }),
  });
  const body: { data: boolean } = await response.json();
  assert.strictEqual(process.env["FAUNA_SECRET"], "secret");
  assert.strictEqual(body.data, false);
});`);

    const { status, output } = runSuite(checkout);

    expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(status).toBe(0);
  }, 120_000);

  it('fails the run when a test of the clone fails', () => {
    const checkout = standInClone('test("fails", () => { assert.strictEqual(1, 2); });');

    const { status, output } = runSuite(checkout);

    expect(output).toMatch(/Tests:\s+2 failed, 2 total/);
    expect(status).not.toBe(0);
  }, 120_000);
});
