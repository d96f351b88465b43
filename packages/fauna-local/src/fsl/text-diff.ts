/**
 * The textual schema diff (`POST /schema/1/diff?diff=textual`, what `fauna schema diff --text` prints): a line diff of
 * each FSL file that changes, comments and whitespace included, in unified-diff form. Pure: files in, text out.
 */

/** Lines of context kept around each change, as `diff -u` does. */
const CONTEXT_LINES = 3;

type Edit = { op: ' ' | '-' | '+'; line: string; oldNo: number; newNo: number };

/** A unified diff of every file added, removed or changed between two file sets; "" when nothing changes. */
export function textualDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string {
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const parts: string[] = [];
  for (const name of names) {
    const oldText = before.get(name) ?? '';
    const newText = after.get(name) ?? '';
    if (oldText === newText) continue;
    const hunks = unifiedHunks(splitLines(oldText), splitLines(newText));
    parts.push([`--- ${before.has(name) ? name : '/dev/null'}`, `+++ ${after.has(name) ? name : '/dev/null'}`, ...hunks].join('\n'));
  }
  return parts.join('\n');
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Line edits by longest common subsequence (schema files are small, so the quadratic table is fine). */
function edits(a: string[], b: string[]): Edit[] {
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: ' ', line: a[i]!, oldNo: i++, newNo: j++ });
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push({ op: '+', line: b[j]!, oldNo: i, newNo: j++ });
    } else {
      out.push({ op: '-', line: a[i]!, oldNo: i++, newNo: j });
    }
  }
  return out;
}

function unifiedHunks(a: string[], b: string[]): string[] {
  const all = edits(a, b);
  const lines: string[] = [];
  let k = 0;
  while (k < all.length) {
    if (all[k]!.op === ' ') {
      k++;
      continue;
    }
    // A hunk runs from CONTEXT_LINES before this change to CONTEXT_LINES after the last change close to it.
    const start = Math.max(0, k - CONTEXT_LINES);
    let end = k;
    let lastChange = k;
    while (end < all.length && end - lastChange <= 2 * CONTEXT_LINES) {
      if (all[end]!.op !== ' ') lastChange = end;
      end++;
    }
    end = Math.min(all.length, lastChange + CONTEXT_LINES + 1);
    const hunk = all.slice(start, end);
    const oldCount = hunk.filter((e) => e.op !== '+').length;
    const newCount = hunk.filter((e) => e.op !== '-').length;
    const oldStart = oldCount === 0 ? hunk[0]!.oldNo : hunk[0]!.oldNo + 1;
    const newStart = newCount === 0 ? hunk[0]!.newNo : hunk[0]!.newNo + 1;
    lines.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const e of hunk) lines.push(`${e.op}${e.line}`);
    k = end;
  }
  return lines;
}
