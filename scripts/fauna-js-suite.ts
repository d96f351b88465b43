/**
 * `npm run fauna-js-suite -- --checkout <dir>`: runs the official driver's own integration tests, unmodified, against
 * a fresh local Fauna. The fauna-js repository (https://github.com/fauna/fauna-js) is not a dependency: clone it
 * anywhere (`git clone https://github.com/fauna/fauna-js`) and name the clone. Its tests import the driver's
 * TypeScript source (`../../src`) and read FAUNA_ENDPOINT / FAUNA_SECRET (`__tests__/client.ts`), so this script
 * starts the local Fauna on a free port with the root secret `secret`, points those variables at it, and runs the
 * clone's test files with this repository's jest, compiling the clone's TypeScript as CommonJS (its own jest config
 * uses ts-jest; @swc/jest compiles the same files). It needs no install in the clone (its one runtime dependency,
 * base64-js, resolves from this repository's node_modules). The local Fauna runs untyped, as the driver's test target
 * does (see below).
 *
 * By default it runs the event stream and feed tests; `--test` names others (paths inside the clone).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalFauna } from '../packages/fauna-local/src/index.ts';
import { defineCli, describeError, parseCliOrExit } from '../tools/cli.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_TESTS = ['__tests__/integration/stream.test.ts', '__tests__/integration/feed.test.ts'];

export const CLI = defineCli({
  command: 'npm run fauna-js-suite --',
  summary: "Runs fauna-js's own integration tests (by default stream and feed), unmodified, against a fresh local Fauna.",
  options: {
    checkout: { type: 'string', value: 'DIR', help: 'a clone of https://github.com/fauna/fauna-js (required)' },
    test: { type: 'string', value: 'PATH', multiple: true, help: `a test file inside the clone (repeatable; default: ${DEFAULT_TESTS.join(', ')})` },
  },
  examples: ['npm run fauna-js-suite -- --checkout ../fauna-js', 'npm run fauna-js-suite -- --checkout ../fauna-js --test __tests__/integration/query.test.ts'],
});

/** The jest configuration for the clone: its test files, compiled as CommonJS, modules also from this repository. */
export function jestConfigFor(checkout: string, tests: readonly string[]): Record<string, unknown> {
  return {
    rootDir: checkout,
    roots: ['<rootDir>'],
    testEnvironment: 'node',
    testMatch: tests.map((test) => path.join(checkout, test)),
    moduleDirectories: ['node_modules', path.join(ROOT, 'node_modules')],
    transform: {
      '^.+\\.ts$': [path.join(ROOT, 'node_modules/@swc/jest/index.js'), { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    },
    testTimeout: 30_000,
  };
}

async function main(): Promise<number> {
  const values = parseCliOrExit(CLI);
  if (values.checkout === undefined) {
    console.error('--checkout is required: clone https://github.com/fauna/fauna-js and pass the clone, e.g. --checkout ../fauna-js');
    return 2;
  }
  const checkout = path.resolve(values.checkout);
  const tests = values.test ?? DEFAULT_TESTS;
  const missing = tests.filter((test) => !existsSync(path.join(checkout, test)));
  if (missing.length > 0) {
    console.error(`Not in ${checkout}: ${missing.join(', ')}. Is it a clone of https://github.com/fauna/fauna-js?`);
    return 2;
  }
  // Untyped, as the driver's own test target is: its stream tests make a token of `StreamTest.all().map((doc) =>
  // notARealFn(doc))` and expect the unbound variable as a runtime error event, which a type-checked database refuses
  // up front ("Unbound variable", core: ext/fql/shared/src/main/scala/error/package.scala).
  const fauna = await startLocalFauna({ port: 0, rootSecret: 'secret', typechecked: false });
  try {
    const jest = path.join(ROOT, 'node_modules/jest/bin/jest.js');
    const child = spawn(process.execPath, [jest, '--runInBand', '--config', JSON.stringify(jestConfigFor(checkout, tests))], {
      stdio: 'inherit',
      env: { ...process.env, FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET: fauna.rootSecret, NODE_OPTIONS: '' },
    });
    return await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  } finally {
    await fauna.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(describeError(error));
    process.exit(1);
  },
);
