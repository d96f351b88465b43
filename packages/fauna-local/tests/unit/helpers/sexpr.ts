/**
 * Test helper: prints an FQL AST as a compact S-expression, so parser tests can state the expected tree in one line.
 * `1 + 2 * 3` → `(+ 1 (* 2 3))`; `a.b(c)` → `(call (. a b) c)`; doubles carry a `d` suffix, strings are JSON-quoted.
 */
import type { Expr, ProjectionField, Stmt } from '../../../src/fql/ast.ts';

export function sexpr(e: Expr): string {
  switch (e.kind) {
    case 'Literal':
      if (typeof e.value === 'bigint') return e.value.toString();
      if (typeof e.value === 'number') return `${e.value}d`;
      if (typeof e.value === 'string') return JSON.stringify(e.value);
      return String(e.value);
    case 'Template':
      return `(tpl ${e.parts.map((p) => (typeof p === 'string' ? JSON.stringify(p) : sexpr(p))).join(' ')})`;
    case 'Ident':
      return e.name;
    case 'Array':
      return `[${e.items.map(sexpr).join(' ')}]`;
    case 'Object':
      return `(obj${e.entries.map((en) => ` ${JSON.stringify(en.key)}=${sexpr(en.value)}`).join('')})`;
    case 'Block':
      return `(block ${e.body.map(stmt).join(' ')})`;
    case 'Member':
      return `(${e.optional ? '?.' : '.'} ${sexpr(e.object)} ${e.name})`;
    case 'Index':
      return `(${e.optional ? '?.[]' : '[]'} ${sexpr(e.object)} ${sexpr(e.index)})`;
    case 'Call':
      return `(${e.optional ? '?.call' : 'call'} ${[e.callee, ...e.args].map(sexpr).join(' ')})`;
    case 'NonNull':
      return `(! ${sexpr(e.expr)})`;
    case 'Unary':
      return `(${e.op}u ${sexpr(e.operand)})`;
    case 'Binary':
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'Isa':
      return `(isa ${sexpr(e.expr)} ${e.type.source})`;
    case 'If':
      return `(if ${sexpr(e.cond)} ${sexpr(e.then)}${e.else === null ? '' : ` ${sexpr(e.else)}`})`;
    case 'Lambda': {
      const params = e.params.map((p, i) => (e.variadic && i === e.params.length - 1 ? `...${p}` : p));
      return `(fn (${params.join(' ')}) ${sexpr(e.body)})`;
    }
    case 'Projection':
      return `(proj ${sexpr(e.target)} ${e.fields.map(field).join(' ')})`;
  }
}

function stmt(s: Stmt): string {
  if (s.kind === 'ExprStmt') return sexpr(s.expr);
  return `(let ${s.name}${s.type === null ? '' : `:${s.type.source}`} ${sexpr(s.value)})`;
}

function field(f: ProjectionField): string {
  if (f.kind === 'Computed') return `${f.key}:${sexpr(f.value)}`;
  return f.nested === null ? f.key : `${f.key}{${f.nested.map(field).join(' ')}}`;
}
