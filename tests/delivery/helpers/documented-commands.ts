/**
 * The commands the documentation tells a person to type, read from the Markdown itself:
 * - every line of a fenced block tagged `sh`, `bash`, `shell` or `console` (a trailing `# comment` removed, lines
 *   ending in `\` joined, comment-only lines skipped);
 * - every inline code span that starts like a command: `npm run …`, `npm test…`, `npm install…`, `npm ci`, `npx …`,
 *   `sls …` or `node_modules/.bin/<tool> …` with arguments (an inline `serverless deploy` names the CLI's subcommand a script runs, in prose).
 * The pages: README.md, every other README.md of the repository (packages/fauna-local/src/, examples/ …) and docs/*.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface DocumentedCommand {
  /** As typed, whitespace collapsed. */
  command: string;
  /** `docs/deploy.md:72` */
  where: string;
}

const SHELL_FENCE = /^```(sh|bash|shell|console)\s*$/;
const INLINE_COMMAND = /^(npm (run|test|install|ci)\b|npx |sls |node_modules\/\.bin\/\S+ )/;
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'coverage', 'bench-results']);

/** README.md files anywhere in the repository (outside dependencies and output) and docs/*.md, relative to `root`. */
export function documentationFiles(root: string): string[] {
  const readmes: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) walk(path.join(dir, entry.name));
      } else if (entry.name === 'README.md') readmes.push(path.join(dir, entry.name));
    }
  };
  walk('');
  const docs = readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => path.join('docs', name));
  return [...readmes.sort(), ...docs.sort()];
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** The commands in one Markdown page (see the header for what counts). */
export function commandsInMarkdown(text: string, file: string): DocumentedCommand[] {
  const found: DocumentedCommand[] = [];
  const lines = text.split('\n');
  let inShell = false;
  let inOtherFence = false;
  let pending = '';
  let pendingLine = 0;
  for (const [index, line] of lines.entries()) {
    if (!inShell && !inOtherFence && line.startsWith('```')) {
      if (SHELL_FENCE.test(line)) inShell = true;
      else inOtherFence = true;
      continue;
    }
    if ((inShell || inOtherFence) && line.trimEnd() === '```') {
      inShell = false;
      inOtherFence = false;
      continue;
    }
    if (!inShell) continue;
    if (line.trimStart().startsWith('#')) continue;
    // A comment after the command (the docs put no `#` inside a command's quotes).
    const withoutComment = line.replace(/\s+#\s.*$/, '').trimEnd();
    if (withoutComment.trim() === '') continue;
    if (pending === '') pendingLine = index + 1;
    if (withoutComment.endsWith('\\')) {
      pending += `${withoutComment.slice(0, -1).trim()} `;
      continue;
    }
    found.push({ command: `${pending}${withoutComment.trim()}`.replace(/\s+/g, ' '), where: `${file}:${pendingLine}` });
    pending = '';
  }
  // Inline spans, outside fenced blocks.
  const prose = text.replace(/^```[\s\S]*?^```\s*$/gm, (block) => block.replace(/[^\n]/g, ' '));
  for (const match of prose.matchAll(/(?<!`)`([^`]+)`(?!`)/g)) {
    const command = match[1]!.replace(/\s+/g, ' ').trim();
    if (INLINE_COMMAND.test(command)) found.push({ command, where: `${file}:${lineOf(text, match.index)}` });
  }
  return found;
}

/** Every documented command of the repository at `root`, in page order. */
export function documentedCommands(root: string): DocumentedCommand[] {
  return documentationFiles(root).flatMap((file) => commandsInMarkdown(readFileSync(path.join(root, file), 'utf8'), file));
}
