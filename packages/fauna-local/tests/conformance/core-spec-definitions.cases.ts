/**
 * Cases restated from Fauna's core specs (https://github.com/fauna/faunadb) about definitions, documents, deleted
 * documents, indexes and query stats: a query (after setup queries that must succeed) → the data or the error (code,
 * message, constraint failures) or the stats the core's spec expects. Each case names the spec file and the test it
 * restates. Run by core-spec-definitions.test.ts, each case in a fresh child database.
 *
 * Cases the local Fauna cannot support yet are left out and listed in docs/local-fauna.md ("Definitions, documents and
 * stats"), never skipped.
 */

export const SPEC = {
  errorRendering: 'ext/api/src/test/scala/fql2/FQL2ErrorRenderingSpec.scala',
  collectionsApi: 'ext/api/src/test/scala/fql2/FQL2CollectionsSpec.scala',
  functionsApi: 'ext/api/src/test/scala/fql2/FQL2UserFunctionSpec.scala',
  metricsApi: 'ext/api/src/test/scala/fql2/FQL2MetricsSpec.scala',
  names: 'ext/model/src/test/scala/fql2/FQL2NameValidationSpec.scala',
  typeEnv: 'ext/model/src/test/scala/fql2/FQL2TypeEnvValidationSpec.scala',
  docs: 'ext/model/src/test/scala/fql2/FQL2DocsSpec.scala',
} as const;

export interface ExpectedFailure {
  code: string;
  message?: string;
  /** Part of the message, where the core's message also renders the query's source (which this corpus leaves out). */
  messageIncludes?: string;
  /** Lines of the `summary` the spec expects (its error and constraint failure lines; the source excerpt is not checked). */
  summaryIncludes?: string;
  /** The constraint failures' messages alone, where the spec checks only those (FQL2NameValidationSpec). */
  failureMessages?: string[];
  constraint_failures?: { paths: (string | number)[][]; message: string }[];
}

export interface CoreSpecCase {
  /** The spec file (a key of SPEC) and the test it restates, as the spec names it. */
  spec: keyof typeof SPEC;
  test: string;
  /** What this case checks, when the spec's test checks several things. */
  what?: string;
  /** Queries run first, in order; each must succeed. */
  setup?: string[];
  query: string;
  /** `x-typecheck`: false where the spec turns type checking off (or expects the runtime check, not the typer's). */
  typecheck?: boolean;
  expect: { data: unknown } | { error: ExpectedFailure } | { stats: Record<string, number> } | { dataAndStats: [unknown, Record<string, number>] };
}

const reserved = (name: string) => `The identifier \`${name}\` is reserved.`;
const nameFailure = (message: string) => [{ paths: [['name']], message }];

// ---------------------------------------------------------------------------------------------------------------
// FQL2NameValidationSpec: names of collections, functions and roles
// ---------------------------------------------------------------------------------------------------------------

/** The spec's reservedNames: globalModules ++ Tokens.invalidVariables ++ reservedTypes (duplicates once). */
const RESERVED_NAMES = [...new Set([
  'Database', 'FQL', 'Collection', 'AccessProvider', 'Function', 'Role', 'Number', 'Int', 'Long', 'Boolean', 'Bytes',
  'String', 'Time', 'Date', 'UUID', 'Array', 'Struct', 'Doc', 'Set', 'Null', 'asc', 'desc', 'log', 'dbg', 'newId',
  'if', 'else', 'at', 'match', 'case', 'let', 'null', 'true', 'false', 'isa', 'join', 'on', 'of', '_',
  'ID', 'Double', 'interface', 'function', 'Any', 'Never', 'type', 'collection', 'Float',
])];
const VALID_NAMES = ['hello', 'FooBar', 'foo_bar', 'admin', 'server'];
const INVALID_NAMES = ['', 'foo-bar', 'hello world', '$foo', 'foo.bar', '😍'];

const nameCases: CoreSpecCase[] = [
  ...RESERVED_NAMES.map((name): CoreSpecCase => ({
    spec: 'names', test: 'collections', what: `reserved name ${name}`,
    query: `Collection.create({ name: ${JSON.stringify(name)} })`,
    expect: { error: { code: 'constraint_failure', message: 'Failed to create Collection.', constraint_failures: nameFailure(reserved(name)) } },
  })),
  ...VALID_NAMES.map((name): CoreSpecCase => ({
    spec: 'names', test: 'collections', what: `valid name ${name}`,
    query: `Collection.create({ name: ${JSON.stringify(name)} }).name`,
    expect: { data: name },
  })),
  ...INVALID_NAMES.map((name): CoreSpecCase => ({
    spec: 'names', test: 'collections', what: `invalid name ${JSON.stringify(name)}`,
    query: `Collection.create({ name: ${JSON.stringify(name)} })`,
    expect: { error: { code: 'constraint_failure', message: 'Failed to create Collection.', constraint_failures: nameFailure('Invalid identifier.') } },
  })),
  ...['Set', 'Time', 'FQL', 'if', 'Any', 'log'].map((name): CoreSpecCase => ({
    spec: 'names', test: "can't create a udf conflicting with a top level fauna provided module", what: name,
    query: `Function.create({ name: ${JSON.stringify(name)}, body: 'x => x' })`,
    expect: { error: { code: 'constraint_failure', message: 'Failed to create Function.', constraint_failures: nameFailure(reserved(name)) } },
  })),
  ...['hello', 'FooBar', 'foo_bar'].map((name): CoreSpecCase => ({
    spec: 'names', test: 'functions', what: `valid name ${name}`,
    query: `Function.create({ name: ${JSON.stringify(name)}, body: 'x => x' }).name`,
    expect: { data: name },
  })),
  ...['foo-bar', 'hello world'].map((name): CoreSpecCase => ({
    spec: 'names', test: 'functions', what: `invalid name ${JSON.stringify(name)}`,
    query: `Function.create({ name: ${JSON.stringify(name)}, body: 'x => x' })`,
    expect: { error: { code: 'constraint_failure', message: 'Failed to create Function.', constraint_failures: nameFailure('Invalid identifier.') } },
  })),
  ...['admin', 'server'].map((name): CoreSpecCase => ({
    spec: 'names', test: 'roles', what: `reserved role name ${name}`,
    query: `Role.create({ name: ${JSON.stringify(name)} })`,
    expect: { error: { code: 'constraint_failure', message: 'Failed to create Role.', constraint_failures: nameFailure(reserved(name)) } },
  })),
  ...['foo-bar', '$foo'].map((name): CoreSpecCase => ({
    spec: 'names', test: 'roles', what: `invalid role name ${JSON.stringify(name)}`,
    query: `Role.create({ name: ${JSON.stringify(name)} })`,
    expect: { error: { code: 'constraint_failure', message: 'Failed to create Role.', constraint_failures: nameFailure('Invalid identifier.') } },
  })),
  ...['hello', 'FooBar'].map((name): CoreSpecCase => ({
    spec: 'names', test: 'roles', what: `valid role name ${name}`,
    query: `Role.create({ name: ${JSON.stringify(name)} }).name`,
    expect: { data: name },
  })),
  {
    spec: 'names', test: "can't update a collection name to conflict with a top level fauna provided module",
    setup: ['Collection.create({ name: "testColl" })'],
    query: 'testColl.definition.update({ name: "Set" })',
    expect: { error: { code: 'constraint_failure', message: 'Failed to update Collection `testColl`.', constraint_failures: nameFailure(reserved('Set')) } },
  },
  {
    spec: 'names', test: 'two collections with the same name can\'t be created in the same query',
    query: 'Collection.create({ name: "Hello" })\nCollection.create({ name: "Hello" })',
    expect: { error: { code: 'constraint_failure', constraint_failures: nameFailure('A Collection already exists with the name `Hello`') } },
  },
  {
    spec: 'names', test: "can't create a collection with the same name as an existing collection name",
    setup: ['Collection.create({ name: "TestColl" })'],
    query: 'Collection.create({ name: "TestColl" })',
    expect: { error: { code: 'constraint_failure', constraint_failures: nameFailure('A Collection already exists with the name `TestColl`') } },
  },
  {
    spec: 'names', test: "can't create a UDF with the same name as an existing Collection name",
    setup: ['Collection.create({ name: "Hello" })'],
    query: "Function.create({ name: \"Hello\", body: 'x => x' })",
    expect: { error: { code: 'constraint_failure', constraint_failures: nameFailure('A Collection already exists with the name `Hello`') } },
  },
  {
    spec: 'names', test: 'conflicting UDF name can not be created in same query as Collection name',
    query: 'Collection.create({ name: "Hello" })\nFunction.create({ name: "Hello", body: \'(x) => "Hello #{x}"\' })',
    expect: { error: { code: 'constraint_failure', constraint_failures: nameFailure('A Collection already exists with the name `Hello`') } },
  },
  {
    spec: 'names', test: "can't update a collection name to conflict with an existing collection name",
    setup: ['Collection.create({ name: "TestColl" })', 'Collection.create({ name: "TestColl2" })'],
    query: 'TestColl2.definition.update({ name: "TestColl" })',
    expect: { error: { code: 'constraint_failure', constraint_failures: nameFailure('A Collection already exists with the name `TestColl`') } },
  },
  {
    spec: 'names', test: 'two UDFs with the same name can not be created in the same query',
    query: "Function.create({ name: \"Hello\", body: 'x => x' })\nFunction.create({ name: \"Hello\", body: 'x => x' })",
    expect: { error: { code: 'constraint_failure', constraint_failures: nameFailure('A Function already exists with the name `Hello`') } },
  },
  {
    spec: 'names', test: "can't update a collection name to conflict with existing udf name",
    setup: ["Function.create({ name: \"Hello\", body: 'x => x' })", 'Collection.create({ name: "TestColl" })'],
    query: 'TestColl.definition.update({ name: "Hello" })',
    expect: { error: { code: 'constraint_failure', constraint_failures: nameFailure('A Function already exists with the name `Hello`') } },
  },
  {
    spec: 'names', test: 'can not update collection name to conflict with a UDF name created in the same query',
    setup: ['Collection.create({ name: "TestColl" })'],
    query: "Function.create({ name: \"Hello\", body: 'x => x' })\nTestColl.definition.update({ name: \"Hello\" })",
    expect: { error: { code: 'constraint_failure', constraint_failures: nameFailure('A Function already exists with the name `Hello`') } },
  },
  ...aliasCases(),
  ...typeEnvironmentCases(),
];

