/**
 * Bad input, property-based (fast-check): at least 10,000 generated events per run through the real handler (Middy
 * chain, event bounds, precompiled validator; SSM stubbed with aws-sdk-client-mock). Invalid events never leave the
 * process, oversized ones included (nested thousands of levels deep, attributes past Cognito's 2,048 characters, too
 * many attributes); the valid ones (about one in six) go to the real local Fauna through a recording proxy, which
 * shows exactly what went over the wire, and so do the lenient ones (an email_verified of "True" or a boolean, a
 * malformed email, an unknown TokenGeneration_ source: docs/security.md, "Lenient input"), each answered as
 * documented. Only validation errors or correct answers; no crash, no hang; no input changes the query.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { PreTokenGenerationEvent } from '../../lib/sign-in/cognito-event.ts';
import { normaliseEmail } from '../../lib/sign-in/email.ts';
import { DEFAULT_TOKEN_TTL_SECONDS } from '../../lib/common/config.ts';
import { startEvidenceFauna, type EvidenceFauna } from '../helpers/local-fauna.ts';
import { recordSecret } from '../helpers/log-capture.ts';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.ts';
import { grantedClaims, signInEvent, stageEnvironment, startService, stubSsmWithSecret, type ServiceUnderTest, type SsmStub } from './helpers/service.ts';
import { ANSWER_BUDGET_MS } from './helpers/answer-budget.ts';

const RUNS = 10_000;
const VALIDATION_REJECTION = 'Sign-in request was not understood. Please try again';

/** The query's text, fixed by the service: the values may appear only as encoded arguments between these pieces. */
/** signIn's six arguments, then the user's groups and allowlisted attributes (issue 22). */
const QUERY_TEXT_PIECES = ['signIn(', ', ', ', ', ', ', ', ', ', ', ', ', ', ', ')'];

const USER_TRIGGER_SOURCES = [
  'TokenGeneration_HostedAuth',
  'TokenGeneration_Authentication',
  'TokenGeneration_NewPasswordChallenge',
  'TokenGeneration_AuthenticateDevice',
  'TokenGeneration_RefreshTokens',
] as const;

/** Emails and fragments that look like FQL, templates or JSON, aimed at a service that would splice text into a query. */
const INJECTION_ATTEMPTS = [
  '"} Customer.all().forEach(.delete()) {"',
  'a@b.co")\nabort(0)',
  '"}Customer.all().forEach(.delete()){"',
  '"),Key.create({role:"admin"}),("',
  "');Customer.all().forEach(.delete());('",
  '${Customer.all()}',
  '`+abort(0)+`',
  '\\"}]}',
  '{"@mod":"Customer"}',
  '{"fql":["Customer.all()"]}',
  'signIn(',
  '\u0000',
  '\u202e',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
];

const HUGE_STRINGS = ['x'.repeat(10_000), 'é'.repeat(100_000), '😀'.repeat(50_000)];

/** What the generator promises about an event; the handler's answer is checked against it. */
type Expectation = 'signIn' | 'passThrough' | 'reject' | 'either';
interface GeneratedEvent {
  expect: Expectation;
  event: unknown;
  /** For `signIn`: the identity the event must leave in the database. */
  identity?: { sub: string; email: string | null };
  /** For `signIn`: the email the query carries, when it differs from the stored one (an unverified email). */
  queryEmail?: string | null;
}

// Every valid sign-in gets its own user, so the database's expected content is simply one identity per accepted event.
let userCounter = 0;

const noWhitespaceOrAt = (text: string): string => text.replace(/[\s@]/gu, '');
/** At most `n` code points (the event schema and signIn bound sub and email by code points). */
const firstCodePoints = (text: string, n: number): string => Array.from(text).slice(0, n).join('');
const textPiece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(...INJECTION_ATTEMPTS),
  fc.constantFrom(...HUGE_STRINGS),
);

