import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// The repository stands alone: no file it tracks (code, tests, docs, config) reads or names a path outside it, such as
// the notes folder beside the clone or the absolute path of one machine's checkout. A test that reads such a path
// passes on the machine that has it and fails (or silently tests nothing) on a fresh clone elsewhere.
// Spelled in pieces so that this file does not find itself.
const OUTSIDE = ['../' + 'shared', 'shared/' + 'seed', 'shared/' + 'reference', '/' + 'work/'];

describe('the repository stands alone', () => {
  it('no tracked file names a path outside the repository', () => {
    // Arrange
    const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter((file) => file !== '' && !file.endsWith('package-lock.json'));

    // Act
    const offenders = files.flatMap((file) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return []; // deleted in the work tree but still in the index
      }
      return OUTSIDE.filter((needle) => text.includes(needle)).map((needle) => `${file}: ${needle}`);
    });

    // Assert
    expect(files.length).toBeGreaterThan(100);
    expect(offenders).toEqual([]);
  });
});
