/**
 * FSL surface syntax: tokens → a generic tree of items, as the core does it before giving the items meaning
 * (core: SchemaItemParser.scala). Every item is
 * `@annotations keyword name? value?`, where a value is a `{ block }` of items, a `[paths]` list, an FQL expression, a
 * field definition or a function signature and body. `convert.ts` checks which items may appear where.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/parser/SchemaItemParser.scala
 */
import type { Expr, Span, TypeExpr } from '../fql/ast.ts';
import { FqlSyntaxError, FqlUnsupportedError } from '../fql/errors.ts';
import type { Token } from '../fql/lexer.ts';
import { FqlParser } from '../fql/parser.ts';

export interface FslName {
  text: string;
  span: Span;
}

export interface FslAnnotation {
  keyword: FslName;
  value: FslName;
  span: Span;
}

export interface FslParam {
  name: FslName;
  type: TypeExpr | null;
  variadic: boolean;
}

export type FslValue =
  | { kind: 'block'; items: FslNode[]; span: Span }
  | { kind: 'paths'; items: Expr[]; span: Span }
  /** An FQL expression; `parenthesized` when written as `(expr)`, which predicates and checks require around a lambda. */
  | { kind: 'lit'; expr: Expr; parenthesized: boolean; span: Span }
  | { kind: 'field'; compute: boolean; type: TypeExpr | null; value: { expr: Expr; parenthesized: boolean } | null; span: Span }
  | { kind: 'function'; params: FslParam[]; closeParen: Span; returnType: TypeExpr | null; body: Expr; bodySource: string; span: Span }
  /** Parsed for its extent only: the rest of an item with an unknown keyword, such as a migration (`move .a -> .b`). */
  | { kind: 'skipped'; span: Span };

export interface FslNode {
  annotations: FslAnnotation[];
  keyword: FslName;
  name: FslName | null;
  value: FslValue | null;
  span: Span;
}

/** Keywords followed by an optional name and an optional value (CORE: `genericKWs`). */
const GENERIC_KEYWORDS: ReadonlySet<string> = new Set([
  'collection', 'role', 'index', 'terms', 'values', 'unique', 'predicate', 'migrations', 'privileges', 'membership',
  'history_days', 'ttl_days', 'check',
]);

/** Keywords that never take a name, only an optional value (CORE: `noNames`). */
const NAMELESS_KEYWORDS: ReadonlySet<string> = new Set([
  'create', 'create_with_id', 'delete', 'read', 'write', 'history_read', 'history_write', 'unrestricted_read', 'call',
  'issuer', 'jwks_uri', 'document_ttls',
]);

const ANNOTATIONS: ReadonlySet<string> = new Set(['alias', 'role']);

/** Reads the items of one FSL file. @throws FqlSyntaxError (file coordinates) on malformed input. */
export function parseFslItems(source: string): FslNode[] {
  const p = new FslSyntaxParser(source);
  const items = p.items(false);
  if (p.fql.peek().kind !== 'eof') throw p.fql.unexpected('schema item');
  return items;
}

class FslSyntaxParser {
  readonly fql: FqlParser;
  private readonly source: string;

  constructor(source: string) {
    this.source = source;
    this.fql = new FqlParser(source);
  }

  private last(): Token {
    return this.fql.tokens[Math.max(0, this.fql.pos - 1)]!;
  }

  private atItemsEnd(inBlock: boolean): boolean {
    const t = this.fql.peek();
    return t.kind === 'eof' || (inBlock && t.kind === 'punct' && t.text === '}');
  }

  /** Items separated by `;` or line breaks, up to `}` (not consumed) or the end of the file. */
  items(inBlock: boolean): FslNode[] {
    const items: FslNode[] = [];
    const p = this.fql;
    while (p.isPunct(';')) p.next();
    while (!this.atItemsEnd(inBlock)) {
      items.push(this.item());
      if (this.atItemsEnd(inBlock)) break;
      const sep = p.peek();
      if (sep.kind === 'punct' && sep.text === ';') {
        while (p.isPunct(';')) p.next();
      } else if (!sep.nl) {
        throw p.unexpected(inBlock ? '`}`, `;` or a line break' : '`;` or a line break');
      }
    }
    return items;
  }

