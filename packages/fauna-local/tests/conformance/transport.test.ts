/**
 * Conformance: the transport as the driver and tools see it: health check, both driver transports on one port,
 * query tags, concurrency over one HTTP/2 session, protocol error envelopes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidRequestError, StreamToken, fql } from 'fauna';
import { TRANSPORTS, startTarget, type ConformanceTarget } from './helpers/target.ts';

let target: ConformanceTarget;

beforeAll(async () => {
  target = await startTarget();
});
afterAll(() => target.close());

describe('health and protocol errors', () => {
  it('answers GET /ping with {"resource":"Scope write is OK"} as JSON', async () => {
    const response = await fetch(`${target.url}/ping`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ resource: 'Scope write is OK' });
  });

  it('answers a request without a secret with 401, WWW-Authenticate: Bearer and code unauthorized', async () => {
    const response = await fetch(`${target.url}/query/1`, { method: 'POST', body: JSON.stringify({ query: '1' }) });

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('accepts a query without Content-Type and answers in the simple format by default', async () => {
    const response = await fetch(`${target.url}/query/1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.adminSecret}` },
      body: JSON.stringify({ query: '1 + 1' }),
    });
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(body.data).toBe(2);
    expect(typeof body.txn_ts).toBe('number');
    expect(body).toHaveProperty('summary');
    expect(body).toHaveProperty('stats');
    expect(body).toHaveProperty('schema_version');
  });

  it('answers 400 invalid_request for malformed JSON', async () => {
    const response = await fetch(`${target.url}/query/1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.adminSecret}` },
      body: '{"query": ',
    });
    const body = (await response.json()) as { error: { code: string; message: string } };

    expect(response.status).toBe(400);
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/^Invalid request body/);
  });

  it('answers 400 invalid_request for an invalid query tags header', async () => {
    const response = await fetch(`${target.url}/query/1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.adminSecret}`, 'x-query-tags': 'not a tag' },
      body: JSON.stringify({ query: '1' }),
    });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe("Invalid header 'x-query-tags': invalid tags");
  });

  it('rejects an event stream request with a bogus token as an invalid request', async () => {
    const client = target.client();

    const failure = await (async () => {
      try {
        // The driver opens the stream lazily; the first iteration sends POST /stream/1.
        for await (const event of client.stream(new StreamToken('bogus-stream-token'))) return event;
        return 'ended';
      } catch (error) {
        return error;
      }
    })();

    expect(failure).toBeInstanceOf(InvalidRequestError);
  });
});

describe.each(TRANSPORTS)('the driver over %s', (transport) => {
  it('gets its query tags echoed back', async () => {
    const client = target.client({ transport });

    const result = await client.query(fql`"tagged"`, { query_tags: { request: 'abc123', tenant: 't_1' } });

    expect(result.query_tags).toEqual({ request: 'abc123', tenant: 't_1' });
  });

  it('serves 100 concurrent queries from one client', async () => {
    const client = target.client({ transport });

    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => client.query(fql`${i} * 2`)));

    expect(results.map((r) => r.data)).toEqual(Array.from({ length: 100 }, (_, i) => i * 2));
  });

  it('surfaces a bad header as InvalidRequestError', async () => {
    const failure = await target.client({ transport, max_contention_retries: -1 }).query(fql`1`).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(InvalidRequestError);
  });
});