const validSignIn: fc.Arbitrary<GeneratedEvent> = fc
  .record({
    version: fc.constantFrom('1', '2', '3'),
    triggerSource: fc.constantFrom(...USER_TRIGGER_SOURCES),
    subTail: textPiece,
    local: textPiece,
    domain: textPiece,
    padding: fc.constantFrom('', ' ', '  \t'),
    upper: fc.boolean(),
  })
  .map(({ version, triggerSource, subTail, local, domain, padding, upper }) => {
    const n = ++userCounter;
    const sub = firstCodePoints(`u${n}-${subTail}`, 128);
    const storedLocal = firstCodePoints(`u${n}.${noWhitespaceOrAt(local)}`, 120);
    const storedDomain = firstCodePoints(noWhitespaceOrAt(domain), 120) || 'example.com';
    const rawEmail = `${padding}${storedLocal}@${storedDomain}${padding}`;
    const event = signInEvent(sub, upper ? rawEmail.toUpperCase() : rawEmail);
    event.version = version;
    event.triggerSource = triggerSource;
    if (version !== '1') event.response = { claimsAndScopeOverrideDetails: null };
    const email = normaliseEmail(upper ? rawEmail.toUpperCase() : rawEmail);
    return { expect: 'signIn' as const, event, identity: { sub, email } };
  });

const machineToMachine: fc.Arbitrary<GeneratedEvent> = fc.record({ scope: textPiece, client: textPiece }).map(({ scope, client }) => {
  const event = signInEvent('unused', 'unused@example.com');
  event.version = '3';
  event.triggerSource = 'TokenGeneration_ClientCredentials';
  event.request = { userAttributes: {}, scopes: [scope], clientMetadata: {} };
  event.callerContext.clientId = firstCodePoints(`c${noWhitespaceOrAt(client)}`, 128);
  event.response = { claimsAndScopeOverrideDetails: null };
  return { expect: 'passThrough' as const, event };
});

/** A value of any JSON type except the one a field must have. */
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));
const notAnObject = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string(), fc.array(fc.anything(), { maxLength: 3 }));

type Mutation = (event: PreTokenGenerationEvent & Record<string, unknown>, value: unknown) => void;
const dropRequired: Mutation[] = [
  (e) => delete (e as Partial<PreTokenGenerationEvent>).version,
  (e) => delete (e as Partial<PreTokenGenerationEvent>).triggerSource,
  (e) => delete (e as Partial<PreTokenGenerationEvent>).region,
  (e) => delete (e as Partial<PreTokenGenerationEvent>).userPoolId,
  (e) => delete (e as Partial<PreTokenGenerationEvent>).callerContext,
  (e) => delete (e as Partial<PreTokenGenerationEvent>).request,
  (e) => delete (e as Partial<PreTokenGenerationEvent>).response,
  (e) => delete (e.request as Partial<PreTokenGenerationEvent['request']>).userAttributes,
  (e) => delete e.request.userAttributes.sub,
  (e) => delete (e.callerContext as Partial<PreTokenGenerationEvent['callerContext']>).clientId,
];
const wrongStringType: Mutation[] = [
  (e, v) => Object.assign(e, { version: v }),
  (e, v) => Object.assign(e, { triggerSource: v }),
  (e, v) => Object.assign(e, { region: v }),
  (e, v) => Object.assign(e, { userPoolId: v }),
  (e, v) => Object.assign(e.callerContext, { clientId: v }),
  (e, v) => Object.assign(e.request.userAttributes, { sub: v }),
  (e, v) => Object.assign(e.request.userAttributes, { email: v }),
];
const wrongObjectType: Mutation[] = [
  (e, v) => Object.assign(e, { callerContext: v }),
  (e, v) => Object.assign(e, { request: v }),
  (e, v) => Object.assign(e, { response: v }),
  (e, v) => Object.assign(e.request, { userAttributes: v }),
];
const badStringValue: Mutation[] = [
  (e) => Object.assign(e.request.userAttributes, { sub: ' \t\n ' }),
  (e, v) => Object.assign(e, { version: `7${String(v)}` }),
  // Not a TokenGeneration_ source of letters and digits (a hyphen never is one).
  (e, v) => Object.assign(e, { triggerSource: `TokenGeneration_${noWhitespaceOrAt(String(v))}-Unknown` }),
  (e, v) => Object.assign(e, { triggerSource: `PreSignUp_${noWhitespaceOrAt(String(v))}` }),
  (e, v) => Object.assign(e, { userPoolId: `no-underscore ${String(v)}` }),
];
/** Past a bound: Cognito's per-field limits (2,048-character values, 32-character names, 100 attributes; the sample has 4) or the event's. */
const oversized: Mutation[] = [
  (e, n) => Object.assign(e.request, { groupConfiguration: { groupsToOverride: [], extra: nestedLevels(Number(n)) } }),
  (e, n) => Object.assign(e, { response: nestedLevels(Number(n)) }),
  (e, n) => Object.assign(e.callerContext, { extra: nestedLevels(Number(n)) }),
  (e, n) => Object.assign(e.request.userAttributes, { 'custom:bio': 'x'.repeat(2038 + Number(n)) }),
  (e, n) => Object.assign(e.request.userAttributes, { email: `${'a'.repeat(2036 + Number(n))}@example.com` }),
  (e, n) => Object.assign(e.request.userAttributes, { [`custom:${'n'.repeat(26 + (Number(n) % 50))}`]: 'x' }),
  (e, n) => Object.assign(e.request.userAttributes, Object.fromEntries(Array.from({ length: 97 + (Number(n) % 200) }, (_, i) => [`custom:a${i}`, 'x']))),
];

