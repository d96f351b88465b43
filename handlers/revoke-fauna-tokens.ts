/** Lambda entry point of the revocation function (see create-revoke-handler.ts for the chain). */
import { createRevokeFaunaTokensHandler } from './revocation/create-revoke-handler.ts';

export const handler = createRevokeFaunaTokensHandler(process.env).handler;
