/**
 * The Fauna side of "rights follow Cognito changes": one query per event through the server-role functions of
 * fauna/identity-sync.fsl, which the revoke key's role (tokenRevoker) may call. Each answer's shape is checked, so that
 * a schema that was not pushed is named as the cause instead of surfacing as a confusing value later.
 */
import { fql, type Query } from 'fauna';
import { FaunaUnauthorizedError, FaunaUnavailableError, mapFaunaError } from '../common/errors.ts';
import type { QueryClient } from '../common/fauna-client.ts';
import { RevocationQueryError } from './revocation-errors.ts';

/** What changeIdentityGroup answered. */
export interface GroupChangeResult {
  userId: string | null;
  groups: string[];
  changed: boolean;
}

/** What setIdentityAttributes answered; `deleted` counts the tokens revoked because the tenant changed. */
export interface AttributeChangeResult {
  userId: string | null;
  changed: boolean;
  tenantChanged: boolean;
  deleted: number;
}

/** What revokeClientTokens answered. */
export interface ClientRevocationResult {
  userId: string | null;
  deleted: number;
}

/** Adds (`member`) or removes one group on the identity of `sub`. Idempotent. */
export function changeIdentityGroup(client: QueryClient, sub: string, group: string, member: boolean): Promise<GroupChangeResult> {
  return call(client, 'changeIdentityGroup', fql`changeIdentityGroup(${sub}, ${group}, ${member})`, (value) =>
    isUserId(value.userId) && Array.isArray(value.groups) && value.groups.every((name) => typeof name === 'string') && typeof value.changed === 'boolean',
  );
}

/** Replaces the identity's allowlisted attributes; the tokens go when the tenant attribute changed. */
export function setIdentityAttributes(client: QueryClient, sub: string, attributes: Readonly<Record<string, string>>): Promise<AttributeChangeResult> {
  return call(client, 'setIdentityAttributes', fql`setIdentityAttributes(${sub}, ${{ ...attributes }})`, (value) =>
    isUserId(value.userId) && typeof value.changed === 'boolean' && typeof value.tenantChanged === 'boolean' && typeof value.deleted === 'number',
  );
}

/** Deletes the identity's tokens minted for app client `clientId`. Idempotent. */
export function revokeClientTokens(client: QueryClient, sub: string, clientId: string): Promise<ClientRevocationResult> {
  return call(client, 'revokeClientTokens', fql`revokeClientTokens(${sub}, ${clientId})`, (value) => isUserId(value.userId) && typeof value.deleted === 'number');
}

function isUserId(value: unknown): boolean {
  return typeof value === 'string' || value === null;
}

/**
 * @throws {RevocationQueryError} with `transient` set when Fauna was unavailable
 * @throws {FaunaUnauthorizedError} when Fauna rejected the key (the caller may refetch it once)
 */
async function call<T>(client: QueryClient, name: string, query: Query, hasShape: (value: Record<string, unknown>) => boolean): Promise<T> {
  let data: unknown;
  try {
    data = (await client.query(query)).data;
  } catch (error) {
    const mapped = mapFaunaError(error);
    if (mapped instanceof FaunaUnauthorizedError) {
      throw new FaunaUnauthorizedError('Fauna rejected the key (unauthorized). Store a valid key with the tokenRevoker role in the revoke key\'s SSM parameter (docs/token-lifecycle.md).', { cause: error });
    }
    const code = (mapped as { code?: string }).code;
    throw new RevocationQueryError(
      mapped instanceof FaunaUnavailableError
        ? mapped.message
        : `Fauna refused ${name}${code ? ` (${code})` : ''}. Push the schema in fauna/ (identity-sync.fsl) and give the key the tokenRevoker role.`,
      mapped instanceof FaunaUnavailableError,
      code,
      { cause: error },
    );
  }
  const value = (data ?? {}) as Record<string, unknown>;
  if (!hasShape(value)) {
    throw new RevocationQueryError(`${name} returned an unexpected shape. Push the schema in fauna/ (identity-sync.fsl) again.`, false, undefined);
  }
  return value as T;
}
