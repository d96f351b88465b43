/**
 * Shared setup of the security suites: the real handler (Middy chain included) against the local Fauna, SSM stubbed with
 * aws-sdk-client-mock (the only stub), and helpers to play Cognito users, attackers included.
 */
import { fql } from 'fauna';
import type { PreTokenGenerationEvent } from '../../../lib/sign-in/cognito-event.ts';
import { type LocalFauna, queryAs, startFauna, triggerKey } from '../../helpers/local-fauna.ts';
import { holdSecret, idTokenClaims, sampleEvent, SERVED_POOL_ID, type ServiceUnderTest, type SsmStub, startService, stubSsm } from '../../helpers/service.ts';

export { queryAs, SERVED_POOL_ID, type LocalFauna, type ServiceUnderTest };

const PARAMETER = '/cognito-fauna/security/fauna-secret';

/** A Cognito user as the trigger sees them. `email` undefined = no email attribute (phone-only, federated). */
export interface CognitoUser {
  sub: string;
  email?: string;
  verified?: boolean;
}

export interface EventShape {
  version?: '1' | '2' | '3';
  triggerSource?: PreTokenGenerationEvent['triggerSource'];
  userPoolId?: string;
}

/** The sample event (V1 events/pretoken.json, V2/V3 events/pretoken-v2.json) for `user`. */
export function eventFor(user: CognitoUser, shape: EventShape = {}): PreTokenGenerationEvent {
  const version = shape.version ?? '1';
  const event = sampleEvent(version === '1' ? 'pretoken.json' : 'pretoken-v2.json');
  event.version = version;
  event.userName = user.sub;
  if (shape.triggerSource) event.triggerSource = shape.triggerSource;
  if (shape.userPoolId) event.userPoolId = shape.userPoolId;
  const attributes: Record<string, string> = { sub: user.sub, 'cognito:user_status': 'CONFIRMED' };
  if (user.email !== undefined) {
    attributes.email = user.email;
    attributes.email_verified = user.verified === false ? 'false' : 'true';
  }
  event.request.userAttributes = attributes;
  return event;
}

/** What a sign-in answered: the granted identity and secret, or the refusal. */
export type Answer =
  | { granted: true; userId: string; secret: string }
  | { granted: false; error: Error; outcome: string | undefined };

let subs = 0;
/** A fresh Cognito `sub`. */
export function newSub(label: string): string {
  subs += 1;
  return `${label}-${subs}-${process.pid}-${Date.now().toString(36)}`;
}

/** A fresh address, so that tests never share an email by accident. */
export function newEmail(label: string): string {
  subs += 1;
  return `${label}.${subs}.${Date.now().toString(36)}@example.com`;
}

export interface SecurityWorld {
  fauna: LocalFauna;
  /** The trigger's key (role pretokenTrigger), as an attacker who stole it would hold it. */
  triggerSecret: string;
  /** A fail-closed service (the default policy). */
  closed: ServiceUnderTest;
  /** A fail-open service: a refusal must not become a token for someone else there either. */
  open: ServiceUnderTest;
  signIn(user: CognitoUser, shape?: EventShape, service?: ServiceUnderTest): Promise<Answer>;
  /** The Customer id the secret authenticates as (`Query.identity()`), or null. */
  identityOf(secret: string): Promise<string | null>;
  /** The stored Customer document `userId`: its sub and email. */
  customer(userId: string): Promise<{ sub: string | null; email: string | null } | null>;
  customersWithEmail(email: string): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the local Fauna with the service's schema, the trigger key and two real handlers (fail closed and open). */
export async function startSecurityWorld(): Promise<SecurityWorld> {
  const ssm: SsmStub = stubSsm();
  const fauna = await startFauna();
  const key = await triggerKey(fauna);
  holdSecret(ssm, PARAMETER, key.secret);
  const env = { STAGE: 'dev', FAUNA_ENDPOINT: fauna.url, FAUNA_SECRET_PARAMETER: PARAMETER, USER_POOL_IDS: SERVED_POOL_ID };
  const closed = startService(env, { logLevel: 'DEBUG' });
  const open = startService({ ...env, FAIL_POLICY: 'open' }, { logLevel: 'DEBUG' });
  return {
    fauna,
    triggerSecret: key.secret,
    closed,
    open,
    async signIn(user, shape, service = closed) {
      try {
        const claims = idTokenClaims(await service.invoke(eventFor(user, shape)));
        if (typeof claims.userId !== 'string' || typeof claims.fauna_token_secret !== 'string') {
          return { granted: false, error: new Error('answered without the Fauna claims'), outcome: 'continueWithoutClaims' };
        }
        return { granted: true, userId: claims.userId, secret: claims.fauna_token_secret };
      } catch (error) {
        const failure = service.logs.records('Sign-in failed').at(-1);
        const summary = failure?.error as { name?: string } | undefined;
        return { granted: false, error: error as Error, outcome: summary?.name };
      }
    },
    identityOf: (secret) => queryAs<string | null>(fauna, secret, fql`Query.identity()?.id`).catch(() => null),
    customer: (userId) => queryAs(fauna, fauna.rootSecret, fql`Customer.byId(${userId}) { sub, email }`),
    customersWithEmail: (email) => queryAs<number>(fauna, fauna.rootSecret, fql`Customer.byEmail(${email}).count()`),
    async stop() {
      closed.dispose();
      open.dispose();
      ssm.restore();
      await fauna.stop();
    },
  };
}

/** The EMF metric values the service published so far, summed by name. */
export function metricTotals(service: ServiceUnderTest): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of service.logs.lines.flatMap((text) => text.split('\n'))) {
    if (!line.includes('"_aws"')) continue;
    const record = JSON.parse(line) as Record<string, unknown>;
    const names = ((record._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]?.Metrics ?? []).map((m) => m.Name);
    for (const name of names) {
      const value = record[name];
      totals[name] = (totals[name] ?? 0) + (Array.isArray(value) ? value.reduce((a: number, b: number) => a + b, 0) : Number(value));
    }
  }
  return totals;
}

/** Asserts the answer granted an identity, and returns it. */
export function granted(answer: Answer): { userId: string; secret: string } {
  if (!answer.granted) throw new Error(`expected a granted sign-in, got a refusal (${answer.outcome}: ${answer.error.message})`);
  return answer;
}
