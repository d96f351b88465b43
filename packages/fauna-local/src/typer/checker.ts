/**
 * The static checker: types an FQL expression (fql/ast.ts) in a database's type environment (env.ts) before it
 * runs, and reports the first type error the way the core's typer words it (core: Typer.scala, TyperExprs.scala,
 * TypeConstraintFailure.scala).
 *
 * It is not the core's constraint solver. It synthesises a type for every expression, checks arguments against the
 * standard library's signatures (stdlib.ts) with type parameters bound from the receiver and from lambdas, and
 * treats `Any` as the gradual type. Where the core would infer a type from uses (an untyped lambda parameter that no
 * signature fixes, an untyped UDF parameter) this checker uses `Any`, so it accepts some programs the core refuses;
 * docs/local-fauna.md lists those leniencies.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/typer/Typer.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/typer/TyperExprs.scala
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/typer/TypeConstraintFailure.scala
 */
import { SHORT_LAMBDA_PARAM } from '../fql/ast.ts';
import type { Expr, ProjectionField, Span } from '../fql/ast.ts';
import { TypeAnnotationError, parseTypeAnnotation } from './annotations.ts';
import type { TypeEnv, UserFunction } from './env.ts';
import {
  ARRAY_FIELDS, ARRAY_METHODS, BYTES_METHODS, DATE_FIELDS, DATE_METHODS, GLOBAL_FUNCTIONS, MODULES, SET_METHODS,
  STRING_FIELDS, STRING_METHODS, TIME_FIELDS, TIME_METHODS, UNIVERSAL_METHODS,
} from './stdlib.ts';
import {
  ANY, BOOLEAN, NEVER, NULL, NUMBER, STRING, arrayOf, display, fn, isNullish, lit, mayBeNull, members, named, nonNull,
  nullDocName, optional, record, setOf, subtype, tuple, union, widen,
} from './types.ts';
import type { FnType, Type } from './types.ts';

/** A type error at a span of the checked source (the query, or an FSL file for schema code). */
export class TypeCheckError extends Error {
  override readonly name = 'TypeCheckError';
  readonly span: Span;
  /** A fix the core suggests by inserting text (`!` before `.name` of a possibly missing document). */
  readonly suggestion: { message: string; at: number; insert: string } | null;
  constructor(message: string, span: Span, suggestion: TypeCheckError['suggestion'] = null) {
    super(message);
    this.span = span;
    this.suggestion = suggestion;
  }
}

/** The core's hint for a field of a value that may be null (TypeConstraintFailure: "Use the ! or ?. operator…"). */
const NULL_CASE_HINT = 'Use the ! or ?. operator to handle the null case';

type Scope = { vars: Map<string, Type>; parent: Scope | null };

const newScope = (parent: Scope | null, vars: Map<string, Type> = new Map()): Scope => ({ vars, parent });

