/**
 * The FQL v10 evaluator: expressions, statements, operators, lambdas and closures, null handling (`??`, `?.`, `!`),
 * projection, and method dispatch to the standard library (engine/stdlib/). Semantics follow
 * core: FQLInterpreter.scala, as summarised in PROTOCOL.md §6.
 *
 * One file on purpose (just over 400 lines): the expression switch and its operators are one mutually recursive unit;
 * the standard library already lives apart (engine/stdlib/) and calls back through the context.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/FQLInterpreter.scala
 */
import { isPrivileged } from '../auth/permissions.ts';
import { SHORT_LAMBDA_PARAM } from '../fql/ast.ts';
import type { Expr, ProjectionField, Span, Stmt } from '../fql/ast.ts';
import { compareValues } from '../values/keys.ts';
import { tick } from './context.ts';
import { meterCompute } from './metering.ts';
import type { Ctx } from './context.ts';
import { docField, isNullish, nullDocFailure, readState, requireDoc } from './documents.ts';
import { fqlEquals } from './equality.ts';
import { QueryFailure } from './errors.ts';
import { callMethod, memberOf, resolveGlobal } from './stdlib/index.ts';
import { displayString } from './stdlib/display.ts';
import {
  DocRef, FqlDate, FqlTime, LambdaFn, LONG_MAX, LONG_MIN, NamedRef, NativeFn, NullDoc, SetValue, isFunction, isPlainObject, typeName,
} from '../values/values.ts';
import type { FqlObject, Scope, Value } from '../values/values.ts';

/** Marks a short-circuited optional chain (`a?.b.c` with `a` null) until the chain ends. */
const SHORT = Symbol('short-circuit');
type Chained = Value | typeof SHORT;

export function newScope(parent: Scope | null, vars?: Map<string, Value>): Scope {
  return { vars: vars ?? new Map(), parent };
}

function lookup(scope: Scope | null, name: string): Value | undefined {
  for (let s = scope; s; s = s.parent) {
    const v = s.vars.get(name);
    if (v !== undefined || s.vars.has(name)) return v;
  }
  return undefined;
}

/** Evaluates a program (a Block) with the given variable bindings. */
export function evaluateProgram(ctx: Ctx, program: Expr, bindings: Map<string, Value>): Value {
  return evaluate(ctx, program, newScope(null, bindings));
}

/** Evaluates one expression in a scope. */
export function evaluate(ctx: Ctx, expr: Expr, scope: Scope): Value {
  tick(ctx, expr.span);
  switch (expr.kind) {
    case 'Literal': return expr.value;
    case 'Template': return expr.parts.map((p) => (typeof p === 'string' ? p : displayString(evaluate(ctx, p, scope)))).join('');
    case 'Ident': {
      const local = lookup(scope, expr.name);
      if (local !== undefined) return local;
      return resolveGlobal(ctx, expr.name, expr.span);
    }
    case 'Array': return expr.items.map((item) => evaluate(ctx, item, scope));
    case 'Object': {
      const out: FqlObject = {};
      for (const entry of expr.entries) out[entry.key] = evaluate(ctx, entry.value, scope);
      return out;
    }
    case 'Block': return evaluateBlock(ctx, expr.body, scope);
    case 'Member':
    case 'Index':
    case 'Call':
    case 'NonNull': {
      const v = evaluateChain(ctx, expr, scope);
      return v === SHORT ? null : v;
    }
    case 'Unary': return evaluateUnary(ctx, expr.op, evaluate(ctx, expr.operand, scope), expr.span);
    case 'Binary': return evaluateBinary(ctx, expr, scope);
    case 'Isa': return isa(ctx, evaluate(ctx, expr.expr, scope), expr.type.source.trim());
    case 'If': {
      const cond = evaluate(ctx, expr.cond, scope);
      if (cond === true) return evaluate(ctx, expr.then, scope);
      // Only booleans decide a branch; anything else (null included) is a type error (CORE: FQLInterpreter evalIf).
      if (cond === false) return expr.else ? evaluate(ctx, expr.else, scope) : null;
      throw typeMismatch('Boolean', cond, expr.cond.span);
    }
    case 'Lambda': return new LambdaFn(expr.params, expr.variadic, expr.body, scope);
    case 'Projection': return project(ctx, evaluate(ctx, expr.target, scope), expr.fields, scope, expr.span);
  }
}