  private item(): FslNode {
    const p = this.fql;
    const start = p.peek().start;
    const annotations = this.annotations();
    const t = p.peek();
    const isWord = t.kind === 'ident' || t.kind === 'keyword';
    const sameLine = (offset: number) => !p.peek(offset).nl;

    let node: Omit<FslNode, 'annotations' | 'span'>;
    if (isWord && t.text === 'compute' && (p.peek(1).kind === 'ident' || p.peek(1).kind === 'keyword') && sameLine(1)) {
      const keyword = this.word();
      node = this.field(keyword, true);
    } else if ((isWord || t.kind === 'string' || (t.kind === 'punct' && t.text === '*')) && (p.isPunct(':', 1) || p.isPunct('=', 1)) && sameLine(1)) {
      node = this.field(null, false);
    } else if (isWord && t.text === 'function') {
      node = this.functionItem();
    } else if (isWord && t.text === 'access' && p.isWord('provider', 1)) {
      throw new FqlUnsupportedError('Access providers are not supported by the local Fauna emulator', { start: t.start, end: p.peek(1).end });
    } else if (isWord && GENERIC_KEYWORDS.has(t.text)) {
      const keyword = this.word();
      const n = p.peek();
      const name = (n.kind === 'ident' || n.kind === 'string') && !n.nl ? this.name() : null;
      node = { keyword, name, value: this.value() };
    } else if (isWord && NAMELESS_KEYWORDS.has(t.text)) {
      const keyword = this.word();
      node = { keyword, name: null, value: this.value() };
    } else if (isWord) {
      // Unknown word: keep it so the converter can say "Invalid schema item `x`" in context, as the core does.
      const keyword = this.word();
      node = { keyword, name: null, value: this.skipped() };
    } else {
      throw p.unexpected('schema item');
    }
    return { annotations, ...node, span: { start, end: this.last().end } };
  }

  private annotations(): FslAnnotation[] {
    const p = this.fql;
    const annotations: FslAnnotation[] = [];
    while (p.isPunct('@')) {
      const at = p.next();
      const keyword = this.word();
      if (!ANNOTATIONS.has(keyword.text)) {
        throw new FqlSyntaxError(`Invalid annotation \`@${keyword.text}\`. Expected \`@alias\` or \`@role\``, keyword.span);
      }
      p.expectPunct('(');
      const value = this.name();
      const close = p.expectPunct(')');
      annotations.push({ keyword, value, span: { start: at.start, end: close.end } });
    }
    return annotations;
  }

  private word(): FslName {
    const t = this.fql.peek();
    if (t.kind !== 'ident' && t.kind !== 'keyword') throw this.fql.unexpected('identifier');
    this.fql.next();
    return { text: t.text, span: { start: t.start, end: t.end } };
  }

  /** A schema name: an identifier, or a quoted legacy name. */
  private name(): FslName {
    const t = this.fql.peek();
    if (t.kind === 'string') {
      this.fql.next();
      return { text: t.text, span: { start: t.start, end: t.end } };
    }
    const id = this.fql.expectIdent('name');
    return { text: id.text, span: { start: id.start, end: id.end } };
  }

  /** A value on the same line: `{ items }`, `[paths]` or an FQL expression; null when the line ends. */
  private value(): FslValue | null {
    const p = this.fql;
    const t = p.peek();
    if (t.nl || t.kind === 'eof' || (t.kind === 'punct' && (t.text === ';' || t.text === '}'))) return null;
    if (t.kind === 'punct' && t.text === '{') {
      p.next();
      const items = this.items(true);
      const close = p.expectPunct('}', '`}`');
      return { kind: 'block', items, span: { start: t.start, end: close.end } };
    }
    if (t.kind === 'punct' && t.text === '[') {
      p.next();
      const items: Expr[] = [];
      while (!p.isPunct(']')) {
        items.push(p.parseExpr(true));
        if (!p.isPunct(',')) break;
        p.next();
      }
      const close = p.expectPunct(']', '`]` or `,`');
      return { kind: 'paths', items, span: { start: t.start, end: close.end } };
    }
    const expr = p.parseExpr(false);
    return { kind: 'lit', expr, parenthesized: isParenthesized(t, expr, this.last()), span: { start: t.start, end: this.last().end } };
  }

