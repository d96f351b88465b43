/**
 * The import direction between the repository's top-level folders, over every source file (.ts, .cjs) in them. Each
 * folder may import itself and the folders listed for it, nothing else; and no file reaches itself through its
 * imports (no cycle, inside a folder or across folders). From the bottom up:
 *
 *   lib/          the service core: imports no other folder of the repository
 *   shims/        stand-ins for npm packages, bundled instead of them: standalone
 *   handlers/     the Lambda entry point and its middlewares, on lib/ (lib/ never imports handlers/)
 *   examples/     client-side sample code, on lib/'s public constants
 *   packages/fauna-local/
 *                 the local Fauna, a package of its own beside the service: imports nothing outside itself (its tests
 *                 included, so that its jest project runs alone); everything else reaches it only through its exports
 *   tools/        the delivery clients and the scripts' shared pieces (Fauna admin calls, the schema API client, flags,
 *                 settings, esbuild options), shared by scripts/, stack/, bench/ and tests/: on lib/ and the package
 *   stack/        the local stack: starts the local Fauna, uses tools/
 *   tests/support/
 *                 test doubles (fault injector, recording proxy, h2c server) that the tests and the bench both drive
 *   bench/        the benchmark (its entry points and pieces), on the service, tools/ and the test doubles
 *   scripts/      the npm scripts' entry points: may use everything above, never tests/
 *   tests/        may import everything; nothing outside tests/ imports tests/ (but bench/ may use tests/support/)
 *
 * "Through its exports": an import from outside a package may only name the source of an entry of the package's
 * `exports` map (`./dist/x.js` is built from `src/x.ts`, which the repository runs as it is); never a file inside.
 * The package's inner layering is tested in packages/fauna-local/tests/unit/layering.test.ts.
 *
 * Inside lib/ and handlers/ the service's two functions have a folder each, beside what both use:
 *
 *   common/       used by both functions: imports neither sign-in/ nor revocation/
 *   sign-in/      the Pre Token Generation trigger: on common/, never revocation/
 *   revocation/   the revocation function: on common/, never sign-in/
 *   handlers/*.ts the Lambda entry points (serverless.yml's handler paths): may import any part
 *
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const ROOT = join(import.meta.dirname, '../..');

/** Each folder and the folders it may import (besides itself). */
export const MAY_IMPORT: Record<string, readonly string[]> = {
  'lib': [],
  'shims': [],
  'serverless': [],
  'handlers': ['lib'],
  'examples': ['lib'],
  'packages/fauna-local': [],
  'tools': ['lib', 'packages/fauna-local'],
  'stack': ['packages/fauna-local', 'tools'],
  'tests/support': ['lib', 'tools'],
  'bench': ['lib', 'handlers', 'shims', 'tools', 'packages/fauna-local', 'tests/support'],
  'scripts': ['lib', 'handlers', 'shims', 'examples', 'tools', 'packages/fauna-local', 'stack', 'bench'],
  'tests': ['*'],
};

/** The files of a package that others may import: the sources of its `exports` entries (`./dist/x.js` ← `src/x.ts`). */
export function exportedSources(packageDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> };
  return Object.values(manifest.exports)
    .map((entry) => (typeof entry === 'string' ? entry : entry.default!))
    .filter((target) => target.startsWith('./dist/'))
    .map((target) => join(packageDir, target.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')));
}

const SOURCE = /\.(ts|cjs|mjs|js)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    // node_modules and a package's dist/ (its build output, not in git) are not sources.
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(path);
    return SOURCE.test(entry.name) ? [path] : [];
  });
}

/** `packages/fauna-local/src/x.ts` → `packages/fauna-local`; `tests/support/y.ts` → `tests/support`; `lib/sign-in/generated/z.ts` → `lib`. */
export function folderOf(path: string): string {
  const parts = relative(ROOT, path).split('/');
  if (parts[0] === 'packages') return `${parts[0]}/${parts[1]}`;
  if (parts[0] === 'tests' && parts[1] === 'support') return 'tests/support';
  return parts[0]!;
}

