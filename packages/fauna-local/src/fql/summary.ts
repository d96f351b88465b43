/**
 * Renders a diagnostic the way Fauna's `summary` field does (core: Diagnostic.scala and
 * `annotateWithLineColNumber` in Span.scala):
 *
 * ```
 * error: The function `al` doesn't exist on `Collection`
 * at *query*:1:12
 *   |
 * 1 | Collection.al()
 *   |            ^^
 *   |
 * ```
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/error/Diagnostic.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/ast/Span.scala
 */
import type { Span } from './ast.ts';
import type { FqlSyntaxError } from './errors.ts';
import { TEMPLATE_SIGIL } from './lexer.ts';

/** The source name Fauna prints for the query text. */
export const QUERY_SOURCE_NAME = '*query*';

/** `error`, `warning`, `hint`, `cause`, `info`…: the word before the colon. */
export type DiagnosticKind = 'error' | 'warning' | 'hint' | 'cause' | 'info';

export interface SummaryOptions {
  /** Printed after `at `; defaults to `*query*`. FSL diagnostics use the file name. */
  sourceName?: string;
  /** A short note after the underline, e.g. "`let` is a keyword". */
  annotation?: string | null;
  /** Secondary diagnostics (hints, causes) rendered after the main one. */
  hints?: { kind: DiagnosticKind; message: string; span: Span }[];
}

interface Row {
  prefix: string;
  gutter: string;
  text: string;
}

/** Line (1-based), column (1-based) and the source actually rendered for a span. */
interface Located {
  source: string;
  span: Span;
  lineIndex: number;
  lineStart: number;
}

/**
 * Renders `message` at `span` of `source` in Fauna's summary format.
 * @param kind the diagnostic name printed first (default `error`).
 * @example renderSummary('Collection.al()', { start: 11, end: 13 }, "The function `al` doesn't exist on `Collection`")
 */
export function renderSummary(
  source: string,
  span: Span,
  message: string,
  kind: DiagnosticKind = 'error',
  options: SummaryOptions = {},
): string {
  const sourceName = options.sourceName ?? QUERY_SOURCE_NAME;
  const main = renderOne(source, span, message, kind, options.annotation ?? null, sourceName, null);
  const parts = [main.text];
  for (const hint of options.hints ?? []) {
    parts.push(renderOne(source, hint.span, hint.message, hint.kind, null, sourceName, main.line).text);
  }
  return parts.join('\n');
}

/** Renders a syntax error of `source` with its hints: the `summary` of an `invalid_query` answer. */
export function renderSyntaxError(source: string, error: FqlSyntaxError, sourceName = QUERY_SOURCE_NAME): string {
  return renderSummary(source, error.span, error.message, 'error', {
    sourceName,
    annotation: error.annotation,
    hints: error.hints.map((h) => ({ kind: h.kind, message: h.message, span: h.span })),
  });
}

/** 1-based line and column of an offset, as the summary prints them. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  const located = locate(source, { start: offset, end: offset });
  return { line: located.lineIndex + 1, column: located.span.start - located.lineStart + 1 };
}

function locate(fullSource: string, span: Span): Located {
  // As the core: a span past the last visible character is moved back onto it.
  let source = fullSource.trimEnd();
  let { start, end } = span;
  if (start > source.length) {
    const diff = start - source.length;
    start -= diff;
    end -= diff;
  }
  if (source === '') source = ' ';
  let lineIndex = 0;
  let lineStart = 0;
  for (let i = source.indexOf('\n'); i !== -1 && i < start; i = source.indexOf('\n', i + 1)) {
    lineIndex++;
    lineStart = i + 1;
  }
  return { source, span: { start, end: Math.max(start, end) }, lineIndex, lineStart };
}

function renderOne(
  fullSource: string,
  span: Span,
  message: string,
  kind: DiagnosticKind,
  annotation: string | null,
  sourceName: string,
  parentLine: number | null,
): { text: string; line: number } {
  const { source, span: at, lineIndex, lineStart } = locate(fullSource, span);
  const lines = splitLinesKeepingSeparators(source);
  const indent = at.start - lineStart;
  const length = Math.max(1, at.end - at.start);
  const rows: Row[] = [{ prefix: '| ', gutter: '', text: '' }];
  const firstLine = lines[lineIndex] ?? '';
  rows.push({ prefix: `${lineIndex + 1} | `, gutter: '', text: display(firstLine) });
  const multiline = indent + length > firstLine.length && lineIndex + 1 < lines.length;
  if (!multiline) {
    const underline = ' '.repeat(indent) + '^'.repeat(length) + (annotation ? ` ${annotation}` : '');
    rows.push({ prefix: '| ', gutter: '', text: underline });
  } else {
    rows.push({ prefix: '| ', gutter: ' _', text: '_'.repeat(indent) + '^' });
    let remaining = length - (firstLine.length - indent);
    let i = lineIndex + 1;
    while (remaining > 0 && i < lines.length) {
      const line = lines[i]!;
      rows.push({ prefix: `${i + 1} | `, gutter: '| ', text: display(line) });
      const after = remaining - line.length;
      if (after <= 0 || i + 1 >= lines.length) {
        rows.push({ prefix: '| ', gutter: '|_', text: '_'.repeat(Math.max(0, remaining - 1)) + '^' });
        remaining = 0;
      } else {
        remaining = after;
      }
      i++;
    }
  }
  rows.push({ prefix: '| ', gutter: '', text: '' });

  const prefixWidth = Math.max(...rows.map((r) => r.prefix.length));
  const gutterWidth = Math.max(...rows.map((r) => r.gutter.length));
  const body = rows
    .map((r) => (r.prefix.padStart(prefixWidth) + r.gutter.padStart(gutterWidth) + r.text).trimEnd())
    .join('\n');
  const header = message === '' ? `${kind}:` : `${kind}: ${message}`;
  const line = lineIndex + 1;
  const location = parentLine === line ? '' : `at ${sourceName}:${line}:${indent + 1}\n`;
  return { text: `${header}\n${location}${body}`, line };
}

function splitLinesKeepingSeparators(source: string): string[] {
  const lines: string[] = [];
  let from = 0;
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', from)) {
    lines.push(source.slice(from, i + 1));
    from = i + 1;
  }
  if (from < source.length) lines.push(source.slice(from));
  return lines;
}

/** Template value sigils show as `<value0>`, as the core shows its sigil as `<value>`. */
function display(line: string): string {
  return line.includes(TEMPLATE_SIGIL) ? line.split(TEMPLATE_SIGIL).join('<') : line;
}