  /** `name: Type = default`, `*: Any`, `compute name: Type = (doc) => …`. */
  private field(keyword: FslName | null, compute: boolean): Omit<FslNode, 'annotations' | 'span'> {
    const p = this.fql;
    const nameToken = p.next();
    const name: FslName = { text: nameToken.text, span: { start: nameToken.start, end: nameToken.end } };
    let type: TypeExpr | null = null;
    if (p.isPunct(':')) {
      p.next();
      type = p.parseTypeUntil(['=', ';', '}']);
    }
    let value: { expr: Expr; parenthesized: boolean } | null = null;
    if (p.isPunct('=')) {
      p.next();
      const first = p.peek();
      const expr = p.parseExpr(false);
      value = { expr, parenthesized: isParenthesized(first, expr, this.last()) };
    }
    const span = { start: (keyword ?? name).span.start, end: this.last().end };
    return { keyword: keyword ?? { text: 'field', span: name.span }, name, value: { kind: 'field', compute, type, value, span } };
  }

  /** `function name(a: T, ...rest: T): R { body }`. */
  private functionItem(): Omit<FslNode, 'annotations' | 'span'> {
    const p = this.fql;
    const keyword = this.word();
    const name = this.name();
    const open = p.expectPunct('(');
    const params: FslParam[] = [];
    while (!p.isPunct(')')) {
      const variadic = p.isPunct('...');
      if (variadic) p.next();
      const id = p.expectIdent('parameter name');
      let type: TypeExpr | null = null;
      if (p.isPunct(':')) {
        p.next();
        type = p.parseTypeUntil([',', ')'], true);
      }
      params.push({ name: { text: id.text, span: { start: id.start, end: id.end } }, type, variadic });
      if (!p.isPunct(',')) break;
      p.next();
    }
    const close = p.expectPunct(')', '`)` or `,`');
    let returnType: TypeExpr | null = null;
    if (p.isPunct(':')) {
      p.next();
      returnType = p.parseTypeUntil(['{'], true);
    }
    const braceOpen = p.expectPunct('{', 'function body `{`');
    const stmts = p.parseBody('block');
    const braceClose = p.expectPunct('}', '`}`');
    const body: Expr = { kind: 'Block', body: stmts, span: { start: braceOpen.start, end: braceClose.end } };
    const bodySource = this.source.slice(braceOpen.end, braceClose.start).trim();
    return {
      keyword,
      name,
      value: {
        kind: 'function', params, closeParen: { start: close.start, end: close.end }, returnType, body, bodySource,
        span: { start: open.start, end: braceClose.end },
      },
    };
  }

  /** Skips to the end of the line, `;` or the `}` closing the enclosing block, jumping over balanced brackets. */
  private skipped(): FslValue {
    const p = this.fql;
    const start = p.peek();
    let depth = 0;
    for (;;) {
      const t = p.peek();
      if (t.kind === 'eof') break;
      // A line break ends the item, also right after its keyword (`add_wildcard` stands alone on its line).
      if (depth === 0 && t.nl) break;
      if (t.kind === 'punct') {
        if (depth === 0 && (t.text === ';' || t.text === '}')) break;
        if (t.text === '{' || t.text === '(' || t.text === '[') depth++;
        if (t.text === '}' || t.text === ')' || t.text === ']') depth--;
      }
      p.next();
    }
    const end = p.pos > 0 && p.peek() !== start ? this.last().end : start.start;
    return { kind: 'skipped', span: { start: start.start, end } };
  }
}

/** True when `expr` was written as `( expr )` from `first` to `last` (the FQL parser drops the parentheses). */
function isParenthesized(first: Token, expr: Expr, last: Token): boolean {
  return first.kind === 'punct' && first.text === '(' && expr.span.start > first.start
    && last.kind === 'punct' && last.text === ')' && last.end > expr.span.end;
}
