/**
 * The one argument parser of the npm scripts: every script declares its flags once, with a line of help each, and gets
 * `--help`/`-h` (usage, exit 0), a refusal of any unknown flag or stray argument (exit 2, naming it and the usage),
 * and one way to print a failure: its cause, never a stack.
 *
 * @example
 * const CLI = defineCli({ command: 'npm run demo --', summary: 'Signs a user in through the local stack.',
 *   options: { verbose: { type: 'boolean', help: 'also print every process of the stack' } } });
 * const values = parseCli(CLI, process.argv.slice(2)); // undefined after --help
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** One line: what the flag does (and its default, when that is not obvious). */
  readonly help: string;
  /** The value's placeholder in the usage text, e.g. `STAGE`. */
  readonly value?: string;
  readonly multiple?: boolean;
  readonly short?: string;
  readonly default?: string | boolean;
}

export interface CliSpec<O extends Readonly<Record<string, OptionSpec>>> {
  /** What a person types before the flags, e.g. `npm run tokens:revoke --`. */
  readonly command: string;
  /** One or two sentences: what the script does. */
  readonly summary: string;
  readonly options: O;
  /** Complete example command lines. */
  readonly examples?: readonly string[];
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean' ? boolean : S['multiple'] extends true ? string[] : string;

/** The parsed flags: options with a default are always present. */
export type CliValues<O extends Readonly<Record<string, OptionSpec>>> = {
  -readonly [K in keyof O as O[K] extends { default: string | boolean } ? K : never]: ValueOf<O[K]>;
} & {
  -readonly [K in keyof O as O[K] extends { default: string | boolean } ? never : K]?: ValueOf<O[K]>;
};

/** A flag the script does not know, a missing value, or an argument it does not take. */
export class CliUsageError extends Error {
  constructor(message: string, command: string) {
    super(`${message}\nRun \`${command} --help\` for the flags it takes.`);
    this.name = 'CliUsageError';
  }
}

/** Keeps the options' literal types (so `parseCli` can type the values). */
export function defineCli<const O extends Readonly<Record<string, OptionSpec>>>(spec: CliSpec<O>): CliSpec<O> {
  if ('help' in spec.options) throw new Error(`${spec.command}: --help is added by defineCli, do not declare it`);
  return spec;
}

/** The usage text `--help` prints. */
export function usage(spec: CliSpec<Readonly<Record<string, OptionSpec>>>): string {
  const entries = Object.entries(spec.options).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` <${option.value ?? 'value'}>` : ''}`;
    const extras = [option.multiple ? 'repeatable' : undefined, option.default !== undefined && option.default !== false ? `default: ${String(option.default)}` : undefined].filter(Boolean);
    return [flag, `${option.help}${extras.length > 0 ? ` (${extras.join('; ')})` : ''}`] as const;
  });
  entries.push(['-h, --help', 'print this help and exit']);
  const width = Math.max(...entries.map(([flag]) => flag.length));
  const lines = [`Usage: ${spec.command} [flags]`, '', spec.summary, '', 'Flags:', ...entries.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`)];
  if (spec.examples && spec.examples.length > 0) lines.push('', 'Examples:', ...spec.examples.map((line) => `  ${line}`));
  return lines.join('\n');
}

/**
 * Parses `argv` against `spec`. Prints the usage and returns undefined for `--help`/`-h`.
 *
 * @throws {CliUsageError} for an unknown flag, a flag without its value, a value given to a boolean flag, or a positional argument.
 */
export function parseCli<O extends Readonly<Record<string, OptionSpec>>>(spec: CliSpec<O>, argv: readonly string[], print: (text: string) => void = console.log): CliValues<O> | undefined {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string; default?: string | boolean }> = {};
  for (const [name, option] of Object.entries(spec.options)) {
    options[name] = { type: option.type, ...(option.multiple ? { multiple: true } : {}), ...(option.short ? { short: option.short } : {}), ...(option.default !== undefined ? { default: option.default } : {}) };
  }
  options.help = { type: 'boolean', short: 'h' };
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    // node:util's messages name the flag ("Unknown option '--x'"); the hint it appends about `--` does not apply here.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '.');
    throw new CliUsageError(message, spec.command);
  }
  if (values.help === true) {
    print(usage(spec));
    return undefined;
  }
  delete values.help;
  return values as CliValues<O>;
}

/** `Name: message`, then each `cause` on its own line: what went wrong and why, without a stack. */
export function describeError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      const code = (current as NodeJS.ErrnoException).code;
      lines.push(`${depth === 0 ? '' : 'caused by: '}${current.name}${code && !current.message.includes(code) ? ` (${code})` : ''}: ${current.message}`);
      current = current.cause;
    } else {
      lines.push(`${depth === 0 ? '' : 'caused by: '}${String(current)}`);
      break;
    }
  }
  return lines.join('\n');
}

/** Whether the module at `moduleUrl` is the script node was started with (not imported by a test). */
export function isEntryPoint(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

/**
 * Runs a script's `main` and exits: with its code; with 2 and the message for a {@link CliUsageError} or an error
 * `isRefusal` accepts; with 1 and `<label> failed:` plus the cause for anything else. `isKnown` errors print their
 * message alone (they already say what to do).
 */
export function runMain(label: string, main: () => Promise<number | void>, options: { isKnown?: (error: unknown) => boolean; isRefusal?: (error: unknown) => boolean; mask?: (text: string) => string } = {}): void {
  const mask = options.mask ?? ((text: string) => text);
  main().then(
    (code) => process.exit(code ?? process.exitCode ?? 0),
    (error: unknown) => {
      const usageError = error instanceof CliUsageError;
      const known = usageError || (options.isKnown?.(error) ?? false);
      console.error(mask(known ? (error as Error).message : `${label} failed: ${describeError(error)}`));
      process.exit(usageError || (options.isRefusal?.(error) ?? false) ? 2 : 1);
    },
  );
}

/**
 * {@link parseCli} for scripts that run at top level: exits 0 after `--help`, and 2 with the message on a usage error.
 */
export function parseCliOrExit<O extends Readonly<Record<string, OptionSpec>>>(spec: CliSpec<O>, argv: readonly string[] = process.argv.slice(2)): CliValues<O> {
  try {
    const values = parseCli(spec, argv);
    if (values) return values;
    process.exit(0);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}