/**
 * Each `let` opens a new scope, so a closure sees exactly the bindings that existed where it was written
 * (the core captures the variable context at the lambda: a `let` cannot refer to itself or to later bindings).
 */
function evaluateBlock(ctx: Ctx, body: Stmt[], outer: Scope): Value {
  let scope = outer;
  let last: Value = null;
  for (const stmt of body) {
    if (stmt.kind === 'Let') {
      const value = evaluate(ctx, stmt.value, scope);
      scope = newScope(scope, new Map([[stmt.name, value]]));
      last = null;
    } else {
      last = evaluate(ctx, stmt.expr, scope);
    }
  }
  return last;
}

export function typeMismatch(expected: string, value: Value, span: Span | null): QueryFailure {
  return new QueryFailure('type_mismatch', `expected type: ${expected}, received ${typeName(value)}`, { span });
}

/** Evaluates one element of a member/index/call/`!` chain, propagating an optional short-circuit. */
function evaluateChain(ctx: Ctx, expr: Expr, scope: Scope): Chained {
  switch (expr.kind) {
    case 'Member': {
      const object = evaluateChainTarget(ctx, expr.object, scope);
      if (object === SHORT) return SHORT;
      if (expr.optional && isNullish(ctx, object)) return SHORT;
      return memberOf(ctx, object, expr.name, expr.span);
    }
    case 'Index': {
      const object = evaluateChainTarget(ctx, expr.object, scope);
      if (object === SHORT) return SHORT;
      if (expr.optional && isNullish(ctx, object)) return SHORT;
      return indexOf(ctx, object, evaluate(ctx, expr.index, scope), expr.span);
    }
    case 'Call':
      try {
        return evaluateCall(ctx, expr, scope);
      } catch (error) {
        // Failures raised by schema code (predicates, defaults) carry no span: point at this call.
        if (error instanceof QueryFailure && error.span === null) error.span = expr.span;
        throw error;
      }
    case 'NonNull': {
      const value = evaluateChainTarget(ctx, expr.expr, scope);
      if (value === SHORT) return SHORT;
      return assertNonNull(ctx, value, expr.expr, expr.span);
    }
    default:
      return evaluate(ctx, expr, scope);
  }
}

/** A call in a chain: a method call on a receiver, or a call of a function value. */
function evaluateCall(ctx: Ctx, expr: Extract<Expr, { kind: 'Call' }>, scope: Scope): Chained {
  const callee = expr.callee;
  if (callee.kind === 'Member') {
    const object = evaluateChainTarget(ctx, callee.object, scope);
    if (object === SHORT) return SHORT;
    if (callee.optional && isNullish(ctx, object)) return SHORT;
    const args = expr.args.map((a) => evaluate(ctx, a, scope));
    return callMethod(ctx, object, callee.name, args, callee.span, expr.span);
  }
  const fn = evaluateChainTarget(ctx, callee, scope);
  if (fn === SHORT) return SHORT;
  if (expr.optional && fn === null) return SHORT;
  const args = expr.args.map((a) => evaluate(ctx, a, scope));
  return callValue(ctx, fn, args, expr.span);
}

function evaluateChainTarget(ctx: Ctx, expr: Expr, scope: Scope): Chained {
  if (expr.kind === 'Member' || expr.kind === 'Index' || expr.kind === 'Call' || expr.kind === 'NonNull') return evaluateChain(ctx, expr, scope);
  return evaluate(ctx, expr, scope);
}

/** The null causes of standard-library calls that return null (CORE: `Value.Null.noSuchElement(...)`). */
const NULL_CAUSES: Record<string, string> = {
  first: 'empty set',
  last: 'empty set',
  firstWhere: 'empty set',
  lastWhere: 'empty set',
  reduce: 'empty set',
  reduceRight: 'empty set',
  indexOf: 'no element found',
  lastIndexOf: 'no element found',
  indexWhere: 'no element found',
  identity: 'missing identity',
  token: 'no token',
};

/** Why an expression produced null, for the `null_value` message of `!`. */
function nullCause(expr: Expr): string {
  if (expr.kind === 'Literal') return 'Null literal value';
  if (expr.kind === 'Call' && expr.callee.kind === 'Member' && Object.hasOwn(NULL_CAUSES, expr.callee.name)) {
    return `Null value, due to ${NULL_CAUSES[expr.callee.name]}`;
  }
  if (expr.kind === 'Member') return `Null value, due to missing field \`${expr.name}\``;
  return 'Null value';
}

