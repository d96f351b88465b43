/** `GET /ping`: the health check the Fauna CLI and the driver's CI poll (PROTOCOL.md §1). */
import type { Route } from '../types.ts';
import { exactPath } from '../router.ts';

export const PING_BODY = { resource: 'Scope write is OK' } as const;

export const pingRoutes: Route[] = [
  {
    match: exactPath('/ping'),
    methods: {
      GET: () => ({ status: 200, json: PING_BODY }),
    },
  },
];
