/**
 * Driver paths the emulator deliberately does not serve. They fail loudly with a Fauna error envelope (the driver
 * raises InvalidRequestError) instead of a bare 404, so the cause is obvious to whoever hits them.
 */
import type { Route } from '../types.ts';
import { protocolError } from '../errors.ts';
import { exactPath } from '../router.ts';

function notSupported(feature: string, path: string): Route {
  return {
    match: exactPath(path),
    methods: {
      POST: () => protocolError('invalid_request', `${feature} (POST ${path}) are not supported by the local Fauna emulator.`),
    },
  };
}

export const unsupportedRoutes: Route[] = [notSupported('Event streams', '/stream/1'), notSupported('Event feeds', '/feed/1')];
