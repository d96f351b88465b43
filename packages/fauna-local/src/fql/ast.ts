/**
 * The FQL v10 abstract syntax tree: the contract between the parser (fql/parser.ts) and the evaluator (engine/).
 * Every node carries its source span so errors can point at the query text the way Fauna's `summary` does.
 */

export interface Span {
  /** Offset of the first character, in UTF-16 code units of the query source. */
  start: number;
  /** Offset one past the last character. */
  end: number;
}

export type BinaryOp =
  | '??' | '||' | '&&'
  | '==' | '!=' | '=~' | '!~'
  | '<' | '>' | '<=' | '>='
  | '|' | '^' | '&'
  | '+' | '-' | '*' | '/' | '%' | '**';

export type UnaryOp = '-' | '!' | '~';

/** A type annotation kept as source text (`String`, `Int?`, `Ref<Customer>`, `{ a: Int }`); typer/annotations.ts reads it. */
export interface TypeExpr {
  source: string;
  span: Span;
}

export type Expr =
  /** Integer literals are bigint (Int or Long, decided by range on output); decimals are number (Double). */
  | { kind: 'Literal'; value: null | boolean | string | bigint | number; span: Span }
  /** String with interpolation: "Hello #{name}". Plain strings are Literal. */
  | { kind: 'Template'; parts: (string | Expr)[]; span: Span }
  | { kind: 'Ident'; name: string; span: Span }
  | { kind: 'Array'; items: Expr[]; span: Span }
  | { kind: 'Object'; entries: { key: string; value: Expr }[]; span: Span }
  /** `{ stmt; stmt; expr }` and the body of a query: statements, the last one an expression. */
  | { kind: 'Block'; body: Stmt[]; span: Span }
  /** `a.b` and `a?.b`. A method call is a Call whose callee is a Member. */
  | { kind: 'Member'; object: Expr; name: string; optional: boolean; span: Span }
  /** `a[i]` and `a?.[i]`. */
  | { kind: 'Index'; object: Expr; index: Expr; optional: boolean; span: Span }
  /** `f(x)`, `a.m(x)`, `f?.(x)`. */
  | { kind: 'Call'; callee: Expr; args: Expr[]; optional: boolean; span: Span }
  /** Postfix non-null assertion `x!`. */
  | { kind: 'NonNull'; expr: Expr; span: Span }
  | { kind: 'Unary'; op: UnaryOp; operand: Expr; span: Span }
  /** `??`, `||` and `&&` are lazy in their right operand; the evaluator handles that. */
  | { kind: 'Binary'; op: BinaryOp; left: Expr; right: Expr; span: Span }
  | { kind: 'Isa'; expr: Expr; type: TypeExpr; span: Span }
  | { kind: 'If'; cond: Expr; then: Expr; else: Expr | null; span: Span }
  /**
   * `(a, b) => body`, `a => body`, `(...rest) => body`.
   * The short form `.field` / `.a.b == x` is desugared by the parser into a Lambda with the single parameter SHORT_LAMBDA_PARAM.
   */
  | { kind: 'Lambda'; params: string[]; variadic: boolean; body: Expr; span: Span }
  /** Projection `v { a, b { c }, alias: expr }`. */
  | { kind: 'Projection'; target: Expr; fields: ProjectionField[]; span: Span };

/** A projection field: `a` (key 'a', path a), `b { c }` (nested), `alias: expr` (value evaluated with the element as `.`). */
export type ProjectionField =
  | { kind: 'Field'; key: string; nested: ProjectionField[] | null; span: Span }
  | { kind: 'Computed'; key: string; value: Expr; span: Span };

export type Stmt =
  | { kind: 'Let'; name: string; type: TypeExpr | null; value: Expr; span: Span }
  | { kind: 'ExprStmt'; expr: Expr; span: Span };

/** The implicit parameter of a short lambda (`.email == x`). Not a valid FQL identifier, so it cannot clash. */
export const SHORT_LAMBDA_PARAM = '$this';

/** A parsed query: a Block whose last statement is an expression (the parser reports "Missing return expression" otherwise). */
export type Program = Extract<Expr, { kind: 'Block' }>;
