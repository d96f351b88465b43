/**
 * The event's bounds (lib/sign-in/event-bounds.ts: depth, values, text), then `@middy/validator` with the precompiled event
 * schema, their failures turned into `InvalidEventError`; both before any Fauna call.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import validator from '@middy/validator';
import { InvalidEventError } from '../../../lib/common/errors.ts';
import { eventBoundsProblem } from '../../../lib/sign-in/event-bounds.ts';
import { validate as validateEvent } from '../../../lib/sign-in/generated/event-validator.ts';

type ValidatorOptions = NonNullable<Parameters<typeof validator>[0]>;
interface SchemaProblem { instancePath?: string; message?: string }

export interface EventValidationOptions {
  /**
   * Accept version "0", which only cognito-local sends (Cognito itself sends 1 to 3). The precompiled schema allows it
   * for every stage, so the stage rule lives here. Default false.
   */
  acceptLocalVersionZero?: boolean;
}

/**
 * Validates the event against the precompiled JSON Schema (no ajv compilation at cold start) and throws
 * `InvalidEventError` listing every problem by path.
 */
export function eventValidationMiddleware(options: EventValidationOptions = {}): MiddlewareObj {
  const acceptVersionZero = options.acceptLocalVersionZero ?? false;
  const inner = validator({ eventSchema: validateEvent as unknown as ValidatorOptions['eventSchema'] });
  const innerBefore = inner.before as (request: Request) => unknown;
  return {
    before: function eventValidationBefore(request) {
      // First: the schema's own walk must never meet an event nested thousands of levels deep.
      const tooBig = eventBoundsProblem(request.event);
      if (tooBig !== null) throw new InvalidEventError([tooBig]);
      try {
        innerBefore(request);
      } catch (error) {
        const data = (error as { cause?: { data?: SchemaProblem[] } }).cause?.data ?? [];
        // ajv messages name paths and rules, not values, so no email is copied into the message.
        const problems = data
          .filter((problem) => problem.message && !problem.message.startsWith('must match "'))
          .map((problem) => `${problem.instancePath || '/'} ${problem.message}`);
        throw new InvalidEventError(problems.length > 0 ? problems : ['the event is not a Pre Token Generation event'], { cause: error });
      }
      if (!acceptVersionZero && (request.event as { version?: unknown }).version === '0') {
        throw new InvalidEventError(['/version must be 1, 2 or 3 ("0" is accepted on the local stage only, from cognito-local)']);
      }
    },
  };
}