function lookup(scope: Scope | null, name: string): Type | undefined {
  for (let s = scope; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
  return undefined;
}

/** Modules the emulator has (core: GlobalResolvers), typed by name as the core prints them (`MathModule`). */
const MODULE_NAMES = new Set(Object.keys(MODULES));
/** Schema modules: typed leniently (members `Any`): their definition objects are checked when applied. */
const SCHEMA_MODULES = new Set(['Collection', 'Function', 'Role', 'Database', 'AccessProvider', 'Credential', 'FQL']);
const SYSTEM_COLLECTIONS = new Set(['Token', 'Key']);

/** Bindings of the type parameters of one signature application. */
type Binds = Map<string, { t: Type; fixed: boolean }>;

export class Checker {
  readonly env: TypeEnv;
  constructor(env: TypeEnv) {
    this.env = env;
  }

  /** Types a whole query; throws TypeCheckError on the first error. */
  check(expr: Expr, vars: Map<string, Type> = new Map()): Type {
    return this.infer(expr, newScope(null, vars));
  }

  /** Types a lambda given its parameters' types (schema code: predicates, computed fields, UDF bodies). */
  checkLambda(expr: Expr, params: Type[]): Type {
    if (expr.kind !== 'Lambda') return this.infer(expr, newScope(null));
    return this.inferLambdaBody(expr, params, newScope(null));
  }

  /** A UDF's signature: declared, or inferred from its body with `Any` parameters (cached; recursion sees `Any`). */
  functionType(uf: UserFunction): FnType {
    if (uf.declared) return uf.declared;
    if (uf.inferred) return uf.inferred;
    const fixed = uf.def.params.filter((p) => !p.variadic);
    const variadic = uf.def.params.some((p) => p.variadic) ? ANY : null;
    const anySig: FnType = { k: 'fn', params: fixed.map(() => ANY), variadic, ret: ANY, names: fixed.map((p) => p.name) };
    if (uf.inferring) return anySig;
    uf.inferring = true;
    let ret: Type = ANY;
    try {
      ret = this.infer(uf.def.body, newScope(null, this.paramScope(uf)));
    } catch (error) {
      // A body that does not check (validated at push in a type-checked database) answers Any to its callers.
      if (!(error instanceof TypeCheckError)) throw error;
    } finally {
      uf.inferring = false;
    }
    uf.inferred = { ...anySig, ret };
    return uf.inferred;
  }

  /** The scope a UDF body runs in: its parameters, typed as declared or `Any`. */
  paramScope(uf: UserFunction): Map<string, Type> {
    const vars = new Map<string, Type>();
    const declared = uf.declared;
    let i = 0;
    for (const p of uf.def.params) {
      if (p.variadic) vars.set(p.name, arrayOf(declared?.variadic ?? ANY));
      else vars.set(p.name, declared?.params[i++] ?? ANY);
    }
    return vars;
  }

  infer(expr: Expr, scope: Scope): Type {
    switch (expr.kind) {
      case 'Literal': return expr.value === null ? NULL : lit(expr.value);
      case 'Template':
        for (const part of expr.parts) if (typeof part !== 'string') this.infer(part, scope);
        return STRING;
      case 'Ident': return this.ident(expr.name, expr.span, scope);
      case 'Array': return tuple(...expr.items.map((item) => this.infer(item, scope)));
      case 'Object': {
        const fields: Record<string, Type> = {};
        for (const entry of expr.entries) fields[entry.key] = this.infer(entry.value, scope);
        return record(fields);
      }
      case 'Block': {
        let s = scope;
        let last: Type = NULL;
        for (const stmt of expr.body) {
          if (stmt.kind === 'Let') {
            // A `let` of a literal has the literal's base type (core: `let x = 'baz'` is a String).
            let t = widen(this.infer(stmt.value, s));
            if (stmt.type) {
              const declared = this.annotation(stmt.type.source, stmt.type.span);
              this.require(t, declared, stmt.value.span);
              t = declared;
            }
            s = newScope(s, new Map([[stmt.name, t]]));
            last = NULL;
          } else {
            last = this.infer(stmt.expr, s);
          }
        }
        return last;
      }
      case 'Member':
      case 'Index':
      case 'Call':
      case 'NonNull': {
        const { t, short } = this.chain(expr, scope);
        return short ? optional(t) : t;
      }
      case 'Unary': {
        const t = this.infer(expr.operand, scope);
        if (expr.op === '!') {
          this.require(t, BOOLEAN, expr.operand.span);
          return BOOLEAN;
        }
        this.require(t, NUMBER, expr.operand.span);
        return t.k === 'any' ? ANY : NUMBER;
      }
      case 'Binary': return this.binary(expr, scope);
      case 'Isa': {
        // `isa` is an operator whose right side is a value, a module (`x isa Array`), not a type annotation (core:
        // TyperExprs types it Boolean); a name there must exist.
        this.infer(expr.expr, scope);
        const rhs = expr.type.source.trim();
        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(rhs)) this.isaTarget(rhs, expr.type.span, scope);
        return BOOLEAN;
      }
      case 'If': {
        this.require(this.infer(expr.cond, scope), BOOLEAN, expr.cond.span);
        const then = this.infer(expr.then, scope);
        return union(then, expr.else ? this.infer(expr.else, scope) : NULL);
      }
      case 'Lambda': {
        const params = expr.params.map(() => ANY);
        const ret = this.inferLambdaBody(expr, params, scope);
        return fn(expr.variadic ? params.slice(0, -1) : params, ret, expr.variadic ? ANY : null);
      }
      case 'Projection': return this.project(this.infer(expr.target, scope), expr.fields, scope, expr.span);
    }
  }

  private inferLambdaBody(expr: Extract<Expr, { kind: 'Lambda' }>, params: Type[], scope: Scope): Type {
    const vars = new Map<string, Type>();
    expr.params.forEach((name, i) => {
      if (expr.variadic && i === expr.params.length - 1) vars.set(name, arrayOf(params[i] ?? ANY));
      else vars.set(name, params[i] ?? ANY);
    });
    return this.infer(expr.body, newScope(scope, vars));
  }

  private isaTarget(name: string, span: Span, scope: Scope): void {
    const builtin = ['Int', 'Long', 'Double', 'Float', 'Number', 'String', 'Boolean', 'Null', 'Array', 'Object', 'Struct', 'Time', 'Date', 'Bytes', 'ID', 'Set', 'Any'];
    if (!builtin.includes(name)) this.ident(name, span, scope);
  }

  private annotation(source: string, span: Span): Type {
    try {
      return parseTypeAnnotation(source, (n) => this.env.docs.has(n) || this.env.collections.get(n) === n);
    } catch (error) {
      if (error instanceof TypeAnnotationError) throw new TypeCheckError(error.message, span);
      throw error;
    }
  }

  /** Fails at `span` unless `t` is a subtype of `want`. */
  private require(t: Type, want: Type, span: Span): void {
    const failure = subtype(t, want, this.env);
    if (failure) throw new TypeCheckError(failure.message, span);
  }

  private ident(name: string, span: Span, scope: Scope): Type {
    const local = lookup(scope, name);
    if (local !== undefined) return local;
    const doc = this.env.collections.get(name);
    if (doc !== undefined) return named(`${doc}Collection`);
    const uf = this.env.functions.get(name);
    if (uf) return this.functionType(uf);
    if (SYSTEM_COLLECTIONS.has(name)) return named(`${name}Collection`);
    if (MODULE_NAMES.has(name)) return named(`${name}Module`);
    if (SCHEMA_MODULES.has(name)) return named(`${name}Module`);
    if (Object.hasOwn(GLOBAL_FUNCTIONS, name)) return GLOBAL_FUNCTIONS[name]!;
    throw new TypeCheckError(`Unbound variable \`${name}\``, span);
  }

  // ---- chains: member, index, call, `!`, with `?.` short-circuit -------------------------------------------------
  // A `?.` makes the chain's type nullable even on a receiver that cannot be null (core: `{ x: 10 }?.x` is `10 | Null`).

  private chain(expr: Expr, scope: Scope): { t: Type; short: boolean } {
    switch (expr.kind) {
      case 'Member': {
        const target = this.chain(expr.object, scope);
        let t = target.t;
        let short = target.short;
        if (expr.optional) { t = nonNull(t, this.env); short = true; }
        return { t: this.member(t, expr.name, nameSpan(expr.name, expr.span), expr.object.span), short };
      }
      case 'Index': {
        const target = this.chain(expr.object, scope);
        let t = target.t;
        let short = target.short;
        if (expr.optional) { t = nonNull(t, this.env); short = true; }
        return { t: this.index(t, expr.index, scope, expr.span), short };
      }
      case 'Call': {
        if (expr.callee.kind === 'Member') {
          const callee = expr.callee;
          const target = this.chain(callee.object, scope);
          let t = target.t;
          let short = target.short;
          if (callee.optional) { t = nonNull(t, this.env); short = true; }
          const receiverBinds = elementBinds(t);
          let method = this.member(t, callee.name, nameSpan(callee.name, callee.span), callee.object.span);
          // `a.f?.()`: a null field short-circuits the call.
          if (expr.optional && mayBeNull(method, this.env)) { method = nonNull(method, this.env); short = true; }
          return { t: this.apply(method, expr.args, scope, expr.span, receiverBinds), short };
        }
        const target = this.chain(expr.callee, scope);
        let t = target.t;
        let short = target.short;
        if (expr.optional) { t = nonNull(t, this.env); short = true; }
        return { t: this.apply(this.callable(t), expr.args, scope, expr.span, new Map()), short };
      }
      case 'NonNull': {
        // `!` asserts the whole chain so far, short-circuit included (core: `{ x: { y: 10 } }?.x?.y!` is `10`).
        const target = this.chain(expr.expr, scope);
        return { t: nonNull(target.t, this.env), short: false };
      }
      default:
        return { t: this.infer(expr, scope), short: false };
    }
  }

  /** A module called as a function (`Time("…")`, `Customer("1")`) is its `apply`. */
  private callable(t: Type): Type {
    if (t.k !== 'named') return t;
    if (t.name.endsWith('Module')) {
      const mod = t.name.slice(0, -'Module'.length);
      if (SCHEMA_MODULES.has(mod)) return ANY;
      const apply = MODULES[mod]?.methods.apply;
      if (apply) return apply;
    }
    if (t.name.endsWith('Collection')) {
      const doc = t.name.slice(0, -'Collection'.length);
      if (this.env.docs.has(doc)) return { k: 'fn', params: [named('ID')], variadic: null, ret: named('Ref', named(doc)), names: ['id'] };
    }
    return t;
  }

  /** `t.name`. */
  member(t: Type, name: string, span: Span, targetSpan: Span): Type {
    const missing = (on: Type): never => {
      throw new TypeCheckError(`Type \`${display(on)}\` does not have field \`${name}\``, span);
    };
    switch (t.k) {
      case 'any':
      case 'param': return ANY;
      case 'never': return NEVER;
      case 'lit': return this.member(widen(t), name, span, targetSpan);
      case 'union': {
        const out: Type[] = [];
        const failures: TypeCheckError[] = [];
        for (const m of t.types) {
          try {
            out.push(this.member(m, name, span, targetSpan));
          } catch (error) {
            if (!(error instanceof TypeCheckError)) throw error;
            failures.push(error);
          }
        }
        if (failures.length === 0) return union(...out);
        const nullish = t.types.filter((m) => isNullish(m, this.env));
        if (failures.length === nullish.length) {
          throw new TypeCheckError(`Type \`Null\` does not have field \`${name}\``, span, { message: NULL_CASE_HINT, at: targetSpan.end, insert: '!' });
        }
        throw new TypeCheckError(`Type \`${display(t)}\` is not a subtype of \`{ ${name}: Any, ... }\``, targetSpan);
      }
      case 'tuple': {
        if (name === 'length') return NUMBER;
        // A tuple used as an array has the base types of its elements (`[3, 1].append(7)` is fine); the empty
        // array's element type is whatever goes in (`[].append(5)`).
        return this.member(arrayOf(t.elems.length === 0 ? ANY : union(...t.elems.map(widen))), name, span, targetSpan);
      }
      case 'record': {
        if (Object.hasOwn(t.fields, name)) return t.fields[name]!;
        if (t.wildcard) return t.wildcard.k === 'any' ? ANY : optional(t.wildcard);
        if (name === 'toString') return UNIVERSAL_METHODS['toString']!;
        return missing(t);
      }
      case 'fn':
      case 'overload':
        if (name === 'toString') return UNIVERSAL_METHODS['toString']!;
        // A UDF's definition document (core: UserFunction's `definition`); typed leniently.
        if (name === 'definition') return ANY;
        return missing(t);
      case 'named': return this.namedMember(t, name, span, targetSpan, missing);
    }
  }

  private namedMember(t: Extract<Type, { k: 'named' }>, name: string, span: Span, targetSpan: Span, missing: (on: Type) => never): Type {
    const from = (...tables: (Record<string, Type> | undefined)[]): Type | undefined => {
      for (const table of tables) if (table && Object.hasOwn(table, name)) return table[name];
      return undefined;
    };
    const elem = t.args[0] ?? ANY;
    let found: Type | undefined;
    switch (t.name) {
      case 'String': found = from(STRING_FIELDS, STRING_METHODS, UNIVERSAL_METHODS); break;
      case 'Array': found = from(ARRAY_FIELDS, ARRAY_METHODS, UNIVERSAL_METHODS); break;
      case 'Set': found = from(SET_METHODS, UNIVERSAL_METHODS); break;
      case 'Time': found = from(TIME_FIELDS, TIME_METHODS, UNIVERSAL_METHODS); break;
      case 'Date': found = from(DATE_FIELDS, DATE_METHODS, UNIVERSAL_METHODS); break;
      case 'Bytes': found = from(BYTES_METHODS, UNIVERSAL_METHODS); break;
      case 'Null': return missingNull(name, missing);
      case 'Int': case 'Long': case 'Double': case 'Number': case 'Boolean': case 'ID': case 'UUID': case 'TransactionTime':
        found = from(UNIVERSAL_METHODS); break;
      case 'AnyDoc':
        if (name === 'id') return named('ID');
        if (name === 'exists') return fn([], lit(true));
        if (name === 'delete') return fn([], named('AnyNullDoc'));
        return ANY;
      case 'AnyNullDoc':
        if (name === 'id') return named('ID');
        if (name === 'exists') return fn([], lit(false));
        return missingNull(name, missing);
      case 'Ref': return this.member(union(elem, elem.k === 'named' ? named(nullDocName(elem.name)) : NULL), name, span, targetSpan);
      default: {
        if (this.env.docs.has(t.name)) found = this.env.docMember(t.name, name, false);
        else if (this.env.nullDocOf(t.name) !== null) {
          found = this.env.docMember(this.env.nullDocOf(t.name)!, name, true);
          if (found === undefined) return missingNull(name, missing);
        } else if (t.name.endsWith('Collection') && this.env.docs.has(t.name.slice(0, -'Collection'.length))) {
          found = this.env.collectionMember(t.name.slice(0, -'Collection'.length), name);
        } else if (t.name.endsWith('Module')) {
          const mod = t.name.slice(0, -'Module'.length);
          if (SCHEMA_MODULES.has(mod)) return ANY;
          const table = MODULES[mod];
          found = table ? from(table.fields, table.methods) : undefined;
        }
      }
    }
    if (found === undefined) return missing(t);
    return substitute(found, new Map([['A', { t: elem, fixed: true }]]), true);
  }

  /** `t[index]`. */
  private index(t: Type, indexExpr: Expr, scope: Scope, span: Span): Type {
    const index = this.infer(indexExpr, scope);
    const at = (m: Type): Type => {
      switch (m.k) {
        case 'any':
        case 'param': return ANY;
        case 'never': return NEVER;
        case 'lit': return at(widen(m));
        case 'union': return union(...m.types.map(at));
        case 'tuple': {
          this.require(index, NUMBER, indexExpr.span);
          if (m.elems.length === 0) return ANY;
          if (index.k === 'lit' && typeof index.value === 'bigint') {
            const i = Number(index.value);
            // Out of bounds is a run-time error; statically the element is `Never` (core: TyperCoreSpec `[1, 2][2]`).
            return i >= 0 && i < m.elems.length ? m.elems[i]! : NEVER;
          }
          return union(...m.elems);
        }
        case 'record':
          this.require(index, STRING, indexExpr.span);
          // A literal key is a field access (core: FQL2ObjectSpec `{ foo: 3 }['baz']` fails, `{ foo: 3 }[x]` is null).
          if (index.k === 'lit' && typeof index.value === 'string') return this.member(m, index.value, indexExpr.span, span);
          return union(...Object.values(m.fields), m.wildcard ?? NULL, NULL);
        case 'named':
          if (m.name === 'Array') { this.require(index, NUMBER, indexExpr.span); return m.args[0] ?? ANY; }
          if (m.name === 'String') { this.require(index, NUMBER, indexExpr.span); return STRING; }
          if (m.name === 'Null') return NEVER;
          if (this.env.docs.has(m.name) || m.name === 'AnyDoc') { this.require(index, STRING, indexExpr.span); return ANY; }
          if (m.name === 'Ref') return at(union(m.args[0] ?? ANY, NULL));
          break;
      }
      throw new TypeCheckError(`Cannot use \`[]\` operator with type \`${display(m)}\``, span);
    };
    return at(t);
  }

  // ---- applying functions ---------------------------------------------------------------------------------------

  private apply(callee: Type, args: Expr[], scope: Scope, span: Span, binds: Binds): Type {
    switch (callee.k) {
      case 'any':
      case 'param':
      case 'never':
        for (const a of args) this.infer(a, scope);
        return callee.k === 'never' ? NEVER : ANY;
      case 'union': return union(...callee.types.map((m) => this.apply(m, args, scope, span, binds)));
      case 'fn': return this.applySig(callee, args, scope, span, binds);
      case 'overload': {
        const fits = callee.alts.filter((alt) => arityFits(alt, args.length));
        if (fits.length === 0) return this.applySig(callee.alts[0]!, args, scope, span, binds);
        let first: TypeCheckError | null = null;
        for (const alt of fits) {
          try {
            return this.applySig(alt, args, scope, span, binds);
          } catch (error) {
            if (!(error instanceof TypeCheckError)) throw error;
            first ??= error;
          }
        }
        throw first!;
      }
      default: {
        const shown = callee.k === 'lit' ? widen(callee) : callee;
        throw new TypeCheckError(`Type \`${display(shown)}\` cannot be used as a function`, span);
      }
    }
  }

  private applySig(sigType: FnType, args: Expr[], scope: Scope, span: Span, receiverBinds: Binds): Type {
    const expected = sigType.params.length;
    if (args.length > expected && !sigType.variadic) {
      throw new TypeCheckError(`Function was called with too many arguments. Expected ${expected}, received ${args.length}`, span);
    }
    if (args.length < expected) {
      throw new TypeCheckError(`Function was not called with enough arguments. Expected ${expected}, received ${args.length}`, span);
    }
    const binds: Binds = new Map(receiverBinds);
    args.forEach((arg, i) => {
      const want = i < expected ? sigType.params[i]! : sigType.variadic!;
      const wantNow = substitute(want, binds, true);
      if (arg.kind === 'Lambda' && wantNow.k === 'fn') {
        const params = wantNow.params.map((p) => substitute(p, binds, false));
        const ret = this.inferLambdaBody(arg, params, scope);
        // A parameter the result names widens to take it (`fold(0, (a, b) => a + b)`: B is Int, then Number).
        const wantRet = want.k === 'fn' ? want.ret : wantNow.ret;
        if (hasParams(wantRet)) bind(wantRet, ret, binds);
        // The lambda's result against what the signature wants (core: `[1].flatMap(v => [v].toSet())`).
        this.require(ret, substitute(wantRet, binds, false), arg.span);
        return;
      }
      const t = this.infer(arg, scope);
      this.match(wantNow, t, binds, arg.span, arg);
    });
    return substitute(sigType.ret, binds, false);
  }

  /** Binds unbound parameters of `want` from `t`, then requires `t` to be a subtype of what is left. */
  private match(want: Type, t: Type, binds: Binds, span: Span, expr?: Expr): void {
    // A value that is no function where a function is wanted (core: `[].map(true)`).
    if (want.k === 'fn' && (t.k === 'lit' || t.k === 'named' || t.k === 'record' || t.k === 'tuple')) {
      throw new TypeCheckError(`Type \`${display(widen(t))}\` cannot be used as a function`, span);
    }
    if (hasParams(want)) {
      bind(want, t, binds);
      const resolved = substitute(want, binds, false);
      this.require(t, resolved, span);
      return;
    }
    if (expr) this.requireFields(expr, t, want);
    this.require(t, want, span);
  }

  /**
   * An object literal against an object type: a field whose value does not fit fails at that value (core: the span
   * of `{ x: 1 }` in `Book.create({ id: { x: 1 } })`), before the whole object is checked for missing or extra fields.
   */
  private requireFields(expr: Expr, t: Type, want: Type): void {
    if (expr.kind !== 'Object' || t.k !== 'record' || want.k !== 'record') return;
    for (const entry of expr.entries) {
      const wanted = Object.hasOwn(want.fields, entry.key) ? want.fields[entry.key]! : want.wildcard;
      const have = t.fields[entry.key];
      if (!wanted || !have) continue;
      this.requireFields(entry.value, have, wanted);
      this.require(have, wanted, entry.value.span);
    }
  }

  // ---- operators ------------------------------------------------------------------------------------------------

  private binary(expr: Extract<Expr, { kind: 'Binary' }>, scope: Scope): Type {
    const left = this.infer(expr.left, scope);
    switch (expr.op) {
      case '&&':
      case '||':
        this.require(left, BOOLEAN, expr.left.span);
        this.require(this.infer(expr.right, scope), BOOLEAN, expr.right.span);
        return BOOLEAN;
      case '??':
        return union(nonNull(left, this.env), this.infer(expr.right, scope));
      case '==': case '!=': case '<': case '>': case '<=': case '>=': case '=~': case '!~':
        this.infer(expr.right, scope);
        return BOOLEAN;
    }
    const right = this.infer(expr.right, scope);
    const op = expr.op;
    const one = (m: Type): Type => {
      if (m.k === 'any' || m.k === 'param') return ANY;
      if (m.k === 'never') return NEVER;
      const base = widen(m);
      if (op === '+' && base.k === 'named' && base.name === 'String') {
        // `+` is String + String or Number + Number (core: FQL2StringSpec "concatenates any other value").
        if (right.k === 'any' || subtype(right, STRING, this.env) === null) return STRING;
        const numeric = subtype(right, NUMBER, this.env) === null;
        throw new TypeCheckError(`Type \`${display(widen(right))}\` is not a subtype of \`${numeric ? 'String' : 'String | Number'}\``, expr.right.span);
      }
      if (base.k === 'named' && ['Int', 'Long', 'Double', 'Number'].includes(base.name)) {
        this.require(right, NUMBER, expr.right.span);
        return NUMBER;
      }
      if (isNullish(m, this.env)) throw new TypeCheckError(`Type \`Null\` does not have field \`${op}\``, expr.left.span);
      throw new TypeCheckError(`Type \`${display(base)}\` does not have field \`${op}\``, expr.left.span);
    };
    return union(...members(left).map(one));
  }

  // ---- projection -----------------------------------------------------------------------------------------------

  private project(t: Type, fields: ProjectionField[], scope: Scope, span: Span): Type {
    const one = (m: Type): Type => {
      if (m.k === 'any' || m.k === 'param') return ANY;
      if (m.k === 'never') return NEVER;
      if (m.k === 'union') return union(...m.types.map(one));
      if (isNullish(m, this.env)) return NULL;
      if (m.k === 'named' && m.name === 'Array') return arrayOf(one(m.args[0] ?? ANY));
      if (m.k === 'named' && m.name === 'Set') return setOf(one(m.args[0] ?? ANY));
      if (m.k === 'named' && m.name === 'Ref') return one(union(m.args[0] ?? ANY, NULL));
      if (m.k === 'tuple') return arrayOf(one(union(...m.elems)));
      if (m.k === 'record' || (m.k === 'named' && (this.env.docs.has(m.name) || m.name === 'AnyDoc'))) {
        const out: Record<string, Type> = {};
        for (const field of fields) {
          if (field.kind === 'Field') {
            const ft = this.member(m, field.key, field.span, span);
            out[field.key] = field.nested ? this.project(ft, field.nested, scope, field.span) : ft;
          } else {
            out[field.key] = this.infer(field.value, newScope(scope, new Map([[SHORT_LAMBDA_PARAM, m]])));
          }
        }
        return record(out);
      }
      throw new TypeCheckError(`Cannot use projection with type \`${display(widen(m))}\``, span);
    };
    return one(t);
  }
}

