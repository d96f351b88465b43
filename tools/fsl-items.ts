/**
 * Which top-level schema items (collections, functions, roles, access providers) a schema push would delete.
 * Two independent signals, so the guard does not rest on one server's diff wording:
 * the items declared remotely but not locally, and the `* Removing <kind> `Name`` lines of Fauna's semantic diff.
 *
 * Why a word scanner and not the FSL item lister of the local Fauna (`listFslItems`, packages/fauna-local's
 * `fauna-local/fsl` export, which parses the same files the emulator loads): this guard reads the REMOTE schema of a
 * real Fauna, and must list whatever that schema holds, including what the emulator's parser refuses. The parser
 * reports access providers as unsupported and rejects FSL features the emulator does not implement, so it would turn
 * a deletion warning into a parse failure (or miss the very access provider a push deletes). The scanner only needs
 * the top-level keywords and names, which every FSL version keeps. The local files are read with the package's
 * folder reader (`fauna-local/fsl-files`), the one the emulator uses.
 */

export type SchemaItemKind = 'collection' | 'function' | 'role' | 'access provider';

export interface SchemaItemRef {
  kind: SchemaItemKind;
  name: string;
}

const ITEM_KEYWORDS = new Set(['collection', 'function', 'role', 'access']);

/**
 * Lists the top-level items an FSL text declares, in order. Comments, strings and everything inside braces or
 * parentheses (bodies, predicates, annotations such as `@role(server)`) are skipped.
 */
export function listSchemaItems(fsl: string): SchemaItemRef[] {
  const words = topLevelWords(fsl);
  const items: SchemaItemRef[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!ITEM_KEYWORDS.has(word.text) || word.annotation) continue;
    if (word.text === 'access') {
      if (words[i + 1]?.text === 'provider' && words[i + 2]) {
        items.push({ kind: 'access provider', name: words[i + 2]!.text });
        i += 2;
      }
      continue;
    }
    const name = words[i + 1];
    if (name) {
      items.push({ kind: word.text as SchemaItemKind, name: name.text });
      i += 1;
    }
  }
  return items;
}

/** Parses Fauna's semantic diff (`* Removing collection `Foo` from main.fsl:1:1`) for removed items. */
export function itemsRemovedByDiff(diff: string): SchemaItemRef[] {
  const removed: SchemaItemRef[] = [];
  for (const match of diff.matchAll(/^\s*\*\s+Removing (collection|function|role|access provider) `([^`]+)`/gm)) {
    removed.push({ kind: match[1] as SchemaItemKind, name: match[2]! });
  }
  return removed;
}

/**
 * The items a push of `localFiles` would delete: declared in `remoteFiles` but in no local file, plus any
 * the server's `diff` says it removes. Each item appears once.
 */
export function findDeletedItems(input: { remoteFiles: { content: string }[]; localFiles: { content: string }[]; diff: string }): SchemaItemRef[] {
  const local = new Set(input.localFiles.flatMap((file) => listSchemaItems(file.content)).map(itemKey));
  const candidates = [...input.remoteFiles.flatMap((file) => listSchemaItems(file.content)).filter((item) => !local.has(itemKey(item))), ...itemsRemovedByDiff(input.diff)];
  const seen = new Map<string, SchemaItemRef>();
  for (const item of candidates) seen.set(itemKey(item), item);
  return [...seen.values()];
}

/** `collection Customer`. */
export function formatItem(item: SchemaItemRef): string {
  return `${item.kind} ${item.name}`;
}

function itemKey(item: SchemaItemRef): string {
  return `${item.kind}:${item.name}`;
}

interface Word {
  text: string;
  /** Preceded by `@`: an annotation name such as `@role`, not a declaration. */
  annotation: boolean;
}

function topLevelWords(source: string): Word[] {
  const words: Word[] = [];
  let depth = 0;
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    const next = source[i + 1];
    if (char === '/' && next === '/') {
      i = indexOrEnd(source, '\n', i);
    } else if (char === '/' && next === '*') {
      i = indexOrEnd(source, '*/', i + 2) + 2;
    } else if (char === '"' || char === "'") {
      i = endOfString(source, i);
    } else if (char === '{' || char === '(' || char === '[') {
      depth++;
      i++;
    } else if (char === '}' || char === ')' || char === ']') {
      depth = Math.max(0, depth - 1);
      i++;
    } else if (/[A-Za-z_]/.test(char)) {
      const start = i;
      while (i < source.length && /\w/.test(source[i]!)) i++;
      if (depth === 0) words.push({ text: source.slice(start, i), annotation: source[start - 1] === '@' });
    } else {
      i++;
    }
  }
  return words;
}

function indexOrEnd(source: string, needle: string, from: number): number {
  const found = source.indexOf(needle, from);
  return found === -1 ? source.length : found;
}

function endOfString(source: string, start: number): number {
  const quote = source[start];
  let i = start + 1;
  while (i < source.length && source[i] !== quote) i += source[i] === '\\' ? 2 : 1;
  return i + 1;
}
