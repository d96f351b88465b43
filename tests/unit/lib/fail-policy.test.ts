import { describe, expect, it } from '@jest/globals';
import { ConfigError, FaunaUnavailableError, ForeignUserPoolError, IdentityConflictError, InvalidEventError, SecretUnavailableError } from '../../../lib/common/errors.ts';
import { applyFailPolicy, SignInRejectedError } from '../../../lib/sign-in/fail-policy.ts';

describe('applyFailPolicy', () => {
  it.each(['closed', 'open'] as const)('rejects an identity conflict when the policy is %s: a decision, not an outage', (policy) => {
    // Act
    const outcome = applyFailPolicy(new IdentityConflictError('conflict'), policy);

    // Assert
    expect(outcome.action).toBe('reject');
    expect(outcome.action === 'reject' && outcome.error.message).toBe('This account cannot be signed in until support resolves an identity conflict. Please contact support');
  });

  it.each(['closed', 'open'] as const)('rejects an event from a pool this function does not serve when the policy is %s', (policy) => {
    expect(applyFailPolicy(new ForeignUserPoolError('elsewhere'), policy).action).toBe('reject');
  });

  it('fails closed with a short message that names only the failing part', () => {
    // Arrange
    const cause = new FaunaUnavailableError('Fauna is unreachable at https://fauna.internal for ada@example.com');

    // Act
    const outcome = applyFailPolicy(cause, 'closed');

    // Assert
    expect(outcome.action).toBe('reject');
    if (outcome.action !== 'reject') return;
    expect(outcome.error).toBeInstanceOf(SignInRejectedError);
    expect(outcome.error.message).toBe('Sign-in is temporarily unavailable (identity service). Please try again');
    expect(outcome.error.cause).toBe(cause);
    expect(outcome.error.message.length).toBeLessThan(100);
  });

  it('names the key store when the Fauna key could not be read', () => {
    // Act
    const outcome = applyFailPolicy(new SecretUnavailableError('/cognito-fauna/dev/fauna-secret'), 'closed');

    // Assert
    expect(outcome.action === 'reject' && outcome.error.message).toBe('Sign-in is temporarily unavailable (key store). Please try again');
  });

  it('fails open by continuing without claims when the policy is open', () => {
    // Act
    const outcome = applyFailPolicy(new FaunaUnavailableError('down'), 'open');

    // Assert
    expect(outcome).toEqual({ action: 'continueWithoutClaims' });
  });

  it('rejects an invalid event even when the policy is open', () => {
    // Act
    const outcome = applyFailPolicy(new InvalidEventError(['/request must be object']), 'open');

    // Assert
    expect(outcome.action).toBe('reject');
    expect(outcome.action === 'reject' && outcome.error.message).toBe('Sign-in request was not understood. Please try again');
  });

  it('treats an unknown error as an identity-service failure', () => {
    // Act
    const outcome = applyFailPolicy(new TypeError('x is undefined'), 'closed');

    // Assert
    expect(outcome.action === 'reject' && outcome.error.source).toBe('identity service');
  });

  it('never puts the cause\'s message in the user-facing message', () => {
    // Arrange
    const cause = new ConfigError('FAUNA_ENDPOINT', 'is not set', 'Set it.');

    // Act
    const outcome = applyFailPolicy(cause, 'closed');

    // Assert
    expect(outcome.action === 'reject' && outcome.error.message).not.toContain('FAUNA_ENDPOINT');
  });
});
