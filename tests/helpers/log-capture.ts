/**
 * Log capture for the secrets audit: every line the test suite writes (process.stdout/stderr, where the service's logger
 * and metrics write, and the console) is copied to a capture directory, and every secret a test sees is recorded
 * next to it, so `tests/evidence/secrets-audit.test.ts` can assert afterwards that no secret reached any log line.
 *
 * The capture directory is shared by all jest workers of one `npm test` run (`scripts/test.ts` empties it first); each
 * process appends to its own files, so no locking is needed.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { format } from 'node:util';

// The environment variable naming the capture directory; `scripts/test.ts` sets it for every jest run.
import { CAPTURE_DIR_ENV } from '../../scripts/test.ts';

export { CAPTURE_DIR_ENV };

/**
 * Secrets shorter than this are not recorded: the local Fauna's conventional root secret is the word `secret`, which
 * legitimately appears in messages such as "FAUNA_SECRET_PARAMETER is missing". Every real Fauna secret is far longer.
 */
export const MIN_RECORDED_SECRET_LENGTH = 16;

/**
 * Where the logs of this run go; the same directory in every worker because the environment is inherited. Undefined
 * when jest runs without `scripts/test.ts` (e.g. `npx jest`): nothing is captured then, and the audit does not run.
 */
export function captureDir(): string | undefined {
  const dir = process.env[CAPTURE_DIR_ENV];
  return dir ? resolve(dir) : undefined;
}

const LOGS_FOLDER = 'logs';
const SECRETS_FOLDER = 'secrets';

// Marks a stream or console as already patched: jest builds a fresh environment per test file in the same worker,
// but process.stdout is the worker's own stream, and wrapping it once per file would copy each line many times.
const PATCHED = Symbol.for('cognito-fauna.log-capture.patched');

type Writable = { write: (...args: unknown[]) => boolean; [PATCHED]?: true };

function appendTo(folder: string, extension: string, text: string): void {
  const root = captureDir();
  if (root === undefined) return;
  const dir = join(root, folder);
  mkdirSync(dir, { recursive: true });
  // Synchronous on purpose: a worker can be killed right after a test, and an asynchronous write could be lost.
  appendFileSync(join(dir, `${process.pid}.${extension}`), text);
}

/**
 * Copies one write to the capture without printing it anywhere: for loggers that tests keep off the terminal
 * (e.g. 10,000 rejected events) but whose output the audit must still read.
 */
export function captureText(source: string, text: string): void {
  if (text.length === 0) return;
  appendTo(LOGS_FOLDER, 'log', JSON.stringify({ source, text }) + '\n');
}

function patchStream(stream: Writable, source: string): void {
  if (stream[PATCHED]) return;
  const original = stream.write.bind(stream);
  stream.write = function capturingWrite(chunk: unknown, ...rest: unknown[]): boolean {
    captureText(source, typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    return original(chunk, ...rest);
  };
  stream[PATCHED] = true;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'] as const;

/** The parts of jest's BufferedConsole (the console of a test file in a worker) that the capture hooks into. */
interface JestBufferedConsole {
  _log(type: string, message: string): void;
  _buffer: unknown[];
  _groupDepth?: number;
  constructor: { write(buffer: unknown[], type: string, message: string, stackLevel: number): unknown };
}

function isJestBufferedConsole(target: object): target is JestBufferedConsole {
  const candidate = target as Partial<JestBufferedConsole>;
  return typeof candidate._log === 'function' && Array.isArray(candidate._buffer) && typeof candidate.constructor?.write === 'function';
}

function patchConsole(target: Console): void {
  const marked = target as Console & { [PATCHED]?: true };
  if (marked[PATCHED]) return;
  marked[PATCHED] = true;
  if (isJestBufferedConsole(target)) {
    // In a worker, jest buffers console output and sends it to the parent, bypassing this process's stdout. Hooking
    // its `_log` (rather than wrapping log/info/...) keeps the stack depth jest expects, so the "at file:line" it
    // prints under each message still points at the caller, not at this file.
    const write = target.constructor.write;
    target._log = function capturingLog(this: JestBufferedConsole, type: string, message: string): void {
      captureText(`console.${type}`, message);
      write(this._buffer, type, '  '.repeat(this._groupDepth ?? 0) + message, 3);
    };
    return;
  }
  if ('_log' in target) return; // jest's in-band console writes to process.stdout/stderr, which are captured already
  for (const method of CONSOLE_METHODS) {
    const original = target[method].bind(target) as (...args: unknown[]) => void;
    target[method] = function capturingConsole(...args: unknown[]): void {
      captureText(`console.${method}`, format(...args));
      original(...args);
    };
  }
}

/**
 * Starts copying this process's log output to the capture directory. Idempotent. Called by the jest setup file
 * `tests/helpers/log-capture.setup.ts` before every test file.
 */
export function installLogCapture(): void {
  if (captureDir() === undefined) return;
  patchStream(process.stdout as unknown as Writable, 'stdout');
  patchStream(process.stderr as unknown as Writable, 'stderr');
  // Jest gives each test file its own console that reports to the parent, bypassing the worker's stdout.
  patchConsole(globalThis.console);
  // A record per test file, so the audit can tell "nothing was logged" from "nothing was captured".
  captureText(INSTALLED_SOURCE, `log capture installed in process ${process.pid}`);
}

/** The `source` of the record {@link installLogCapture} writes for every test file. */
export const INSTALLED_SOURCE = 'log-capture';

/**
 * Records a secret the tests have seen (a key secret, a minted token secret) so the audit can look for it in every
 * captured line. Secrets shorter than {@link MIN_RECORDED_SECRET_LENGTH} are ignored (see there).
 *
 * @example
 * const { secret } = await createTriggerKey({ ... });
 * recordSecret(secret, 'trigger key');
 */
export function recordSecret(secret: unknown, kind: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_RECORDED_SECRET_LENGTH) return;
  appendTo(SECRETS_FOLDER, 'jsonl', JSON.stringify({ kind, secret }) + '\n');
}

/** One captured write; a write may hold several lines or part of one. */
export interface CapturedWrite {
  file: string;
  source: string;
  text: string;
}

function readJsonLines<T>(folder: string): { file: string; value: T }[] {
  const root = captureDir();
  if (root === undefined) throw new Error(`${CAPTURE_DIR_ENV} is not set: run the suite with \`npm test\` (scripts/test.ts), which captures the logs.`);
  const dir = join(root, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => ({ file, value: JSON.parse(line) as T })),
  );
}

/** Every write captured so far, across all processes of the run. */
export function readCapturedWrites(): CapturedWrite[] {
  return readJsonLines<{ source: string; text: string }>(LOGS_FOLDER).map(({ file, value }) => ({ file, ...value }));
}

/** Every secret recorded so far, across all processes of the run (deduplicated). */
export function readRecordedSecrets(): { kind: string; secret: string }[] {
  const seen = new Map<string, string>();
  for (const { value } of readJsonLines<{ kind: string; secret: string }>(SECRETS_FOLDER)) seen.set(value.secret, value.kind);
  return [...seen].map(([secret, kind]) => ({ kind, secret }));
}
