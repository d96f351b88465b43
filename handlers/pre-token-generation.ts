/** Lambda entry point of the Cognito Pre Token Generation trigger (see create-handler.ts for the chain). */
import { createPreTokenGenerationHandler } from './create-handler.ts';

// initStartedAt 0: the process's start on performance.now()'s scale, which in Lambda is when the init began.
export const handler = createPreTokenGenerationHandler(process.env, { initStartedAt: 0 }).handler;
