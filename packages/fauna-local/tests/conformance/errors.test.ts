/**
 * Conformance: failures reach the real `fauna` driver as the right error classes, with the codes, statuses and extra
 * fields (constraint_failures, abort, queryInfo) it relies on.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AbortError,
  AuthenticationError,
  ConstraintFailureError,
  InvalidRequestError,
  QueryCheckError,
  QueryRuntimeError,
  QueryTimeoutError,
  fql,
} from 'fauna';
import { TRANSPORTS, pushIdentitySchema, startTarget, uniqueEmail, type ConformanceTarget, failureOf } from './helpers/target.ts';

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startTarget();
  await pushIdentitySchema(target);
});
afterAll(() => target.close());

describe.each(TRANSPORTS)('over the %s transport', (transport) => {
  it('raises QueryCheckError (invalid_query, 400) for a syntax error, with a summary', async () => {
    const failure = await failureOf(target.client({ transport }).query(fql`let x = `));

    expect(failure).toBeInstanceOf(QueryCheckError);
    expect(failure.code).toBe('invalid_query');
    expect(failure.httpStatus).toBe(400);
    expect(failure.queryInfo?.summary).toMatch(/error/);
  });

  it('raises QueryRuntimeError for an unknown method, a missing document and a null assertion', async () => {
    const client = target.client({ transport });

    // x-typecheck false: a type-checked database refuses `Customer.nope()` before it runs (QueryCheckError, see
    // core-spec-typer.test.ts); this case is about the runtime error it answers without the checker.
    const unknownMethod = await failureOf(client.query(fql`Customer.nope()`, { typecheck: false }));
    const unknownMethodChecked = await failureOf(client.query(fql`Customer.nope()`));
    const missing = await failureOf(client.query(fql`Customer.byId("1234567")!`));
    const nullValue = await failureOf(client.query(fql`null!`));

    expect(unknownMethod).toBeInstanceOf(QueryRuntimeError);
    expect(unknownMethod.code).toBe('invalid_function_invocation');
    expect(unknownMethodChecked).toBeInstanceOf(QueryCheckError);
    expect(unknownMethodChecked.code).toBe('invalid_query');
    expect(missing).toBeInstanceOf(QueryRuntimeError);
    expect(missing.code).toBe('document_not_found');
    expect(nullValue.code).toBe('null_value');
  });

  it('raises ConstraintFailureError with the failing paths for a duplicate unique email', async () => {
    const client = target.client({ transport });
    const email = uniqueEmail();
    await client.query(fql`Customer.create({ email: ${email}, sub: ${`a-${email}`} })`);

    const failure = await failureOf(client.query(fql`Customer.create({ email: ${email}, sub: ${`b-${email}`} })`));

    expect(failure).toBeInstanceOf(ConstraintFailureError);
    expect(failure.code).toBe('constraint_failure');
    expect(failure.httpStatus).toBe(400);
    expect(failure.constraint_failures).toEqual([{ paths: [['email']], message: expect.any(String) }]);
  });

  it('rolls back the writes of a failed query', async () => {
    const client = target.client({ transport });
    const email = uniqueEmail();

    await failureOf(client.query(fql`Customer.create({ email: ${email}, sub: ${email} }); abort("stop")`));
    const { data } = await client.query(fql`Customer.byEmail(${email}).count()`);

    expect(data).toBe(0);
  });

  it('raises AbortError carrying the decoded abort value', async () => {
    const failure = await failureOf(target.client({ transport }).query(fql`abort({ reason: "oops", n: 3 })`));

    expect(failure).toBeInstanceOf(AbortError);
    expect((failure as AbortError).abort).toEqual({ reason: 'oops', n: 3 });
  });

  it('raises AuthenticationError (401 unauthorized) for an unknown secret', async () => {
    const failure = await failureOf(target.client({ transport, secret: 'fnAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }).query(fql`1`));

    expect(failure).toBeInstanceOf(AuthenticationError);
    expect(failure.httpStatus).toBe(401);
  });

  it('raises InvalidRequestError for an out-of-range x-max-contention-retries header', async () => {
    const failure = await failureOf(target.client({ transport, max_contention_retries: 8 }).query(fql`1`));

    expect(failure).toBeInstanceOf(InvalidRequestError);
    expect(failure.message).toBe("Invalid header 'x-max-contention-retries': Must be between 0 and 7.");
  });

  it('raises QueryTimeoutError when the query outlives x-query-timeout-ms', async () => {
    const client = target.client({ transport, query_timeout_ms: 1 });

    const failure = await failureOf(client.query(fql`Set.sequence(0, 100000000).fold(0, (a, b) => a + b)`));

    expect(failure).toBeInstanceOf(QueryTimeoutError);
    expect(failure.code).toBe('time_out');
  });

  it('reports txn_ts and stats with a query failure', async () => {
    const failure = await failureOf(target.client({ transport }).query(fql`abort(1)`));

    expect(typeof failure.queryInfo?.txn_ts).toBe('number');
    expect(failure.queryInfo?.stats).toMatchObject({ compute_ops: expect.any(Number) });
  });
});
