/** Lambda entry point of the Cognito Pre Token Generation trigger (see create-handler.ts for the chain). */
import { createPreTokenGenerationHandler } from './create-handler.ts';
import { initStartedAt } from './init-started-at.ts';

export const handler = createPreTokenGenerationHandler(process.env, { initStartedAt: initStartedAt(process.env) }).handler;
