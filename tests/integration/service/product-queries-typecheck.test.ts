/**
 * Every FQL query the product sends type-checks, as a real Fauna database (type-checked by default) requires: the
 * schema in fauna/ is pushed through the schema API into a type-checked local Fauna (where a UDF body that does not
 * type-check refuses the whole push), then each `fql` template of lib/, scripts/, tools/, bench/ and examples/ is sent with
 * `x-typecheck: true`, its text taken from the source file itself (only the `${…}` values are samples). A scan of
 * those folders keeps the list complete: a new or changed query fails here until it is listed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, fql, QueryCheckError, type Query, type QueryArgument } from 'fauna';
import { readFslFiles } from '../../../packages/fauna-local/src/fsl-files.ts';
import { startLocalFauna, type LocalFauna } from '../../../packages/fauna-local/src/index.ts';

const REPO = join(import.meta.dirname, '../../..');
const SCANNED = ['lib', 'scripts', 'tools', 'bench', 'examples'];

/** The `fql` template literals of a TypeScript source, as written between the backticks (comments skipped). */
function fqlTemplates(source: string): string[] {
  const found: string[] = [];
  let i = 0;
  while ((i = source.indexOf('fql`', i)) !== -1) {
    const lineStart = source.lastIndexOf('\n', i) + 1;
    const before = source.slice(lineStart, i).trim();
    const start = i + 4;
    const end = templateEnd(source, start);
    if (!before.startsWith('*') && !before.startsWith('//') && /[^A-Za-z0-9_$]$|^$/.test(source.slice(i - 1, i) || ' ')) found.push(source.slice(start, end));
    i = end + 1;
  }
  return found;
}

/** Index of the backtick closing a template literal whose text starts at `start` (nested `${ `…` }` included). */
function templateEnd(source: string, start: number): number {
  let i = start;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') { i += 2; continue; }
    if (c === '`') return i;
    if (c === '$' && source[i + 1] === '{') {
      i = expressionEnd(source, i + 2);
      continue;
    }
    i++;
  }
  throw new Error('unterminated template literal');
}

/** Index just past the `}` that closes a `${` expression starting at `start`. */
function expressionEnd(source: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '`') { i = templateEnd(source, i + 1) + 1; continue; }
    if (c === "'" || c === '"') { const q = c; i++; while (source[i] !== q) i += source[i] === '\\' ? 2 : 1; i++; continue; }
    if (c === '{') depth++;
    if (c === '}' && --depth === 0) return i + 1;
    i++;
  }
  throw new Error('unterminated ${ expression');
}

