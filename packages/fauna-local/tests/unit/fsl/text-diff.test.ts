import { describe, expect, it } from '@jest/globals';
import { textualDiff } from '../../../src/fsl/text-diff.ts';

describe('textualDiff (fauna schema diff --text)', () => {
  it('answers "" when no file changes', () => {
    const files = new Map([['main.fsl', 'collection A {}\n']]);
    expect(textualDiff(files, new Map(files))).toBe('');
  });

  it('shows a changed line with its context, in unified-diff form', () => {
    const before = new Map([['main.fsl', 'collection A {\n  a: Int\n}\n']]);
    const after = new Map([['main.fsl', 'collection A {\n  a: Int\n  // note\n}\n']]);
    expect(textualDiff(before, after)).toBe('--- main.fsl\n+++ main.fsl\n@@ -1,3 +1,4 @@\n collection A {\n   a: Int\n+  // note\n }');
  });

  it('shows added and removed files against /dev/null, sorted by name', () => {
    const before = new Map([['old.fsl', 'role r {}\n']]);
    const after = new Map([['new.fsl', 'collection B {}\n']]);
    expect(textualDiff(before, after)).toBe('--- /dev/null\n+++ new.fsl\n@@ -0,0 +1,1 @@\n+collection B {}\n--- old.fsl\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-role r {}');
  });

  it('keeps distant changes in separate hunks', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const changed = lines.map((l, i) => (i === 1 || i === 18 ? `${l}!` : l));
    const diff = textualDiff(new Map([['f.fsl', lines.join('\n')]]), new Map([['f.fsl', changed.join('\n')]]));
    expect(diff.match(/^@@/gm)).toHaveLength(2);
  });
});
