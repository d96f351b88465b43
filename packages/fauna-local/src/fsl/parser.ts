/**
 * FSL schema files → the schema model (schema/model.ts).
 */
import type { Span } from '../fql/ast.ts';
import { FqlSyntaxError } from '../fql/errors.ts';
import type { SyntaxHint } from '../fql/errors.ts';
import { lineColumn, renderSummary } from '../fql/summary.ts';
import type { SchemaFile, SchemaItems } from '../schema/model.ts';
import { SchemaConverter } from './convert.ts';
import { FslSyntaxError } from './errors.ts';
import type { FslDiagnostic } from './errors.ts';
import { parseFslItems } from './syntax.ts';

interface Problem {
  filename: string;
  source: string;
  message: string;
  span: Span;
  annotation: string | null;
  hints: SyntaxHint[];
}

/**
 * Parses one FSL file: collections, roles and functions (access providers are reported as unsupported).
 * @throws FslSyntaxError whose message renders every problem with the file name, line and column.
 * @example parseSchemaFile({ filename: 'main.fsl', content: 'collection Customer { unique [.email] }' })
 */
export function parseSchemaFile(file: SchemaFile): SchemaItems {
  let items;
  try {
    items = parseFslItems(file.content);
  } catch (error) {
    if (!(error instanceof FqlSyntaxError)) throw error;
    throw toFslError([{ filename: file.filename, source: file.content, message: error.message, span: error.span, annotation: error.annotation, hints: error.hints }], error);
  }
  const converter = new SchemaConverter(file.content);
  const schema = converter.convert(items);
  if (converter.errors.length > 0) {
    throw toFslError(converter.errors.map((e) => ({ filename: file.filename, source: file.content, annotation: null, ...e })));
  }
  return schema;
}

/**
 * Parses several files as one database schema: item names must be unique across all of them (collections and functions
 * share one namespace, roles another).
 * @throws FslSyntaxError for the first file that fails to parse, or for names declared in more than one file.
 */
export function parseSchemaFiles(files: SchemaFile[]): SchemaItems {
  const merged: SchemaItems = { collections: [], roles: [], functions: [] };
  const problems: Problem[] = [];
  const owners = new Map<string, string>();
  const roleOwners = new Map<string, string>();
  for (const file of files) {
    const items = parseSchemaFile(file);
    const claim = (map: Map<string, string>, name: string, what: string) => {
      const other = map.get(name);
      if (other === undefined) map.set(name, file.filename);
      else {
        const at = file.content.search(new RegExp(`\\b${name}\\b`));
        problems.push({
          filename: file.filename,
          source: file.content,
          message: `Duplicate ${what} \`${name}\` (also defined in ${other})`,
          span: { start: Math.max(0, at), end: Math.max(0, at) + name.length },
          annotation: null,
          hints: [],
        });
      }
    };
    for (const c of items.collections) {
      claim(owners, c.name, 'collection or function');
      if (c.alias !== null) claim(owners, c.alias, 'collection or function');
    }
    for (const f of items.functions) {
      claim(owners, f.name, 'collection or function');
      if (f.alias !== null) claim(owners, f.alias, 'collection or function');
    }
    for (const r of items.roles) claim(roleOwners, r.name, 'role');
    merged.collections.push(...items.collections);
    merged.roles.push(...items.roles);
    merged.functions.push(...items.functions);
  }
  if (problems.length > 0) throw toFslError(problems);
  return merged;
}

function toFslError(problems: Problem[], cause?: unknown): FslSyntaxError {
  const diagnostics: FslDiagnostic[] = problems.map((p) => {
    const { line, column } = lineColumn(p.source, p.span.start);
    return { filename: p.filename, message: p.message, span: p.span, line, column };
  });
  const message = problems
    .map((p) => renderSummary(p.source, p.span, p.message, 'error', { sourceName: p.filename, annotation: p.annotation, hints: p.hints }))
    .join('\n\n');
  return new FslSyntaxError(message, diagnostics, { cause });
}
