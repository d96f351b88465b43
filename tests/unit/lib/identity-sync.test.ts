import { describe, expect, it } from '@jest/globals';
import { AuthenticationError, QueryRuntimeError, ThrottlingError } from 'fauna';
import type { QueryClient } from '../../../lib/common/fauna-client.ts';
import { changeIdentityGroup, revokeClientTokens, setIdentityAttributes } from '../../../lib/revocation/identity-sync.ts';

const failure = (code: string) => ({ error: { code, message: 'refused' } });

/** A query client that answers one call with `answer` (a value, or an error to throw). */
function answering(answer: unknown): QueryClient {
  return {
    async query() {
      if (answer instanceof Error) throw answer;
      return { data: answer } as never;
    },
  } as unknown as QueryClient;
}

const calls: [name: string, run: (client: QueryClient) => Promise<unknown>, answer: unknown][] = [
  ['changeIdentityGroup', (client: QueryClient) => changeIdentityGroup(client, 's', 'g', true), { userId: '1', groups: ['g'], changed: true }],
  ['setIdentityAttributes', (client: QueryClient) => setIdentityAttributes(client, 's', { 'custom:tenantId': 'acme' }), { userId: null, changed: false, tenantChanged: false, deleted: 0 }],
  ['revokeClientTokens', (client: QueryClient) => revokeClientTokens(client, 's', 'c'), { userId: '1', deleted: 2 }],
];

describe('the identity-sync queries, with a stub query client', () => {
  it.each(calls)('%s answers what the function returned', async (_name, run, answer) => {
    await expect(run(answering(answer))).resolves.toEqual(answer);
  });

  it.each(calls)('%s: an unavailable Fauna is transient, a refusal permanent and named, a 401 is the key\'s', async (name, run) => {
    await expect(run(answering(new ThrottlingError(failure('throttle') as never, 429)))).rejects.toMatchObject({ name: 'FaunaUnavailableError', transient: true });
    await expect(run(answering(new QueryRuntimeError(failure('permission_denied') as never, 400)))).rejects.toMatchObject({
      name: 'FaunaQueryError',
      transient: false,
      code: 'permission_denied',
      message: expect.stringContaining(`Fauna refused ${name} (permission_denied)`),
    });
    await expect(run(answering(new AuthenticationError(failure('unauthorized') as never, 401)))).rejects.toMatchObject({ name: 'FaunaUnauthorizedError', message: expect.stringContaining('tokenRevoker') });
  });

  it.each(calls)('%s refuses an answer of the wrong shape (schema not pushed)', async (name, run) => {
    await expect(run(answering({ userId: 7 }))).rejects.toThrow(`${name} returned an unexpected shape`);
    await expect(run(answering(null))).rejects.toThrow(/unexpected shape/);
  });

  it('refuses groups that are not all strings', async () => {
    await expect(changeIdentityGroup(answering({ userId: '1', groups: [1], changed: true }), 's', 'g', true)).rejects.toThrow(/unexpected shape/);
  });
});
