/**
 * The local Fauna's protocol facts live in packages/fauna-local/PROTOCOL.md (our words, public sources). These tests keep the
 * code pointing there: no file refers to notes outside the repository, and every `PROTOCOL.md §N` a comment cites is a
 * section that exists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';

// The package's root: its src/, docs and tests/ are what this test reads.
const ROOT = join(import.meta.dirname, '../..');
const LOCAL_FAUNA = ROOT;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return /\.(ts|md)$/.test(entry.name) ? [path] : [];
  });
}

const sources = [...filesUnder(join(ROOT, 'src')), ...filesUnder(join(ROOT, 'tests')), ...['README.md', 'DESIGN.md', 'PROTOCOL.md', 'CHANGELOG.md'].map((name) => join(ROOT, name))];

describe('packages/fauna-local/PROTOCOL.md', () => {
  it('is the only protocol reference: no file points to notes outside the repository', () => {
    // Spelled in pieces so that this test does not find itself.
    const outside = ['fauna-protocol' + '.md', 'shared/' + 'reference', '../' + 'shared/'];
    const offenders = sources.filter((file) => outside.some((needle) => readFileSync(file, 'utf8').includes(needle)));
    expect(offenders.map((file) => relative(ROOT, file))).toEqual([]);
  });

  it('has every section that a comment cites', () => {
    const doc = readFileSync(join(LOCAL_FAUNA, 'PROTOCOL.md'), 'utf8');
    const sections = new Set([...doc.matchAll(/^#{2,3} (§[\d.]+)/gm)].map((m) => m[1]));
    const cited = new Set<string>();
    for (const file of sources) {
      for (const match of readFileSync(file, 'utf8').matchAll(/PROTOCOL\.md ((?:§[\d.]+(?:[,–] ?)?)+)/g)) {
        for (const section of match[1]!.match(/§[\d.]+/g)!) cited.add(section.replace(/\.$/, ''));
      }
    }
    expect(cited.size).toBeGreaterThan(10);
    expect([...cited].filter((section) => !sections.has(section))).toEqual([]);
  });
});
