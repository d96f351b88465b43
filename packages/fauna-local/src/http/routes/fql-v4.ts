/**
 * `POST /`: the FQL v4 endpoint (the `faunadb` driver, `fauna-shell` before 4). The emulator speaks only FQL v10, so it
 * answers every v4 request with a v4-shaped error, `{"errors":[{"position":[],"code","description"}]}` with status 400,
 * which the v4 driver turns into its `BadRequest` error carrying the description, instead of a v10 envelope it cannot read.
 * Shape: the v4 driver's error parsing (https://github.com/fauna/faunadb-js/blob/main/src/errors.js, `FaunaHTTPError`).
 */
import type { Route } from '../types.ts';
import { exactPath } from '../router.ts';

export const FQL_V4_MESSAGE =
  'FQL v4 is not supported by the local Fauna emulator: it serves FQL v10 at POST /query/1 (use the `fauna` driver, not `faunadb`).';

export const fqlV4Routes: Route[] = [
  {
    match: exactPath('/'),
    methods: {
      POST: () => ({ status: 400, json: { errors: [{ position: [], code: 'bad request', description: FQL_V4_MESSAGE }] } }),
    },
  },
];
