/**
 * Parses the `/query/1` request headers (PROTOCOL.md §2.1). Each invalid header becomes an
 * `Invalid header '<name>': <reason>` message, the text Fauna's core produces, so callers see the same errors locally.
 */
import type { ValueFormat } from '../engine/api.ts';

/** Fauna's default when `x-query-timeout-ms` is absent: two minutes. */
export const DEFAULT_QUERY_TIMEOUT_MS = 120_000;
/** The largest `x-query-timeout-ms` accepted. The core reads it from config; ten minutes is a generous stand-in. */
export const MAX_QUERY_TIMEOUT_MS = 600_000;
/** `x-format` when the header is absent: the core's default is `simple` (the driver always sends `tagged`). */
export const DEFAULT_VALUE_FORMAT: ValueFormat = 'simple';

const VALUE_FORMATS: readonly ValueFormat[] = ['simple', 'tagged', 'decorated'];

/** Query tag limits from Fauna's openapi: `k=v` pairs of `[a-zA-Z0-9_]`, key ≤ 40 B, value ≤ 80 B, ≤ 25 pairs, ≤ 3000 B. */
const QUERY_TAGS_LIMITS = { maxPairs: 25, maxKeyBytes: 40, maxValueBytes: 80, maxTotalBytes: 3000 } as const;
const TAG_TOKEN = /^[a-zA-Z0-9_]+$/;

export interface QueryHeaders {
  format: ValueFormat;
  timeoutMs: number;
  lastTxnTs: bigint | undefined;
  typecheck: boolean | undefined;
  linearized: boolean;
  maxContentionRetries: number | undefined;
  performanceHints: boolean;
  /** The `x-query-tags` header exactly as sent (echoed back as a string), when valid. */
  queryTags: string | undefined;
}

/** A header that failed to parse; `message` is the complete client-facing text. */
export class InvalidHeaderError extends Error {
  readonly header: string;

  constructor(header: string, reason: string) {
    super(`Invalid header '${header}': ${reason}`);
    this.name = 'InvalidHeaderError';
    this.header = header;
  }
}

type Headers = Readonly<Record<string, string | undefined>>;

/** Reads and validates the query headers; throws InvalidHeaderError on the first invalid one. */
export function parseQueryHeaders(headers: Headers): QueryHeaders {
  // Same order as the core: request info (txn ts, timeout, retries) first, then format and flags.
  const queryTags = optional(headers, 'x-query-tags', parseQueryTags);
  const lastTxnTs = optional(headers, 'x-last-txn-ts', parseTimestamp);
  const timeoutMs = optional(headers, 'x-query-timeout-ms', parseTimeout) ?? DEFAULT_QUERY_TIMEOUT_MS;
  const maxContentionRetries = optional(headers, 'x-max-contention-retries', parseContentionRetries);
  const format = optional(headers, 'x-format', parseFormat) ?? DEFAULT_VALUE_FORMAT;
  const typecheck = optional(headers, 'x-typecheck', parseBoolean);
  const linearized = optional(headers, 'x-linearized', parseBoolean) ?? false;
  const performanceHints = optional(headers, 'x-performance-hints', parseBoolean) ?? false;
  return { format, timeoutMs, lastTxnTs, typecheck, linearized, maxContentionRetries, performanceHints, queryTags };
}

/** Validates `x-query-tags` on its own, so error responses can echo the tags even when another header is bad. */
export function validQueryTags(headers: Headers): string | undefined {
  try {
    return optional(headers, 'x-query-tags', parseQueryTags);
  } catch {
    return undefined;
  }
}

function optional<T>(headers: Headers, name: string, parse: (raw: string) => T): T | undefined {
  const raw = headers[name];
  if (raw === undefined) return undefined;
  try {
    return parse(raw);
  } catch (error) {
    if (error instanceof InvalidValue) throw new InvalidHeaderError(name, error.reason);
    throw error;
  }
}

/** Thrown by the value parsers below; `optional` adds the header name. */
class InvalidValue {
  readonly reason: string;

  constructor(reason: string) {
    this.reason = reason;
  }
}

function parseTimestamp(raw: string): bigint {
  if (!LONG.test(raw.trim())) throw new InvalidValue(`Invalid timestamp '${raw}'.`);
  return BigInt(raw.trim());
}

function parseTimeout(raw: string): number {
  if (!LONG.test(raw.trim())) throw new InvalidValue(`Invalid number '${raw}'.`);
  const value = BigInt(raw.trim());
  if (value <= 0n) throw new InvalidValue('Must be greater than 0.');
  if (value > BigInt(MAX_QUERY_TIMEOUT_MS)) throw new InvalidValue(`Must be less than or equal to ${MAX_QUERY_TIMEOUT_MS}.`);
  return Number(value);
}

function parseContentionRetries(raw: string): number {
  if (!INT.test(raw.trim())) throw new InvalidValue(`Invalid number '${raw}'.`);
  const value = Number(raw.trim());
  if (value < 0 || value > 7) throw new InvalidValue('Must be between 0 and 7.');
  return value;
}

function parseBoolean(raw: string): boolean {
  // Scala's toBooleanOption: case-insensitive "true"/"false" only.
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new InvalidValue('Must be a boolean value.');
}

function parseFormat(raw: string): ValueFormat {
  const format = VALUE_FORMATS.find((f) => f === raw.toLowerCase());
  if (format === undefined) throw new InvalidValue(`Invalid format '${raw}'. Must be one of: simple, tagged, decorated.`);
  return format;
}

function parseQueryTags(raw: string): string {
  const invalid = new InvalidValue('invalid tags');
  if (raw === '') return raw;
  if (Buffer.byteLength(raw) > QUERY_TAGS_LIMITS.maxTotalBytes) throw invalid;
  const pairs = raw.split(',');
  if (pairs.length > QUERY_TAGS_LIMITS.maxPairs) throw invalid;
  for (const pair of pairs) {
    const [key, value, ...rest] = pair.split('=');
    if (rest.length > 0 || key === undefined || value === undefined) throw invalid;
    if (!TAG_TOKEN.test(key) || !TAG_TOKEN.test(value)) throw invalid;
    if (key.length > QUERY_TAGS_LIMITS.maxKeyBytes || value.length > QUERY_TAGS_LIMITS.maxValueBytes) throw invalid;
  }
  return raw;
}

/** A signed 64-bit integer as Scala's `toLongOption` reads it (range checked by the caller where it matters). */
const LONG = /^[+-]?\d{1,19}$/;
const INT = /^[+-]?\d{1,10}$/;
