import { describe, expect, it } from '@jest/globals';
import { parseRevocationConfig } from '../../../lib/revocation/revocation-config.ts';

const BASE = { STAGE: 'dev', FAUNA_ENDPOINT: 'https://fauna.internal:8443', FAUNA_SECRET_PARAMETER: '/cognito-fauna/dev/fauna-revoke-secret', USER_POOL_IDS: 'us-east-1_Abc123' };

describe('parseRevocationConfig: IDENTITY_ATTRIBUTES, the allowlist attribute events follow', () => {
  it('is empty by default and reads a comma-separated list', () => {
    expect(parseRevocationConfig(BASE).identityAttributes).toEqual([]);
    expect(parseRevocationConfig({ ...BASE, IDENTITY_ATTRIBUTES: 'custom:tenantId, custom:plan' }).identityAttributes).toEqual(['custom:tenantId', 'custom:plan']);
  });

  it('stops the cold start with a ConfigError naming the setting for a name it may not store', () => {
    expect(() => parseRevocationConfig({ ...BASE, IDENTITY_ATTRIBUTES: 'custom:tenantId,sub' })).toThrow(expect.objectContaining({ name: 'ConfigError', setting: 'IDENTITY_ATTRIBUTES' }));
  });
});
