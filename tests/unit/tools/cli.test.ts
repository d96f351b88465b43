import { describe, expect, it } from '@jest/globals';
import { CliUsageError, defineCli, describeError, parseCli, usage } from '../../../tools/cli.ts';
import { failureCause } from '../../../scripts/package-stage.ts';

const CLI = defineCli({
  command: 'npm run example --',
  summary: 'An example script.',
  options: {
    stage: { type: 'string', value: 'STAGE', help: 'the stage' },
    all: { type: 'boolean', default: false, help: 'every stage' },
    dir: { type: 'string', value: 'DIR', default: 'fauna', help: 'the folder' },
  },
  examples: ['npm run example -- --stage dev'],
});

describe('parseCli', () => {
  it('returns the flags with their defaults', () => {
    expect(parseCli(CLI, ['--stage', 'dev'])).toEqual({ stage: 'dev', all: false, dir: 'fauna' });
  });

  it('prints the usage for --help and -h and returns undefined, whatever else is given', () => {
    for (const argv of [['--help'], ['-h'], ['--stage', 'dev', '--help']]) {
      const printed: string[] = [];
      expect(parseCli(CLI, argv, (text) => printed.push(text))).toBeUndefined();
      expect(printed).toEqual([usage(CLI)]);
    }
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--stage'], "Option '--stage <value>' argument missing"],
    [['dev'], "Unexpected argument 'dev'"],
    [['--all=yes'], "Option '--all' does not take an argument"],
  ])('refuses %j, naming it and pointing at --help', (argv, message) => {
    expect(() => parseCli(CLI, argv, () => undefined)).toThrow(CliUsageError);
    expect(() => parseCli(CLI, argv, () => undefined)).toThrow(message);
    expect(() => parseCli(CLI, argv, () => undefined)).toThrow('Run `npm run example -- --help`');
  });

  it('refuses a script that declares --help itself (defineCli adds it)', () => {
    expect(() => defineCli({ command: 'x', summary: 'y', options: { help: { type: 'boolean', help: 'z' } } })).toThrow('--help is added by defineCli');
  });
});

describe('usage', () => {
  it('lists every flag with its value, help and default, then the examples', () => {
    const text = usage(CLI);
    expect(text.split('\n')).toEqual([
      'Usage: npm run example -- [flags]',
      '',
      'An example script.',
      '',
      'Flags:',
      '  --stage <STAGE>  the stage',
      '  --all            every stage',
      '  --dir <DIR>      the folder (default: fauna)',
      '  -h, --help       print this help and exit',
      '',
      'Examples:',
      '  npm run example -- --stage dev',
    ]);
  });
});

describe('describeError', () => {
  it('gives the name, the message and each cause, without a stack', () => {
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8443'), { code: 'ECONNREFUSED' });
    const error = new TypeError('fetch failed', { cause: root });
    expect(describeError(error)).toBe('TypeError: fetch failed\ncaused by: Error: connect ECONNREFUSED 127.0.0.1:8443');
  });

  it('adds a system code the message does not name', () => {
    expect(describeError(Object.assign(new Error('name too long'), { code: 'ENAMETOOLONG' }))).toBe('Error (ENAMETOOLONG): name too long');
  });

  it('prints a thrown non-error as it is', () => {
    expect(describeError('plain')).toBe('plain');
  });
});

describe('failureCause (npm run package)', () => {
  const stack = Array.from({ length: 200 }, () => '    at copyDereferencedSync (node_modules/serverless/lib/utils/fs/copy-sync.js:30:7)');

  it("keeps osls's error block and drops the stack frames around it", () => {
    // As osls 4.3.1 printed it when packaging into .serverless/dev (the path shortened here).
    const output = ['Packaging cognito-fauna for stage dev (us-east-1)', ...stack, 'Environment: linux, node 22.23.3, osls 4.3.1 (local)', '', 'Error:', `Error: ENAMETOOLONG: name too long, stat '/repo/.serverless/${'dev/'.repeat(200)}'`, ...stack.slice(0, 3)].join('\n');
    const cause = failureCause(output);
    expect(cause.startsWith('Error: ENAMETOOLONG: name too long')).toBe(true);
    expect(cause).not.toContain('    at ');
    expect(cause.length).toBeLessThanOrEqual(301);
  });

  it('without an error block, keeps the last lines that are not stack frames', () => {
    expect(failureCause(['first', ...stack, 'TypeError: boom', ...stack].join('\n'))).toBe('first\nTypeError: boom');
  });
});
