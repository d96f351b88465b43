/** `npm run fauna:local`: option parsing, and the real process printing its URL and stopping on SIGTERM. */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, fql } from 'fauna';
import { CliUsageError, cliOptions } from '../../src/cli.ts';

const CLI = join(import.meta.dirname, '../../src/cli.ts');

describe('cliOptions', () => {
  it('defaults to 127.0.0.1:8443 with the root secret "secret" and no schema or data file', () => {
    expect(cliOptions([], {})).toEqual({ help: false, port: 8443, host: '127.0.0.1', rootSecret: 'secret' });
  });

  it('reads FAUNA_LOCAL_* variables, and flags win over them', () => {
    const env = { FAUNA_LOCAL_PORT: '9000', FAUNA_LOCAL_SECRET: 'from-env', FAUNA_LOCAL_DATA_FILE: 'env.json', FAUNA_LOCAL_SCHEMA_DIR: 'fsl' };

    const options = cliOptions(['--port', '0', '--data-file', 'flag.json'], env);

    expect(options).toMatchObject({ port: 0, rootSecret: 'from-env', dataFile: 'flag.json', schemaDir: 'fsl' });
  });

  it('--contention MS (or FAUNA_LOCAL_CONTENTION) turns contention mode on with that in-flight window; 0 leaves it off', () => {
    expect(cliOptions(['--contention', '25'], {})).toMatchObject({ contention: { windowMs: 25 } });
    expect(cliOptions([], { FAUNA_LOCAL_CONTENTION: '10' })).toMatchObject({ contention: { windowMs: 10 } });
    expect(cliOptions(['--contention', '0'], {})).not.toHaveProperty('contention');
    expect(() => cliOptions(['--contention', 'soon'], {})).toThrow(/Invalid contention window 'soon'/);
  });

  it('rejects an invalid port and unknown flags with the usage text', () => {
    expect(() => cliOptions(['--port', 'abc'], {})).toThrow(CliUsageError);
    expect(() => cliOptions(['--nope'], {})).toThrow(/Usage: npm run fauna:local/);
  });
});

/** Starts the CLI as a real process and resolves once it printed its URL. */
async function startCli(args: string[]) {
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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
  return { child, url, exited, output: () => output };
}

describe('the fauna:local process', () => {
  it('prints its URL, answers /ping, and exits 0 on SIGTERM', async () => {
    const cli = await startCli([]);
    try {
      const ping = await fetch(`${cli.url}/ping`);
      cli.child.kill('SIGTERM');

      expect(ping.status).toBe(200);
      expect(await cli.exited).toBe(0);
      expect(cli.output()).toMatch(/Root secret: secret/);
      expect(cli.output()).toMatch(/stopped/);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it('keeps, after a kill -9, every commit older than the coalescing window', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-fauna-crash-'));
    const dataFile = join(dir, 'data.json');
    await writeFile(join(dir, 'main.fsl'), 'collection Crash {\n  *: Any\n}\n');
    const started: Awaited<ReturnType<typeof startCli>>[] = [];
    const clients: Client[] = [];
    try {
      const first = await startCli(['--data-file', dataFile, '--schema-dir', dir]);
      started.push(first);
      const writer = new Client({ endpoint: new URL(first.url), secret: 'secret' });
      clients.push(writer);
      await writer.query(fql`Set.sequence(0, 50).forEach(i => Crash.create({ i: i }))`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      first.child.kill('SIGKILL');
      await first.exited;

      const second = await startCli(['--data-file', dataFile]);
      started.push(second);
      const reader = new Client({ endpoint: new URL(second.url), secret: 'secret' });
      clients.push(reader);
      const { data } = await reader.query(fql`Crash.all().count()`);

      expect(data).toBe(50);
    } finally {
      for (const client of clients) client.close();
      for (const cli of started) {
        if (cli.child.exitCode === null && cli.child.signalCode === null) {
          cli.child.kill('SIGTERM');
          await cli.exited;
        }
      }
      await rm(dir, { recursive: true, force: true });
    }
  });
});
