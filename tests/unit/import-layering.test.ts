/**
 * The import direction between the repository's top-level folders, over every source file (.ts, .cjs) in them. Each
 * folder may import itself and the folders listed for it, nothing else; and no file reaches itself through its
 * imports (no cycle, inside a folder or across folders). From the bottom up:
 *
 *   lib/          the service core: imports no other folder of the repository
 *   shims/        stand-ins for npm packages, bundled instead of them: standalone
 *   handlers/     the Lambda entry point and its middlewares, on lib/ (lib/ never imports handlers/)
 *   examples/     client-side sample code, on lib/'s public constants
 *   tools/        tooling shared by scripts/, local/, bench/ and tests/ (Fauna admin calls, the schema API client, the
 *                 one FSL folder reader, proxies and fault injectors): on lib/ only
 *   packages/fauna-local/src/  the local Fauna endpoint: never imports service code (lib/, handlers/); reads FSL through tools/
 *   stack/  the local stack: starts packages/fauna-local/src/, uses tools/
 *   bench/        pieces of the benchmark, on the service and tools/
 *   scripts/      the npm scripts' entry points: may use everything above, never tests/
 *   tests/        may import everything; nothing outside tests/ imports tests/
 *
 * packages/fauna-local/src/'s own inner layering is tested in packages/fauna-local/tests/unit/layering.test.ts.
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
  'tools': ['lib'],
  'packages/fauna-local': ['tools'],
  'stack': ['packages/fauna-local', 'tools'],
  'bench': ['lib', 'handlers', 'shims', 'tools', 'packages/fauna-local'],
  'scripts': ['lib', 'handlers', 'shims', 'examples', 'tools', 'packages/fauna-local', 'stack', 'bench'],
  'tests': ['*'],
};

const SOURCE = /\.(ts|cjs|mjs|js)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return SOURCE.test(entry.name) ? [path] : [];
  });
}

/** `packages/fauna-local/src/engine/x.ts` → `packages/fauna-local`; `lib/generated/y.ts` → `lib`. */
export function folderOf(path: string): string {
  const parts = relative(ROOT, path).split('/');
  return parts[0] === 'local' ? `${parts[0]}/${parts[1]}` : parts[0]!;
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
  const folders = ['lib', 'shims', 'serverless', 'handlers', 'examples', 'tools', 'local', 'bench', 'scripts', 'tests'];
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

  it('has no import cycle', () => {
    expect(importCycles(graph).map((cycle) => cycle.map((file) => relative(ROOT, file)))).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('catch an upward import (lib -> handlers, packages/fauna-local -> lib, scripts -> tests)', () => {
    const lib = join(ROOT, 'lib/x.ts');
    const importsHandlers = importsOf(lib, "import { a } from '../handlers/pre-token-generation.ts';\n");
    expect(importsHandlers.map((target) => isAllowed(folderOf(lib), folderOf(target)))).toEqual([false]);
    expect(isAllowed('packages/fauna-local', 'lib')).toBe(false);
    expect(isAllowed('scripts', 'tests')).toBe(false);
    expect(isAllowed('handlers', 'lib')).toBe(true);
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
