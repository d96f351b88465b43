/**
 * Fauna work per sign-in for `npm run bench` (issue 22): the read and write ops of the sign-in query (`signIn`, the
 * query the handler sends, with groups and attributes), as the local Fauna's `stats` count them by the core's rules
 * (packages/fauna-local/PROTOCOL.md §13), for a first sign-in, a steady one and one at the cap of live tokens. The figures do not
 * depend on the number of live tokens; tests/integration/service/sign-in-work.test.ts asserts them through the handler.
 */
import { Client, fql } from 'fauna';
import { DEFAULT_MAX_TOKENS_PER_IDENTITY, DEFAULT_TOKEN_TTL_SECONDS } from '../lib/common/config.ts';
import { SILENT_DRIVER_LOG } from '../lib/common/fauna-client.ts';

export interface SignInWork {
  readOps: number;
  writeOps: number;
}

export interface SignInWorkFigures {
  cap: number;
  first: SignInWork;
  steady: SignInWork;
  atCap: SignInWork;
}

/** Signs one fresh user in cap + 1 times with the trigger key and keeps the stats of the first, second and last. */
export async function measureSignInWork(endpoint: string, triggerKey: string, cap = DEFAULT_MAX_TOKENS_PER_IDENTITY): Promise<SignInWorkFigures> {
  const client = new Client({ endpoint: new URL(endpoint), secret: triggerKey, http2_session_idle_ms: 100, logger: SILENT_DRIVER_LOG });
  const sub = `bench-work-${Date.now().toString(36)}`;
  const meta = { userPoolId: 'us-east-1_Example1', clientId: 'bench', triggerSource: 'TokenGeneration_RefreshTokens' };
  const work: SignInWork[] = [];
  try {
    for (let i = 0; i <= cap; i++) {
      const answer = await client.query(
        fql`signIn(${sub}, ${`${sub}@example.com`}, true, ${DEFAULT_TOKEN_TTL_SECONDS}, ${meta}, ${cap}, ["catalog-editors"], { "custom:tenantId": "acme" }) { userId }`,
      );
      work.push({ readOps: answer.stats?.read_ops ?? Number.NaN, writeOps: answer.stats?.write_ops ?? Number.NaN });
    }
  } finally {
    client.close();
  }
  return { cap, first: work[0]!, steady: work[1]!, atCap: work[cap]! };
}

/** One line for the bench's output. */
export function describeSignInWork(figures: SignInWorkFigures): string {
  const pair = (w: SignInWork) => `${w.readOps} reads, ${w.writeOps} writes`;
  return `Fauna work per sign-in (local Fauna stats, core rules): first ${pair(figures.first)}; steady ${pair(figures.steady)}; at the cap of ${figures.cap} live tokens ${pair(figures.atCap)}.`;
}
