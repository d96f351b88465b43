/** `npm run fauna:local`: option parsing, and the real process printing its URL and stopping on SIGTERM. */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CliUsageError, cliOptions } from '../../../local/fauna/cli.ts';

const CLI = join(process.cwd(), 'local', 'fauna', 'cli.ts');

describe('cliOptions', () => {
  it('defaults to 127.0.0.1:8443 with the root secret "secret" and no schema or data file', () => {
    expect(cliOptions([], {})).toEqual({ help: false, port: 8443, host: '127.0.0.1', rootSecret: 'secret' });
  });

  it('reads FAUNA_LOCAL_* variables, and flags win over them', () => {
    const env = { FAUNA_LOCAL_PORT: '9000', FAUNA_LOCAL_SECRET: 'from-env', FAUNA_LOCAL_DATA_FILE: 'env.json', FAUNA_LOCAL_SCHEMA_DIR: 'fsl' };

    const options = cliOptions(['--port', '0', '--data-file', 'flag.json'], env);

    expect(options).toMatchObject({ port: 0, rootSecret: 'from-env', dataFile: 'flag.json', schemaDir: 'fsl' });
  });

  it('rejects an invalid port and unknown flags with the usage text', () => {
    expect(() => cliOptions(['--port', 'abc'], {})).toThrow(CliUsageError);
    expect(() => cliOptions(['--nope'], {})).toThrow(/Usage: npm run fauna:local/);
  });
});

describe('the fauna:local process', () => {
  it('prints its URL, answers /ping, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match) {
            clearInterval(timer);
            resolve(match[1]!);
          }
        }, 20);
        void exited.then(() => {
          clearInterval(timer);
          reject(new Error(`exited early: ${output}`));
        });
      });

      const ping = await fetch(`${url}/ping`);
      child.kill('SIGTERM');

      expect(ping.status).toBe(200);
      expect(await exited).toBe(0);
      expect(output).toMatch(/Root secret: secret/);
      expect(output).toMatch(/stopped/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