function conflict(test: string, setup: string[], query: string, message: string): CoreSpecCase {
  return { spec: 'names', test, setup, query, expect: { error: { code: 'constraint_failure', failureMessages: [message] } } };
}

/** FQL2NameValidationSpec, "existing collection alias conflicts" and "existing udf … conflicts". */
function aliasCases(): CoreSpecCase[] {
  const withAlias = (alias: string) => `Collection.create({ name: "Aliased", alias: "${alias}" })`;
  const udf = (name: string, alias?: string) => `Function.create({ name: "${name}",${alias === undefined ? '' : ` alias: "${alias}",`} body: 'x => x' })`;
  return [
    conflict("can't create a collection with the same alias as an existing collection name", ['Collection.create({ name: "TestColl" })'],
      'Collection.create({ name: "KnowName", alias: "TestColl" })', 'A Collection already exists with the name `TestColl`'),
    conflict("can't create a UDF with the same alias as an existing Collection name", ['Collection.create({ name: "Hello" })'],
      udf('NewFunc', 'Hello'), 'A Collection already exists with the name `Hello`'),
    conflict("can't create a collection with the same name as an existing collection alias", [withAlias('TestColl')],
      'Collection.create({ name: "TestColl" })', 'A Collection already exists with the alias `TestColl`'),
    conflict("can't create a collection with the same alias as an existing collection alias", [withAlias('TestAlias')],
      'Collection.create({ name: "TestColl", alias: "TestAlias" })', 'A Collection already exists with the alias `TestAlias`'),
    conflict("can't create a UDF with an alias that matches an existing collection alias", [withAlias('TestAlias')],
      udf('NoName', 'TestAlias'), 'A Collection already exists with the alias `TestAlias`'),
    conflict("can't create a collection with the same name as an existing collection alias in the same query", [],
      'Collection.create({ name: "KnowName", alias: "AliasName" })\nCollection.create({ name: "AliasName" })', 'A Collection already exists with the alias `AliasName`'),
    conflict("can't update a collection name to conflict with an existing collection alias", [withAlias('TestColl'), 'Collection.create({ name: "TestColl2" })'],
      'TestColl2.definition.update({ alias: "TestColl" })', 'A Collection already exists with the alias `TestColl`'),
    conflict("can't create a collection with the same name as an existing udf name", [udf('Hello')],
      'Collection.create({ name: "Hello" })', 'A Function already exists with the name `Hello`'),
    conflict("can't create a UDF with the same alias as an existing udf name", [udf('Hello')],
      udf('KnowName', 'Hello'), 'A Function already exists with the name `Hello`'),
    conflict("can't create a collection with the same alias as an existing udf name", [udf('Hello')],
      'Collection.create({ name: "KnowName", alias: "Hello" })', 'A Function already exists with the name `Hello`'),
    conflict("can't create a collection with the same name as an existing udf alias", [udf('TestFunc', 'TestAlias')],
      'Collection.create({ name: "TestAlias" })', 'A Function already exists with the alias `TestAlias`'),
    conflict("can't create a UDF with the same name as an existing UDF alias", [udf('TestFunc', 'TestAlias')],
      udf('TestAlias'), 'A Function already exists with the alias `TestAlias`'),
  ];
}

