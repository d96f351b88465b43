/**
 * Application data for the demo and the end-to-end tests: a few `Product` documents, written with the root
 * secret because the `customer` role (rightly) cannot write them.
 */
import { Client, fql } from 'fauna';

/** The user pool every sample event in events/ comes from: the one pool the local stage serves unless told otherwise. */
export const SAMPLE_POOL_ID = 'us-east-1_Example1';

export const SAMPLE_PRODUCT_NAMES = ['Espresso beans, 1 kg', 'Pour-over kettle', 'Burr grinder'] as const;

/**
 * Creates one `Product` per name.
 *
 * @returns the created products' ids, in order.
 */
export async function seedProducts(fauna: { url: string; rootSecret: string }, names: readonly string[] = SAMPLE_PRODUCT_NAMES): Promise<string[]> {
  const client = new Client({ endpoint: new URL(fauna.url), secret: fauna.rootSecret });
  try {
    const { data } = await client.query<string[]>(fql`${[...names]}.map((name) => Product.create({ name: name }).id)`);
    return data;
  } finally {
    client.close();
  }
}
