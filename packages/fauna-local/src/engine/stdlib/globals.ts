/**
 * Top-level names: built-in modules, user collections, user-defined functions, and the global functions
 * `abort`, `log`, `dbg`, `newId`, `asc`, `desc`.
 */
import type { Span } from '../../fql/ast.ts';
import { accessForRole } from '../../auth/permissions.ts';
import type { FunctionDef } from '../../schema/model.ts';
import type { Ctx } from '../context.ts';
import { allowed, moduleFor } from '../documents.ts';
import { QueryFailure } from '../errors.ts';
import { NativeFn } from '../../values/values.ts';
import type { Value } from '../../values/values.ts';
import { arity, fn } from './args.ts';
import { literalText } from './display.ts';

/** Built-in modules reachable by name. */
export const BUILTIN_MODULES: ReadonlySet<string> = new Set([
  'Collection', 'Token', 'Key', 'Time', 'Date', 'Math', 'Query', 'Function', 'Role', 'Object', 'Set', 'String', 'Array', 'Credential',
  'Database', 'AccessProvider', 'Bytes', 'ID',
]);

/** Built-in modules the emulator knows but does not implement: any use of their methods is an `invalid_query`. */
export const UNSUPPORTED_MODULES: ReadonlySet<string> = new Set(['Credential', 'AccessProvider']);

const denied = (span: Span | null) => new QueryFailure('permission_denied', 'Insufficient privileges to perform the action.', { span });

/** Calls a user-defined function: checks `call`, then runs the body with the function's `@role` if it has one. */
export function callUdf(ctx: Ctx, def: FunctionDef, args: Value[], span: Span | null): Value {
  if (!allowed(ctx, def.name, 'call', args)) throw denied(span);
  const fixed = def.params.filter((p) => !p.variadic);
  const variadic = def.params.find((p) => p.variadic);
  if (variadic ? args.length < fixed.length : args.length !== fixed.length) {
    throw new QueryFailure(
      'invalid_function_invocation',
      `callee function expects ${variadic ? 'at least ' : ''}${fixed.length} argument${fixed.length === 1 ? '' : 's'}, but ${args.length} ${args.length === 1 ? 'was' : 'were'} provided.`,
      { span },
    );
  }
  const vars = new Map<string, Value>();
  fixed.forEach((p, i) => vars.set(p.name, args[i]!));
  if (variadic) vars.set(variadic.name, args.slice(fixed.length));
  const saved = ctx.access;
  if (def.role) {
    const access = accessForRole(def.role, (name) => ctx.db.schema.roles.get(name));
    if (!access) throw new QueryFailure('invalid_query', `Function \`${def.name}\` runs as role \`${def.role}\`, which does not exist.`, { span });
    ctx.access = access;
  }
  try {
    return ctx.evaluateIn(def.body, vars);
  } catch (error) {
    // Spans inside the body point into the FSL file; the summary shows the call site in the query instead.
    if (error instanceof QueryFailure) error.span = span;
    throw error;
  } finally {
    ctx.access = saved;
  }
}

const globalFunctions: Record<string, (ctx: Ctx, args: Value[], span: Span) => Value> = {
  abort(_ctx, args, span) {
    arity('abort', args, 1, 1, span);
    throw new QueryFailure('abort', 'Query aborted.', { span, abort: args[0] });
  },
  log(ctx, args, span) {
    ctx.logs.push({ span, text: args.map((a) => (typeof a === 'string' ? a : literalText(a))).join(' ') });
    return null;
  },
  dbg(ctx, args, span) {
    arity('dbg', args, 1, 1, span);
    ctx.logs.push({ span, text: literalText(args[0]!) });
    return args[0]!;
  },
  newId(ctx, args, span) {
    arity('newId', args, 0, 0, span);
    return ctx.db.ids.next(ctx.txnMicros);
  },
  asc(_ctx, args, span) {
    arity('asc', args, 1, 1, span);
    return { asc: fn(args, 0, 'accessor', span) };
  },
  desc(_ctx, args, span) {
    arity('desc', args, 1, 1, span);
    return { desc: fn(args, 0, 'accessor', span) };
  },
};

function native(name: string, span: Span, call: (ctx: Ctx, args: Value[], span: Span) => Value): NativeFn {
  return new NativeFn(name, (c, args) => call(c as Ctx, args, span));
}

/** Resolves a name that is not a local variable; unknown names fail with `unbound_variable`. */
export function resolveGlobal(ctx: Ctx, name: string, span: Span): Value {
  const schema = ctx.db.schema;
  const coll = schema.collections.get(name);
  if (coll) return moduleFor(coll.name, true);
  if (BUILTIN_MODULES.has(name)) return moduleFor(name, false);
  const udf = schema.functions.get(name);
  if (udf) return native(udf.name, span, (c, args, s) => callUdf(c, udf, args, s));
  const global = Object.hasOwn(globalFunctions, name) ? globalFunctions[name] : undefined;
  if (global) return native(name, span, global);
  throw new QueryFailure('unbound_variable', `Unbound variable \`${name}\``, { span });
}
