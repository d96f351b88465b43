/**
 * Routing: finds the route for a path, then the handler for the method, answering Fauna's 404 `not_found` and
 * 405 `method_not_allowed` envelopes otherwise. Handlers that throw become a 500 `internal_error` instead of
 * killing the connection.
 */
import type { HttpAnswer, HttpRequest, HttpResponse, Route, RouteContext } from './types.ts';
import { protocolError } from './errors.ts';

/** A matcher for one literal path (no parameters). */
export function exactPath(path: string): Route['match'] {
  return (candidate) => (candidate === path ? [] : null);
}

/** A matcher for `prefix<one or more characters>`; the rest of the path is the single parameter. */
export function pathWithSuffix(prefix: string): Route['match'] {
  return (candidate) => (candidate.startsWith(prefix) && candidate.length > prefix.length ? [candidate.slice(prefix.length)] : null);
}

/** Builds the request dispatcher for a list of routes. */
export function createRouter(routes: readonly Route[], context: RouteContext): (request: HttpRequest) => HttpAnswer {
  return function dispatch(request) {
    for (const route of routes) {
      const params = route.match(request.path);
      if (params === null) continue;
      const handler = route.methods[request.method];
      if (handler === undefined) {
        return {
          ...protocolError('method_not_allowed', 'Method not allowed'),
          headers: { allow: Object.keys(route.methods).join(', ') },
        };
      }
      try {
        const answer = handler(request, context, params);
        return answer instanceof Promise ? answer.catch(internalError) : answer;
      } catch (error) {
        return internalError(error);
      }
    }
    return protocolError('not_found', 'Not found');
  };
}

function internalError(error: unknown): HttpResponse {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // Surfacing the cause is more useful than Fauna's "create a ticket" text in an emulator.
  return protocolError('internal_error', `The local Fauna emulator failed to handle the request (${detail}).`);
}
