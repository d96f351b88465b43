import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_FAUNA_QUERY_TIMEOUT_MS,
  DEFAULT_FAUNA_SESSION_IDLE_MS,
  LOCAL_FAUNA_SESSION_IDLE_MS,
  DEFAULT_SSM_CACHE_TTL_SECONDS,
  DEFAULT_MAX_TOKENS_PER_IDENTITY,
  DEFAULT_SSM_REFETCH_INTERVAL_SECONDS,
  DEFAULT_SSM_STALE_MAX_SECONDS,
  DEFAULT_TOKEN_TTL_SECONDS,
  parseConfig,
} from '../../../lib/common/config.ts';
import { ConfigError } from '../../../lib/common/errors.ts';

const minimal = {
  STAGE: 'dev',
  FAUNA_ENDPOINT: 'https://fauna.dev.example.internal:8443',
  FAUNA_SECRET_PARAMETER: '/cognito-fauna/dev/fauna-secret',
  USER_POOL_ID_PARAMETER: '/cognito-fauna/dev/user-pool-id',
};

function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('parseConfig accepted the environment');
}

describe('parseConfig', () => {
  it('applies every default when only the required settings are given', () => {
    // Act
    const config = parseConfig(minimal);

    // Assert
    expect(config).toEqual({
      stage: 'dev',
      userPoolSource: { kind: 'ssm', parameterName: '/cognito-fauna/dev/user-pool-id' },
      faunaEndpoint: new URL('https://fauna.dev.example.internal:8443'),
      secretSource: {
        kind: 'ssm',
        parameterName: '/cognito-fauna/dev/fauna-secret',
        cacheTtlSeconds: DEFAULT_SSM_CACHE_TTL_SECONDS,
        refetchIntervalSeconds: DEFAULT_SSM_REFETCH_INTERVAL_SECONDS,
        staleMaxSeconds: DEFAULT_SSM_STALE_MAX_SECONDS,
      },
      tokenTtlSeconds: DEFAULT_TOKEN_TTL_SECONDS,
      maxTokensPerIdentity: DEFAULT_MAX_TOKENS_PER_IDENTITY,
      identityAttributes: [],
      claimTargets: ['id'],
      secretClaimName: 'fauna_token_secret',
      userIdClaimName: 'userId',
      suppressEmail: true,
      failPolicy: 'closed',
      faunaQueryTimeoutMs: DEFAULT_FAUNA_QUERY_TIMEOUT_MS,
      faunaSessionIdleMs: DEFAULT_FAUNA_SESSION_IDLE_MS,
    });
  });

  it('reads every optional setting when given', () => {
    // Arrange
    const env = {
      ...minimal,
      TOKEN_TTL_SECONDS: '1800',
      MAX_TOKENS_PER_IDENTITY: '3',
      CLAIM_TARGETS: 'access, id',
      SECRET_CLAIM_NAME: 'fauna_secret',
      USER_ID_CLAIM_NAME: 'fauna_user_id',
      SUPPRESS_EMAIL: 'FALSE',
      FAIL_POLICY: 'open',
      SSM_CACHE_TTL_SECONDS: '60',
      FAUNA_QUERY_TIMEOUT_MS: '800',
    };

    // Act
    const config = parseConfig(env);

    // Assert
    expect(config).toMatchObject({
      tokenTtlSeconds: 1800,
      maxTokensPerIdentity: 3,
      claimTargets: ['id', 'access'],
      secretClaimName: 'fauna_secret',
      userIdClaimName: 'fauna_user_id',
      suppressEmail: false,
      failPolicy: 'open',
      secretSource: { kind: 'ssm', cacheTtlSeconds: 60 },
      faunaQueryTimeoutMs: 800,
    });
  });

  it('treats blank values as unset', () => {
    // Act
    const config = parseConfig({ ...minimal, TOKEN_TTL_SECONDS: '  ', FAIL_POLICY: '' });

    // Assert
    expect(config.tokenTtlSeconds).toBe(DEFAULT_TOKEN_TTL_SECONDS);
    expect(config.failPolicy).toBe('closed');
  });

  it.each([
    ['STAGE', { ...minimal, STAGE: undefined }],
    ['FAUNA_ENDPOINT', { ...minimal, FAUNA_ENDPOINT: undefined }],
    ['FAUNA_SECRET_PARAMETER', { ...minimal, FAUNA_SECRET_PARAMETER: undefined }],
  ])('rejects a missing %s, naming it and where to set it', (setting, env) => {
    // Act
    const error = configErrorOf(env);

    // Assert
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(setting);
    expect(error.message).toContain('serverless.yml');
    expect(error.name).toBe('ConfigError');
  });

  it.each([
    ['FAUNA_ENDPOINT', 'not a url'],
    ['FAUNA_ENDPOINT', 'ftp://fauna.example.com'],
    ['FAUNA_SECRET_PARAMETER', '/cognito-fauna/dev/'],
    ['FAUNA_SECRET_PARAMETER', 'name with spaces'],
    ['MAX_TOKENS_PER_IDENTITY', '0'],
    ['MAX_TOKENS_PER_IDENTITY', '101'],
    ['TOKEN_TTL_SECONDS', '59'],
    ['TOKEN_TTL_SECONDS', '90001'],
    ['TOKEN_TTL_SECONDS', '1.5'],
    ['TOKEN_TTL_SECONDS', 'an hour'],
    ['CLAIM_TARGETS', 'id,refresh'],
    ['SECRET_CLAIM_NAME', 'email'],
    ['SECRET_CLAIM_NAME', 'sub'],
    ['SECRET_CLAIM_NAME', 'cognito:groups'],
    ['SECRET_CLAIM_NAME', 'dev:secret'],
    ['USER_ID_CLAIM_NAME', 'has space'],
    ['USER_ID_CLAIM_NAME', 'fauna_token_secret'],
    ['SUPPRESS_EMAIL', 'yes'],
    ['FAIL_POLICY', 'ajar'],
    ['SSM_CACHE_TTL_SECONDS', '0'],
    ['SSM_CACHE_TTL_SECONDS', '86401'],
    ['FAUNA_QUERY_TIMEOUT_MS', '99'],
    ['FAUNA_QUERY_TIMEOUT_MS', '3001'],
  ])('rejects %s=%j with an error naming the setting', (setting, value) => {
    // Act
    const error = configErrorOf({ ...minimal, [setting]: value });

    // Assert
    expect(error.setting).toBe(setting);
    expect(error.message.startsWith(setting)).toBe(true);
  });

  it('accepts an SSM parameter ARN', () => {
    // Arrange
    const arn = 'arn:aws:ssm:eu-west-1:123456789012:parameter/cognito-fauna/prod/fauna-secret';

    // Act
    const config = parseConfig({ ...minimal, FAUNA_SECRET_PARAMETER: arn });

    // Assert
    expect(config.secretSource).toMatchObject({ kind: 'ssm', parameterName: arn });
  });

  it('takes the key from FAUNA_SECRET on the local stage', () => {
    // Act
    const config = parseConfig({ STAGE: 'local', FAUNA_ENDPOINT: 'http://127.0.0.1:8443', FAUNA_SECRET: 'fnAlocalkeyvalue0000', USER_POOL_IDS: 'local_Abc123' });

    // Assert
    expect(config.secretSource).toEqual({ kind: 'environment', secret: 'fnAlocalkeyvalue0000' });
    expect(config.userPoolSource).toEqual({ kind: 'environment', ids: ['local_Abc123'] });
    expect(config.faunaSessionIdleMs).toBe(LOCAL_FAUNA_SESSION_IDLE_MS);
  });

  it.each(['dev', 'staging', 'prod'])('rejects FAUNA_SECRET on stage %s without repeating its value', (stage) => {
    // Arrange
    const secret = 'fnAdoNotLeakThisKeyValue';

    // Act
    const error = configErrorOf({ ...minimal, STAGE: stage, FAUNA_SECRET: secret });

    // Assert
    expect(error.setting).toBe('FAUNA_SECRET');
    expect(error.message).toContain(`stage "${stage}"`);
    expect(error.message).toContain('FAUNA_SECRET_PARAMETER');
    expect(error.message).not.toContain(secret);
  });

  it('on the local stage without FAUNA_SECRET still requires the SSM parameter and mentions both ways', () => {
    // Act
    const error = configErrorOf({ STAGE: 'local', FAUNA_ENDPOINT: 'http://127.0.0.1:8443' });

    // Assert
    expect(error.setting).toBe('FAUNA_SECRET_PARAMETER');
    expect(error.message).toContain('FAUNA_SECRET');
  });

  describe('served user pools', () => {
    it('reads several pool ids from USER_POOL_IDS, trimmed', () => {
      // Act
      const config = parseConfig({ ...minimal, USER_POOL_ID_PARAMETER: undefined, USER_POOL_IDS: ' us-east-1_Abc123 , us-gov-west-1_Def456 ' });

      // Assert
      expect(config.userPoolSource).toEqual({ kind: 'environment', ids: ['us-east-1_Abc123', 'us-gov-west-1_Def456'] });
    });

    it.each(['not a pool', 'us-east-1_Abc, x', ','])('rejects USER_POOL_IDS=%j, naming the setting', (value) => {
      expect(configErrorOf({ ...minimal, USER_POOL_IDS: value }).setting).toBe('USER_POOL_IDS');
    });

    it('requires the served pools, naming both ways to give them', () => {
      // Act
      const error = configErrorOf({ ...minimal, USER_POOL_ID_PARAMETER: undefined });

      // Assert
      expect(error.setting).toBe('USER_POOL_ID_PARAMETER');
      expect(error.message).toContain('USER_POOL_IDS');
    });

    it('refuses USER_POOL_ID_PARAMETER when the key comes from the environment (nothing would read SSM)', () => {
      const error = configErrorOf({ STAGE: 'local', FAUNA_ENDPOINT: 'http://127.0.0.1:8443', FAUNA_SECRET: 'fnAlocalkeyvalue0000', USER_POOL_ID_PARAMETER: '/p' });
      expect(error.setting).toBe('USER_POOL_ID_PARAMETER');
    });
  });
});