/** An object nested `levels` deep (at least 11, past the bound of 10). */
function nestedLevels(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { n: value };
  return value;
}

const oversizedEvent: fc.Arbitrary<GeneratedEvent> = fc
  .record({ mutation: fc.constantFrom(...oversized), size: fc.integer({ min: 11, max: 1000 }) })
  .map(({ mutation, size }) => {
    const event = signInEvent('00000000-0000-4000-8000-0000000000be', 'never.stored@example.com') as PreTokenGenerationEvent & Record<string, unknown>;
    mutation(event, size);
    return { expect: 'reject' as const, event };
  });

/** Spellings of email_verified an IdP's mapping may send; only `true` and "true" in any case mean verified. */
const EMAIL_VERIFIED_VALUES: [unknown, boolean][] = [
  ['true', true], ['True', true], ['TRUE', true], ['tRuE', true], [true, true],
  ['false', false], ['False', false], [false, false], ['yes', false], ['1', false], [1, false], [0, false], [null, false],
  ['', false], [' true', false], ['true ', false], [['true'], false], [{}, false],
];
/** Email attributes that are not addresses: ignored (the identity by sub alone), never a refusal. */
const malformedEmail = (v: string): fc.Arbitrary<string> =>
  fc.constantFrom(`${v}no-at-sign`.replace(/@/g, ''), `a b${v}@example.com`, `a@b.co")\nabort(0)${v}`, `x@@${v}`, `@${noWhitespaceOrAt(v)}x`, `${'a'.repeat(250)}@example.com`);

