/**
 * The guide's last step, "use the fauna_token_secret to run Fauna queries on behalf of the user": a Fauna client
 * authenticated with the secret from the ID token, which Fauna treats as the user's identity document with the
 * privileges of the `customer` role (read `Product`, read itself, nothing else; see `fauna/roles.fsl`).
 */
import { Client, fql, ServiceError } from 'fauna';
import type { Document } from 'fauna';

/** A user's queries are small; a client should not wait long for one. */
export const DEFAULT_USER_QUERY_TIMEOUT_MS = 5_000;

export interface Identity {
  /** The identity document's id: the `userId` claim. */
  id: string;
  /** Its collection, `Customer`. */
  collection: string;
  email: string | undefined;
}

export interface Product {
  id: string;
  name: string;
}

/** The outcome of a write the role may refuse. */
export type WriteOutcome =
  | { allowed: true; id: string }
  | { allowed: false; code: string; message: string };

/**
 * A Fauna client that runs queries as the signed-in user. Close it when done.
 *
 * @param secret the `fauna_token_secret` claim of the user's ID token.
 * @param endpoint the Fauna endpoint, e.g. `http://127.0.0.1:8443` for a local one.
 */
export function faunaClientForUser(secret: string, endpoint: string): Client {
  return new Client({ secret, endpoint: new URL(endpoint), query_timeout_ms: DEFAULT_USER_QUERY_TIMEOUT_MS });
}

/** Whom the secret authenticates as: `Query.identity()`, the user's `Customer` document. */
export async function readIdentity(client: Client): Promise<Identity> {
  const { data } = await client.query<Document & { email?: string }>(fql`Query.identity()`);
  return { id: data.id, collection: data.coll.name, email: data.email };
}

/** Every product: the `customer` role may read the `Product` collection. */
export async function readProducts(client: Client): Promise<Product[]> {
  const { data } = await client.query<(Document & { name: string })[]>(fql`Product.all().toArray()`);
  return data.map((product) => ({ id: product.id, name: product.name }));
}

/**
 * Tries to create a product, which the `customer` role does not allow.
 *
 * @returns `allowed: false` with Fauna's error code (`permission_denied`) when refused.
 * @throws the driver's error for any other failure (network, expired secret).
 */
export async function tryCreateProduct(client: Client, name: string): Promise<WriteOutcome> {
  try {
    const { data } = await client.query<string>(fql`Product.create({ name: ${name} }).id`);
    return { allowed: true, id: data };
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'permission_denied') {
      return { allowed: false, code: error.code, message: error.message };
    }
    throw error;
  }
}