/** FQL2NameValidationSpec "type environment" and FQL2TypeEnvValidationSpec: types a collection derives. */
function typeEnvironmentCases(): CoreSpecCase[] {
  const refused = (field: 'name' | 'alias', value: string, types: string) =>
    ({ error: { code: 'invalid_schema', messageIncludes: `Invalid database schema update.\n    error: The collection ${field} \`${value}\` generates types that conflict with the following existing types: ${types}` } });
  const existingAuthor = ['Collection.create({name: "Author"})', 'Collection.create({name: "TestColl", alias: "Author"})'];
  const existingAuthorCollection = ['Collection.create({name: "AuthorCollection"})', 'Collection.create({name: "TestColl", alias: "AuthorCollection"})'];
  return [
    ...existingAuthor.flatMap((existing): CoreSpecCase[] => [
      { spec: 'names', test: 'disallows creating of collections that cause type name conflicts with derived types of existing collection', what: `${existing} → name`,
        setup: [existing], query: 'Collection.create({name: "AuthorCollection"})', expect: refused('name', 'AuthorCollection', 'AuthorCollection') },
      { spec: 'names', test: 'disallows creating of collections that cause type name conflicts with derived types of existing collection', what: `${existing} → alias`,
        setup: [existing], query: 'Collection.create({name: "TestColl2", alias: "AuthorCollection"})', expect: refused('alias', 'AuthorCollection', 'AuthorCollection') },
    ]),
    ...existingAuthorCollection.flatMap((existing): CoreSpecCase[] => [
      { spec: 'names', test: 'disallows conflicts with derived types of a new collection', what: `${existing} → name`,
        setup: [existing], query: 'Collection.create({name: "Author"})', expect: refused('name', 'Author', 'AuthorCollection') },
      { spec: 'names', test: 'disallows conflicts with derived types of a new collection', what: `${existing} → alias`,
        setup: [existing], query: 'Collection.create({name: "TestColl2", alias: "Author"})', expect: refused('alias', 'Author', 'AuthorCollection') },
    ]),
    { spec: 'names', test: 'existing collections can not be updated to conflict with the type environment',
      setup: ['Collection.create({name: "Author"})', 'Collection.create({name: "TestColl2"})'],
      query: 'TestColl2.definition.update({name: "AuthorCollection"})', expect: refused('name', 'AuthorCollection', 'AuthorCollection') },
    { spec: 'typeEnv', test: 'always checks for type env name conflicts (typechecked=$typechecked)',
      setup: ["Collection.create({ name: 'Foo' })"], query: "Collection.create({ name: 'NullFoo' })", expect: refused('name', 'NullFoo', 'NullFoo') },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// FQL2CollectionsSpec: collection definitions and indexes
// ---------------------------------------------------------------------------------------------------------------

const createFailure = (failures: { paths: (string | number)[][]; message: string }[]): { error: ExpectedFailure } => ({
  error: { code: 'constraint_failure', message: 'Failed to create Collection.', constraint_failures: failures },
});
/** The same expectation, with the summary lines the spec's test expects too. */
function withSummary(expected: { error: ExpectedFailure }, summaryIncludes: string): { error: ExpectedFailure } {
  return { error: { ...expected.error, summaryIncludes } };
}
const personIndex = (index: string) => `Collection.create({ name: "Person", indexes: { ${index} } })`;
const PERSONS = [
  'Person.create({ name: "bob", age: 40 })', 'Person.create({ name: "bob", age: 20 })',
  'Person.create({ name: "alice", age: 21 })', 'Person.create({ name: "alice", age: 41 })',
  'Person.create({ name: "mark", age: 22 })', 'Person.create({ name: "mark", age: 42 })',
].join('\n');

const collectionCases: CoreSpecCase[] = [
  {
    spec: 'collectionsApi', test: 'create collection schema',
    query: 'Collection.create({ name: "Book" })\nBook.create({ title: "The Hitchhiker\'s Guide to the Galaxy" }) { title, coll: .coll.definition.name }',
    // `Book` is created by this very query, so a type-checked query cannot name it: the spec runs without type checking.
    typecheck: false,
    expect: { data: { title: "The Hitchhiker's Guide to the Galaxy", coll: 'Book' } },
  },
  {
    spec: 'collectionsApi', test: 'collection reserved name error',
    query: 'Collection.create({name: "Collection"})',
    expect: withSummary(createFailure(nameFailure(reserved('Collection'))), 'error: Failed to create Collection.\nconstraint failures:\n  name: The identifier `Collection` is reserved.'),
  },
  {
    spec: 'collectionsApi', test: 'accepts an optional `data` field for arbitrary metadata object',
    query: 'Collection.create({\n  name: "Thing",\n  data: { foo: "bar" }\n}) { name, data }',
    expect: { data: { name: 'Thing', data: { foo: 'bar' } } },
  },
  {
    spec: 'collectionsApi', test: 'accepts an optional `data` field for arbitrary metadata object', what: 'read back by name',
    setup: ['Collection.create({ name: "Thing", data: { foo: "bar" } })'],
    query: 'Collection.byName("Thing")!.data',
    expect: { data: { foo: 'bar' } },
  },
  {
    spec: 'collectionsApi', test: 'accepts and correctly renders indexes field',
    setup: ['Collection.create({ name: "Coll" })'],
    query: 'Coll.definition.update({indexes: {\n  termAndValue: {\n    terms: [{ field: "name" }],\n    values: [{ field: "_ref" }],\n  },\n  termless: {\n    values: [{ field: "_ref" }],\n  },\n  valueless: {\n    terms: [{ field: "name" }],\n  },\n  mvaIdx: {\n    terms: [{ field: "arr", mva: false }]\n  }\n}}).indexes { termAndValue { terms, values }, termless { terms, values }, valueless { terms, values }, mvaIdx { terms, values } }',
    expect: { data: {
      termAndValue: { terms: [{ field: 'name' }], values: [{ field: '_ref' }] },
      termless: { terms: null, values: [{ field: '_ref' }] },
      valueless: { terms: [{ field: 'name' }], values: null },
      mvaIdx: { terms: [{ field: 'arr', mva: false }], values: null },
    } },
  },
  {
    spec: 'collectionsApi', test: "can't select backingIndexes off of collection schema document",
    setup: ['Collection.create({ name: "Coll" })'], typecheck: false,
    query: 'Coll.definition.update({indexes: {\n  termAndValue: {\n    terms: [{ field: "name" }],\n    values: [{ field: "_ref" }],\n  }\n}}).backingIndexes',
    expect: { data: null },
  },
  {
    spec: 'collectionsApi', test: 'unique constraints can be provided and are returned back', what: 'the simple format',
    query: 'Collection.create({\n  name: "Book",\n  constraints: [\n    { unique: ["name"] }\n  ]\n}).constraints',
    expect: { data: [{ unique: ['name'], status: 'active' }] },
  },
  {
    spec: 'collectionsApi', test: 'unique constraints can be provided and are returned back', what: 'the simple format when possible',
    setup: ['Collection.create({ name: "Book", constraints: [{ unique: ["name"] }] })'],
    query: 'Book.definition.update({\n  constraints: [\n    { unique: ["name"] },\n    { unique: [{ field: "name" }, { field: "address.city" }] },\n    { unique: [{ field: "edition", mva: false }] }\n  ]\n}).constraints',
    expect: { data: [
      { unique: ['name'], status: 'active' },
      { unique: ['name', 'address.city'], status: 'active' },
      { unique: [{ field: 'edition', mva: false }], status: 'active' },
    ] },
  },
  {
    spec: 'collectionsApi', test: 'unique constraints can be provided and are returned back', what: 'both constraints fail',
    setup: ['Collection.create({ name: "Book", constraints: [{ unique: ["name"] }, { unique: [{ field: "name" }, { field: "address.city" }] }] })'],
    query: 'Book.create({\n  name: "TestBook",\n  address: { city: "Ohio" }\n})\nBook.create({\n  name: "TestBook",\n  address: { city: "Ohio" }\n})',
    expect: { error: { code: 'constraint_failure', message: 'Failed unique constraint.', constraint_failures: [
      { paths: [['name']], message: 'Failed unique constraint' },
      { paths: [['name'], ['address', 'city']], message: 'Failed unique constraint' },
    ], summaryIncludes: 'error: Failed unique constraint.\nconstraint failures:\n  name: Failed unique constraint\n  name,address.city: Failed unique constraint' } },
  },
  {
    spec: 'collectionsApi', test: 'only accepts objects for `data` field',
    query: 'Collection.create({\n  name: "Thing",\n  data: "foobar"\n})', typecheck: false,
    expect: createFailure([{ paths: [['data']], message: 'Expected { *: Any } | Null, provided String' }]),
  },
  {
    spec: 'collectionsApi', test: "don't accept invalid fields",
    setup: ['Collection.create({ name: "Coll" })'],
    query: 'Coll.definition.update({meta: "metadata"})',
    expect: { error: { code: 'constraint_failure', message: 'Failed to update Collection `Coll`.', constraint_failures: [{ paths: [['meta']], message: 'Unexpected field provided' }] } },
  },
  {
    spec: 'collectionsApi', test: "don't accept invalid shape",
    setup: ['Collection.create({ name: "Coll" })'],
    query: 'Coll.definition.update({indexes: {\n  no_terms_and_values: {\n    unique: true\n  },\n  empty_shape: {\n  }\n}})',
    expect: { error: { code: 'constraint_failure', message: 'Failed to update Collection `Coll`.', constraint_failures: [
      { paths: [['indexes', 'no_terms_and_values', 'unique']], message: 'Unexpected field provided' },
      { paths: [['indexes', 'no_terms_and_values']], message: 'Union requires fields [terms], [values], or [terms, values]' },
      { paths: [['indexes', 'empty_shape']], message: 'Union requires fields [terms], [values], or [terms, values]' },
    ] } },
  },
  {
    spec: 'collectionsApi', test: 'fails if non asc/desc value is passed for order',
    setup: ['Collection.create({ name: "Coll" })'],
    query: 'Coll.definition.update({indexes: {\n  invalid_order: {\n    terms: [{ field: "name" }],\n    values: [ { field: "age", order: "ascc" } ]\n  }\n}})', typecheck: false,
    expect: { error: { code: 'constraint_failure' } },
  },
  {
    spec: 'collectionsApi', test: 'get collections by name', what: 'a missing collection',
    query: 'Collection("Book")',
    expect: { error: { code: 'invalid_argument', message: 'invalid argument `collection`: No such user collection `Book`.' } },
  },
  {
    spec: 'collectionsApi', test: 'get collections by name', what: 'by a computed name',
    setup: ['Collection.create({ name: "Book" })'],
    query: 'let name = "Book"\nCollection(name).create({ title: "Moby Dick" }).title',
    expect: { data: 'Moby Dick' },
  },
  {
    spec: 'collectionsApi', test: 'get collections by name', what: 'not a system collection',
    query: 'Collection("Collection")',
    expect: { error: { code: 'invalid_argument', message: 'invalid argument `collection`: No such user collection `Collection`.' } },
  },
  {
    spec: 'collectionsApi', test: 'list all collections',
    setup: ['Collection.create({ name: "C0" })', 'Collection.create({ name: "C1" })', 'Collection.create({ name: "C2" })'],
    query: 'Collection.all().take(5).toArray().map(.name)',
    expect: { data: ['C0', 'C1', 'C2'] },
  },
  {
    spec: 'collectionsApi', test: 'update collection schema',
    setup: ['Collection.create({ name: "Writers" })'],
    query: 'Writers.definition.update({name: "Authors", history_days: 10}) { name, history_days }',
    expect: { data: { name: 'Authors', history_days: 10 } },
  },
  {
    spec: 'collectionsApi', test: 'indexes become methods on Collections',
    setup: [personIndex('byName: { terms: [{ field: "name" }] }'), PERSONS],
    query: 'Person.byName("bob").toArray().map(.age)',
    expect: { data: [40, 20] },
  },
  {
    spec: 'collectionsApi', test: 'misspelling an index call on a collection returns invalid_function_invocation',
    setup: [personIndex('byName: { terms: [{ field: "name" }] }')],
    query: 'Person.byyName("bob")', typecheck: false,
    expect: { error: { code: 'invalid_function_invocation' } },
  },
  {
    spec: 'collectionsApi', test: 'indexes sorted by single value',
    setup: [personIndex('byNameOrderedByAge: { terms: [{ field: "name" }], values: [{ field: "age" }] }'), PERSONS],
    query: 'Person.byNameOrderedByAge("bob").toArray().map(.age)',
    expect: { data: [20, 40] },
  },
  {
    spec: 'collectionsApi', test: 'indexes ordered by multiple values',
    setup: [personIndex('allOrderedByNameAndAge: { values: [{ field: "name" }, { field: "age" }] }'), PERSONS],
    query: 'Person.allOrderedByNameAndAge().toArray().map(p => "#{p.name} #{p.age}")',
    expect: { data: ['alice 21', 'alice 41', 'bob 20', 'bob 40', 'mark 22', 'mark 42'] },
  },
  {
    spec: 'collectionsApi', test: 'index sorts based on passed in order',
    setup: [personIndex('allOrderedByNameAndAge: { values: [{ field: "name", order: "asc" }, { field: "age", order: "desc" }] }'), PERSONS],
    query: 'Person.allOrderedByNameAndAge().toArray().map(p => "#{p.name} #{p.age}")',
    expect: { data: ['alice 41', 'alice 21', 'bob 40', 'bob 20', 'mark 42', 'mark 22'] },
  },
  {
    spec: 'collectionsApi', test: 'index terms support nested fields',
    setup: [personIndex('byCity: { terms: [{ field: "address.city" }] }'), 'Person.create({name: "bob", address: {city: "Seattle"}})'],
    query: 'Person.byCity("Seattle").first() { name, city: .address.city }',
    expect: { data: { name: 'bob', city: 'Seattle' } },
  },
  {
    spec: 'collectionsApi', test: 'index paths allow fqlx expressions',
    setup: ['Collection.create({ name: "A", indexes: { test: { terms: [{ field: "a.b" }] } } })'],
    query: 'A.definition.update({ indexes: { test: { terms: [{ field: "a[0]" }] } } }).name',
    expect: { data: 'A' },
  },
  {
    spec: 'collectionsApi', test: 'index values support ordering on nested fields',
    setup: [personIndex('byCity: { values: [{ field: "address.city", order: "desc" }] }'),
      'Person.create({name: "aname", address: {city: "Ann Arbor"}})\nPerson.create({name: "bname", address: {city: "Seattle"}})\nPerson.create({name: "cname", address: {city: "Chicago"}})'],
    query: 'Person.byCity().toArray().map(.name)',
    expect: { data: ['bname', 'cname', 'aname'] },
  },
  {
    spec: 'collectionsApi', test: 'indexes on documents',
    setup: ['Collection.create({ name: "Person" })\nCollection.create({ name: "Orders", indexes: { byCustomer: { terms: [{ field: "customer" }] } } })',
      'let customer = Person.create({ id: "1", name: "bob" })\nOrders.create({ date: "06/23/22", customer: customer })'],
    query: 'Orders.byCustomer(Person.byId("1")).first()!.date',
    expect: { data: '06/23/22' },
  },
  {
    spec: 'collectionsApi', test: 'index on multiple terms',
    setup: [personIndex('byNameAndAge: { terms: [{ field: "name" }, { field: "age" }] }'), PERSONS],
    query: 'Person.byNameAndAge("alice", 41).toArray().map(.age)',
    expect: { data: [41] },
  },
  {
    spec: 'collectionsApi', test: "don't allow index terms on id, coll, or values on coll", what: 'coll as a term',
    query: personIndex('byColl: { terms: [{ field: "coll" }] }'),
    expect: withSummary(createFailure([{ paths: [['indexes', 'byColl', 'terms', 0, 'field']], message: '`coll` is not supported as an index term.' }]),
      'constraint failures:\n  indexes.byColl.terms[0].field: `coll` is not supported as an index term.'),
  },
  {
    spec: 'collectionsApi', test: "don't allow index terms on id, coll, or values on coll", what: 'coll as a value',
    query: personIndex('byColl: { values: [{ field: "coll" }] }'),
    expect: createFailure([{ paths: [['indexes', 'byColl', 'values', 0, 'field']], message: '`coll` is not supported as a specified index value.' }]),
  },
  {
    spec: 'collectionsApi', test: "don't allow index terms on id, coll, or values on coll", what: 'id as a term',
    query: personIndex('byIdIdx: { terms: [{ field: "id" }] }'),
    expect: createFailure([{ paths: [['indexes', 'byIdIdx', 'terms', 0, 'field']], message: '`id` is not supported as an index term, use the native byId method to look up a document by its id.' }]),
  },
  {
    spec: 'collectionsApi', test: "don't allow index term or value paths to be empty", what: 'an empty term',
    query: personIndex('foo: { terms: [{ field: "" }] }'),
    expect: createFailure([{ paths: [['indexes', 'foo', 'terms', 0, 'field']], message: 'Value cannot be empty.' }]),
  },
  {
    spec: 'collectionsApi', test: "don't allow index term or value paths to be empty", what: 'an empty value',
    query: personIndex('foo: { values: [{ field: "" }] }'),
    expect: createFailure([{ paths: [['indexes', 'foo', 'values', 0, 'field']], message: 'Value cannot be empty.' }]),
  },
  {
    spec: 'collectionsApi', test: 'index term and value paths must be valid identifiers', what: 'dotted paths are accepted',
    query: 'Collection.create({ name: "Animal", indexes: { foo: { terms: [{ field: "a.b.c" }], values: [{ field: ".a.b.c" }] } } }).name',
    expect: { data: 'Animal' },
  },
  {
    spec: 'collectionsApi', test: 'index term and value paths must be valid identifiers', what: 'misplaced dots',
    query: 'Collection.create({ name: "Vegetable", indexes: { foo: { terms: [{ field: "..a.b" }, { field: "a..b" }, { field: "a.b." }] } } })',
    expect: createFailure([
      { paths: [['indexes', 'foo', 'terms', 0, 'field']], message: 'Value `..a.b` is not a valid FQL path expression.' },
      { paths: [['indexes', 'foo', 'terms', 1, 'field']], message: 'Value `a..b` is not a valid FQL path expression.' },
      { paths: [['indexes', 'foo', 'terms', 2, 'field']], message: 'Value `a.b.` is not a valid FQL path expression.' },
    ]),
  },
  {
    spec: 'collectionsApi', test: 'index term and value paths must be valid identifiers', what: 'characters that are not identifiers',
    query: 'Collection.create({ name: "Mineral", indexes: { foo: { values: [{ field: "a b.c" }, { field: "#a.b" }] } } })',
    expect: createFailure([
      { paths: [['indexes', 'foo', 'values', 0, 'field']], message: 'Value `a b.c` is not a valid FQL path expression.' },
      { paths: [['indexes', 'foo', 'values', 1, 'field']], message: 'Value `#a.b` is not a valid FQL path expression.' },
    ]),
  },
  {
    spec: 'collectionsApi', test: "don't allow index terms on ts",
    query: personIndex('byTs: { terms: [{ field: "ts" }] }'),
    expect: withSummary(createFailure([{ paths: [['indexes', 'byTs', 'terms', 0, 'field']], message: '`ts` may only be used as an index value, not as an index term.' }]),
      'constraint failures:\n  indexes.byTs.terms[0].field: `ts` may only be used as an index value, not as an index term.'),
  },
  ...['byId', 'definition', 'createAll', 'createData', 'all', 'where', 'firstWhere', 'create'].map((name): CoreSpecCase => ({
    spec: 'collectionsApi', test: "don't accept index names that conflict with provided collection functions", what: name,
    query: personIndex(`${name}: { terms: [{ field: "name" }, { field: "age" }] }`),
    expect: createFailure([{ paths: [['indexes']], message: `The name '${name}' is reserved.` }]),
  })),
  {
    spec: 'collectionsApi', test: "don't accept empty index names",
    query: personIndex('"": { terms: [{ field: "name" }, { field: "age" }] }'),
    expect: createFailure([{ paths: [['indexes']], message: 'Invalid identifier.' }]),
  },
  {
    spec: 'collectionsApi', test: "don't accept index names with .'s",
    query: personIndex('"by.name": { terms: [{ field: "name" }, { field: "age" }] }'),
    expect: createFailure([{ paths: [['indexes']], message: 'Invalid identifier.' }]),
  },
  ...([
    ['Foo.create({ mva_on: 0 })', false], ['Foo.create({ mva_on: 1 })', false], ['Foo.create({ mva_on: [1, 0] })', false],
    ['Foo.create({ mva_on: [0, 1] })', false], ['Foo.create({ mva_off: 0 })', true], ['Foo.create({ mva_off: 1 })', true],
    ['Foo.create({ mva_off: [1, 0] })', true], ['Foo.create({ mva_off: [0, 1] })', false],
  ] as const).map(([query, accepted]): CoreSpecCase => ({
    spec: 'collectionsApi', test: 'unique constraint work with the MVA option', what: query,
    setup: ['Collection.create({ name: "Foo", constraints: [{ unique: [{ field: "mva_on", mva: true }] }, { unique: [{ field: "mva_off", mva: false }] }] })',
      'Foo.create({ mva_on: [0, 1], mva_off: [0, 1] })'],
    query: `${query} != null`,
    expect: accepted ? { data: true } : { error: { code: 'constraint_failure', message: 'Failed unique constraint.' } },
  })),
  {
    spec: 'collectionsApi', test: 'index invoked with incorrect number of terms returns error',
    setup: [personIndex('byName: { terms: [{ field: "name" }] }')],
    query: 'Person.byName()', typecheck: false,
    expect: { error: { code: 'invalid_function_invocation' } },
  },
  {
    spec: 'collectionsApi', test: 'collections can be created and used with their alias field', what: 'the definition',
    query: 'Collection.create({\n  name: "Book",\n  alias: "Foo"\n}) { name, alias }',
    expect: { data: { name: 'Book', alias: 'Foo' } },
  },
  {
    spec: 'collectionsApi', test: 'collections can be created and used with their alias field', what: 'documents through the alias',
    setup: ['Collection.create({ name: "Book", alias: "Foo" })', 'Foo.create({ title: "TestBook" })'],
    query: '[Foo.all().count(), Foo.where(.title == "TestBook").first()!.title, Foo.firstWhere(.title == "TestBook")!.coll == Book]',
    expect: { data: [1, 'TestBook', true] },
  },
  {
    spec: 'collectionsApi', test: 'update collection schema with alias',
    setup: ['Collection.create({ name: "Book", alias: "Foo" })'],
    query: 'Foo.definition.update({name: "Authors", history_days: 10}) { name, alias, history_days }',
    expect: { data: { name: 'Authors', alias: 'Foo', history_days: 10 } },
  },
  {
    spec: 'collectionsApi', test: 'indexes can be used with aliases',
    setup: ['Collection.create({\n  name: "Book",\n  alias: "Foo",\n  indexes: {\n   byName: { terms: [ { field: "name" } ] }\n  }\n})', 'Foo.create({ name: "TestBook", author: "TestAuthor" })'],
    query: 'Foo.byName("TestBook").toArray().map(.author)',
    expect: { data: ['TestAuthor'] },
  },
  {
    spec: 'collectionsApi', test: 'customers are unable to set the status of a unique constraint',
    query: 'Collection.create({\n  name: "Book",\n  constraints: [\n    { unique: ["name"], status: "Active" }\n  ]\n})', typecheck: false,
    expect: createFailure([{ paths: [['constraints', 0, 'status']], message: 'Failed to update field because it is readonly' }]),
  },
  {
    spec: 'collectionsApi', test: 'allows setting ids', what: 'an existing id',
    setup: ['Collection.create({ name: "Book" })', 'Book.create({ id: "0", name: "The First Book" })'],
    query: 'Book.create({ id: "0", title: "The 1st Book" })',
    expect: { error: { code: 'document_id_exists' } },
  },
  ...([
    ['a negative id', 'Book.create({ id: "-1", title: "X" })', 'id must be nonnegative', undefined],
    ['a word', 'Book.create({ id: "taco", title: "Taco" })', 'Expected ID | String | Long, provided String', undefined],
    ['an object (typecheck off)', 'Book.create({ id: { x: 1 }, title: "Taco" })', 'Expected ID | String | Long, provided { x: Int }', false],
  ] as const).map(([what, query, message, typecheck]): CoreSpecCase => ({
    spec: 'collectionsApi', test: 'allows setting ids', what, setup: ['Collection.create({ name: "Book" })'], query,
    ...(typecheck === undefined ? {} : { typecheck }),
    expect: { error: { code: 'constraint_failure', failureMessages: [message] } },
  })),
  {
    spec: 'collectionsApi', test: 'allows setting ids', what: 'an id given as a number',
    setup: ['Collection.create({ name: "Book" })'],
    query: 'Book.create({ id: 1, name: "The Second Book" }).id',
    expect: { data: '1' },
  },
  {
    spec: 'collectionsApi', test: 'allows setting ids', what: 'reading a document by the id it was given',
    setup: ['Collection.create({ name: "Book" })', 'Book.create({ id: "0", name: "The First Book" })'],
    query: 'Book.byId("0")!.name',
    expect: { data: 'The First Book' },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// FQL2DocsSpec: documents, missing and deleted documents
// ---------------------------------------------------------------------------------------------------------------

const AUTHOR = 'Collection.create({ name: "Author" })';
const docCases: CoreSpecCase[] = [
  ...['ts', 'coll', 'delete', 'update', 'replace', 'updateData', 'replaceData', 'exists'].map((field): CoreSpecCase => ({
    spec: 'docs', test: `rejects reserved field \`${field}\``, what: 'on create',
    setup: [AUTHOR],
    query: `Author.create({ ${field}: "bar" })`,
    expect: { error: { code: 'constraint_failure' } },
  })),
  ...['id', 'ts', 'coll', 'delete', 'update', 'replace', 'updateData', 'replaceData', 'exists'].map((field): CoreSpecCase => ({
    spec: 'docs', test: `rejects reserved field \`${field}\``, what: 'on update',
    setup: [AUTHOR],
    query: `let author = Author.create({ name: "bar" })\nauthor.update({ ${field}: "baz" })`,
    expect: { error: { code: 'constraint_failure' } },
  })),
  {
    spec: 'docs', test: 'update/replace short-circuit on null doc', what: 'update',
    setup: [AUTHOR], query: "Author.byId('123')?.update({ foo: 'bar' })", expect: { data: null },
  },
  {
    spec: 'docs', test: 'update/replace short-circuit on null doc', what: 'replace',
    setup: [AUTHOR], query: "Author.byId('123')?.replace({ foo: 'bar' })", expect: { data: null },
  },
  { spec: 'docs', test: 'exists returns false if document does not exist', setup: [AUTHOR], query: 'Author.byId("1234").exists()', expect: { data: false } },
  { spec: 'docs', test: 'doc == null returns true if document does not exist', setup: [AUTHOR], query: 'Author.byId("1234") == null', expect: { data: true } },
  { spec: 'docs', test: 'exists returns true for existing document', setup: [AUTHOR], query: 'Author.create({}).exists()', expect: { data: true } },
  { spec: 'docs', test: 'doc == null returns false for existing document', setup: [AUTHOR], query: 'Author.create({}) == null', expect: { data: false } },
  {
    spec: 'docs', test: 'exists returns false for a deleted document', setup: [AUTHOR],
    query: 'let author = Author.create({})\nauthor.delete()\nauthor.exists()', expect: { data: false },
  },
  {
    spec: 'docs', test: 'doc == null returns true for a deleted document', setup: [AUTHOR],
    query: 'let author = Author.create({})\nauthor.delete()\nauthor == null', expect: { data: true },
  },
  {
    spec: 'docs', test: 'can project non-existant docs', setup: [AUTHOR],
    query: 'let author = Author.create({ name: "Write" })\nauthor.delete()\nauthor { id, name }', expect: { data: null },
  },
  {
    spec: 'docs', test: 'can get doc with firstWhere .id == "id"', setup: [AUTHOR, 'Author.create({ id: "7", foo: "bar" })'],
    query: 'Author.firstWhere(.id == "7")!.foo', expect: { data: 'bar' },
  },
  {
    spec: 'docs', test: 'can compare id with id', setup: [AUTHOR, 'Author.create({ id: "7", foo: "bar" })', 'Author.create({ foo: "bar" })', 'Author.create({ foo: "bar" })'],
    query: 'let doc_id = Author.byId("7").id\n(Author.all().where(.id == doc_id) { id }).toArray()', expect: { data: [{ id: '7' }] },
  },
  {
    spec: 'docs', test: 'can deref documents when reading fields', setup: [AUTHOR, 'Author.create({ id: "7", foo: "bar" })'],
    query: 'let doc = Author.byId("7")!\ndoc.foo', expect: { data: 'bar' },
  },
  {
    spec: 'docs', test: 'can select fields with []', what: 'a field', setup: [AUTHOR, 'Author.create({ id: "7", foo: "bar" })'],
    query: 'Author.byId("7")["foo"]', expect: { data: 'bar' },
  },
  {
    spec: 'docs', test: 'can select fields with []', what: 'the id', setup: [AUTHOR, 'Author.create({ id: "7", foo: "bar" })'],
    query: 'Author.byId("7")["id"]', expect: { data: '7' },
  },
  {
    spec: 'docs', test: 'can select fields with []', what: 'a missing field', setup: [AUTHOR, 'Author.create({ id: "7", foo: "bar" })'],
    query: 'Author.byId("7")["baz"]', expect: { data: null },
  },
  {
    spec: 'docs', test: "don't elide nulls on arrays", setup: [AUTHOR, 'Author.create({ id: "7", foo: [1, null, 2] })'],
    query: 'Author.byId("7")!.foo', expect: { data: [1, null, 2] },
  },
  { spec: 'docs', test: 'null allow ref field access', what: 'id', setup: [AUTHOR], query: "Author.byId('123').id", expect: { data: '123' } },
  { spec: 'docs', test: 'null allow ref field access', what: 'coll', setup: [AUTHOR], query: "Author.byId('123').coll == Author", expect: { data: true } },
  {
    spec: 'docs', test: 'null docs error on .field access', setup: [AUTHOR], query: "Author.byId('123').foo", typecheck: false,
    expect: { error: { code: 'document_not_found', message: 'Collection `Author` does not contain document with id 123.' } },
  },
  {
    spec: 'docs', test: 'null docs error on .field access', what: 'with !', setup: [AUTHOR], query: "Author.byId('123')!.foo",
    expect: { error: { code: 'document_not_found', message: 'Collection `Author` does not contain document with id 123.' } },
  },
  { spec: 'docs', test: 'null docs short-circuit on ?.field access', setup: [AUTHOR], query: "Author.byId('123')?.foo", expect: { data: null } },
  {
    spec: 'docs', test: "null docs error on ['field'] access", setup: [AUTHOR], query: "Author.byId('123')['foo']",
    expect: { error: { code: 'document_not_found', message: 'Collection `Author` does not contain document with id 123.' } },
  },
  { spec: 'docs', test: "null docs short-circuit on ?.['field'] access", setup: [AUTHOR], query: "Author.byId('123')?.['foo']", expect: { data: null } },
  ...([
    ['exists() is false', "Foo.byId('1')!.bar.exists()", false],
    ['== null is true', "Foo.byId('1')!.bar == null", true],
    ['its collection reads as Deleted', "Foo.byId('1')!.bar.coll", 'Deleted'],
    ['its id stays readable', "Foo.byId('1')!.bar.id", '2'],
  ] as const).map(([what, query, data]): CoreSpecCase => ({
    spec: 'collectionsApi', test: 'turn into null docs', what: `refs to docs in a deleted collection: ${what}`,
    setup: ["Collection.create({ name: 'Foo' })\nCollection.create({ name: 'Bar' })", "Foo.create({ id: '1', bar: Bar.create({ id: '2' }) })", 'Bar.definition.delete()'],
    query, expect: { data },
  })),
  {
    spec: 'collectionsApi', test: 'to docs in a deleted collection', what: "a deleted document's id stays readable (FQL2DocsSpec: null allow ref field access)",
    setup: [AUTHOR], query: 'let author = Author.create({ id: "5" })\nauthor.delete()\nauthor.id', expect: { data: '5' },
  },
  {
    spec: 'docs', test: 'exists returns false for a deleted document', what: 'a field of it is document_deleted (QueryFailure.DocumentDeleted)',
    setup: [AUTHOR], query: 'let author = Author.create({ id: "5", name: "x" })\nauthor.delete()\nauthor.name', typecheck: false,
    expect: { error: { code: 'document_deleted', message: 'Document in `Author` with id 5 was deleted.' } },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// FQL2UserFunctionSpec: function definitions
// ---------------------------------------------------------------------------------------------------------------

const ADD_TWO = 'Function.create({ name: "AddTwo", body: "x => x + 2" })';
const functionCases: CoreSpecCase[] = [
  { spec: 'functionsApi', test: 'create a function', query: `${ADD_TWO} { name, body }`, expect: { data: { name: 'AddTwo', body: 'x => x + 2' } } },
  { spec: 'functionsApi', test: 'retrieve a function by name', what: 'its body as written', setup: [ADD_TWO], query: 'Function.byName("AddTwo")!.body', expect: { data: 'x => x + 2' } },
  {
    spec: 'functionsApi', test: 'update a function', what: 'the new body as written', setup: [ADD_TWO],
    query: 'let udf = Function.byName("AddTwo")!\nudf.update({ body: "x => x + \'two\'" })\nFunction.byName("AddTwo")!.body', expect: { data: "x => x + 'two'" },
  },
  {
    spec: 'functionsApi', test: 'has a data field for custom object metadata', setup: [ADD_TWO, 'let udf = Function.byName("AddTwo")!\nudf.update({ data: { foo: "bar" }})'],
    query: 'Function.byName("AddTwo") { name, body, data }', expect: { data: { name: 'AddTwo', body: 'x => x + 2', data: { foo: 'bar' } } },
  },
  {
    spec: 'errorRendering', test: 'renders UnboundVariable stack trace across udf calls', what: 'a body naming nothing is accepted and fails when called',
    setup: ["Function.create({\n name: \"errFunc\",\n body: '() => a'\n})\nFunction.create({\n name: \"eventuallyError\",\n body: '() => errFunc()'\n})"],
    query: '\neventuallyError()\n', typecheck: false,
    expect: { error: { code: 'unbound_variable', message: 'Unbound variable `a`' } },
  },
  { spec: 'functionsApi', test: 'retrieve a function by name', setup: [ADD_TWO], query: 'Function.byName("AddTwo")!.name', expect: { data: 'AddTwo' } },
  {
    spec: 'functionsApi', test: 'update a function', setup: [ADD_TWO],
    query: 'let udf = Function.byName("AddTwo")!\nudf.update({ body: "x => x + \'two\'" })\nAddTwo("one")', expect: { data: 'onetwo' },
  },
  { spec: 'functionsApi', test: 'delete a function', setup: [ADD_TWO], query: 'let udf = Function.byName("AddTwo")!\nudf.delete()', expect: { data: null } },
  {
    spec: 'functionsApi', test: 'delete a function (tagged format)', what: 'byName after delete is not found', setup: [ADD_TWO, 'Function.byName("AddTwo")!.delete()'],
    query: 'Function.byName("AddTwo").exists()', expect: { data: false },
  },
  {
    spec: 'functionsApi', test: 'data field only accepts objects', setup: [ADD_TWO],
    query: 'Function.create({\n  name: "AddTwo",\n  body: "x => x + 2",\n  data: "foobar"\n})', typecheck: false,
    expect: { error: { code: 'constraint_failure', message: 'Failed to create Function.' } },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// FQL2MetricsSpec: query stats
// ---------------------------------------------------------------------------------------------------------------

const PURE = { compute_ops: 1, read_ops: 0, write_ops: 0, storage_bytes_read: 0, storage_bytes_write: 0 };
const COLL = 'Collection.create({ name: "Coll" })';
const DOC = 'Coll.create({ id: "1", a: "b" })';
const BY_CHAR = 'Collection.create({ name: "Coll", indexes: { byChar: { terms: [{ field: "char" }] } } })';
const ALL_NUMBERS = 'Collection.create({ name: "Coll", indexes: { allNumbers: { values: [{ field: "number" }] } } })';
/** FQL2MetricsSpec "reduce with set" uses 10,000 documents; 200 keep the suite fast, and the rule gives the figures. */
const NUMBERS = 'Set.sequence(0, 200).forEach(x => Coll.create({ number: 1 }))';

const metricsCases: CoreSpecCase[] = [
  ...['42', '{ foo: 42 }', 'null\nnull\nnull', 'let x = 1\nnull', 'if (true) {\n  null\n} else {\n  null\n}', '{ foo: 42 }.foo', '[0, 1, 2][0]',
    'true && true && false', '!true', '2 + 2', '2 / 2', '1 == 2', '1 <= 2'].map((query): CoreSpecCase => ({
    spec: 'metricsApi', test: 'literals, expressions, projections and operators are pure', what: query.replace(/\n/g, ' '),
    query, expect: { stats: PURE },
  })),
  {
    spec: 'metricsApi', test: 'create collection', query: 'Collection.create({ name: "Coll" }).name',
    expect: { dataAndStats: ['Coll', { compute_ops: 1, read_ops: 0 }] },
  },
  {
    spec: 'metricsApi', test: 'create a new index', setup: [COLL],
    query: 'Coll.definition.update({ indexes: { idx: { values: [{field: "foo"}] } } }).name',
    expect: { dataAndStats: ['Coll', { compute_ops: 1, read_ops: 1, write_ops: 3 }] },
  },
  {
    spec: 'metricsApi', test: 'create index charges compute ops for synchronous build', setup: [COLL, 'Set.sequence(0, 100).forEach(i => Coll.create({ x: i, y: i, z: i }))'],
    query: 'Coll.definition.update({\n  name: "Coll",\n  indexes: {\n    v10: {\n      terms: [{ field: "x" }, { field: "y" }],\n      values: [{ field: "z" }]\n    }\n  }\n}).name',
    expect: { dataAndStats: ['Coll', { compute_ops: 1 + (2 + 1) * 100 / 50, read_ops: 1, write_ops: 3 }] },
  },
  { spec: 'metricsApi', test: 'create function', query: 'Function.create({ name: "fn", body: "_ => true" }).name', expect: { dataAndStats: ['fn', { compute_ops: 1, read_ops: 0 }] } },
  { spec: 'metricsApi', test: 'create key', query: "Key.create({ role: 'admin' }).role", expect: { dataAndStats: ['admin', { compute_ops: 1, read_ops: 0, storage_bytes_read: 0 }] } },
  {
    spec: 'metricsApi', test: 'create role', query: 'Role.create({ name: "r", privileges: [{ resource: "Collection", actions: { create: true } }] }).name',
    expect: { dataAndStats: ['r', { compute_ops: 1, read_ops: 0 }] },
  },
  { spec: 'metricsApi', test: 'create document', setup: [COLL], query: "Coll.create({ a: 'b' }).a", expect: { dataAndStats: ['b', { compute_ops: 1, read_ops: 0, storage_bytes_read: 0, write_ops: 1 }] } },
  { spec: 'metricsApi', test: 'update document', setup: [COLL, DOC], query: "Coll.byId('1')!.update({ a: 'c' }).a", expect: { dataAndStats: ['c', { compute_ops: 1, read_ops: 1, write_ops: 1 }] } },
  {
    spec: 'metricsApi', test: 'update document multiple times', setup: [COLL, DOC],
    query: "let doc = Coll.byId('1')!\ndoc.update({ i: 1 })\nSet.sequence(1, 100).forEach(_ => {\n  doc.update({ i: doc.i + 1 })\n})\ndoc.i",
    expect: { dataAndStats: [100, { compute_ops: 7, read_ops: 1, write_ops: 1 }] },
  },
  { spec: 'metricsApi', test: 'delete document', setup: [COLL, DOC], query: "Coll.byId('1')!.delete()", expect: { dataAndStats: [null, { compute_ops: 1, read_ops: 1, write_ops: 1 }] } },
  { spec: 'metricsApi', test: 'replace document', setup: [COLL, DOC], query: "Coll.byId('1')!.replace({ a: 'c' }).a", expect: { dataAndStats: ['c', { compute_ops: 1, read_ops: 1, write_ops: 1 }] } },
  {
    spec: 'metricsApi', test: 'invalidated read', setup: [COLL, DOC],
    query: 'let doc = Coll.byId("1")!\ndoc.replace({a: "b"})\nColl.byId("1")!\nColl.create({}) == null',
    expect: { dataAndStats: [false, { compute_ops: 1, read_ops: 1, write_ops: 2 }] },
  },
  { spec: 'metricsApi', test: 'get document', setup: [COLL, DOC], query: "Coll.byId('1')!.id", expect: { dataAndStats: ['1', { compute_ops: 1, read_ops: 1, write_ops: 0, storage_bytes_write: 0 }] } },
  {
    spec: 'metricsApi', test: 'get document not found', setup: [COLL], query: "Coll.byId('0')?.foo ?? 'not found'",
    expect: { dataAndStats: ['not found', { compute_ops: 1, read_ops: 1, write_ops: 0, storage_bytes_read: 14, storage_bytes_write: 0 }] },
  },
  { spec: 'metricsApi', test: 'exists incurs one read op', setup: [COLL], query: 'Coll.byId("1234").exists()', expect: { dataAndStats: [false, { compute_ops: 1, read_ops: 1, write_ops: 0 }] } },
  {
    spec: 'metricsApi', test: 'get same document many times', setup: [COLL, DOC], query: 'Coll.byId("1")!.a\n'.repeat(100),
    expect: { dataAndStats: ['b', { compute_ops: 2, read_ops: 1, write_ops: 0 }] },
  },
  {
    spec: 'metricsApi', test: 'get first element of a set', setup: [BY_CHAR, "Coll.create({ char: 'a' })"], query: "Coll.byChar('a').first()!.char",
    expect: { dataAndStats: ['a', { compute_ops: 1, read_ops: 2, write_ops: 0 }] },
  },
  {
    spec: 'metricsApi', test: 'get first element of an empty set', setup: [BY_CHAR, "Coll.create({ char: 'a' })"], query: "Coll.byChar('b').first()",
    expect: { dataAndStats: [null, { compute_ops: 1, read_ops: 1, write_ops: 0 }] },
  },
  {
    spec: 'metricsApi', test: 'get schema document', setup: [BY_CHAR], query: "Collection.byName('Coll')!.name",
    expect: { dataAndStats: ['Coll', { compute_ops: 1, read_ops: 1, write_ops: 0 }] },
  },
  {
    spec: 'metricsApi', test: 'paginate', setup: [COLL, DOC], query: 'Coll.all().map(.id).paginate().data',
    expect: { dataAndStats: [['1'], { compute_ops: 1, read_ops: 8, write_ops: 0 }] },
  },
  {
    spec: 'metricsApi', test: 'paginate/union', what: 'two scans of 8 partitions each',
    setup: ['Collection.create({ name: "Coll", indexes: { idx: { values: [{ field: "a" }] } } })', DOC],
    query: 'let a = Coll.all().map(.id)\nlet b = Coll.idx().map(.id)\na.concat(b).paginate().data',
    expect: { dataAndStats: [['1', '1'], { compute_ops: 1, read_ops: 8 + 8, write_ops: 0 }] },
  },
  {
    spec: 'metricsApi', test: 'exists set', setup: [COLL, DOC], query: 'Coll.all().isEmpty()',
    expect: { dataAndStats: [false, { compute_ops: 1, read_ops: 8, write_ops: 0 }] },
  },
  {
    spec: 'metricsApi', test: 'if/exists/get', setup: [COLL, 'Coll.create({ id: "1", foo: 42 })'],
    query: "let val = Coll.byId('1')?.foo\nif (val != null) {\n  val\n} else {\n  \"not found\"\n}",
    expect: { dataAndStats: [42, { compute_ops: 1, read_ops: 1, write_ops: 0 }] },
  },
  {
    spec: 'metricsApi', test: "index value term access shouldn't require an extra read op",
    setup: ['Collection.create({ name: "Coll", indexes: { idx: { terms: [{ field: "foo" }] } } })', "Coll.create({ foo: 'bar' })"],
    query: "Coll.idx('bar').map(.id).first() != null",
    expect: { dataAndStats: [true, { read_ops: 1 }] },
  },
  {
    spec: 'metricsApi', test: "index value term access shouldn't require an extra read op", what: 'the term itself',
    setup: ['Collection.create({ name: "Coll", indexes: { idx: { terms: [{ field: "foo" }] } } })', "Coll.create({ foo: 'bar' })"],
    query: "Coll.idx('bar').map(.foo).first()",
    expect: { dataAndStats: ['bar', { read_ops: 1 }] },
  },
  {
    spec: 'metricsApi', test: 'paginate/map/get', what: 'a field no index covers reads each document (10 documents)',
    setup: ['Collection.create({ name: "Coll", indexes: { idx: { values: [{ field: "n" }] } } })', 'Set.sequence(0, 10).forEach(i => Coll.create({ n: i, foo: "f#{i}" }))'],
    query: 'Coll.idx().map(.foo).paginate().data.length',
    expect: { dataAndStats: [10, { compute_ops: 1, read_ops: 8 + 10, write_ops: 0 }] },
  },
  {
    spec: 'metricsApi', test: 'update off of index entry should require an extra read op',
    setup: ['Collection.create({ name: "Coll", indexes: { idx: { terms: [{ field: "foo" }], values: [{ field: "bar" }] } } })', "Coll.create({ foo: 'bar', bar: 'foo' })"],
    query: "Coll.idx('bar').first()!.update({ bar: 'baz' }) { foo, bar }",
    expect: { dataAndStats: [{ foo: 'bar', bar: 'baz' }, { read_ops: 2, write_ops: 1 }] },
  },
  {
    spec: 'metricsApi', test: 'if/exists/get set', typecheck: false,
    setup: ['Collection.create({ name: "Coll", indexes: { idx: { values: [{ field: "foo" }] } } })', 'Coll.create({ id: "1", foo: "x" })'],
    query: 'let set = Coll.idx()\nif (set.isEmpty()) {\n  "empty"\n} else {\n  set.first().id\n}',
    expect: { dataAndStats: ['1', { compute_ops: 1, read_ops: 8, write_ops: 0 }] },
  },
  {
    spec: 'metricsApi', test: 'abort', setup: [COLL, DOC], query: "abort(Coll.byId('1'))",
    expect: { error: { code: 'abort' } },
  },
  { spec: 'metricsApi', test: 'reduce with set', what: 'toArray (200 documents)', setup: [ALL_NUMBERS, NUMBERS], query: 'Coll.allNumbers().toArray(); null', expect: { dataAndStats: [null, { compute_ops: 5, write_ops: 0 }] } },
  { spec: 'metricsApi', test: 'reduce with set', what: 'fold (200 documents)', setup: [ALL_NUMBERS, NUMBERS], query: 'Coll.allNumbers().fold(0, (acc, d) => acc + d.number)', expect: { dataAndStats: [200, { compute_ops: 9, write_ops: 0 }] } },
  { spec: 'metricsApi', test: 'reduce with set', what: 'count (200 documents)', setup: [ALL_NUMBERS, NUMBERS], query: 'Coll.allNumbers().count()', expect: { dataAndStats: [200, { compute_ops: 5, write_ops: 0 }] } },
  { spec: 'metricsApi', test: 'reduce with set', what: 'Math.sum (200 documents)', setup: [ALL_NUMBERS, NUMBERS], query: 'Math.sum(Coll.allNumbers().map(.number))', expect: { dataAndStats: [200, { compute_ops: 5, write_ops: 0 }] } },
  {
    spec: 'metricsApi', test: 'reduce with set', what: 'map then reduce (200 documents)', setup: [ALL_NUMBERS, NUMBERS],
    query: 'Coll.allNumbers().map(d => d.number).reduce((acc, v) => acc + v)', expect: { dataAndStats: [200, { compute_ops: 13, write_ops: 0 }] },
  },
];

export const CORE_SPEC_CASES: readonly CoreSpecCase[] = [...nameCases, ...collectionCases, ...docCases, ...functionCases, ...metricsCases];