function assertNonNull(ctx: Ctx, value: Value, inner: Expr, span: Span): Value {
  if (value === null) throw new QueryFailure('null_value', nullCause(inner), { span });
  if (value instanceof NullDoc) {
    if (value.cause === 'permission denied') throw new QueryFailure('null_value', 'Null value, due to permission denied', { span });
    throw nullDocFailure(value.ref, value.cause, span);
  }
  if (value instanceof DocRef) {
    const state = readState(ctx, value);
    if ('cause' in state) {
      if (state.cause === 'permission denied') throw new QueryFailure('null_value', 'Null value, due to permission denied', { span });
      throw nullDocFailure(value, state.cause, span);
    }
  }
  return value;
}

function indexOf(ctx: Ctx, object: Value, index: Value, span: Span): Value {
  if (Array.isArray(object) || typeof object === 'string') {
    if (typeof index !== 'bigint') throw typeMismatch('Int', index, span);
    const length = BigInt(object.length);
    if (index < 0n || index >= length) {
      throw new QueryFailure('index_out_of_bounds', `index ${index} out of bounds for length ${length}`, { span });
    }
    return object[Number(index)]!;
  }
  if (typeof index === 'string') return memberOf(ctx, object, index, span);
  if (object === null) throw new QueryFailure('invalid_null_access', `Cannot access \`[${displayString(index)}]\` on null.`, { span });
  throw typeMismatch('String', index, span);
}

/** Calls any callable value: lambdas, native functions (including user-defined functions), and callable modules. */
export function callValue(ctx: Ctx, fn: Value, args: Value[], span: Span): Value {
  if (fn instanceof LambdaFn) return callLambda(ctx, fn, args, span);
  if (fn instanceof NativeFn) {
    // Applying a function is a unit of compute (CORE: FQLInterpreter.scala `evalApply`).
    meterCompute(ctx.meter);
    try {
      return fn.call(ctx, args);
    } catch (error) {
      if (error instanceof QueryFailure && error.span === null) error.span = span;
      throw error;
    }
  }
  if (fn === null) throw new QueryFailure('invalid_null_access', 'Cannot call null.', { span });
  return callMethod(ctx, fn, 'apply', args, span, span);
}

export function callLambda(ctx: Ctx, fn: LambdaFn, args: Value[], span: Span | null): Value {
  meterCompute(ctx.meter);
  const vars = new Map<string, Value>();
  const fixed = fn.variadic ? fn.params.length - 1 : fn.params.length;
  if (fn.variadic ? args.length < fixed : args.length !== fixed) {
    // Fauna lets a one-parameter lambda receive a set/array element; anything else is an arity error.
    throw new QueryFailure('invalid_function_invocation', `callee function expects ${fn.variadic ? 'at least ' : ''}${fixed} argument${fixed === 1 ? '' : 's'}, but ${args.length} ${args.length === 1 ? 'was' : 'were'} provided.`, { span });
  }
  for (let i = 0; i < fixed; i++) vars.set(fn.params[i]!, args[i]!);
  if (fn.variadic) vars.set(fn.params[fixed]!, args.slice(fixed));
  return evaluate(ctx, fn.body, newScope(fn.scope, vars));
}

function evaluateUnary(ctx: Ctx, op: '-' | '!' | '~', value: Value, span: Span): Value {
  void ctx;
  switch (op) {
    case '-':
      if (typeof value === 'bigint') return -value;
      if (typeof value === 'number') return -value;
      throw typeMismatch('Number', value, span);
    case '!':
      if (typeof value === 'boolean') return !value;
      throw typeMismatch('Boolean', value, span);
    case '~':
      if (typeof value === 'bigint') return ~value;
      throw typeMismatch('Int', value, span);
  }
}


function evaluateBinary(ctx: Ctx, expr: Extract<Expr, { kind: 'Binary' }>, scope: Scope): Value {
  const { op, span } = expr;
  if (op === '??') {
    const left = evaluate(ctx, expr.left, scope);
    return isNullish(ctx, left) ? evaluate(ctx, expr.right, scope) : left;
  }
  if (op === '&&' || op === '||') {
    const left = evaluate(ctx, expr.left, scope);
    if (typeof left !== 'boolean') throw typeMismatch('Boolean', left, expr.left.span);
    if (op === '&&' ? !left : left) return left;
    const right = evaluate(ctx, expr.right, scope);
    if (typeof right !== 'boolean') throw typeMismatch('Boolean', right, expr.right.span);
    return right;
  }
  const left = evaluate(ctx, expr.left, scope);
  const right = evaluate(ctx, expr.right, scope);
  return binaryOp(ctx, op, left, right, span);
}

