/**
 * The names schema items may not take, and the problems the core reports for them, shared by the FSL and FQL paths.
 *
 * Collections and functions share FQL's global namespace, so their names (and aliases) may not be a keyword, a
 * reserved type name, or a name the environment already gives a module, type or global function
 * (CORE: [`schema/GlobalNamespaceValidator.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/schema/GlobalNamespaceValidator.scala)
 * `nameConflictsWithEnvironment`; the names: [`fql/shared/.../parser/Tokens.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/fql/shared/src/main/scala/parser/Tokens.scala),
 * [`runtime/fql2/stdlib/GlobalResolvers.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/runtime/fql2/stdlib/GlobalResolvers.scala);
 * the list the core's spec checks: [`FQL2NameValidationSpec.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/test/scala/fql2/FQL2NameValidationSpec.scala)).
 * Roles may not be called `admin` or `server` (CORE: `schema/Validators.scala` `RoleValidator`). Index names may not
 * be a collection's own members (CORE: `schema/CollectionValidators.scala` `isNameReservedInColl`).
 */

/** Keywords that can never be identifiers (CORE: Tokens.invalidIdents), plus `FQL` and `_` (Tokens.invalidVariables). */
const KEYWORDS = ['if', 'else', 'at', 'match', 'case', 'let', 'null', 'true', 'false', 'isa', 'join', 'on', 'of', 'FQL', '_'];
/** Tokens.reservedTypeNames. */
const RESERVED_TYPE_NAMES = ['Any', 'Never', 'struct', 'interface', 'type', 'function', 'collection'];
/** Modules, native collections and global functions of the environment (GlobalResolvers: modules, nativeColls, statics). */
const GLOBAL_NAMES = [
  'Array', 'Boolean', 'Bytes', 'Date', 'ID', 'Doc', 'Math', 'Null', 'Number', 'Int', 'Long', 'Double', 'Float',
  'Object', 'Set', 'SetCursor', 'EventSource', 'String', 'Struct', 'Time', 'TransactionTime', 'UUID', 'Query',
  'Collection', 'Function', 'Role', 'AccessProvider', 'Database', 'Key', 'Credential', 'Credentials', 'Token',
  'log', 'dbg', 'asc', 'desc', 'newId', 'abort',
];
/** Type names of the static environment that are not modules (GlobalResolvers.staticShapes, FQL2NameValidationSpec). */
const TYPE_NAMES = ['Ref', 'EmptyRef', 'NamedRef', 'EmptyNamedRef', 'Stream'];

const RESERVED_GLOBALS: ReadonlySet<string> = new Set([...KEYWORDS, ...RESERVED_TYPE_NAMES, ...GLOBAL_NAMES, ...TYPE_NAMES]);
const INVALID_IDENTIFIERS: ReadonlySet<string> = new Set(KEYWORDS.filter((k) => k !== 'FQL'));
const VALID_IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Built-in role names (CORE: Validators.RoleValidator). */
const RESERVED_ROLE_NAMES: ReadonlySet<string> = new Set(['admin', 'server']);
/** A collection's own members, which an index may not shadow (CORE: CollectionValidators; FQL2CollectionsSpec). */
export const RESERVED_COLLECTION_MEMBERS: ReadonlySet<string> = new Set([
  'byId', 'definition', 'createAll', 'createData', 'all', 'where', 'firstWhere', 'create',
]);

export const INVALID_IDENTIFIER = 'Invalid identifier.';

/** An identifier FQL can name: letters, digits and `_`, not starting with a digit, not a keyword, not `_`. */
export function isValidIdentifier(name: string): boolean {
  return VALID_IDENTIFIER.test(name) && !INVALID_IDENTIFIERS.has(name);
}

/** The core's message for a collection or function name (or alias), or null when it may be used. */
export function globalNameProblem(name: string): string | null {
  if (RESERVED_GLOBALS.has(name)) return `The identifier \`${name}\` is reserved.`;
  if (!isValidIdentifier(name)) return INVALID_IDENTIFIER;
  return null;
}

/** The core's message for a role name, or null. */
export function roleNameProblem(name: string): string | null {
  if (!isValidIdentifier(name)) return INVALID_IDENTIFIER;
  if (RESERVED_ROLE_NAMES.has(name)) return `The identifier \`${name}\` is reserved.`;
  return null;
}

/** The core's message for an index (or other collection member) name, or null. */
export function indexNameProblem(name: string): string | null {
  if (!isValidIdentifier(name)) return INVALID_IDENTIFIER;
  if (RESERVED_COLLECTION_MEMBERS.has(name)) return `The name '${name}' is reserved.`;
  return null;
}

