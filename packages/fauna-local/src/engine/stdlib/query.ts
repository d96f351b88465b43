/**
 * The `Query` module (core: Query.scala): who is running the query.
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/Query.scala
 */
import type { Ctx } from '../context.ts';
import type { Value } from '../../values/values.ts';
import { arity } from './args.ts';
import type { Method } from './args.ts';

export const queryModule: Record<string, Method<null>> = {
  /** The token's identity document (a reference); null when authenticated with a key. */
  identity: (ctx: Ctx, _s, args, span): Value => (arity('identity', args, 0, 0, span), ctx.identity),
  token: (ctx: Ctx, _s, args, span): Value => (arity('token', args, 0, 0, span), ctx.token),
  /** The database's setting (inherited, default true), not the request's `x-typecheck` (core: Query.scala). */
  isEnvTypechecked: (ctx: Ctx, _s, args, span) => (arity('isEnvTypechecked', args, 0, 0, span), ctx.envTypechecked),
  isEnvProtected: (_c, _s, args, span) => (arity('isEnvProtected', args, 0, 0, span), false),
};
