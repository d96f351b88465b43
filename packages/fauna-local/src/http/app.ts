/** Assembles the routes of the local Fauna endpoint into one dispatcher for the HTTP server. */
import type { Engine } from '../engine/api.ts';
import type { HttpAnswer, HttpRequest } from './types.ts';
import { createRouter } from './router.ts';
import { fqlV4Routes } from './routes/fql-v4.ts';
import { pingRoutes } from './routes/ping.ts';
import { queryRoutes } from './routes/query.ts';
import { schemaRoutes } from './routes/schema.ts';
import { unsupportedRoutes } from './routes/unsupported.ts';

/** The dispatcher serving every Fauna path the emulator knows, backed by `engine`. */
export function createFaunaDispatcher(engine: Engine): (request: HttpRequest) => HttpAnswer {
  return createRouter([...pingRoutes, ...queryRoutes, ...schemaRoutes, ...unsupportedRoutes, ...fqlV4Routes], { engine });
}
