/**
 * Fauna key administration for the trigger: create the key the Lambda uses, list a stage's keys, delete one.
 * Talks to any Fauna v10 endpoint (self-hosted FaunaDB or the local endpoint) through the official driver,
 * authenticated with an admin secret (the built-in `server` role cannot manage keys).
 */
import { SILENT_DRIVER_LOG } from '../lib/common/fauna-client.ts';
import { AuthenticationError, Client, fql, QueryRuntimeError, ServiceError } from 'fauna';
import type { Query, QueryValue } from 'fauna';

/** The role the trigger's key carries: its only privilege is `signIn { call }` (see `fauna/`). */
export const DEFAULT_TRIGGER_ROLE = 'pretokenTrigger';

/** Admin operations are single small queries: give up quickly rather than hang a CI job. */
export const DEFAULT_ADMIN_QUERY_TIMEOUT_MS = 10_000;

/** Where and as whom the admin operations run. */
export interface FaunaAdminConnection {
  /** Fauna endpoint URL, e.g. `http://127.0.0.1:8443` (there is no hosted default any more). */
  endpoint: string;
  /** An admin key's secret (or the root secret of a self-hosted instance). Never logged. */
  adminSecret: string;
}

export interface CreateTriggerKeyOptions extends FaunaAdminConnection {
  /** The stage the key is for; stored in the key's `data` so rotation can find the stage's older keys. */
  stage: string;
  /** Who or what created the key (a user name, `ci`, `invoke-local`), stored in the key's `data`. */
  createdBy: string;
  /** Defaults to {@link DEFAULT_TRIGGER_ROLE}. */
  role?: string;
}

/** A freshly created key. `secret` is shown by Fauna only once: store it, never print it. */
export interface CreatedKey {
  id: string;
  secret: string;
}

/** Thrown when an admin operation fails; `message` names the cause and the fix, never a secret. */
export class FaunaAdminError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FaunaAdminError';
  }
}

/**
 * Creates the trigger's key: `Key.create({ role, data: { stage, createdBy } })`.
 *
 * @returns the key's id and secret; the caller stores the secret (SSM) and shows only the id.
 * @throws {FaunaAdminError} when the admin secret is rejected, is not an admin secret, or the role does not exist.
 * @example
 * const key = await createTriggerKey({ endpoint: fauna.url, adminSecret: fauna.rootSecret, stage: 'local', createdBy: 'invoke' });
 */
export async function createTriggerKey(options: CreateTriggerKeyOptions): Promise<CreatedKey> {
  const role = options.role ?? DEFAULT_TRIGGER_ROLE;
  const data = { stage: options.stage, createdBy: options.createdBy };
  const created = await runAdminQuery<{ id: string; secret: string }>(
    options,
    fql`let key = Key.create({ role: ${role}, data: ${data} })
{ id: key.id, secret: key.secret }`,
    `create a key with role "${role}"`,
  );
  return { id: String(created.id), secret: created.secret };
}

/**
 * Lists the ids of the keys created for `stage` with `role` (by {@link createTriggerKey}), oldest first.
 *
 * @throws {FaunaAdminError} as {@link createTriggerKey}.
 */
export async function listTriggerKeyIds(
  options: FaunaAdminConnection & { stage: string; role?: string },
): Promise<string[]> {
  const role = options.role ?? DEFAULT_TRIGGER_ROLE;
  const ids = await runAdminQuery<string[]>(
    options,
    fql`Key.all().where((key) => key.role == ${role} && key.data != null && key.data?.stage == ${options.stage}).map((key) => key.id).toArray()`,
    `list the keys of stage "${options.stage}"`,
  );
  return ids.map(String);
}

/**
 * Deletes a key by id. Every secret of that key stops working at once, so delete an old trigger key only
 * after the Lambda's SSM cache has expired (see docs/deploy.md, "Rotating the trigger key").
 *
 * @throws {FaunaAdminError} when the key does not exist, or as {@link createTriggerKey}.
 */
export async function deleteKey(options: FaunaAdminConnection & { keyId: string }): Promise<void> {
  const exists = await runAdminQuery<boolean>(
    options,
    fql`let key = Key.byId(${options.keyId})
if (key == null) { false } else { key!.delete()
true }`,
    `delete key ${options.keyId}`,
  );
  if (!exists) {
    throw new FaunaAdminError(`Key ${options.keyId} does not exist (already deleted?). List the stage's keys with --list-keys.`);
  }
}

async function runAdminQuery<T extends QueryValue>(connection: FaunaAdminConnection, query: Query<T>, action: string): Promise<T> {
  const client = new Client({
    endpoint: parseEndpoint(connection.endpoint),
    secret: connection.adminSecret,
    query_timeout_ms: DEFAULT_ADMIN_QUERY_TIMEOUT_MS,
    // Whatever FAUNA_DEBUG says: the driver's debug lines would print the admin secret.
    logger: SILENT_DRIVER_LOG,
  });
  try {
    const response = await client.query<T>(query);
    return response.data;
  } catch (error) {
    throw toAdminError(error, action, connection.endpoint);
  } finally {
    client.close();
  }
}

function parseEndpoint(endpoint: string): URL {
  try {
    return new URL(endpoint);
  } catch (error) {
    throw new FaunaAdminError(`Fauna endpoint "${endpoint}" is not a URL: pass --endpoint http(s)://host:port or set FAUNA_ENDPOINT.`, { cause: error });
  }
}

function toAdminError(error: unknown, action: string, endpoint: string): FaunaAdminError {
  if (error instanceof AuthenticationError) {
    return new FaunaAdminError(
      `Could not ${action}: Fauna at ${endpoint} rejected the admin secret (401). Check FAUNA_ADMIN_SECRET (or the admin secret parameter) belongs to this endpoint and has not been deleted.`,
      { cause: error },
    );
  }
  if (error instanceof QueryRuntimeError && error.code === 'permission_denied') {
    return new FaunaAdminError(
      `Could not ${action}: the secret is not an admin secret (${error.code}). Use a key with the admin role; server keys cannot manage keys.`,
      { cause: error },
    );
  }
  if (error instanceof ServiceError) {
    return new FaunaAdminError(
      `Could not ${action}: Fauna answered ${error.code} (${error.message}). If the role is unknown, push the schema first (npm run schema:push).`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new FaunaAdminError(`Could not ${action}: ${message}. Is Fauna reachable at ${endpoint}?`, { cause: error });
}
