/**
 * The FQL v10 parser: tokens → AST (fql/ast.ts). Hand-written recursive descent with precedence climbing for binary
 * operators, following the grammar of Fauna's core (core: ExprParser.scala).
 *
 * One file on purpose (about 700 lines): a recursive-descent parser is one set of mutually recursive methods over one
 * token cursor; split across files, each rule would have to export the cursor and import every other rule.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/parser/ExprParser.scala
 */
import { SHORT_LAMBDA_PARAM } from './ast.ts';
import type { BinaryOp, Expr, Program, ProjectionField, Span, Stmt, TypeExpr } from './ast.ts';
import { FqlSyntaxError, FqlUnsupportedError } from './errors.ts';
import { tokenize } from './lexer.ts';
import type { Token } from './lexer.ts';

/** Binding power of each binary operator, lowest first (CORE: ExprParser.ExprOpPrecedences). */
const PRECEDENCE: Readonly<Record<string, number>> = {
  '??': 1,
  '||': 2,
  '&&': 3,
  '==': 4, '!=': 4, '=~': 4, '!~': 4,
  '<': 5, '>': 5, '<=': 5, '>=': 5,
  isa: 6,
  '|': 7,
  '^': 8,
  '&': 9,
  '+': 10, '-': 10,
  '*': 11, '/': 11, '%': 11,
  '**': 12,
};

/** Operators that may start a continuation line (CORE: `nlbinaryop`); the others must stay on the operand's line. */
const LINE_LEADING_OPERATORS: ReadonlySet<string> = new Set(['??', '||', '&&', '|', '^', '&']);

/** Names a `let` cannot bind (CORE: Tokens.invalidVariables). */
const INVALID_VARIABLES: ReadonlySet<string> = new Set(['FQL', '_']);

/** How many parsed programs `parseQueryCached` keeps. */
const DEFAULT_CACHE_SIZE = 500;

/** Where a body of statements ends, for the error message when it is empty. */
type BodyContext = 'query' | 'block';

function spanOf(start: number, end: number): Span {
  return { start, end };
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof': return 'end of query';
    case 'string':
    case 'template': return 'string';
    case 'int':
    case 'float': return `number \`${token.text}\``;
    default: return `\`${token.text}\``;
  }
}

/**
 * A parser over a token array. FSL's parser drives it directly (`pos`, `peek`, `parseExpr`) to read the FQL parts of a
 * schema file with spans in file coordinates.
 */
export class FqlParser {
  readonly source: string;
  readonly tokens: Token[];
  pos = 0;
  /** Expressions that start with an anonymous field access (`.a == x`): the body of a short lambda not yet wrapped. */
  private readonly shortBodies = new WeakSet<Expr>();
  /** Lambdas that `parseExpr` made out of a short-lambda body, so parentheses and projections can unwrap them again. */
  private readonly wrappedShortLambdas = new WeakSet<Expr>();
  /** Wrapped short lambdas written in parentheses, `(.a)`: values on their own, short-lambda bodies as operands. */
  private readonly parenthesizedShortLambdas = new WeakSet<Expr>();

  constructor(source: string, tokens: Token[] = tokenize(source)) {
    this.source = source;
    this.tokens = tokens;
  }

  // ---- token helpers -------------------------------------------------------------------------------------------

  peek(offset = 0): Token {
    const i = Math.min(this.pos + offset, this.tokens.length - 1);
    return this.tokens[i]!;
  }

  next(): Token {
    const token = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return token;
  }

  isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'punct' && t.text === text;
  }

  isKeyword(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'keyword' && t.text === text;
  }

  /** True for an identifier or keyword spelled `word` (FSL's contextual keywords are plain identifiers). */
  isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return (t.kind === 'ident' || t.kind === 'keyword') && t.text === word;
  }

  expectPunct(text: string, what = `\`${text}\``): Token {
    if (!this.isPunct(text)) throw this.unexpected(what);
    return this.next();
  }

  /** An error "Unexpected <found>. Expected <what>" at the current token. */
  unexpected(what: string, token: Token = this.peek()): FqlSyntaxError {
    const span = token.kind === 'eof' ? spanOf(token.start, token.start + 1) : spanOf(token.start, token.end);
    return new FqlSyntaxError(`Unexpected ${describe(token)}. Expected ${what}`, span);
  }

  /** An identifier (not a keyword) as a name, e.g. a variable or parameter. */
  expectIdent(what = 'identifier'): Token {
    const t = this.peek();
    if (t.kind === 'keyword') {
      throw new FqlSyntaxError('Invalid identifier', spanOf(t.start, t.end), { annotation: `\`${t.text}\` is a keyword` });
    }
    if (t.kind !== 'ident' || t.text.startsWith('<')) throw this.unexpected(what);
    return this.next();
  }

  /** A field name after `.` or in an object or projection: identifiers and keywords alike. */
  private expectFieldName(): Token {
    const t = this.peek();
    if ((t.kind !== 'ident' && t.kind !== 'keyword') || t.text.startsWith('<')) throw this.unexpected('field name');
    return this.next();
  }

  // ---- bodies and statements -----------------------------------------------------------------------------------

  /** A whole query: statements up to end of input, the last one an expression. */
  parseProgram(): Program {
    const first = this.peek();
    const body = this.parseBody('query');
    const last = this.tokens[this.pos - 1] ?? first;
    if (this.peek().kind !== 'eof') throw this.unexpected('end of query');
    return { kind: 'Block', body, span: spanOf(first.start, Math.max(first.start, last.end)) };
  }

  /**
   * Statements separated by `;` or line breaks, up to `}` (left unconsumed) or end of input.
   * @throws FqlSyntaxError "Missing return expression" when the last statement is a `let`.
   */
  parseBody(context: BodyContext): Stmt[] {
    const stmts: Stmt[] = [];
    const atEnd = () => this.peek().kind === 'eof' || (context === 'block' && this.isPunct('}'));
    while (this.isPunct(';')) this.next();
    while (!atEnd()) {
      if (context === 'query' && stmts.length === 0 && this.isPunct('}')) {
        // A stray `}` ends the query early, as the core reports it.
        const brace = this.peek();
        throw new FqlSyntaxError('Unexpected end of query. Expected statement or expression', spanOf(brace.start, brace.end));
      }
      stmts.push(this.parseStatement());
      if (atEnd()) break;
      const sep = this.peek();
      if (sep.kind === 'punct' && sep.text === ';') {
        while (this.isPunct(';')) this.next();
      } else if (!sep.nl) {
        throw this.unexpected(context === 'query' ? 'end of query' : '`}` or the end of the statement', sep);
      }
    }
    const end = this.peek();
    if (stmts.length === 0) {
      const where = context === 'query' ? 'end of query' : 'end of block';
      throw new FqlSyntaxError(`Unexpected ${where}. Expected statement or expression`, spanOf(end.start, end.start + 1));
    }
    const last = stmts[stmts.length - 1]!;
    if (last.kind === 'Let') {
      throw new FqlSyntaxError('Missing return expression', spanOf(end.start, end.start + 1), {
        hints: [{ kind: 'cause', message: 'Statement does not return a value', span: last.span }],
      });
    }
    return stmts;
  }

  private parseStatement(): Stmt {
    if (this.isKeyword('let')) return this.parseLet();
    const expr = this.parseExpr();
    return { kind: 'ExprStmt', expr, span: expr.span };
  }

  private parseLet(): Stmt {
    const letToken = this.next();
    const name = this.expectIdent('variable name');
    if (INVALID_VARIABLES.has(name.text)) {
      throw new FqlSyntaxError('Invalid identifier', spanOf(name.start, name.end), { annotation: `\`${name.text}\` is a keyword` });
    }
    let type: TypeExpr | null = null;
    if (this.isPunct(':')) {
      this.next();
      type = this.parseTypeUntil(['=']);
    }
    this.expectPunct('=');
    const value = this.parseExpr();
    return { kind: 'Let', name: name.text, type, value, span: spanOf(letToken.start, value.span.end) };
  }

  /** A type annotation, kept as text: every token up to one of `stops` at bracket depth 0. */
  parseTypeUntil(stops: string[], allowNewline = false): TypeExpr {
    const start = this.peek();
    let depth = 0;
    let end = start.start;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (t !== start && depth === 0 && t.nl && !allowNewline) break;
      if (t.kind === 'punct') {
        // A stop that opens the type (`): { a: Int } {`, a record return type) is part of it.
        if (depth === 0 && stops.includes(t.text) && t !== start) break;
        if (t.text === '(' || t.text === '[' || t.text === '{' || t.text === '<') depth++;
        if (t.text === ')' || t.text === ']' || t.text === '}' || t.text === '>') {
          if (depth === 0) break;
          depth--;
        }
      }
      end = t.end;
      this.next();
    }
    if (end === start.start) throw this.unexpected('type');
    return { source: this.source.slice(start.start, end), span: spanOf(start.start, end) };
  }

  // ---- expressions ---------------------------------------------------------------------------------------------

  /**
   * One expression (CORE: `expr0`): `if`, a lambda, or an operator chain with an optional projection.
   * @param allowShortLambda where an anonymous field access (`.a`) may start the expression; it then comes back wrapped
   *   in a Lambda. Elsewhere such an expression is an error, as in the core.
   */
  parseExpr(allowShortLambda = false): Expr {
    const expr = this.parseExprInner();
    if (!this.shortBodies.has(expr)) return expr;
    if (!allowShortLambda) throw new FqlSyntaxError('Invalid anonymous field access', expr.span);
    const lambda: Expr = { kind: 'Lambda', params: [SHORT_LAMBDA_PARAM], variadic: false, body: expr, span: expr.span };
    this.wrappedShortLambdas.add(lambda);
    return lambda;
  }

  private parseExprInner(): Expr {
    const t = this.peek();
    if (t.kind === 'keyword') {
      if (t.text === 'if') return this.parseIf();
      if (t.text === 'at') {
        throw new FqlUnsupportedError('`at` expressions (temporal queries) are not supported by the local Fauna emulator', spanOf(t.start, t.end));
      }
      if (t.text === 'match') {
        throw new FqlUnsupportedError('`match` expressions are not supported by the local Fauna emulator', spanOf(t.start, t.end));
      }
    }
    if (t.kind === 'ident' && !t.text.startsWith('<') && this.isPunct('=>', 1) && !this.peek(1).nl) return this.parseArrowFromIdent();
    if (t.kind === 'punct' && t.text === '(' && this.isArrowAfterParens()) return this.parseArrowFromParens();
    const expr = this.parseBinary(0);
    return this.parseProjectionSuffix(expr);
  }

  private parseIf(): Expr {
    const ifToken = this.next();
    this.expectPunct('(');
    const cond = this.parseExpr();
    this.expectPunct(')');
    const then = this.parseExpr();
    let elseExpr: Expr | null = null;
    if (this.isKeyword('else')) {
      this.next();
      elseExpr = this.parseExpr();
    }
    const end = (elseExpr ?? then).span.end;
    return { kind: 'If', cond, then, else: elseExpr, span: spanOf(ifToken.start, end) };
  }

  /** True when the `(` at the cursor closes on the same nesting level and is followed by `=>` on the same line. */
  private isArrowAfterParens(): boolean {
    let depth = 0;
    for (let i = this.pos; i < this.tokens.length; i++) {
      const t = this.tokens[i]!;
      if (t.kind === 'eof') return false;
      if (t.kind !== 'punct') continue;
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      else if (t.text === ')' || t.text === ']' || t.text === '}') {
        depth--;
        if (depth === 0) {
          const after = this.tokens[i + 1];
          return after !== undefined && after.kind === 'punct' && after.text === '=>' && !after.nl;
        }
      }
    }
    return false;
  }

  private parseArrowFromIdent(): Expr {
    const param = this.next();
    this.next(); // =>
    const body = this.parseExpr();
    return { kind: 'Lambda', params: [param.text], variadic: false, body, span: spanOf(param.start, body.span.end) };
  }

  private parseArrowFromParens(): Expr {
    const open = this.next();
    const params: string[] = [];
    const seen = new Set<string>();
    let variadic = false;
    while (!this.isPunct(')')) {
      const spread = this.isPunct('...');
      if (spread) this.next();
      const name = this.expectIdent('parameter name');
      if (seen.has(name.text) && name.text !== '_') {
        throw new FqlSyntaxError('Duplicate lambda argument', spanOf(name.start, name.end));
      }
      seen.add(name.text);
      params.push(name.text);
      if (spread) {
        variadic = true;
        if (!this.isPunct(')')) throw new FqlSyntaxError('Invalid variadic argument', spanOf(name.start, name.end));
        break;
      }
      if (!this.isPunct(',')) break;
      this.next();
    }
    this.expectPunct(')', '`)` or `,`');
    this.expectPunct('=>');
    const body = this.parseExpr();
    return { kind: 'Lambda', params, variadic, body, span: spanOf(open.start, body.span.end) };
  }

  /** The binary operator at the cursor, if it continues the current operand chain. */
  private peekBinaryOperator(): string | null {
    const t = this.peek();
    if (t.kind === 'keyword' && t.text === 'isa') return t.nl ? null : 'isa';
    if (t.kind !== 'punct' || PRECEDENCE[t.text] === undefined) return null;
    if (t.nl && !LINE_LEADING_OPERATORS.has(t.text)) return null;
    return t.text;
  }

  private parseBinary(minPrecedence: number): Expr {
    let left = this.parseUnary();
    for (;;) {
      const op = this.peekBinaryOperator();
      if (op === null) return left;
      const precedence = PRECEDENCE[op]!;
      if (precedence < minPrecedence) return left;
      this.next();
      // `**` is right-associative; everything else is left-associative.
      let right = this.parseBinary(op === '**' ? precedence : precedence + 1);
      const span = spanOf(left.span.start, right.span.end);
      let short = this.shortBodies.has(left) || this.shortBodies.has(right);
      // As in the core, a parenthesized short lambda used as an operand makes the whole chain a short lambda again.
      if (this.parenthesizedShortLambdas.has(left) && left.kind === 'Lambda') {
        left = left.body;
        short = true;
      }
      if (this.parenthesizedShortLambdas.has(right) && right.kind === 'Lambda') {
        right = right.body;
        short = true;
      }
      if (op === 'isa') {
        const type: TypeExpr = { source: this.source.slice(right.span.start, right.span.end), span: right.span };
        left = { kind: 'Isa', expr: left, type, span };
      } else {
        left = { kind: 'Binary', op: op as BinaryOp, left, right, span };
      }
      if (short) this.shortBodies.add(left);
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    // The core reads a sign directly before a number as part of the literal: `+1` is 1, `- 1` is -1.
    if (t.kind === 'punct' && t.text === '+' && (this.peek(1).kind === 'int' || this.peek(1).kind === 'float')) {
      this.next();
      const operand = this.next();
      const value = operand.kind === 'int' ? operand.int! : operand.float!;
      return this.parsePostfix({ kind: 'Literal', value, span: spanOf(t.start, operand.end) });
    }
    if (t.kind === 'punct' && (t.text === '-' || t.text === '!' || t.text === '~')) {
      this.next();
      const operand = this.peek();
      // `-1` is a negative literal in the core, so Long's minimum value can be written.
      if (t.text === '-' && (operand.kind === 'int' || operand.kind === 'float')) {
        this.next();
        const literal: Expr = operand.kind === 'int'
          ? { kind: 'Literal', value: -(operand.int!), span: spanOf(t.start, operand.end) }
          : { kind: 'Literal', value: -(operand.float!), span: spanOf(t.start, operand.end) };
        return this.parsePostfix(literal);
      }
      const inner = this.parseUnary();
      const expr: Expr = { kind: 'Unary', op: t.text, operand: inner, span: spanOf(t.start, inner.span.end) };
      if (this.shortBodies.has(inner)) this.shortBodies.add(expr);
      return expr;
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'int':
        this.next();
        return { kind: 'Literal', value: t.int!, span: spanOf(t.start, t.end) };
      case 'float':
        this.next();
        return { kind: 'Literal', value: t.float!, span: spanOf(t.start, t.end) };
      case 'string':
        this.next();
        return { kind: 'Literal', value: t.text, span: spanOf(t.start, t.end) };
      case 'template':
        this.next();
        return this.parseTemplate(t);
      case 'ident':
        this.next();
        return { kind: 'Ident', name: t.text, span: spanOf(t.start, t.end) };
      case 'keyword':
        if (t.text === 'true' || t.text === 'false') {
          this.next();
          return { kind: 'Literal', value: t.text === 'true', span: spanOf(t.start, t.end) };
        }
        if (t.text === 'null') {
          this.next();
          return { kind: 'Literal', value: null, span: spanOf(t.start, t.end) };
        }
        if (t.text === 'if' || t.text === 'at' || t.text === 'match') {
          throw new FqlSyntaxError(`\`${t.text}\` expressions must be wrapped in parentheses here`, spanOf(t.start, t.end));
        }
        throw new FqlSyntaxError('Invalid identifier', spanOf(t.start, t.end), { annotation: `\`${t.text}\` is a keyword` });
      case 'punct':
        if (t.text === '(') return this.parseParenthesized();
        if (t.text === '[') return this.parseArray();
        if (t.text === '{') return this.parseObjectOrBlock();
        if (t.text === '.') return this.parseAnonymousFieldAccess();
        break;
      default:
        break;
    }
    throw this.unexpected('expression');
  }

  private parseTemplate(t: Token): Expr {
    const parts: (string | Expr)[] = [];
    for (const part of t.parts!) {
      if (typeof part === 'string') {
        parts.push(part);
        continue;
      }
      const sub = new FqlParser(this.source, part.tokens);
      if (sub.peek().kind === 'eof') {
        throw new FqlSyntaxError('Empty string interpolation. Expected expression', spanOf(part.start, part.end));
      }
      const expr = sub.parseExpr();
      if (sub.peek().kind !== 'eof') throw sub.unexpected('`}`');
      parts.push(expr);
    }
    return { kind: 'Template', parts, span: spanOf(t.start, t.end) };
  }

  private parseParenthesized(): Expr {
    const open = this.next();
    if (this.isPunct(')')) throw this.unexpected('expression or `=>` after `()`', this.peek(1));
    const inner = this.parseExpr(true);
    if (this.isPunct(',')) {
      throw new FqlUnsupportedError('Tuples are not supported by the local Fauna emulator', spanOf(open.start, this.peek().end));
    }
    this.expectPunct(')', '`)`');
    // `(.a)` is a lambda value, but an operand of a binary operator again (see parseBinary).
    if (this.wrappedShortLambdas.has(inner)) this.parenthesizedShortLambdas.add(inner);
    return inner;
  }

  private parseArray(): Expr {
    const open = this.next();
    const items: Expr[] = [];
    while (!this.isPunct(']')) {
      items.push(this.parseExpr());
      if (!this.isPunct(',')) break;
      this.next();
    }
    const close = this.expectPunct(']', '`]` or `,`');
    return { kind: 'Array', items, span: spanOf(open.start, close.end) };
  }

  /** `{` starts an object when followed by `}` or by `key:`; otherwise a block (CORE: `objectOrBlock`). */
  private parseObjectOrBlock(): Expr {
    const open = this.next();
    const first = this.peek();
    const isKey = first.kind === 'ident' || first.kind === 'keyword' || first.kind === 'string' || first.kind === 'template';
    if (this.isPunct('}') || (isKey && this.isPunct(':', 1) && !this.peek(1).nl)) return this.parseObjectBody(open);
    const body = this.parseBody('block');
    const close = this.expectPunct('}', '`}`');
    return { kind: 'Block', body, span: spanOf(open.start, close.end) };
  }

  private parseObjectBody(open: Token): Expr {
    const entries: { key: string; value: Expr }[] = [];
    const seen = new Set<string>();
    while (!this.isPunct('}')) {
      const keyToken = this.peek();
      let key: string;
      if (keyToken.kind === 'string') key = keyToken.text;
      else if (keyToken.kind === 'template') {
        throw new FqlSyntaxError('Object keys do not support interpolation', spanOf(keyToken.start, keyToken.end));
      } else key = this.expectFieldName().text;
      if (keyToken.kind === 'string') this.next();
      if (seen.has(key)) throw new FqlSyntaxError('Duplicate key', spanOf(keyToken.start, keyToken.end));
      seen.add(key);
      this.expectPunct(':');
      entries.push({ key, value: this.parseExpr() });
      if (!this.isPunct(',')) break;
      this.next();
    }
    const close = this.expectPunct('}', '`}` or `,`');
    return { kind: 'Object', entries, span: spanOf(open.start, close.end) };
  }

  /** `.name`, `.(args)` or `.[i]` at the start of an expression: the body of a short lambda on SHORT_LAMBDA_PARAM. */
  private parseAnonymousFieldAccess(): Expr {
    const dot = this.next();
    const self: Expr = { kind: 'Ident', name: SHORT_LAMBDA_PARAM, span: spanOf(dot.start, dot.start) };
    let expr: Expr;
    if (this.isPunct('(') || this.isPunct('[')) {
      expr = this.parsePostfixStep(self) ?? self;
    } else {
      const name = this.expectFieldName();
      expr = { kind: 'Member', object: self, name: name.text, optional: false, span: spanOf(dot.start, name.end) };
    }
    const chained = this.parsePostfix(expr);
    this.shortBodies.add(chained);
    return chained;
  }

  /** The postfix chain after a primary: `.f`, `?.f`, `(args)`, `?.(args)`, `[i]`, `?.[i]`, `!`. */
  private parsePostfix(base: Expr): Expr {
    let expr = base;
    for (;;) {
      const step = this.parsePostfixStep(expr);
      if (step === null) return expr;
      expr = step;
    }
  }

  private parsePostfixStep(expr: Expr): Expr | null {
    const t = this.peek();
    if (t.kind !== 'punct') return null;
    const start = expr.span.start;
    switch (t.text) {
      case '.': {
        this.next();
        const name = this.expectFieldName();
        return { kind: 'Member', object: expr, name: name.text, optional: false, span: spanOf(start, name.end) };
      }
      case '?.': {
        this.next();
        if (this.isPunct('(')) {
          const { args, end } = this.parseArguments();
          return { kind: 'Call', callee: expr, args, optional: true, span: spanOf(start, end) };
        }
        if (this.isPunct('[')) {
          const { index, end } = this.parseIndex();
          return { kind: 'Index', object: expr, index, optional: true, span: spanOf(start, end) };
        }
        const name = this.expectFieldName();
        return { kind: 'Member', object: expr, name: name.text, optional: true, span: spanOf(start, name.end) };
      }
      case '(': {
        if (t.nl) return null;
        const { args, end } = this.parseArguments();
        return { kind: 'Call', callee: expr, args, optional: false, span: spanOf(start, end) };
      }
      case '[': {
        if (t.nl) return null;
        const { index, end } = this.parseIndex();
        return { kind: 'Index', object: expr, index, optional: false, span: spanOf(start, end) };
      }
      case '!': {
        if (t.nl) return null;
        this.next();
        return { kind: 'NonNull', expr, span: spanOf(start, t.end) };
      }
      default:
        return null;
    }
  }

  private parseArguments(): { args: Expr[]; end: number } {
    this.next(); // (
    const args: Expr[] = [];
    while (!this.isPunct(')')) {
      args.push(this.parseExpr(true));
      if (!this.isPunct(',')) break;
      this.next();
    }
    const close = this.expectPunct(')', '`)` or `,`');
    return { args, end: close.end };
  }

  private parseIndex(): { index: Expr; end: number } {
    const open = this.next(); // [
    if (this.isPunct(']')) throw this.unexpected('expression');
    const index = this.parseExpr(true);
    if (this.isPunct(',')) {
      throw new FqlUnsupportedError('Indexing with several arguments is not supported by the local Fauna emulator', spanOf(open.start, this.peek().end));
    }
    const close = this.expectPunct(']', '`]`');
    return { index, end: close.end };
  }

  /** Projection `expr { a, b { c }, alias: expr }`: only when `{` is on the same line (CORE: `projectRhs` after `ws`). */
  private parseProjectionSuffix(expr: Expr): Expr {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== '{' || t.nl) return expr;
    const { fields, end } = this.parseProjectionFields();
    const projection: Expr = { kind: 'Projection', target: expr, fields, span: spanOf(expr.span.start, end) };
    if (this.shortBodies.has(expr)) this.shortBodies.add(projection);
    return projection;
  }

  private parseProjectionFields(): { fields: ProjectionField[]; end: number } {
    const open = this.next(); // {
    if (this.isPunct('*')) {
      throw new FqlUnsupportedError('Projecting all fields with `{ * }` is not supported by the local Fauna emulator', spanOf(open.start, this.peek().end));
    }
    const fields: ProjectionField[] = [];
    do {
      if (fields.length > 0) this.next(); // ,
      if (fields.length > 0 && this.isPunct('}')) break;
      const name = this.expectFieldName();
      if (this.isPunct(':') && !this.peek().nl) {
        this.next();
        const value = this.parseExpr(true);
        // The element is bound to SHORT_LAMBDA_PARAM while the value is evaluated, so a short lambda is kept unwrapped.
        const unwrapped = value.kind === 'Lambda' && this.wrappedShortLambdas.has(value) ? value.body : value;
        fields.push({ kind: 'Computed', key: name.text, value: unwrapped, span: spanOf(name.start, value.span.end) });
      } else if (this.isPunct('{') && !this.peek().nl) {
        const nested = this.parseProjectionFields();
        fields.push({ kind: 'Field', key: name.text, nested: nested.fields, span: spanOf(name.start, nested.end) });
      } else {
        fields.push({ kind: 'Field', key: name.text, nested: null, span: spanOf(name.start, name.end) });
      }
    } while (this.isPunct(','));
    if (fields.length === 0) throw this.unexpected('identifier');
    const close = this.expectPunct('}', '`}` or `,`');
    return { fields, end: close.end };
  }
}