/** Fields an index term, an index value or a unique constraint may not start with (CORE: IndexFieldValidator). */
const DISALLOWED_FIELDS: Record<'term' | 'value' | 'unique', Readonly<Record<string, string>>> = {
  term: {
    id: '`id` is not supported as an index term, use the native byId method to look up a document by its id.',
    coll: '`coll` is not supported as an index term.',
    ts: '`ts` may only be used as an index value, not as an index term.',
  },
  value: { coll: '`coll` is not supported as a specified index value.' },
  unique: {
    id: '`id` is not supported as a unique constraint value.',
    coll: '`coll` is not supported as a unique constraint value.',
    ts: '`ts` is not supported as a unique constraint value.',
  },
};

/** One segment of a written field path: an identifier, `[0]`, `["name"]` or `['name']`. */
const PATH_SEGMENT = /^(?:[a-zA-Z_][a-zA-Z0-9_]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\]|\['(?:[^'\\]|\\.)*'\])/;

/** A field path as FQL definitions write it (`a.b`, `.a.b`, `a[0]`, `["a b"]`) → its first segment, or null if invalid. */
export function firstPathSegment(text: string): string | null {
  let rest = text.startsWith('.') ? text.slice(1) : text;
  let first: string | null = null;
  let expectSegment = true;
  while (rest.length > 0) {
    if (!expectSegment) {
      if (rest.startsWith('.')) {
        rest = rest.slice(1);
        expectSegment = true;
        continue;
      }
      if (!rest.startsWith('[')) return null;
    }
    const match = PATH_SEGMENT.exec(rest);
    if (!match) return null;
    first ??= match[0].startsWith('[') ? match[0].slice(2, -2) : match[0];
    rest = rest.slice(match[0].length);
    expectSegment = false;
  }
  return expectSegment ? null : first;
}

/**
 * The core's message for a field written as an index term, an index value or a unique constraint field, or null
 * (CORE: [`schema/IndexFieldValidator.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/schema/IndexFieldValidator.scala);
 * FQL2CollectionsSpec "don't allow index terms on id, coll, or values on coll", "… paths to be empty", "… valid
 * identifiers", "don't allow index terms on ts").
 */
export function indexFieldProblem(text: string, role: 'term' | 'value' | 'unique'): string | null {
  if (text === '') return 'Value cannot be empty.';
  const first = firstPathSegment(text);
  if (first === null) return `Value \`${text}\` is not a valid FQL path expression.`;
  return DISALLOWED_FIELDS[role][first] ?? null;
}

/** The same for a path FSL already parsed into segments. */
export function indexPathProblem(path: readonly string[], role: 'term' | 'value' | 'unique'): string | null {
  return path.length === 0 ? null : (DISALLOWED_FIELDS[role][path[0]!] ?? null);
}

/** The types a collection name or alias defines: the document type, the collection type, the null document type. */
export function derivedTypeNames(name: string): string[] {
  return [name, `${name}Collection`, `Null${name}`];
}

/**
 * The first collection of a schema whose derived types meet another's, in the core's words, or null
 * (CORE: [`schema/CollectionDerivedTypeValidator.scala`](https://github.com/fauna/faunadb/blob/HEAD/ext/model/src/main/scala/schema/CollectionDerivedTypeValidator.scala)).
 */
export function derivedTypeConflict(collections: readonly { name: string; alias: string | null }[]): string | null {
  const counts = new Map<string, number>();
  for (const coll of collections) for (const n of [coll.name, coll.alias]) if (n !== null) for (const t of derivedTypeNames(n)) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const coll of collections) {
    for (const [field, n] of [['name', coll.name], ['alias', coll.alias]] as const) {
      if (n === null) continue;
      const conflicts = derivedTypeNames(n).filter((t) => (counts.get(t) ?? 0) > 1);
      if (conflicts.length > 0) return `The collection ${field} \`${n}\` generates types that conflict with the following existing types: ${conflicts.join(', ')}`;
    }
  }
  return null;
}

/**
 * The first name or alias a schema gives twice across its collections and functions, in the core's words
 * ("A Collection already exists with the name `X`"), or null (CORE: GlobalNamespaceValidator, which a push meets
 * as the FQL writes do).
 */
export function namespaceConflict(items: { collections: readonly { name: string; alias: string | null }[]; functions: readonly { name: string; alias: string | null }[] }): string | null {
  const seen = new Map<string, string>();
  const entries: [string, string, 'name' | 'alias'][] = [];
  for (const c of items.collections) entries.push(['Collection', c.name, 'name']);
  for (const c of items.collections) if (c.alias !== null) entries.push(['Collection', c.alias, 'alias']);
  for (const f of items.functions) entries.push(['Function', f.name, 'name']);
  for (const f of items.functions) if (f.alias !== null) entries.push(['Function', f.alias, 'alias']);
  for (const [kind, name, field] of entries) {
    const first = seen.get(name);
    if (first !== undefined) return `${first} \`${name}\``;
    seen.set(name, `A ${kind} already exists with the ${field}`);
  }
  return null;
}