const lenientSignIn: fc.Arbitrary<GeneratedEvent> = fc
  .oneof(
    fc.record({ kind: fc.constant('verified' as const), verified: fc.constantFrom(...EMAIL_VERIFIED_VALUES) }),
    textPiece.chain((v) => fc.record({ kind: fc.constant('malformed' as const), email: malformedEmail(firstCodePoints(v, 100)) })),
    fc.record({ kind: fc.constant('unknownSource' as const), source: fc.stringMatching(/^[A-Za-z0-9]{1,40}$/) }),
  )
  .map((lenient) => {
    const n = ++userCounter;
    const sub = `lenient-${n}`;
    const email = `Lenient.${n}@Example.com`;
    const event = signInEvent(sub, email);
    if (lenient.kind === 'verified') {
      (event.request.userAttributes as Record<string, unknown>).email_verified = lenient.verified[0];
      const normal = normaliseEmail(email);
      return { expect: 'signIn' as const, event, identity: { sub, email: lenient.verified[1] ? normal : null }, queryEmail: normal };
    }
    if (lenient.kind === 'malformed') {
      event.request.userAttributes.email = lenient.email;
      return { expect: 'signIn' as const, event, identity: { sub, email: null } };
    }
    event.triggerSource = `TokenGeneration_${lenient.source}`;
    return { expect: 'signIn' as const, event, identity: { sub, email: normaliseEmail(email) } };
  });

const invalidEvent: fc.Arbitrary<GeneratedEvent> = fc
  .oneof(
    fc.record({ mutation: fc.constantFrom(...dropRequired), value: fc.constant(undefined) }),
    fc.record({ mutation: fc.constantFrom(...wrongStringType), value: notAString }),
    fc.record({ mutation: fc.constantFrom(...wrongObjectType), value: notAnObject }),
    fc.record({ mutation: fc.constantFrom(...badStringValue), value: textPiece }),
  )
  .map(({ mutation, value }) => {
    const event = signInEvent('00000000-0000-4000-8000-0000000000bd', 'never.stored@example.com') as PreTokenGenerationEvent & Record<string, unknown>;
    mutation(event, value);
    return { expect: 'reject' as const, event };
  });

/** Anything at all: the handler may reject it or (if it happens to be a valid event) answer it, but never crash. */
const wildInput: fc.Arbitrary<GeneratedEvent> = fc
  .oneof(fc.anything(), fc.jsonValue(), fc.constantFrom(null, undefined, '', 0, [], {}, 'event', ...INJECTION_ATTEMPTS))
  .map((event) => ({ expect: 'either' as const, event }));

const generatedEvent = fc.oneof(
  { arbitrary: validSignIn, weight: 10 },
  { arbitrary: lenientSignIn, weight: 6 },
  { arbitrary: machineToMachine, weight: 2 },
  { arbitrary: invalidEvent, weight: 50 },
  { arbitrary: oversizedEvent, weight: 6 },
  { arbitrary: wildInput, weight: 26 },
);

