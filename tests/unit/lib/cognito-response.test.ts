import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { PreTokenGenerationEvent } from '../../../lib/sign-in/cognito-event.ts';
import { buildCognitoResponse, type ResponseOptions } from '../../../lib/sign-in/cognito-response.ts';

function loadEvent(name: string): PreTokenGenerationEvent {
  return JSON.parse(readFileSync(new URL(`../../../events/${name}`, import.meta.url), 'utf8')) as PreTokenGenerationEvent;
}

const claims = { userId: '412345678901234567', secret: 'fnEexampleTokenSecretForResponseTests000000000000000' };
const defaults: ResponseOptions = {
  secretClaimName: 'fauna_token_secret',
  userIdClaimName: 'userId',
  suppressEmail: true,
  claimTargets: ['id'],
};

describe('buildCognitoResponse', () => {
  it('answers a V1 event with claimsOverrideDetails holding string claims and suppressing email', () => {
    // Arrange
    const event = loadEvent('pretoken.json');

    // Act
    const result = buildCognitoResponse(event, claims, defaults);

    // Assert
    expect(result).toEqual({
      ...event,
      response: {
        claimsOverrideDetails: {
          claimsToAddOrOverride: { fauna_token_secret: claims.secret, userId: claims.userId },
          claimsToSuppress: ['email'],
        },
      },
    });
  });

  it('returns the whole event and leaves the input unmodified', () => {
    // Arrange
    const event = loadEvent('pretoken.json');
    const before = structuredClone(event);

    // Act
    const result = buildCognitoResponse(event, claims, defaults);

    // Assert
    expect(event).toEqual(before);
    expect(result.request).toEqual(event.request);
    expect(result.callerContext).toEqual(event.callerContext);
  });

  it('answers a V2 event with claimsAndScopeOverrideDetails for the ID token by default', () => {
    // Arrange
    const event = loadEvent('pretoken-v2.json');

    // Act
    const result = buildCognitoResponse(event, claims, defaults);

    // Assert
    expect(result.response).toEqual({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: {
          claimsToAddOrOverride: { fauna_token_secret: claims.secret, userId: claims.userId },
          claimsToSuppress: ['email'],
        },
      },
    });
  });

  it('puts the claims in the access token only when the targets say access', () => {
    // Arrange
    const event = loadEvent('pretoken-v2.json');

    // Act
    const result = buildCognitoResponse(event, claims, { ...defaults, claimTargets: ['access'] });

    // Assert
    expect(result.response).toEqual({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToSuppress: ['email'] },
        accessTokenGeneration: { claimsToAddOrOverride: { fauna_token_secret: claims.secret, userId: claims.userId } },
      },
    });
  });

  it('puts the claims in both tokens when the targets say id and access', () => {
    // Arrange
    const event = { ...loadEvent('pretoken-v2.json'), version: '3' };

    // Act
    const result = buildCognitoResponse(event, claims, { ...defaults, claimTargets: ['id', 'access'] });

    // Assert
    const details = result.response.claimsAndScopeOverrideDetails;
    expect(details?.idTokenGeneration?.claimsToAddOrOverride).toEqual({ fauna_token_secret: claims.secret, userId: claims.userId });
    expect(details?.accessTokenGeneration?.claimsToAddOrOverride).toEqual({ fauna_token_secret: claims.secret, userId: claims.userId });
  });

  it('uses the configured claim names', () => {
    // Arrange
    const event = loadEvent('pretoken.json');

    // Act
    const result = buildCognitoResponse(event, claims, { ...defaults, secretClaimName: 'db_secret', userIdClaimName: 'db_user' });

    // Assert
    expect(result.response.claimsOverrideDetails?.claimsToAddOrOverride).toEqual({ db_secret: claims.secret, db_user: claims.userId });
  });

  it('keeps email in the token when suppression is off', () => {
    // Arrange
    const v1 = loadEvent('pretoken.json');
    const v2 = loadEvent('pretoken-v2.json');
    const options = { ...defaults, suppressEmail: false };

    // Act
    const v1Result = buildCognitoResponse(v1, claims, options);
    const v2Result = buildCognitoResponse(v2, claims, options);

    // Assert
    expect(v1Result.response.claimsOverrideDetails).not.toHaveProperty('claimsToSuppress');
    expect(v2Result.response.claimsAndScopeOverrideDetails?.idTokenGeneration).not.toHaveProperty('claimsToSuppress');
  });

  it('without claims (fail-open) only suppresses email', () => {
    // Arrange
    const event = loadEvent('pretoken.json');

    // Act
    const result = buildCognitoResponse(event, null, defaults);

    // Assert
    expect(result.response).toEqual({ claimsOverrideDetails: { claimsToSuppress: ['email'] } });
  });

  it('treats cognito-local\'s version "0" events as V1', () => {
    // Arrange
    const event = { ...loadEvent('pretoken.json'), version: '0' };

    // Act
    const result = buildCognitoResponse(event, claims, defaults);

    // Assert
    expect(result.response.claimsOverrideDetails?.claimsToAddOrOverride).toHaveProperty('fauna_token_secret', claims.secret);
    expect(result.response).not.toHaveProperty('claimsAndScopeOverrideDetails');
  });

  it('passes a machine-to-machine client-credentials event through untouched', () => {
    // Arrange
    const event = loadEvent('pretoken-m2m-v3.json');

    // Act
    const result = buildCognitoResponse(event, claims, { ...defaults, claimTargets: ['id', 'access'] });

    // Assert
    expect(result).toBe(event);
    expect(result.response).toEqual({ claimsAndScopeOverrideDetails: null });
  });
});
