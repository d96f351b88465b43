/**
 * Compiles the event JSON Schema (lib/sign-in/event-schema.ts) to standalone ajv code in lib/sign-in/generated/event-validator.ts.
 * Run with `npm run build:validator` after changing the schema; a unit test fails while the committed file is stale.
 * `--check` exits 1 instead of writing when the file is out of date.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderEventValidatorModule } from '../tools/render-event-validator.ts';
import { defineCli, parseCliOrExit } from '../tools/cli.ts';

export const GENERATED_VALIDATOR_PATH = fileURLToPath(new URL('../lib/sign-in/generated/event-validator.ts', import.meta.url));

export const CLI = defineCli({
  command: 'npm run build:validator --',
  summary: 'Compiles the event JSON Schema (lib/sign-in/event-schema.ts) to standalone ajv code in lib/sign-in/generated/event-validator.ts.',
  options: { check: { type: 'boolean', default: false, help: 'exit 1 instead of writing when the committed file is out of date' } },
});

async function main(): Promise<void> {
  const values = parseCliOrExit(CLI);
  const source = renderEventValidatorModule();
  if (values.check) {
    const current = await readFile(GENERATED_VALIDATOR_PATH, 'utf8').catch(() => '');
    if (current !== source) {
      console.error(`${GENERATED_VALIDATOR_PATH} is out of date: run npm run build:validator`);
      process.exitCode = 1;
    }
    return;
  }
  await mkdir(dirname(GENERATED_VALIDATOR_PATH), { recursive: true });
  await writeFile(GENERATED_VALIDATOR_PATH, source);
  console.log(`wrote ${GENERATED_VALIDATOR_PATH}`);
}

await main();
