import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = new URL('../../../', import.meta.url).pathname;
const bin = path.join(root, 'node_modules', '.bin');

describe('npm run invoke (the real Serverless CLI: serverless invoke local against local Fauna)', () => {
  it('prints the response of events/pretoken.json with the Fauna claims, the secret shortened', () => {
    // Act
    const run = spawnSync(path.join(bin, 'node'), ['scripts/invoke-local.ts'], {
      cwd: root,
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const output = `${run.stdout}${run.stderr}`;

    // Assert
    expect(run.status).toBe(0);
    expect(output).toMatch(/"fauna_token_secret": "fn[A-Za-z0-9_-]{4}…"/);
    expect(output).toMatch(/"userId": "\d+"/);
    expect(output).toContain('"claimsToSuppress": [\n        "email"\n      ]');
    expect(output).not.toMatch(/fn[A-Za-z0-9_-]{20,}/);
  });
});
