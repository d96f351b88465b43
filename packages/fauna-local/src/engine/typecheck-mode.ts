/**
 * Whether a query or a schema change is type-checked (core: `Database.isTypechecked`, FQLInterpreter.evalQuery):
 * the `x-typecheck` header when the client sends one, else the nearest `typechecked` flag from the database up to the
 * root, else the engine's default (true, as in the core).
 *
 * Fauna core sources:
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/doc/Database.scala (isTypechecked, foldAncestors)
 * - https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/FQLInterpreter.scala (evalQuery)
 */
import type { Database } from './context.ts';
import type { EngineState } from './engine-state.ts';

/** The database's own setting, else its ancestors', else the engine's default. */
export function isEnvTypechecked(state: EngineState, db: Database): boolean {
  const path = ancestry(state.root, db);
  for (let i = path.length - 1; i >= 0; i--) {
    const flag = path[i]!.definition.typechecked;
    if (flag !== null) return flag;
  }
  return state.options.typechecked ?? true;
}

/** The query's mode: the header overrides the database (core: `typecheck.fold(isEnvTypechecked(scope))(identity)`). */
export function queryTypechecked(state: EngineState, db: Database, header: boolean | undefined): boolean {
  return header ?? isEnvTypechecked(state, db);
}

/** Root … db, found by walking the tree (databases do not point to their parent). */
function ancestry(root: Database, db: Database): Database[] {
  if (root === db) return [root];
  for (const child of root.children.values()) {
    const below = ancestry(child, db);
    if (below.length > 0) return [root, ...below];
  }
  return [];
}
