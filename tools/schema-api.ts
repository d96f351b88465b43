/**
 * A client for Fauna's schema HTTP API (`/schema/1/*`), the same calls the Fauna CLI makes
 * (fauna-shell `schema push`: diff first, then update with the diff's version). Works against a self-hosted
 * FaunaDB and the local endpoint alike; needs an admin secret.
 */
import type { SchemaFile } from '../packages/fauna-local/src/fsl-files.ts';

/** Schema pushes upload a handful of small files; a slow answer means something is wrong. */
export const DEFAULT_SCHEMA_API_TIMEOUT_MS = 30_000;

export interface SchemaApiConnection {
  /** Fauna endpoint URL, e.g. `http://127.0.0.1:8443`. */
  endpoint: string;
  /** An admin secret. Sent only in the Authorization header, never logged or put in an error message. */
  adminSecret: string;
  timeoutMs?: number;
}

/** `POST /schema/1/diff`: the schema version the diff was computed against, and the rendered diff ('' = no change). */
export interface SchemaDiffResult {
  version: number;
  diff: string;
}

/** Thrown for any failed schema API call; `status` is the HTTP status (0 when the endpoint could not be reached). */
export class SchemaApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchemaApiError';
    this.status = status;
  }
}

/** Thrown by {@link schemaUpdate} when the schema changed since the diff was taken (HTTP 409). */
export class StaleSchemaVersionError extends SchemaApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 409, options);
    this.name = 'StaleSchemaVersionError';
  }
}

/**
 * Validates `files` against the database's active schema and returns the diff and the current version.
 * Nothing is changed.
 */
export async function schemaDiff(connection: SchemaApiConnection, files: SchemaFile[]): Promise<SchemaDiffResult> {
  const body = await callSchemaApi(connection, 'POST', '/schema/1/diff', new URLSearchParams({ staged: 'false' }), files);
  const diff = typeof body.diff === 'string' ? body.diff : '';
  return { version: readVersion(body), diff: NO_CHANGES.test(diff) ? '' : diff };
}

// The core answers an empty diff when nothing changes (the CLI prints "No logical changes." itself); a server that
// spells it out must not make an unchanged schema look changed.
const NO_CHANGES = /^\s*(no (logical |schema )?changes\.?)?\s*$/i;

/**
 * Replaces the active schema with `files` (override semantics: items absent from `files` are deleted).
 * Passing the version from {@link schemaDiff} makes a concurrent change fail instead of being overwritten.
 *
 * @returns the new schema version.
 * @throws {StaleSchemaVersionError} when `version` is no longer the current schema version.
 */
export async function schemaUpdate(connection: SchemaApiConnection, files: SchemaFile[], version: number): Promise<number> {
  const query = new URLSearchParams({ version: String(version), staged: 'false' });
  return readVersion(await callSchemaApi(connection, 'POST', '/schema/1/update', query, files));
}

/** Fetches the active schema as files (`GET /schema/1/files`, then each file). */
export async function fetchSchemaFiles(connection: SchemaApiConnection): Promise<SchemaFile[]> {
  const listing = await callSchemaApi(connection, 'GET', '/schema/1/files');
  const entries = Array.isArray(listing.files) ? (listing.files as { filename: string }[]) : [];
  return Promise.all(
    entries.map(async ({ filename }) => {
      const file = await callSchemaApi(connection, 'GET', `/schema/1/files/${encodeURIComponent(filename)}`);
      return { filename, content: typeof file.content === 'string' ? file.content : '' };
    }),
  );
}

async function callSchemaApi(
  connection: SchemaApiConnection,
  method: 'GET' | 'POST',
  apiPath: string,
  query?: URLSearchParams,
  files?: SchemaFile[],
): Promise<Record<string, unknown>> {
  const url = new URL(apiPath, connection.endpoint);
  if (query) url.search = query.toString();
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${connection.adminSecret}` },
      body: files ? toMultipart(files) : undefined,
      signal: AbortSignal.timeout(connection.timeoutMs ?? DEFAULT_SCHEMA_API_TIMEOUT_MS),
    });
  } catch (error) {
    throw new SchemaApiError(`Could not reach Fauna at ${connection.endpoint} (${describe(error)}): check --endpoint / FAUNA_ENDPOINT and that the database is up.`, 0, { cause: error });
  }
  const text = await response.text();
  const body = parseJsonObject(text);
  if (response.ok && body && !('error' in body)) return body;
  throw toSchemaApiError(response.status, errorMessageOf(body) ?? text.slice(0, 500), connection.endpoint);
}

// Fauna's CLI sends one part per file whose field name is the file's path; the core reads the name, not a filename.
function toMultipart(files: SchemaFile[]): FormData {
  const form = new FormData();
  for (const file of files) form.set(file.filename, new Blob([file.content]));
  return form;
}

function toSchemaApiError(status: number, serverMessage: string, endpoint: string): SchemaApiError {
  switch (status) {
    case 400:
      return new SchemaApiError(`Fauna rejected the schema (400): ${serverMessage}\nFix the FSL named above and push again.`, status);
    case 401:
      return new SchemaApiError(`Fauna at ${endpoint} rejected the secret (401: ${serverMessage}). Check FAUNA_ADMIN_SECRET (or the stage's admin secret parameter) is a valid secret for this endpoint.`, status);
    case 403:
      return new SchemaApiError(`The secret may not change the schema (403: ${serverMessage}). Schema pushes need an admin key; server keys cannot write schema.`, status);
    case 409:
      return new StaleSchemaVersionError(`The schema changed since the diff was taken (409: ${serverMessage}). Someone else pushed in between: run the push again to see the new diff.`);
    default:
      return new SchemaApiError(`Fauna's schema API answered ${status}: ${serverMessage}`, status);
  }
}

function readVersion(body: Record<string, unknown>): number {
  const version = Number(body.version);
  if (!Number.isFinite(version)) throw new SchemaApiError(`Fauna's schema API answered without a schema version: ${JSON.stringify(body).slice(0, 200)}`, 200);
  return version;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function errorMessageOf(body: Record<string, unknown> | undefined): string | undefined {
  const error = body?.error;
  if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
  return String(error);
}
