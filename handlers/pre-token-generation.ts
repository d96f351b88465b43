/** Lambda entry point of the Cognito Pre Token Generation trigger (see create-handler.ts for the chain). */
import { createPreTokenGenerationHandler } from './sign-in/create-sign-in-handler.ts';
import { initStartedAt } from './common/init-started-at.ts';

export const handler = createPreTokenGenerationHandler(process.env, { initStartedAt: initStartedAt(process.env) }).handler;
