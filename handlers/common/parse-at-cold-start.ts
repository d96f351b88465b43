/** The cold-start step both functions share: parse the settings once, and log a bad one before the init fails. */
import { summariseError } from '../../lib/common/errors.ts';
import type { Environment } from '../../lib/common/config.ts';
import type { ServiceLogger } from '../../lib/common/observability.ts';

/**
 * @throws {ConfigError} what `parse` throws, after logging it (summarised: names and messages, never values)
 */
export function parseAtColdStart<T>(parse: (env: Environment) => T, env: Environment, logger: ServiceLogger): T {
  try {
    return parse(env);
  } catch (error) {
    logger.error('Invalid configuration: the function cannot start', { error: summariseError(error) });
    throw error;
  }
}