/** Relative imports of a file: static `import`/`export … from`, side-effect `import '…'`, `import('…')`, `require('…')`. */
export function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm),
    ...text.matchAll(/\b(?:import|require)\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
  return [...new Set(specifiers)].map((specifier) => normalize(join(dirname(file), specifier)));
}

export function isAllowed(from: string, to: string): boolean {
  if (from === to) return true;
  const rules = MAY_IMPORT[from] ?? [];
  return rules.includes('*') || rules.includes(to);
}

/** Every import cycle among `graph`'s files (Tarjan's strongly connected components of more than one file, or a self-import). */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node)!, lowlinks.get(next)!));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node)!, indices.get(next)!));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return cycles;
}

describe('imports across the top-level folders', () => {
  const folders = ['lib', 'shims', 'serverless', 'handlers', 'examples', 'tools', 'packages', 'stack', 'bench', 'scripts', 'tests'];
  const files = folders.flatMap((folder) => sourceFiles(join(ROOT, folder)));
  const graph = new Map(files.map((file) => [file, importsOf(file)] as const));

  it('knows the folder of every source file', () => {
    expect(files.length).toBeGreaterThan(200);
    expect([...new Set(files.map(folderOf))].filter((folder) => !(folder in MAY_IMPORT))).toEqual([]);
  });

  it('resolves every relative import to a file of the tree (so none escapes the check)', () => {
    const known = new Set(files);
    const unresolved = [...graph].flatMap(([file, targets]) =>
      targets.filter((target) => !known.has(target) && SOURCE.test(target)).map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(unresolved).toEqual([]);
  });

  it('has no import that points upward or sideways', () => {
    const violations = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => !isAllowed(folderOf(file), folderOf(target)))
        .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(violations).toEqual([]);
  });

  it('reaches a package only through its exports (no import into its internals)', () => {
    const packages = readdirSync(join(ROOT, 'packages')).map((name) => join(ROOT, 'packages', name));
    expect(packages.length).toBeGreaterThan(0);
    const exported = new Set(packages.flatMap(exportedSources));
    expect([...exported].filter((file) => !files.includes(file))).toEqual([]);
    const violations = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => folderOf(target).startsWith('packages/') && folderOf(file) !== folderOf(target) && !exported.has(target))
        .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(violations).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(importCycles(graph).map((cycle) => cycle.map((file) => relative(ROOT, file)))).toEqual([]);
  });
});

/** Each part of the service (lib/ and handlers/ alike) and the parts it may import besides itself. */
export const PART_MAY_IMPORT: Record<string, readonly string[]> = {
  'common': [],
  'sign-in': ['common'],
  'revocation': ['common'],
  'entry': ['common', 'sign-in', 'revocation'],
};

/** `lib/sign-in/x.ts` → `sign-in`; `handlers/common/middleware/y.ts` → `common`; `handlers/z.ts` → `entry`; else null. */
export function partOf(path: string): string | null {
  const parts = relative(ROOT, path).split('/');
  if (parts[0] !== 'lib' && parts[0] !== 'handlers') return null;
  return parts.length === 2 ? 'entry' : parts[1]!;
}