/**
 * Parses a whole FQL query.
 * @throws FqlSyntaxError with the span of the problem (FqlUnsupportedError for constructs the emulator does not support).
 * @example parseQuery('let x = 1\nx + 1') // Block [Let x, ExprStmt (x + 1)]
 */
export function parseQuery(source: string): Program {
  return new FqlParser(source).parseProgram();
}

/**
 * Parses a single expression (no statements), e.g. a lambda read from a schema document.
 * @param options.allowShortLambda accept `.a == 1`, returned as a Lambda on SHORT_LAMBDA_PARAM (default false).
 * @throws FqlSyntaxError
 */
export function parseExpression(source: string, options: { allowShortLambda?: boolean } = {}): Expr {
  const parser = new FqlParser(source);
  const expr = parser.parseExpr(options.allowShortLambda ?? false);
  if (parser.peek().kind !== 'eof') throw parser.unexpected('end of expression');
  return expr;
}

/** A small LRU cache of parsed programs, keyed by source text. */
class ProgramCache {
  private readonly entries = new Map<string, Program>();
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(source: string): Program | undefined {
    const hit = this.entries.get(source);
    if (hit !== undefined) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.entries.delete(source);
      this.entries.set(source, hit);
    }
    return hit;
  }

  set(source: string, program: Program): void {
    this.entries.set(source, program);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

const programCache = new ProgramCache(DEFAULT_CACHE_SIZE);

/**
 * `parseQuery` with an LRU cache: the driver sends the same query text on every sign-in. The returned AST is shared and
 * must not be mutated. Errors are not cached.
 */
export function parseQueryCached(source: string): Program {
  const hit = programCache.get(source);
  if (hit !== undefined) return hit;
  const program = parseQuery(source);
  programCache.set(source, program);
  return program;
}