function withHangLimit<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_BUDGET_MS} ms (hang)`)), ANSWER_BUDGET_MS);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

interface QueryBody {
  query: { fql: unknown[] };
  arguments?: unknown;
}

describe('bad input, 10,000 generated events (real handler, SSM stubbed with aws-sdk-client-mock, local Fauna behind a recording proxy)', () => {
  let fauna: EvidenceFauna;
  let proxy: RecordingProxy;
  let ssm: SsmStub;
  let service: ServiceUnderTest;
  const signedIn: { identity: { sub: string; email: string | null }; queryEmail: string | null; userId: string; secret: string }[] = [];
  const counts: Record<Expectation, number> = { signIn: 0, passThrough: 0, reject: 0, either: 0 };

  beforeAll(async () => {
    fauna = await startEvidenceFauna();
    proxy = await startRecordingProxy(fauna.url, { onSecret: recordSecret });
    ssm = stubSsmWithSecret(fauna.triggerKey);
    service = startService(stageEnvironment(proxy.url));

    // Act (shared by the assertions below): every generated event through the handler, each checked as it answers
    await fc.assert(
      fc.asyncProperty(generatedEvent, async (generated) => {
        counts[generated.expect]++;
        let response: PreTokenGenerationEvent | undefined;
        let error: unknown;
        try {
          response = await withHangLimit(service.invoke(generated.event as PreTokenGenerationEvent));
        } catch (caught) {
          error = caught;
        }
        if (error !== undefined) {
          // The only acceptable failure is the validation rejection Cognito shows the user; anything else is a crash.
          if (!(error instanceof Error) || error.name !== 'SignInRejectedError' || error.message !== VALIDATION_REJECTION) throw error;
          return generated.expect === 'reject' || generated.expect === 'either';
        }
        if (generated.expect === 'reject') return false;
        if (generated.expect === 'passThrough') return JSON.stringify(response) === JSON.stringify(generated.event);
        const { secret, userId } = grantedClaims(response!);
        if (generated.expect === 'signIn') {
          if (!secret || !userId) return false;
          signedIn.push({ identity: generated.identity!, queryEmail: generated.queryEmail === undefined ? generated.identity!.email : generated.queryEmail, userId, secret });
        }
        return true;
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);

  afterAll(async () => {
    service?.dispose();
    ssm?.restore();
    await proxy?.stop();
    await fauna?.stop();
  });

  it('ran at least 10,000 generated events, of every kind, with only validation errors or correct answers', () => {
    // Assert (the per-event checks ran in beforeAll; a failing one fails the suite there with a counterexample)
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(RUNS);
    expect(counts.reject).toBeGreaterThan(RUNS / 3);
    expect(counts.either).toBeGreaterThan(RUNS / 10);
    expect(counts.passThrough).toBeGreaterThan(0);
    expect(signedIn.length).toBe(counts.signIn);
  });

  it('sent Fauna one request per valid sign-in, always the same query text with the values only as encoded arguments', () => {
    // Arrange
    const queries = proxy.exchanges().filter((exchange) => exchange.path === '/query/1');
    const expectedValues = new Set(signedIn.map(({ identity, queryEmail }) => JSON.stringify([identity.sub, queryEmail])));

    // Act
    const shapes = queries.map((exchange) => {
      const body = exchange.request as QueryBody;
      const fragments = body.query.fql;
      return {
        text: fragments.filter((fragment) => typeof fragment === 'string'),
        placeholders: fragments.filter((fragment) => typeof fragment !== 'string').map((fragment) => Object.keys(fragment as object)),
        hasArguments: body.arguments !== undefined,
        values: JSON.stringify([(fragments[1] as { value: unknown }).value, (fragments[3] as { value: unknown }).value]),
        emailVerified: (fragments[5] as { value: unknown }).value,
        ttl: (fragments[7] as { value: unknown }).value,
      };
    });

    // Assert
    expect(queries).toHaveLength(counts.signIn);
    for (const shape of shapes) {
      expect(shape).toEqual({
        text: QUERY_TEXT_PIECES,
        placeholders: [['value'], ['value'], ['value'], ['value'], ['object'], ['value'], ['array'], ['object']],
        hasArguments: false,
        values: expect.any(String),
        emailVerified: expect.any(Boolean),
        ttl: { '@int': String(DEFAULT_TOKEN_TTL_SECONDS) },
      });
      expect(expectedValues.has(shape.values)).toBe(true);
    }
  });

  it('left exactly one identity per valid sign-in in the database, with its sub and normalised email, and nothing else', async () => {
    // Act
    const customers = await fauna.customers();

    // Assert
    const byUserId = new Map(customers.map((customer) => [customer.id, customer]));
    expect(customers).toHaveLength(signedIn.length);
    // The sample event's email is verified, so every normalisable email is stored; one without a safe form (null), a
    // malformed one, or one whose email_verified is not true/"true" is not.
    for (const { identity, userId } of signedIn) expect(byUserId.get(userId)).toEqual({ id: userId, sub: identity.sub, email: identity.email });
  });

  it('granted secrets that authenticate as their identity (a sample of 100)', async () => {
    // Arrange
    const sample = signedIn.filter((_, i) => i % Math.max(1, Math.floor(signedIn.length / 100)) === 0).slice(0, 100);

    // Act
    const identities = await Promise.all(sample.map(({ secret }) => fauna.identityOf(secret)));

    // Assert
    expect(sample.length).toBeGreaterThan(0);
    expect(identities).toEqual(sample.map(({ userId }) => userId));
  });
});
