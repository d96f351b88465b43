/**
 * `<Set>.eventSource()` and `<Set>.eventsOn(...fields)` (with the older names `toStream()` / `changesOn(...)`): an
 * event source token for `/stream/1` and `/feed/1`. The core encodes the set's IR and a start cursor into the token
 * itself (Value.EventSource.IR, base64); the local Fauna keeps what the token stands for in a per-database table
 * (like set cursors) and hands out a random opaque string, so a token works only against the database and the
 * process that made it.
 *
 * Only sets whose membership can be decided one document version at a time are streamable, as in the core
 * (ValueSet.scala: "only collections and user defined indexes are streamable"): a collection's `all()`/`where()`, an
 * index without a range, then `where`/`filter`/`map`.
 *
 * Core: https://github.com/fauna/faunadb/blob/main/ext/model/src/main/scala/runtime/fql2/ValueSet.scala
 */
import { randomBytes } from 'node:crypto';
import type { Span } from '../../fql/ast.ts';
import type { Ctx, Database } from '../context.ts';
import { QueryFailure } from '../errors.ts';
import { EventSourceValue, isFunction } from '../../values/values.ts';
import type { FunctionValue, SetValue, StreamSourceShape, Value } from '../../values/values.ts';

/** Tokens kept per database before the oldest is forgotten (a forgotten token answers "invalid event source"). */
const MAX_TOKENS = 10_000;

/** What a token stands for. */
export interface EventSourceEntry {
  readonly source: StreamSourceShape;
  /** `eventsOn` accessors: only changes of these fields make `update` events. Empty for `eventSource()`. */
  readonly watched: readonly FunctionValue[];
  /** The txn time of the query that made the token: a stream or feed without a cursor starts right after it. */
  readonly ts: bigint;
}

const tables = new WeakMap<Database, Map<string, EventSourceEntry>>();

function tableOf(db: Database): Map<string, EventSourceEntry> {
  let table = tables.get(db);
  if (!table) {
    table = new Map();
    tables.set(db, table);
  }
  return table;
}

/** The entry for a token in this database, or undefined (unknown, forgotten, or made in another database). */
export function lookupEventSource(db: Database, token: string): EventSourceEntry | undefined {
  return tableOf(db).get(token);
}

/** Implements the four Set methods that make an event source. */
export function createEventSource(ctx: Ctx, set: SetValue, method: string, args: Value[], span: Span): EventSourceValue {
  const takesFields = method === 'eventsOn' || method === 'changesOn';
  if (!takesFields && args.length > 0) {
    throw new QueryFailure('invalid_function_invocation', `callee function \`${method}\` expects no arguments, received ${args.length}`, { span });
  }
  const watched = args.map((arg, i) => {
    if (!isFunction(arg)) throw new QueryFailure('invalid_argument', `expected value for \`fields[${i}]\` of type Function, received another type`, { span });
    return arg;
  });
  if (takesFields && watched.length === 0) {
    throw new QueryFailure('invalid_function_invocation', `callee function \`${method}\` expects at least 1 argument, received 0`, { span });
  }
  if (set.streamSource === null) {
    throw new QueryFailure('invalid_receiver', `can't call \`.${method}()\` because only collections and user defined indexes are streamable.`, { span });
  }
  const table = tableOf(ctx.db);
  const token = randomBytes(24).toString('base64');
  table.set(token, { source: set.streamSource, watched, ts: ctx.txnMicros });
  if (table.size > MAX_TOKENS) table.delete(table.keys().next().value!);
  return new EventSourceValue(token);
}
