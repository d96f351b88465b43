/**
 * The import layering of the package's src/ that DESIGN.md documents: fql/ and clock.ts at the bottom; values/ and schema/
 * on fql/; fsl/, storage/ and wire/ above them; auth/ and typer/ above those; the engine above everything; http/ on top, reaching
 * the engine only through its contract (engine/api.ts). A new import that points upward fails here, naming the file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const LOCAL_FAUNA = join(import.meta.dirname, '../../src');

/** Each layer and the layers it may import (besides itself). Keep in step with DESIGN.md's module map. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  'fql': [],
  'clock.ts': [],
  'values': ['fql'],
  // schema/model.ts re-exports the SchemaFile type of the folder reader (one type for uploaded and read files).
  'schema': ['fql', 'fsl-files.ts'],
  'fsl': ['fql', 'schema'],
  'storage': ['values'],
  'wire': ['values'],
  'auth': ['schema', 'storage', 'values'],
  // The static type checker reads the AST, the schema model and values' types; it never reaches the evaluator.
  'typer': ['fql', 'schema', 'values', 'fsl'],
  'engine': ['fql', 'clock.ts', 'values', 'schema', 'fsl', 'storage', 'wire', 'auth', 'typer'],
  'http': ['engine/api.ts', 'schema'],
  // The entry points put the pieces together.
  'index.ts': ['*'],
  'cli.ts': ['*'],
  'persistence.ts': ['*'],
  'bin.ts': ['cli.ts'],
  // The public FSL API (the `./fsl` export) is the parser's face; the folder reader (`./fsl-files`) stands alone.
  'fsl-schema.ts': ['fsl', 'schema'],
  'fsl-files.ts': [],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `engine/stdlib/set.ts` → `engine`; `clock.ts` → `clock.ts`. */
function layerOf(path: string): string {
  return relative(LOCAL_FAUNA, path).split('/')[0]!;
}

function allowed(from: string, target: string): boolean {
  const layer = layerOf(target);
  if (layer === from) return true;
  const rules = MAY_IMPORT[from] ?? [];
  return rules.includes('*') || rules.includes(layer) || rules.includes(relative(LOCAL_FAUNA, target));
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => normalize(join(dirname(file), m[1]!)));
}

describe('packages/fauna-local import layering', () => {
  const files = sourceFiles(LOCAL_FAUNA);

  it('knows the layer of every file', () => {
    expect(files.length).toBeGreaterThan(50);
    expect([...new Set(files.map(layerOf))].filter((layer) => !(layer in MAY_IMPORT))).toEqual([]);
  });

  it('has no import that points upward', () => {
    const violations = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith(LOCAL_FAUNA) && !allowed(layerOf(file), target))
        .map((target) => `${relative(LOCAL_FAUNA, file)} -> ${relative(LOCAL_FAUNA, target)}`),
    );
    expect(violations).toEqual([]);
  });

  it('keeps the standard library from importing the evaluator, even indirectly (it calls back through the context)', () => {
    const evaluator = join(LOCAL_FAUNA, 'engine/evaluator.ts');
    const reaches = (start: string): string[] => {
      const seen = new Set<string>();
      const stack = [start];
      while (stack.length > 0) {
        const file = stack.pop()!;
        for (const target of importsOf(file)) {
          if (seen.has(target) || !target.startsWith(LOCAL_FAUNA)) continue;
          seen.add(target);
          stack.push(target);
        }
      }
      return [...seen];
    };
    const stdlib = files.filter((file) => relative(LOCAL_FAUNA, file).startsWith('engine/stdlib/'));
    expect(stdlib.length).toBeGreaterThan(5);
    expect(stdlib.filter((file) => reaches(file).includes(evaluator)).map((file) => relative(LOCAL_FAUNA, file))).toEqual([]);
  });

  it('is self-contained: its sources import only each other and Node built-ins (no npm dependency, nothing outside src/)', () => {
    const outside = files.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const specifiers = [...text.matchAll(/^(?:import|export)[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
      return specifiers
        .filter((specifier) => (specifier.startsWith('.') ? !normalize(join(dirname(file), specifier)).startsWith(LOCAL_FAUNA + '/') : !specifier.startsWith('node:')))
        .map((specifier) => `${relative(LOCAL_FAUNA, file)} -> ${specifier}`);
    });
    expect(outside).toEqual([]);
  });
});
