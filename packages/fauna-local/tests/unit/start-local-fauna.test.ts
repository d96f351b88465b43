/** The programmatic API `startLocalFauna`: options, schema folder, data file persistence across restarts, stop. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Document, fql } from 'fauna';
import { AdjustableClock } from '../../src/clock.ts';
import { SchemaDirError, startLocalFauna, type LocalFauna, type LocalFaunaOptions } from '../../src/index.ts';

let dir: string;
const running: LocalFauna[] = [];
const clients: Client[] = [];

function clientFor(fauna: LocalFauna, secret = fauna.rootSecret): Client {
  const client = new Client({ endpoint: new URL(fauna.url), secret });
  clients.push(client);
  return client;
}

async function start(options: LocalFaunaOptions): Promise<LocalFauna> {
  const fauna = await startLocalFauna({ port: 0, ...options });
  running.push(fauna);
  return fauna;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-fauna-start-'));
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const fauna of running.splice(0)) await fauna.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('startLocalFauna', () => {
  it('listens on 127.0.0.1 on a free port with the root secret "secret" and an AdjustableClock by default', async () => {
    const fauna = await start({});

    const { data } = await clientFor(fauna).query(fql`1 + 1`);

    expect(fauna.url).toBe(`http://127.0.0.1:${fauna.port}`);
    expect(fauna.port).toBeGreaterThan(0);
    expect(fauna.rootSecret).toBe('secret');
    expect(fauna.clock).toBeInstanceOf(AdjustableClock);
    expect(data).toBe(2);
  });

  it('uses the given root secret and clock', async () => {
    const clock = new AdjustableClock();
    clock.advance(86_400_000);
    const fauna = await start({ rootSecret: 'other-root', clock });

    const { data } = await clientFor(fauna, 'other-root').query<{ isoString: string }>(fql`Time.now()`);

    expect(fauna.clock).toBe(clock);
    expect(Date.parse(data.isoString)).toBeGreaterThan(Date.now() + 86_000_000);
  });

  it('applies every *.fsl file of the schema folder, nested ones included, at start', async () => {
    await mkdir(join(dir, 'schema', 'nested'), { recursive: true });
    await writeFile(join(dir, 'schema', 'a.fsl'), 'collection Alpha {\n  *: Any\n}\n');
    await writeFile(join(dir, 'schema', 'nested', 'b.fsl'), 'collection Beta {\n  *: Any\n}\n');
    await writeFile(join(dir, 'schema', 'README.md'), 'not schema');
    const fauna = await start({ schemaDir: join(dir, 'schema') });

    const response = await fetch(`${fauna.url}/schema/1/files`, { headers: { authorization: `Bearer ${fauna.rootSecret}` } });
    const { data } = await clientFor(fauna).query(fql`[Alpha.all().count(), Beta.all().count()]`);

    expect(((await response.json()) as { files: { filename: string }[] }).files.map((f) => f.filename).sort()).toEqual(['a.fsl', 'nested/b.fsl']);
    expect(data).toEqual([0, 0]);
  });

  it('refuses to start with a schema folder the engine rejects, naming the folder', async () => {
    await mkdir(join(dir, 'bad'));
    await writeFile(join(dir, 'bad', 'main.fsl'), 'collection {');

    await expect(startLocalFauna({ port: 0, schemaDir: join(dir, 'bad') })).rejects.toThrow(SchemaDirError);
  });

  it('keeps documents and schema in the data file across a restart', async () => {
    const dataFile = join(dir, 'data', 'fauna.json');
    await mkdir(join(dir, 'schema'));
    await writeFile(join(dir, 'schema', 'main.fsl'), 'collection Customer {\n  *: Any\n}\n');
    const first = await start({ schemaDir: join(dir, 'schema'), dataFile });
    const created = await clientFor(first).query<Document>(fql`Customer.create({ email: "kept@example.com" })`);
    await first.stop();

    const second = await start({ dataFile });
    const { data } = await clientFor(second).query<Document>(fql`Customer.byId(${created.data.id})!`);

    expect(data).toMatchObject({ email: 'kept@example.com' });
  });

  it('can be stopped twice and then refuses connections', async () => {
    const fauna = await start({});

    await fauna.stop();
    await fauna.stop();

    await expect(fetch(`${fauna.url}/ping`)).rejects.toThrow();
  });
});
