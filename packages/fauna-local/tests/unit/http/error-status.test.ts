import { describe, expect, it } from '@jest/globals';
import { ERROR_CODES } from '../../../src/engine/api.ts';
import { ERROR_STATUS, isProtocolError, protocolError, statusOf } from '../../../src/http/errors.ts';

describe('the code → status table (http/errors.ts)', () => {
  it('has exactly one entry per error code the engine may report', () => {
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each([
    ['invalid_argument', 400, false],
    ['permission_denied', 400, false],
    ['invalid_request', 400, true],
    ['unauthorized', 401, true],
    ['forbidden', 403, true],
    ['time_out', 440, true],
    ['limit_exceeded', 429, true],
    ['internal_error', 500, true],
  ] as const)('answers %s with %i (protocol envelope: %s), as Fauna does', (code, status, protocol) => {
    expect(statusOf(code)).toBe(status);
    expect(isProtocolError(code)).toBe(protocol);
  });

  it('builds protocol errors from the same table, with WWW-Authenticate on 401', () => {
    expect(protocolError('method_not_allowed', 'Method not allowed')).toEqual({ status: 405, headers: {}, json: { error: { code: 'method_not_allowed', message: 'Method not allowed' } } });
    expect(protocolError('unauthorized', 'Access token required', 'a=b')).toMatchObject({ status: 401, headers: { 'www-authenticate': 'Bearer' }, json: { query_tags: 'a=b' } });
  });
});
