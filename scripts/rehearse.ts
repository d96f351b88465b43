/**
 * `npm run rehearse`: the deploy rehearsal (tests/rehearsal/, jest.rehearsal.config.js; docs/deploy.md), with every
 * argument handed to jest as `npm test` hands them. It goes through the same watchdog as `npm test`
 * (scripts/test.ts): a run that has written its results but does not exit, because a test left the emulator, a socket or
 * a timer behind, is stopped after the grace period and fails, instead of holding CI until its time limit.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PASS_THROUGH_FLAGS, runJest, runJestPlain, splitArgs } from './test.ts';

export const REHEARSAL_CONFIG = 'jest.rehearsal.config.js';

async function main(args: string[]): Promise<number> {
  const config = ['--config', REHEARSAL_CONFIG];
  if (args.some((arg) => PASS_THROUGH_FLAGS.includes(arg))) return runJestPlain([...config, ...args], process.env);
  const { jestArgs, outputFile, json } = splitArgs(args);
  // The watchdog needs a result file to know the tests have ended: the caller's, or one of our own.
  const scratch = outputFile === undefined ? mkdtempSync(join(tmpdir(), 'rehearsal-')) : undefined;
  const resultFile = outputFile ?? join(scratch!, 'results.json');
  try {
    const status = await runJest([...config, ...jestArgs], process.env, resultFile);
    if (json && outputFile === undefined && existsSync(resultFile)) process.stdout.write(readFileSync(resultFile, 'utf8') + '\n');
    return status;
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(await main(process.argv.slice(2)));
