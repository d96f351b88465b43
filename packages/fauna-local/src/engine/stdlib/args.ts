/**
 * Argument checks shared by the standard library, with Fauna's messages for wrong arity and wrong types.
 */
import type { Span } from '../../fql/ast.ts';
import type { Ctx } from '../context.ts';
import { QueryFailure } from '../errors.ts';
import { isFunction, isPlainObject, typeName } from '../../values/values.ts';
import type { FqlObject, FunctionValue, Value } from '../../values/values.ts';

/** A standard-library method: receives the evaluated receiver and arguments. */
/** Returned by a dispatcher that has no method of that name. */
export const NO_METHOD = Symbol('no-method');

export type Method<T> = (ctx: Ctx, self: T, args: Value[], span: Span) => Value;

export function arity(_name: string, args: Value[], min: number, max: number, span: Span): void {
  if (args.length >= min && args.length <= max) return;
  const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `between ${min} and ${max}`;
  throw new QueryFailure(
    'invalid_function_invocation',
    `callee function expects ${expected} argument${min === 1 && max === 1 ? '' : 's'}, but ${args.length} ${args.length === 1 ? 'was' : 'were'} provided.`,
    { span },
  );
}

function wrongType(param: string, expected: string, value: Value, span: Span): QueryFailure {
  return new QueryFailure('invalid_argument', `expected value for \`${param}\` of type ${expected}, received ${typeName(value)}`, { span });
}

export function str(args: Value[], i: number, param: string, span: Span): string {
  const v = args[i] ?? null;
  if (typeof v !== 'string') throw wrongType(param, 'String', v, span);
  return v;
}

export function int(args: Value[], i: number, param: string, span: Span): bigint {
  const v = args[i] ?? null;
  if (typeof v !== 'bigint') throw wrongType(param, 'Int', v, span);
  return v;
}

/** An Int argument as a JS number (for sizes and offsets). */
export function count(args: Value[], i: number, param: string, span: Span): number {
  const v = int(args, i, param, span);
  if (v < 0n) throw new QueryFailure('invalid_bounds', `expected \`${param}\` to be greater than or equal to 0, received ${v}`, { span });
  return Number(v);
}

export function num(args: Value[], i: number, param: string, span: Span): bigint | number {
  const v = args[i] ?? null;
  if (typeof v !== 'bigint' && typeof v !== 'number') throw wrongType(param, 'Number', v, span);
  return v;
}

export function fn(args: Value[], i: number, param: string, span: Span): FunctionValue {
  const v = args[i] ?? null;
  if (!isFunction(v)) throw wrongType(param, 'Function', v, span);
  return v;
}

export function obj(args: Value[], i: number, param: string, span: Span): FqlObject {
  const v = args[i] ?? null;
  if (!isPlainObject(v)) throw wrongType(param, 'Object', v, span);
  return v;
}

export function arr(args: Value[], i: number, param: string, span: Span): Value[] {
  const v = args[i] ?? null;
  if (!Array.isArray(v)) throw wrongType(param, 'Array', v, span);
  return v;
}