/** A field of a missing document or of null: the core names the type `Null`. */
function missingNull(_name: string, missing: (on: Type) => never): never {
  return missing(NULL);
}

function nameSpan(name: string, span: Span): Span {
  return span.end - name.length >= span.start ? { start: span.end - name.length, end: span.end } : span;
}

function arityFits(sigType: FnType, n: number): boolean {
  return n === sigType.params.length || (sigType.variadic !== null && n >= sigType.params.length);
}

/** `A` of an Array/Set receiver (or of a tuple: the union of its elements). */
function elementBinds(t: Type): Binds {
  const binds: Binds = new Map();
  const base = t.k === 'union' ? null : t;
  if (base?.k === 'named' && (base.name === 'Array' || base.name === 'Set') && base.args[0]) binds.set('A', { t: base.args[0], fixed: true });
  if (base?.k === 'tuple' && base.elems.length > 0) binds.set('A', { t: union(...base.elems.map(widen)), fixed: true });
  return binds;
}

function hasParams(t: Type): boolean {
  switch (t.k) {
    case 'param': return true;
    case 'named': return t.args.some(hasParams);
    case 'tuple': return t.elems.some(hasParams);
    case 'record': return Object.values(t.fields).some(hasParams) || (t.wildcard !== null && hasParams(t.wildcard));
    case 'union': return t.types.some(hasParams);
    case 'fn': return t.params.some(hasParams) || hasParams(t.ret) || (t.variadic !== null && hasParams(t.variadic));
    case 'overload': return t.alts.some(hasParams);
    default: return false;
  }
}