/** Splits a template's text at its `${…}` placeholders: the fixed parts the `fql` tag receives. */
function fixedParts(template: string): string[] {
  const parts: string[] = [];
  let last = 0;
  let i = 0;
  while (i < template.length) {
    if (template[i] === '\\') { i += 2; continue; }
    if (template[i] === '$' && template[i + 1] === '{') {
      parts.push(template.slice(last, i));
      i = expressionEnd(template, i + 2);
      last = i;
      continue;
    }
    i++;
  }
  parts.push(template.slice(last));
  return parts;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `file: template` for every `fql` template of the scanned folders. */
function scannedQueries(): Map<string, { file: string; template: string }> {
  const out = new Map<string, { file: string; template: string }>();
  for (const folder of SCANNED) {
    for (const path of sourceFiles(join(REPO, folder))) {
      const file = relative(REPO, path);
      for (const template of fqlTemplates(readFileSync(path, 'utf8'))) out.set(`${file}: ${template}`, { file, template });
    }
  }
  return out;
}

const META = { userPoolId: 'us-east-1_Typed1', clientId: 'client-typed', triggerSource: 'TokenGeneration_Authentication' };

/**
 * Every product query, by file and template text, with sample values for its `${…}` placeholders (in order). Runs
 * as the admin key; each must type-check and succeed.
 */
const PRODUCT_QUERIES: { file: string; template: string; args: QueryArgument[] }[] = [
  { file: 'lib/revocation/revocation.ts', template: 'revokeTokens(${sub})', args: ['typed-sub-1'] },
  {
    file: 'lib/sign-in/sign-in-query.ts',
    template: 'signIn(${sub}, ${email}, ${emailVerified}, ${ttlSeconds}, ${tokenMeta}, ${maxTokens})',
    args: ['typed-sub-1', 'typed@example.com', true, 3600, META, 10],
  },
  // After signIn, so that the identity exists and the branches that write it run type-checked too.
  { file: 'lib/revocation/identity-sync.ts', template: 'changeIdentityGroup(${sub}, ${group}, ${member})', args: ['typed-sub-1', 'catalog-editors', true] },
  { file: 'lib/revocation/identity-sync.ts', template: 'setIdentityAttributes(${sub}, ${{ ...attributes }})', args: ['typed-sub-1', { 'custom:tenantId': 'acme' }] },
  { file: 'lib/revocation/identity-sync.ts', template: 'revokeClientTokens(${sub}, ${clientId})', args: ['typed-sub-1', 'typed-client'] },
  {
    file: 'lib/sign-in/sign-in-query.ts',
    template: 'signIn(${sub}, ${email}, ${emailVerified}, ${ttlSeconds}, ${tokenMeta}, ${maxTokens}, ${[...identityData.groups]}, ${{ ...identityData.attributes }})',
    args: ['typed-sub-1', 'typed@example.com', true, 3600, META, 10, ['catalog-editors'], { 'custom:tenantId': 'acme' }],
  },
  { file: 'scripts/demo.ts', template: 'Query.identity()?.groups', args: [] },
  {
    file: 'bench/bench-fauna-local.ts',
    template: 'signIn(${`sub-${user}`}, ${`user-${user}@example.com`}, true, ${TOKEN_TTL_SECONDS}, { userPoolId: "us-east-1_Bench1", clientId: "bench", triggerSource: "TokenGeneration_Authentication" }, 10)',
    args: ['typed-bench-1', 'bench-1@example.com', 3600],
  },
  {
    file: 'bench/baseline-event.ts',
    template: 'signIn(${sub}, ${email.trim().toLowerCase()}, true, ${3900}, ${meta}, 10, ${groups}, {})',
    args: ['typed-bench-2', 'bench-2@example.com', 3900, META, []],
  },
  {
    file: 'bench/sign-in-work.ts',
    template: 'signIn(${sub}, ${`${sub}@example.com`}, true, ${DEFAULT_TOKEN_TTL_SECONDS}, ${meta}, ${cap}, ["catalog-editors"], { "custom:tenantId": "acme" }) { userId }',
    args: ['typed-bench-3', 'typed-bench-3@example.com', 3900, META, 10],
  },
  { file: 'bench/bench-fauna-local.ts', template: 'Key.create({ role: "pretokenTrigger" }) { secret }', args: [] },
  { file: 'bench/bench-fauna-local.ts', template: '1', args: [] },
  { file: 'scripts/move-identity.ts', template: 'moveIdentity(${options.fromSub}, ${options.toSub}, ${options.apply})', args: ['typed-sub-1', 'typed-sub-2', false] },
  {
    file: 'scripts/move-identity.ts',
    template: 'let key = Key.create({ role: ${OPERATOR_ROLE}, ttl: Time.now().add(${OPERATOR_KEY_TTL_SECONDS}, "seconds"), data: ${data} })\n{ id: key.id, secret: key.secret }',
    args: ['identityOperator', 900, { purpose: 'identity:move', stage: 'typed' }],
  },
  { file: 'tools/fauna-admin.ts', template: 'let key = Key.create({ role: ${role}, data: ${data} })\n{ id: key.id, secret: key.secret }', args: ['pretokenTrigger', { stage: 'typed' }] },
  {
    file: 'tools/fauna-admin.ts',
    template: 'Key.all().where((key) => key.role == ${role} && key.data != null && key.data?.stage == ${options.stage}).map((key) => key.id).toArray()',
    args: ['pretokenTrigger', 'typed'],
  },
  { file: 'tools/fauna-admin.ts', template: 'let key = Key.byId(${options.keyId})\nif (key == null) { false } else { key!.delete()\ntrue }', args: ['1'] },
  { file: 'examples/query-as-user.ts', template: 'Query.identity()', args: [] },
  { file: 'examples/query-as-user.ts', template: 'Product.all().toArray()', args: [] },
  { file: 'examples/query-as-user.ts', template: 'Product.create({ name: ${name} }).id', args: ['Typed Engine'] },
  { file: 'examples/stream-own-identity.ts', template: 'Customer.all().eventSource()', args: [] },
];

/** The query exactly as the source writes it, with the sample values in its placeholders. */
function queryOf(entry: (typeof PRODUCT_QUERIES)[number]): Query {
  const parts = fixedParts(entry.template);
  if (parts.length !== entry.args.length + 1) throw new Error(`${entry.file}: ${entry.template} has ${parts.length - 1} placeholders, ${entry.args.length} sample values`);
  const strings = Object.assign([...parts], { raw: [...parts] }) as unknown as TemplateStringsArray;
  return fql(strings, ...entry.args);
}

let fauna: LocalFauna;
let admin: Client;

beforeAll(async () => {
  fauna = await startLocalFauna({ port: 0, typechecked: true });
  const form = new FormData();
  for (const file of await readFslFiles(join(REPO, 'fauna'))) form.set(file.filename, new Blob([file.content]));
  const pushed = await fetch(`${fauna.url}/schema/1/update?force=true`, { method: 'POST', headers: { authorization: `Bearer ${fauna.rootSecret}` }, body: form });
  if (pushed.status !== 200) throw new Error(`the schema in fauna/ was refused by a type-checked database: ${await pushed.text()}`);
  admin = new Client({ endpoint: new URL(fauna.url), secret: fauna.rootSecret, typecheck: true });
});

afterAll(async () => {
  admin.close();
  await fauna.stop();
});

describe('the product against a type-checked local Fauna (schema in fauna/, queries from the source)', () => {
  it('refuses at push the old trimTokens of fauna/tokens.fsl (take(Math.min(...)) is a Number, take wants an Int)', async () => {
    // Arrange: the schema in fauna/ (accepted by beforeAll) with the old line put back
    const form = new FormData();
    for (const file of await readFslFiles(join(REPO, 'fauna'))) {
      const content = file.filename === 'tokens.fsl' ? file.content.replace(/let doomed = .*\n/, 'let doomed = live.take(Math.min(excess, trimBatchSize()))\n') : file.content;
      form.set(file.filename, new Blob([content]));
    }

    // Act
    const pushed = await fetch(`${fauna.url}/schema/1/update?force=true`, { method: 'POST', headers: { authorization: `Bearer ${fauna.rootSecret}` }, body: form });
    const body = await pushed.text();

    // Assert
    expect(pushed.status).toBe(400);
    expect(body).toContain('Type `Number` is not a subtype of `Int`');
    expect(body).toContain('tokens.fsl:');
  });

  it('lists every fql template of lib/, scripts/, tools/, bench/ and examples/ (a new or changed query must be listed here)', () => {
    // Arrange
    const listed = PRODUCT_QUERIES.map((q) => `${q.file}: ${q.template}`);

    // Act
    const scanned = [...scannedQueries().keys()];

    // Assert
    expect(scanned.length).toBeGreaterThanOrEqual(10);
    expect(scanned.filter((key) => !listed.includes(key))).toEqual([]);
    expect(listed.filter((key) => !scanned.includes(key))).toEqual([]);
  });

  it('finds the templates of a source, nested template literals included, and skips comments', () => {
    // Arrange
    const source = ['// fql`commented()`', ' * fql`docs()`', 'const q = fql`f(${`a-${b}`}, ${{ c: 1 }})`;', 'const r = fql`1`;'].join('\n');

    // Act
    const found = fqlTemplates(source);

    // Assert
    expect(found).toEqual(['f(${`a-${b}`}, ${{ c: 1 }})', '1']);
  });

  it.each(PRODUCT_QUERIES.map((q) => [`${q.file}: ${q.template.split('\n')[0]}`, q] as const))('type-checks and runs %s', async (_name, entry) => {
    // Act
    const result = await admin.query(queryOf(entry), { typecheck: true });

    // Assert
    expect(result.data).toBeDefined();
  });

  it('type-checks the sign-in of a user without an email, and refuses an ill-typed call before it runs (the check is real)', async () => {
    // Act
    const phoneOnly = await admin.query(fql`signIn(${'typed-phone-1'}, ${null}, ${false}, ${3600}, ${META}, ${10}) { created, outcome }`);
    const failure = await admin.query(fql`signIn(${'typed-phone-1'}, ${null})`).catch((error: unknown) => error);

    // Assert
    expect(phoneOnly.data).toEqual({ created: true, outcome: 'created' });
    expect(failure).toBeInstanceOf(QueryCheckError);
    expect((failure as QueryCheckError).queryInfo?.summary).toContain('Function was not called with enough arguments. Expected 6, received 2');
  });
});
