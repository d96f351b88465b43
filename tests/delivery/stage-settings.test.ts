import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminSecretParameterName, faunaEndpointSetting, kmsKeyFromParams, readStageParams, requireSetting, StageSettingError } from '../../tools/stage-settings.ts';

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'stage-settings-'));
  file = path.join(dir, 'serverless.yml');
  await writeFile(
    file,
    [
      'params:',
      '  default:',
      "    faunaEndpoint: ''",
      '    faunaSecretParameter: /cognito-fauna/${sls:stage}/fauna-secret',
      "    kmsKeyId: '*'",
      '    logRetentionDays: 30',
      '  local:',
      "    faunaEndpoint: ${env:FAUNA_ENDPOINT, 'http://127.0.0.1:8443'}",
      '  dev:',
      '    faunaEndpoint: https://fauna.dev.example:8443',
      '    kmsKeyId: 1234abcd-12ab-34cd-56ef-1234567890ab',
    ].join('\n'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readStageParams (stage settings from serverless.yml)', () => {
  it('merges the stage over the defaults and substitutes ${sls:stage}', async () => {
    // Act
    const params = await readStageParams('dev', file);

    // Assert
    expect(params).toEqual({
      faunaEndpoint: 'https://fauna.dev.example:8443',
      faunaSecretParameter: '/cognito-fauna/dev/fauna-secret',
      kmsKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      logRetentionDays: '30',
    });
  });

  it('drops values only the framework can resolve, so a flag or the environment must provide them', async () => {
    // Act
    const params = await readStageParams('local', file);

    // Assert
    expect(params.faunaEndpoint).toBeUndefined();
    expect(kmsKeyFromParams(params)).toBeUndefined();
    expect(() => requireSetting('Fauna endpoint', 'pass --endpoint', undefined, params.faunaEndpoint)).toThrow(StageSettingError);
  });

  it('reads nothing from a missing file', async () => {
    // Act
    const params = await readStageParams('dev', path.join(dir, 'absent.yml'));

    // Assert
    expect(params).toEqual({});
  });
});

describe('the settings every delivery script resolves the same way: flag, environment, stage param, default', () => {
  const params = { faunaEndpoint: 'https://fauna.param.example', faunaAdminSecretParameter: '/from/param' };

  it('takes the Fauna endpoint from the flag, then FAUNA_ENDPOINT, then the stage param, and names all three when none is set', () => {
    expect(faunaEndpointSetting('https://flag.example', params, { FAUNA_ENDPOINT: 'https://env.example' })).toBe('https://flag.example');
    expect(faunaEndpointSetting(undefined, params, { FAUNA_ENDPOINT: 'https://env.example' })).toBe('https://env.example');
    expect(faunaEndpointSetting(undefined, params, {})).toBe('https://fauna.param.example');
    expect(() => faunaEndpointSetting(undefined, {}, {})).toThrow(/Missing Fauna endpoint: pass --endpoint <url>, set FAUNA_ENDPOINT, or set the stage param faunaEndpoint/);
  });

  it('takes the admin secret parameter from the flag, then FAUNA_ADMIN_SECRET_PARAMETER, then the stage param, then the stage default', () => {
    expect(adminSecretParameterName('/from/flag', params, 'dev', { FAUNA_ADMIN_SECRET_PARAMETER: '/from/env' })).toBe('/from/flag');
    expect(adminSecretParameterName(undefined, params, 'dev', { FAUNA_ADMIN_SECRET_PARAMETER: '/from/env' })).toBe('/from/env');
    expect(adminSecretParameterName(undefined, params, 'dev', {})).toBe('/from/param');
    expect(adminSecretParameterName(undefined, {}, 'dev', {})).toBe('/cognito-fauna/dev/fauna-admin-secret');
    expect(adminSecretParameterName(undefined, {}, undefined, {})).toBeUndefined();
  });
});
