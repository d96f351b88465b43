/**
 * Edits FSL files item by item, for schema changes made in FQL: the item's text is replaced, removed, or appended to
 * `main.fsl` (where Fauna puts items created from FQL), and every other byte of every file (comments included) stays.
 */
import { parseFslItems } from './syntax.ts';

export const FQL_ITEMS_FILE = 'main.fsl';

const KEYWORD = { Collection: 'collection', Role: 'role', Function: 'function' } as const;
export type ItemKind = keyof typeof KEYWORD;

interface Located {
  filename: string;
  start: number;
  end: number;
}

/** Where the item is declared, or null. Files that do not parse are skipped (the schema in force always parses). */
function locate(files: ReadonlyMap<string, string>, kind: ItemKind, name: string): Located | null {
  for (const [filename, content] of files) {
    let nodes;
    try {
      nodes = parseFslItems(content);
    } catch {
      continue;
    }
    for (const node of nodes) {
      if (node.keyword.text === KEYWORD[kind] && node.name?.text === name) return { filename, start: node.span.start, end: node.span.end };
    }
  }
  return null;
}

/** The files with the item `kind name` replaced by `text` (or removed when `text` is null); appended to main.fsl when new. */
export function withItem(files: ReadonlyMap<string, string>, kind: ItemKind, name: string, text: string | null): Map<string, string> {
  const out = new Map(files);
  const at = locate(files, kind, name);
  if (at === null) {
    if (text === null) return out;
    const main = out.get(FQL_ITEMS_FILE) ?? '';
    out.set(FQL_ITEMS_FILE, main === '' ? `${text}\n` : `${main.replace(/\n*$/, '')}\n\n${text}\n`);
    return out;
  }
  const content = files.get(at.filename)!;
  let end = at.end;
  if (text === null) while (content[end] === '\n') end++;
  const next = content.slice(0, at.start) + (text ?? '') + content.slice(end);
  if (next.trim() === '') out.delete(at.filename);
  else out.set(at.filename, next);
  return out;
}