describe('imports between the service\'s parts (sign-in, revocation, common)', () => {
  const files = ['lib', 'handlers'].flatMap((folder) => sourceFiles(join(ROOT, folder)));
  const graph = new Map(files.map((file) => [file, importsOf(file)] as const));

  it('puts every file of lib/ in a part, and every file of handlers/ in a part or among the entry points', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(files.map(partOf).filter((part) => part === null || !(part in PART_MAY_IMPORT))).toEqual([]);
    expect(files.filter((file) => relative(ROOT, file).startsWith('lib/') && partOf(file) === 'entry').map((file) => relative(ROOT, file))).toEqual([]);
    expect(new Set(files.map(partOf))).toEqual(new Set(['common', 'sign-in', 'revocation', 'entry']));
  });

  it('has no import from common into a function, nor between the two functions', () => {
    const violations = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => partOf(target) !== null)
        .filter((target) => partOf(target) !== partOf(file) && !PART_MAY_IMPORT[partOf(file)!]!.includes(partOf(target)!))
        .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(violations).toEqual([]);
  });

  it('would catch common -> sign-in and revocation -> sign-in', () => {
    const common = join(ROOT, 'lib/common/x.ts');
    const revocation = join(ROOT, 'handlers/revocation/y.ts');
    const [fromCommon] = importsOf(common, "import { a } from '../sign-in/sign-in.ts';\n");
    const [fromRevocation] = importsOf(revocation, "import { b } from '../../lib/sign-in/email.ts';\n");
    expect([partOf(common), partOf(fromCommon!)]).toEqual(['common', 'sign-in']);
    expect([partOf(revocation), partOf(fromRevocation!)]).toEqual(['revocation', 'sign-in']);
    expect(PART_MAY_IMPORT['common']!.includes('sign-in')).toBe(false);
    expect(PART_MAY_IMPORT['revocation']!.includes('sign-in')).toBe(false);
    expect(partOf(join(ROOT, 'handlers/pre-token-generation.ts'))).toBe('entry');
  });
});

describe('the checks themselves', () => {
  it('catch an upward import (lib -> handlers, the package -> lib or tools, scripts -> tests)', () => {
    const lib = join(ROOT, 'lib/x.ts');
    const importsHandlers = importsOf(lib, "import { a } from '../handlers/pre-token-generation.ts';\n");
    expect(importsHandlers.map((target) => isAllowed(folderOf(lib), folderOf(target)))).toEqual([false]);
    expect(isAllowed('packages/fauna-local', 'lib')).toBe(false);
    expect(isAllowed('packages/fauna-local', 'tools')).toBe(false);
    expect(isAllowed('lib', 'packages/fauna-local')).toBe(false);
    expect(isAllowed('bench', 'tests/support')).toBe(true);
    expect(isAllowed('bench', 'tests')).toBe(false);
    expect(isAllowed('scripts', 'tests')).toBe(false);
    expect(isAllowed('handlers', 'lib')).toBe(true);
  });

  it('know a package by its folder, and its exports: the sources of its entries, nothing inside', () => {
    const exported = exportedSources(join(ROOT, 'packages/fauna-local')).map((file) => relative(ROOT, file));
    expect(exported).toContain('packages/fauna-local/src/index.ts');
    expect(exported).not.toContain('packages/fauna-local/src/fsl/parser.ts');
    expect(folderOf(join(ROOT, 'packages/fauna-local/tests/unit/x.test.ts'))).toBe('packages/fauna-local');
    expect(folderOf(join(ROOT, 'tests/support/x.ts'))).toBe('tests/support');
  });

  it('catch a cycle of two files and a self-import', () => {
    expect(importCycles(new Map([['a', ['b']], ['b', ['a']], ['c', ['a']]]))).toEqual([['a', 'b']]);
    expect(importCycles(new Map([['a', ['a']]]))).toEqual([['a']]);
    expect(importCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('read every import form', () => {
    const file = join(ROOT, 'scripts/x.ts');
    const text = [
      "import { a } from './a.ts';",
      "export { b } from './b.ts';",
      "import type { C } from './c.ts';",
      "import './d.ts';",
      // (split so that the scan of this very file does not read them as imports)
      "const e = await imp" + "ort('./e.ts');",
      "const f = requ" + "ire('./f.cjs');",
    ].join('\n');
    expect(importsOf(file, text).map((target) => relative(ROOT, target))).toEqual(
      ['scripts/a.ts', 'scripts/b.ts', 'scripts/c.ts', 'scripts/d.ts', 'scripts/e.ts', 'scripts/f.cjs'],
    );
  });
});
