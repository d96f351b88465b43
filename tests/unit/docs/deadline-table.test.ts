/**
 * docs/reliability.md's deadline table is the arithmetic the code runs on: every figure in it must be the constant it
 * names, so changing a constant without the table (or the other way round) fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { MIDDY_TIMEOUT_EARLY_MS } from '../../../handlers/sign-in/create-sign-in-handler.ts';
import { LAMBDA_MARGIN_MS, STEPS_END_BY_MS } from '../../../lib/common/deadline.ts';
import { ANSWER_BUDGET_MS } from '../../evidence/helpers/answer-budget.ts';

const ROOT = join(import.meta.dirname, '../../..');
const COGNITO_WAIT_MS = 5000;

/** The table under "## The deadline": each row's first cell mapped to its value cell. */
function deadlineTable(): Map<string, string> {
  const page = readFileSync(join(ROOT, 'docs/reliability.md'), 'utf8');
  const section = page.slice(page.indexOf('## The deadline'), page.indexOf('\n## ', page.indexOf('## The deadline') + 1));
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| what') && !line.startsWith('|---'));
  return new Map(rows.map((row) => row.split('|').map((cell) => cell.trim())).map((cells) => [cells[1]!, cells[2]!]));
}

/** The numbers in a cell, thousands separators removed ("remaining − 1,000 ms = 4,000 ms" → [1000, 4000]). */
const numbers = (cell: string | undefined): number[] => [...(cell ?? '').replaceAll(',', '').matchAll(/\d+/g)].map((match) => Number(match[0]));

function row(table: Map<string, string>, start: string): string {
  const key = [...table.keys()].find((label) => label.startsWith(start));
  if (!key) throw new Error(`docs/reliability.md's deadline table has no row starting "${start}"`);
  return table.get(key)!;
}

describe('docs/reliability.md: the deadline table matches the code', () => {
  const table = deadlineTable();
  const functionTimeoutS = (parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as { functions: { preTokenGeneration: { timeout: number } } })
    .functions.preTokenGeneration.timeout;

  it('Cognito’s wait and the function timeout (serverless.yml)', () => {
    expect(numbers(row(table, 'Cognito\'s wait'))).toEqual([COGNITO_WAIT_MS]);
    expect(numbers(row(table, 'function timeout'))).toEqual([functionTimeoutS]);
  });

  it('the deadline’s constants: STEPS_END_BY_MS and LAMBDA_MARGIN_MS', () => {
    expect(numbers(row(table, 'every step ends by'))).toEqual([STEPS_END_BY_MS]);
    expect(numbers(row(table, 'kept back from Lambda\'s remaining time'))).toEqual([LAMBDA_MARGIN_MS]);
  });

  it('Middy’s early timeout: the function timeout minus MIDDY_TIMEOUT_EARLY_MS', () => {
    expect(numbers(row(table, 'Middy\'s early timeout'))).toEqual([MIDDY_TIMEOUT_EARLY_MS, functionTimeoutS * 1000 - MIDDY_TIMEOUT_EARLY_MS]);
  });

  it('what is left for the answer, and the evidence suites’ budget (ANSWER_BUDGET_MS)', () => {
    expect(numbers(row(table, 'left for the fail policy\'s answer'))[0]).toBe(COGNITO_WAIT_MS - STEPS_END_BY_MS);
    expect(numbers(row(table, 'answer budget the evidence suites assert'))).toEqual([ANSWER_BUDGET_MS]);
  });
});
