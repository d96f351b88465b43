import { describe, expect, it } from '@jest/globals';
import { eventForPool, findClaim } from '../../scripts/smoke-invoke.ts';

const event = (response: Record<string, unknown>) => JSON.stringify({ version: '1', triggerSource: 'TokenGeneration_Authentication', response }, null, 4);

describe('findClaim (smoke check of a deployed trigger)', () => {
  it('finds the claim of a V1 answer printed after CLI chatter', () => {
    // Arrange
    const output = `Running "serverless" from node_modules\n${event({ claimsOverrideDetails: { claimsToAddOrOverride: { fauna_token_secret: 'fnE-abc' } } })}\n`;

    // Act
    const claim = findClaim(output, 'fauna_token_secret');

    // Assert
    expect(claim).toBe('fnE-abc');
  });

  it('finds the claim of a V2 answer in the access token', () => {
    // Arrange
    const output = event({ claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: { fauna_token_secret: 'fnE-xyz' } } } });

    // Act
    const claim = findClaim(output, 'fauna_token_secret');

    // Assert
    expect(claim).toBe('fnE-xyz');
  });

  it('reports no claim for a pass-through answer, an empty claim or output that is not JSON', () => {
    // Arrange
    const outputs = [event({ claimsOverrideDetails: null }), event({ claimsOverrideDetails: { claimsToAddOrOverride: { fauna_token_secret: '' } } }), 'Error: function not found'];

    // Act
    const claims = outputs.map((output) => findClaim(output, 'fauna_token_secret'));

    // Assert
    expect(claims).toEqual([undefined, undefined, undefined]);
  });

  it('sends the sample event as the stage\'s pool would (the function refuses other pools), changing nothing else', () => {
    // Arrange
    const sample = JSON.stringify({ version: '1', userPoolId: 'us-east-1_Example1', request: { userAttributes: { sub: 's' } } });

    // Act
    const event = JSON.parse(eventForPool(sample, 'eu-west-1_Served1')) as Record<string, unknown>;

    // Assert
    expect(event).toEqual({ ...JSON.parse(sample), userPoolId: 'eu-west-1_Served1' });
  });
});
