/**
 * Local stage only: refuses a FAUNA_SECRET whose key has a built-in role (admin, server, server-readonly) where the
 * trigger's key belongs (role pretokenTrigger, which may only call signIn). Pasting the admin secret into
 * FAUNA_SECRET works on the local stage, so the mistake would never show until the same habit reached a deployed one.
 *
 * One query, once per container, at the first sign-in: reading the schema, which a built-in role may and a
 * pretokenTrigger key may not (Fauna answers permission_denied). It costs nothing on deployed stages: they take the key
 * from SSM, and the handler adds this middleware only on the local stage with the key from the environment.
 */
import type { MiddlewareObj } from '@middy/core';
import { fql, type Query, ServiceError } from 'fauna';
import { ConfigError } from '../../../lib/common/errors.ts';

/** Succeeds for a key with a built-in role (they may read the schema); permission_denied for a pretokenTrigger key. */
export const SCHEMA_READ_PROBE: Query = fql`Collection.all().first()`;

export interface LocalKeyGuardOptions {
  /** Runs a query with the key in FAUNA_SECRET. */
  query(query: Query): Promise<unknown>;
}

export function localKeyGuardMiddleware(options: LocalKeyGuardOptions): MiddlewareObj {
  let verdict: Promise<void> | undefined;
  const check = async (): Promise<void> => {
    try {
      await options.query(SCHEMA_READ_PROBE);
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'permission_denied') return; // the trigger's key: as it should be
      // Could not tell (the local Fauna is not up, say): ask again at the next sign-in, which reports Fauna's error itself.
      verdict = undefined;
      return;
    }
    throw new ConfigError(
      'FAUNA_SECRET',
      'holds a key with a built-in role (admin or server: it may read the schema) on the local stage, where the trigger\'s key belongs (role pretokenTrigger, which may only call signIn)',
      'Create one with the admin key, Key.create({ role: "pretokenTrigger" }) (npm run invoke and the local stack do), and put its secret in FAUNA_SECRET.',
    );
  };
  return {
    before: async function localKeyGuardBefore() {
      verdict ??= check();
      await verdict;
    },
  };
}
