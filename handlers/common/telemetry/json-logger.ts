/**
 * The service's structured logger: one JSON object per line on stdout, which CloudWatch Logs stores as is and Logs
 * Insights queries by field. It replaces the Powertools Logger, measured: Powertools cost about 0.15 ms per warm sign-in
 * and 4–5 ms per cold start (`npm run bench`, docs/reliability.md "Telemetry"), on a path Cognito holds every sign-in
 * on. The fields keep Powertools' names (`level`, `message`, `timestamp`, `service`, `cold_start`, `function_name`,
 * `function_request_id`, `xray_trace_id`), so queries written for either read both.
 *
 * What it never does: log the event (it holds the user's email) or format values itself; callers pass only what may
 * be logged (`summariseError`, redacted emails).
 */
import type { ServiceLogger } from '../../../lib/common/observability.ts';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'INFO';

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 100 };

/** Where a finished line goes (without its newline). */
export type LineWriter = (line: string) => void;

/** stdout, written directly: Lambda's Node runtime wraps `console.*` output in its own text prefix. */
export const writeToStdout: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

export interface JsonLoggerOptions {
  serviceName: string;
  /** Default {@link DEFAULT_LOG_LEVEL}; see {@link logLevelFrom}. */
  level?: LogLevel;
  /** Default {@link writeToStdout}. */
  write?: LineWriter;
  /** Default `() => new Date()`. */
  now?: () => Date;
}

/**
 * The log level from the environment: `LOG_LEVEL` (serverless.yml sets it from the stage's `logLevel` param), else
 * Lambda's own `AWS_LAMBDA_LOG_LEVEL` (advanced logging controls), else INFO. An unknown value is reported in
 * `problem`, for the caller to log once, rather than failing the function over its logging.
 */
export function logLevelFrom(env: Record<string, string | undefined>): { level: LogLevel; problem?: string } {
  const raw = env.LOG_LEVEL ?? env.AWS_LAMBDA_LOG_LEVEL;
  if (raw === undefined || raw === '') return { level: DEFAULT_LOG_LEVEL };
  const level = raw.toUpperCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return { level: level as LogLevel };
  return { level: DEFAULT_LOG_LEVEL, problem: `LOG_LEVEL "${raw}" is not one of ${LOG_LEVELS.join(', ')}; logging at ${DEFAULT_LOG_LEVEL}` };
}

/**
 * Keys come in three layers, later ones winning: persistent (the service, the stage), the invocation's (reset by
 * {@link JsonLogger.startInvocation}), and the attributes of one call.
 *
 * @example
 * const logger = new JsonLogger({ serviceName: 'cognito-fauna' });
 * logger.appendPersistentKeys({ stage: 'dev' });
 * logger.startInvocation({ function_request_id: context.awsRequestId });
 * logger.info('Sign-in granted a Fauna token', { userId });
 */
export class JsonLogger implements ServiceLogger {
  readonly level: LogLevel;
  private readonly threshold: number;
  private readonly write: LineWriter;
  private readonly now: () => Date;
  private persistentKeys: Record<string, unknown>;
  private invocationKeys: Record<string, unknown> = {};
  // The keys' JSON members (",\"k\":v,…"), serialised when they change rather than on every line: every sign-in waits
  // on this code, and one line per sign-in is the common case.
  private persistentJson: string;
  private invocationJson = '';

  constructor(options: JsonLoggerOptions) {
    this.level = options.level ?? DEFAULT_LOG_LEVEL;
    this.threshold = RANK[this.level];
    this.write = options.write ?? writeToStdout;
    this.now = options.now ?? (() => new Date());
    this.persistentKeys = { service: options.serviceName };
    this.persistentJson = jsonMembers(this.persistentKeys);
  }

  /** Keys on every line from now on (the stage, set once at init). */
  appendPersistentKeys(keys: Record<string, unknown>): void {
    this.persistentKeys = { ...this.persistentKeys, ...keys };
    this.persistentJson = jsonMembers(this.persistentKeys);
  }

  /** Forgets the previous invocation's keys and sets this one's. */
  startInvocation(keys: Record<string, unknown>): void {
    this.invocationKeys = keys;
    this.invocationJson = jsonMembers(keys);
  }

  debug(message: string, ...attributes: Record<string, unknown>[]): void {
    if (RANK.DEBUG >= this.threshold) this.emit('DEBUG', message, attributes);
  }

  info(message: string, ...attributes: Record<string, unknown>[]): void {
    if (RANK.INFO >= this.threshold) this.emit('INFO', message, attributes);
  }

  warn(message: string, ...attributes: Record<string, unknown>[]): void {
    if (RANK.WARN >= this.threshold) this.emit('WARN', message, attributes);
  }

  error(message: string, ...attributes: Record<string, unknown>[]): void {
    if (RANK.ERROR >= this.threshold) this.emit('ERROR', message, attributes);
  }

  private emit(level: LogLevel, message: string, attributes: Record<string, unknown>[]): void {
    const timestamp = this.now().toISOString();
    const merged = attributes.length === 1 ? attributes[0]! : Object.assign({}, ...attributes);
    if (this.overridesAKey(merged)) {
      // Rare: a call sets a key the line already has. Merged as objects, so the line never holds a key twice.
      this.write(JSON.stringify({ level, message, timestamp, ...this.persistentKeys, ...this.invocationKeys, ...merged }));
      return;
    }
    this.write(`{"level":"${level}","message":${JSON.stringify(message)},"timestamp":"${timestamp}"${this.persistentJson}${this.invocationJson}${jsonMembers(merged)}}`);
  }

  private overridesAKey(attributes: Record<string, unknown>): boolean {
    for (const key in attributes) {
      if (RESERVED_KEYS.has(key) || key in this.persistentKeys || key in this.invocationKeys) return true;
    }
    return false;
  }
}

const RESERVED_KEYS = new Set(['level', 'message', 'timestamp']);

/** `{"a":1,"b":2}` as `,"a":1,"b":2` (empty for no members), to splice into a line. */
function jsonMembers(keys: Record<string, unknown>): string {
  const json = JSON.stringify(keys);
  return json.length > 2 ? `,${json.slice(1, -1)}` : '';
}
