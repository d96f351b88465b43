/**
 * The README is the front door and `docs/` holds the rest. These tests keep the two honest: the README fits on a few
 * screens, every relative link (and its `#anchor`) resolves, every repository path and `npm run` script the pages
 * name exists, and nothing points outside the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const ROOT = join(import.meta.dirname, '../../..');
const README_MAX_LINES = 250;

const docsDir = join(ROOT, 'docs');
const frontPages = [join(ROOT, 'README.md'), ...readdirSync(docsDir).filter((name) => name.endsWith('.md')).map((name) => join(docsDir, name))];
const localFaunaPages = readdirSync(join(ROOT, 'packages/fauna-local')).filter((name) => name.endsWith('.md')).map((name) => join(ROOT, 'packages/fauna-local', name));
const linkedPages = [...frontPages, ...localFaunaPages];

const read = (file: string): string => readFileSync(file, 'utf8');
const name = (file: string): string => relative(ROOT, file);

/** The text outside fenced code blocks, where Markdown links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, '');
}

/** GitHub's heading anchors: lower-cased, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const match of prose(markdown).matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const base = match[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface Link { from: string; target: string }

function relativeLinks(file: string): Link[] {
  return [...prose(read(file)).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .map((target) => ({ from: file, target }));
}

/** A link's problem, or undefined when its file (and anchor, for a Markdown page) exists. */
function brokenBecause({ from, target }: Link): string | undefined {
  const [path, anchor] = target.split('#', 2) as [string, string | undefined];
  const file = path === '' ? from : resolve(dirname(from), decodeURIComponent(path));
  if (!file.startsWith(ROOT)) return 'points outside the repository';
  if (!existsSync(file)) return 'no such file';
  if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(read(file)).has(anchor)) return `no heading #${anchor}`;
  return undefined;
}

describe('README.md, docs/*.md and packages/fauna-local/src/*.md', () => {
  it(`README.md is at most ${README_MAX_LINES} lines`, () => {
    const lines = read(join(ROOT, 'README.md')).trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('every relative link resolves to a file in the repository, and every #anchor to a heading', () => {
    const links = linkedPages.flatMap(relativeLinks);
    expect(links.length).toBeGreaterThan(40);
    const broken = links.flatMap((link) => {
      const problem = brokenBecause(link);
      return problem ? [`${name(link.from)}: (${link.target}) ${problem}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it('the README links every page in docs/', () => {
    const linked = new Set(relativeLinks(join(ROOT, 'README.md')).map(({ target }) => target.split('#')[0]));
    const pages = readdirSync(docsDir).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`);
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });

  it('nothing points to notes outside the repository', () => {
    // Spelled in pieces so that this test does not find itself.
    const outside = ['fauna-protocol' + '.md', 'shared/' + 'reference', '../' + 'shared'];
    const offenders = linkedPages.flatMap((file) => outside.filter((needle) => read(file).includes(needle)).map((needle) => `${name(file)}: ${needle}`));
    expect(offenders).toEqual([]);
  });

  it('every `npm run <script>` the README and docs/ mention is a script in package.json', () => {
    const scripts = Object.keys((JSON.parse(read(join(ROOT, 'package.json'))) as { scripts: Record<string, string> }).scripts);
    const mentioned = frontPages.flatMap((file) => [...read(file).matchAll(/npm run ([\w:-]+)/g)].map((match) => ({ file, script: match[1]! })));
    expect(mentioned.length).toBeGreaterThan(20);
    const unknown = mentioned.filter(({ script }) => !scripts.includes(script)).map(({ file, script }) => `${name(file)}: npm run ${script}`);
    expect(unknown).toEqual([]);
  });

  it('every repository path the README and docs/ name in `code` exists (a glob matches at least one file)', () => {
    const topLevel = /^(?:handlers|lib|fauna|events|serverless|shims|scripts|local|examples|tests|bench|deploy|docs|\.github|\.ci)\/[\w./*-]*$/;
    const named = frontPages.flatMap((file) =>
      [...read(file).matchAll(/`([^`\s<>…]+)`/g)]
        .map((match) => match[1]!.replace(/[),.;:]+$/, ''))
        .filter((path) => topLevel.test(path))
        .map((path) => ({ file, path })));
    expect(named.length).toBeGreaterThan(40);
    const missing = named.filter(({ path }) => !pathExists(path)).map(({ file, path }) => `${name(file)}: ${path}`);
    expect([...new Set(missing)]).toEqual([]);
  });
});

/** A path, or a glob with `*` in its last segment, that names something in the repository. */
function pathExists(path: string): boolean {
  const trimmed = path.replace(/\/$/, '');
  if (!trimmed.includes('*')) return existsSync(join(ROOT, trimmed));
  const folder = dirname(trimmed);
  const pattern = new RegExp(`^${trimmed.slice(folder.length + 1).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return existsSync(join(ROOT, folder)) && readdirSync(join(ROOT, folder)).some((entry) => pattern.test(entry));
}