function isNumber(v: Value): v is bigint | number {
  return typeof v === 'bigint' || typeof v === 'number';
}

/** Applies a strict binary operator to two evaluated operands. */
export function binaryOp(ctx: Ctx, op: string, left: Value, right: Value, span: Span): Value {
  // An operator is a method of its left operand, so a unit of compute like any method call (`??`, `&&` and `||`
  // short-circuit and never get here).
  meterCompute(ctx.meter);
  switch (op) {
    case '==': return fqlEquals(ctx, left, right);
    case '!=': return !fqlEquals(ctx, left, right);
    case '<': case '>': case '<=': case '>=': {
      // Values of unrelated types are never less or greater than each other (CORE: FieldTable `unrelatedTypesComparison`).
      if (!comparable(left, right)) return false;
      const c = compareValues(left, right);
      return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
    }
    case '+':
      // String `+` takes Any and appends its display string (core: stdlib/Strings.scala, linked from stdlib/string.ts).
      if (typeof left === 'string') return left + displayString(right);
      return arithmetic(op, left, right, span);
    case '-': case '*': case '/': case '%': case '**':
      return arithmetic(op, left, right, span);
    case '|': case '^': case '&':
      if (typeof left === 'boolean' && typeof right === 'boolean') {
        return op === '|' ? left || right : op === '&' ? left && right : left !== right;
      }
      if (typeof left !== 'bigint') throw typeMismatch('Int', left, span);
      if (typeof right !== 'bigint') throw typeMismatch('Int', right, span);
      return op === '|' ? left | right : op === '&' ? left & right : left ^ right;
    case '=~': case '!~':
      throw new QueryFailure('invalid_query', `The operator \`${op}\` is not supported by the local Fauna emulator.`, { span });
  }
  throw new QueryFailure('invalid_query', `Unknown operator \`${op}\`.`, { span });
}

function isDocLike(v: Value): boolean {
  return v instanceof DocRef || v instanceof NullDoc;
}

/** Whether `<`/`>` can order two values: both numbers, strings, booleans, times, dates, arrays, documents, or nulls. */
function comparable(a: Value, b: Value): boolean {
  if (isNumber(a)) return isNumber(b);
  if (a === null || typeof a === 'string' || typeof a === 'boolean') return typeof a === typeof b && (a === null) === (b === null);
  if (a instanceof FqlTime) return b instanceof FqlTime;
  if (a instanceof FqlDate) return b instanceof FqlDate;
  if (Array.isArray(a)) return Array.isArray(b);
  if (isDocLike(a)) return isDocLike(b);
  return false;
}

const DIVISION_BY_ZERO = 'Attempted integer division by zero.';

function fitLong(value: bigint): bigint | number {
  return value >= LONG_MIN && value <= LONG_MAX ? value : Number(value);
}

function arithmetic(op: string, left: Value, right: Value, span: Span): Value {
  if (!isNumber(left)) throw typeMismatch('Number', left, span);
  // Operators are methods of the left operand in FQL (`2 + x` is `2.+(x)`), so a wrong right operand is a wrong
  // argument: `invalid_argument`, as the drivers' integration tests expect for `"taco".length + "taco"`.
  if (!isNumber(right)) throw new QueryFailure('invalid_argument', `expected value for \`other\` of type Number, received ${typeName(right)}`, { span });
  if (typeof left === 'bigint' && typeof right === 'bigint') {
    switch (op) {
      // Like the core's addExact/subtractExact/multiplyExact: an overflowing Long result falls back to Double.
      case '+': return fitLong(left + right);
      case '-': return fitLong(left - right);
      case '*': return fitLong(left * right);
      case '/':
        if (right === 0n) throw new QueryFailure('divide_by_zero', DIVISION_BY_ZERO, { span });
        return left / right;
      case '%':
        if (right === 0n) throw new QueryFailure('divide_by_zero', DIVISION_BY_ZERO, { span });
        return left % right;
      case '**':
        if (right === 0n || left === 1n) return 1n;
        if (left === -1n) return right % 2n === 0n ? 1n : -1n;
        if (left === 0n && right > 0n) return 0n;
        return right > 0n && right < 2n ** 31n - 1n && right < 4096n ? fitLong(left ** right) : Number(left) ** Number(right);
    }
  }
  const a = Number(left);
  const b = Number(right);
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return a % b;
    case '**': return a ** b;
  }
  throw new QueryFailure('invalid_query', `Unknown operator \`${op}\`.`, { span });
}