/** Replaces bound parameters; unbound ones stay (keep = true) or become `Any`. */
function substitute(t: Type, binds: Binds, keep: boolean): Type {
  const s = (x: Type) => substitute(x, binds, keep);
  switch (t.k) {
    case 'param': return binds.get(t.name)?.t ?? (keep ? t : ANY);
    case 'named': return t.args.length === 0 ? t : { ...t, args: t.args.map(s) };
    case 'tuple': return { k: 'tuple', elems: t.elems.map(s) };
    case 'record': return { k: 'record', fields: Object.fromEntries(Object.entries(t.fields).map(([k, v]) => [k, s(v)])), wildcard: t.wildcard ? s(t.wildcard) : null };
    case 'union': return union(...t.types.map(s));
    case 'fn': return { ...t, params: t.params.map(s), variadic: t.variadic ? s(t.variadic) : null, ret: s(t.ret) };
    case 'overload': return { k: 'overload', alts: t.alts.map((a) => s(a) as FnType) };
    default: return t;
  }
}

/** Binds the parameters in `want` from the structure of `t` (a later binding of a free parameter widens it). */
function bind(want: Type, t: Type, binds: Binds): void {
  switch (want.k) {
    case 'param': {
      const current = binds.get(want.name);
      const value = t.k === 'union' ? union(...t.types.map(widen)) : widen(t);
      if (!current) binds.set(want.name, { t: value, fixed: false });
      else if (!current.fixed) binds.set(want.name, { t: union(current.t, value), fixed: false });
      return;
    }
    case 'named':
      if (t.k === 'named' && t.name === want.name) want.args.forEach((a, i) => t.args[i] && bind(a, t.args[i]!, binds));
      else if (t.k === 'tuple' && want.name === 'Array' && want.args[0]) bind(want.args[0], t.elems.length ? union(...t.elems) : NEVER, binds);
      else if (t.k === 'union') t.types.forEach((m) => bind(want, m, binds));
      return;
    case 'tuple':
      if (t.k === 'tuple') want.elems.forEach((e, i) => t.elems[i] && bind(e, t.elems[i]!, binds));
      return;
    case 'record':
      if (t.k === 'record') {
        if (want.wildcard && hasParams(want.wildcard)) {
          const all = [...Object.values(t.fields), ...(t.wildcard ? [t.wildcard] : [])];
          bind(want.wildcard, all.length ? union(...all) : NEVER, binds);
        }
        for (const [k, v] of Object.entries(want.fields)) if (t.fields[k]) bind(v, t.fields[k]!, binds);
      }
      return;
    case 'fn':
      if (t.k === 'fn') bind(want.ret, t.ret, binds);
      return;
    case 'union':
      for (const m of want.types) if (hasParams(m)) bind(m, t, binds);
      return;
    default:
      return;
  }
}
