/**
 * The database tree as authentication walks it: child databases by name below the root. Generic, so auth/ needs only
 * this shape and not the engine's Database.
 */

export interface DatabaseTree<T extends DatabaseTree<T>> {
  readonly children: ReadonlyMap<string, T>;
}

/** The database at `path` below `root` (names of child databases), or null. */
export function databaseAt<T extends DatabaseTree<T>>(root: T, path: readonly string[]): T | null {
  let db: T | undefined = root;
  for (const name of path) {
    db = db.children.get(name);
    if (!db) return null;
  }
  return db;
}

/** Every database below and including `root`, with its path, parents first. */
export function* allDatabases<T extends DatabaseTree<T>>(root: T, path: string[] = []): Generator<[T, string[]]> {
  yield [root, path];
  for (const [name, child] of root.children) yield* allDatabases(child, [...path, name]);
}
