/**
 * The Fauna side of "rights follow Cognito changes": one query per event through the server-role functions of
 * fauna/identity-sync.fsl, which the revoke key's role (tokenRevoker) may call. Each answer's shape is checked, so that
 * a schema that was not pushed is named as the cause instead of surfacing as a confusing value later.
 */
import { fql, type Query } from 'fauna';
import { mapFaunaError } from '../common/errors.ts';
import type { QueryClient } from '../common/fauna-client.ts';
import { REVOKE_KEY_ADVICE, RevocationQueryError } from './revocation-errors.ts';

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
 * @throws {CognitoFaunaError} as `mapFaunaError` maps Fauna's failure (`transient` when Fauna was unavailable), with
 *   the revoke key's advice; `FaunaUnauthorizedError` when Fauna rejected the key (the caller may refetch it once)
 */
async function call<T>(client: QueryClient, name: string, query: Query, hasShape: (value: Record<string, unknown>) => boolean): Promise<T> {
  let data: unknown;
  try {
    data = (await client.query(query)).data;
  } catch (error) {
    throw mapFaunaError(error, { ...REVOKE_KEY_ADVICE, query: name, schemaFiles: 'identity-sync.fsl' });
  }
  const value = (data ?? {}) as Record<string, unknown>;
  if (!hasShape(value)) {
    throw new RevocationQueryError(`${name} returned an unexpected shape. Push the schema in fauna/ (identity-sync.fsl) again.`, false, undefined);
  }
  return value as T;
}
