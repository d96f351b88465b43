import { describe, expect, it } from '@jest/globals';
import {
  AbortError,
  AuthenticationError,
  AuthorizationError,
  ConstraintFailureError,
  ContendedTransactionError,
  NetworkError,
  ProtocolError,
  QueryCheckError,
  QueryRuntimeError,
  QueryTimeoutError,
  ServiceInternalError,
  ThrottlingError,
} from 'fauna';
import {
  FaunaQueryError,
  UnexpectedError,
  FaunaUnauthorizedError,
  FaunaUnavailableError,
  ConcurrentSignInError,
  IdentityConflictError,
  InvalidEventError,
  mapFaunaError,
  SignInArgumentError,
  summariseError,
} from '../../../lib/common/errors.ts';

function failure(code: string, message = `failure ${code} for ada@example.com`) {
  return { error: { code, message } };
}

describe('mapFaunaError', () => {
  it.each([
    ['AuthenticationError (unauthorized)', new AuthenticationError(failure('unauthorized'), 401), FaunaUnauthorizedError],
    [
      'ConstraintFailureError',
      new ConstraintFailureError({ error: { code: 'constraint_failure', message: 'Failed unique constraint.', constraint_failures: [{ paths: [['email']], message: 'Failed unique constraint' }] } }, 400),
      ConcurrentSignInError,
    ],
    ['NetworkError', new NetworkError('connection refused', { cause: new Error('ECONNREFUSED') }), FaunaUnavailableError],
    ['QueryTimeoutError', new QueryTimeoutError(failure('time_out'), 440), FaunaUnavailableError],
    ['ServiceInternalError', new ServiceInternalError(failure('internal_error'), 500), FaunaUnavailableError],
    ['ThrottlingError', new ThrottlingError(failure('limit_exceeded'), 429), FaunaUnavailableError],
    ['ContendedTransactionError (409: a concurrent sign-in of the same user)', new ContendedTransactionError(failure('contended_transaction'), 409), ConcurrentSignInError],
    ['ProtocolError', new ProtocolError({ message: 'not json', httpStatus: 502 }), FaunaUnavailableError],
    ['AuthorizationError (forbidden)', new AuthorizationError(failure('forbidden'), 403), FaunaQueryError],
    ['QueryRuntimeError (permission_denied)', new QueryRuntimeError(failure('permission_denied'), 400), FaunaQueryError],
    ['QueryCheckError (invalid_query)', new QueryCheckError(failure('invalid_query'), 400), FaunaQueryError],
    ['AbortError with another value', new AbortError({ error: { code: 'abort', message: 'Query aborted.', abort: 'x' } }, 400), FaunaQueryError],
    ['AbortError identity_conflict (signIn refused)', new AbortError({ error: { code: 'abort', message: 'Query aborted.', abort: { code: 'identity_conflict', message: 'm' } } }, 400), IdentityConflictError],
    ['AbortError invalid_argument (signIn refused its arguments)', new AbortError({ error: { code: 'abort', message: 'Query aborted.', abort: { code: 'invalid_argument', message: 'm' } } }, 400), SignInArgumentError],
    ['a plain Error (not the driver\'s: a bug)', new Error('boom'), UnexpectedError],
    ['a TypeError (a bug in lib/)', new TypeError('cannot read properties of undefined'), UnexpectedError],
  ])('maps %s to the right class, keeping it as the cause', (_label, driverError, expected) => {
    // Act
    const mapped = mapFaunaError(driverError);

    // Assert
    expect(mapped).toBeInstanceOf(expected);
    expect(mapped.cause).toBe(driverError);
    expect(mapped.name).toBe(expected.name);
  });

  it('says how a concurrent sign-in got in the way: constraint_failure or contended_transaction (lib/sign-in/sign-in-query.ts retries each by its own rule)', () => {
    const constraint = mapFaunaError(
      new ConstraintFailureError({ error: { code: 'constraint_failure', message: 'Failed unique constraint.', constraint_failures: [{ paths: [['sub']], message: 'Failed unique constraint' }] } }, 400),
    );
    const contended = mapFaunaError(new ContendedTransactionError(failure('contended_transaction'), 409));

    expect((constraint as ConcurrentSignInError).conflict).toBe('constraint_failure');
    expect((contended as ConcurrentSignInError).conflict).toBe('contended_transaction');
    expect(contended.transient).toBe(true);
    expect(contended.message).not.toContain('ada@example.com');
  });

  it('never copies Fauna\'s message, which may quote query values', () => {
    // Arrange
    const driverError = new QueryRuntimeError(failure('permission_denied', 'denied for ada@example.com'), 400);

    // Act
    const mapped = mapFaunaError(driverError);

    // Assert
    expect(mapped.message).not.toContain('ada@example.com');
    expect(mapped.message).toContain('permission_denied');
  });

  it('keeps Fauna\'s error code on query errors', () => {
    // Act
    const mapped = mapFaunaError(new QueryRuntimeError(failure('permission_denied'), 400));

    // Assert
    expect(mapped).toBeInstanceOf(FaunaQueryError);
    expect((mapped as FaunaQueryError).code).toBe('permission_denied');
  });

  it('returns our own errors unchanged', () => {
    // Arrange
    const ours = new InvalidEventError(['/request must be object']);

    // Act & Assert
    expect(mapFaunaError(ours)).toBe(ours);
  });

  it('marks outages as transient and refusals as not', () => {
    expect(mapFaunaError(new NetworkError('down', { cause: null })).transient).toBe(true);
    expect(mapFaunaError(new AuthenticationError(failure('unauthorized'), 401)).transient).toBe(false);
  });

  it('advises what the caller says (which query, which role, where the key goes), the sign-in\'s by default', () => {
    const advice = { query: 'revokeTokens', role: 'tokenRevoker', keyHome: 'the revoke key\'s SSM parameter', schemaFiles: 'x.fsl' };
    const unauthorized = new AuthenticationError(failure('unauthorized'), 401);
    const refused = new QueryRuntimeError(failure('permission_denied'), 400);

    expect(mapFaunaError(unauthorized).message).toContain('pretokenTrigger role in the SSM parameter');
    expect(mapFaunaError(unauthorized, advice).message).toBe('Fauna rejected the key (unauthorized). Store a valid key with the tokenRevoker role in the revoke key\'s SSM parameter.');
    expect(mapFaunaError(refused).message).toMatch(/^Fauna refused the sign-in query \(permission_denied\)\. Push the schema in fauna\/ and give the key the pretokenTrigger role\.$/);
    expect(mapFaunaError(refused, advice).message).toBe('Fauna refused revokeTokens (permission_denied). Push the schema in fauna/ (x.fsl) and give the key the tokenRevoker role.');
  });
});

describe('summariseError', () => {
  it('keeps our message, the source and Fauna\'s code, and only the name of the cause', () => {
    // Arrange
    const mapped = mapFaunaError(new QueryRuntimeError(failure('permission_denied', 'about ada@example.com'), 400));

    // Act
    const summary = summariseError(mapped);

    // Assert
    expect(summary).toEqual({
      name: 'FaunaQueryError',
      message: mapped.message,
      source: 'identity service',
      code: 'permission_denied',
      cause: 'QueryRuntimeError',
    });
    expect(JSON.stringify(summary)).not.toContain('ada@example.com');
  });

  it('does not repeat the message of an error that is not ours', () => {
    // Act
    const summary = summariseError(new Error('secret fnAabcdefghijklmnop'));

    // Assert
    expect(JSON.stringify(summary)).not.toContain('fnAabcdefghijklmnop');
    expect(summary.name).toBe('Error');
  });
});