const ISA_CHECKS: Record<string, (v: Value) => boolean> = {
  String: (v) => typeof v === 'string',
  Int: (v) => typeof v === 'bigint' && v >= -(2n ** 31n) && v < 2n ** 31n,
  Long: (v) => typeof v === 'bigint',
  Double: (v) => typeof v === 'number',
  Number: isNumber,
  Boolean: (v) => typeof v === 'boolean',
  Null: (v) => v === null,
  Array: Array.isArray,
  Object: (v) => isPlainObject(v) || v instanceof DocRef,
  Struct: isPlainObject,
  Time: (v) => v instanceof FqlTime,
  Date: (v) => v instanceof FqlDate,
  Set: (v) => v instanceof SetValue,
  Function: isFunction,
  Any: () => true,
};

function isa(ctx: Ctx, value: Value, type: string): boolean {
  const check = ISA_CHECKS[type];
  if (check) return check(value);
  const coll = ctx.db.schema.collections.get(type);
  if (coll) return value instanceof DocRef && value.coll === coll.name && !isNullish(ctx, value);
  if (type === 'Token' || type === 'Key') return value instanceof DocRef && value.coll === type;
  throw new QueryFailure('invalid_query', `\`isa ${type}\` is not supported by the local Fauna emulator.`);
}

/** Projection `v { a, b { c }, alias: expr }` (core test: https://github.com/search?type=code&q=repo%3Afauna%2Ffaunadb+FQL2ProjectionSpec). */
function project(ctx: Ctx, target: Value, fields: ProjectionField[], scope: Scope, span: Span): Value {
  if (target === null || target instanceof NullDoc) return null;
  if (Array.isArray(target)) return target.map((item) => project(ctx, item, fields, scope, span));
  if (target instanceof SetValue) {
    return new SetValue((c) => mapIterable(target.produce(c), (item) => project(c as Ctx, item, fields, scope, span)), target.pageSize);
  }
  if (target instanceof DocRef) {
    // An index entry's reference projected to fields the entry covers needs no document read (metering.ts).
    if (projectsCoveredFields(ctx, target, fields)) {
      return Object.fromEntries(fields.map((f) => [f.key, memberOf(ctx, target, f.key, f.span)]));
    }
    const state = readState(ctx, target);
    if ('cause' in state) return null;
  } else if (!isPlainObject(target) && !(target instanceof NamedRef)) {
    // Definitions (collections, roles, functions, databases) project like documents; other scalars pass through.
    return target;
  }
  const out: FqlObject = {};
  for (const field of fields) {
    if (field.kind === 'Field') {
      const value = target instanceof DocRef ? docField(ctx, target, requireDoc(ctx, target, field.span), field.key)
        : target instanceof NamedRef ? memberOf(ctx, target, field.key, field.span)
        : (target[field.key] ?? null);
      out[field.key] = field.nested ? project(ctx, value, field.nested, scope, field.span) : value;
    } else {
      out[field.key] = evaluateWithThis(ctx, field.value, target, scope);
    }
  }
  return out;
}

function projectsCoveredFields(ctx: Ctx, ref: DocRef, fields: ProjectionField[]): boolean {
  if (ref.covered === undefined || !isPrivileged(ctx.access) || ctx.db.store.writtenDocuments().has(`${ref.coll}/${ref.id}`)) return false;
  return fields.every((f) => f.kind === 'Field' && !f.nested && (f.key === 'id' || f.key === 'coll' || ref.covered!.has(f.key)));
}

function evaluateWithThis(ctx: Ctx, expr: Expr, self: Value, scope: Scope): Value {
  if (expr.kind === 'Lambda' && expr.params.length === 1 && expr.params[0] === SHORT_LAMBDA_PARAM) {
    return evaluate(ctx, expr.body, newScope(scope, new Map([[SHORT_LAMBDA_PARAM, self]])));
  }
  return evaluate(ctx, expr, newScope(scope, new Map([[SHORT_LAMBDA_PARAM, self]])));
}

function* mapIterable(source: Iterable<Value>, fn: (v: Value) => Value): Iterable<Value> {
  for (const item of source) yield fn(item);
}
