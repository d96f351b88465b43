import { describe, expect, it } from '@jest/globals';
import { FslSyntaxError } from '../../../src/fsl/errors.ts';
import { parseSchemaFile, parseSchemaFiles } from '../../../src/fsl/parser.ts';
import type { SchemaItems } from '../../../src/schema/model.ts';
import { sexpr } from '../helpers/sexpr.ts';

function parse(content: string, filename = 'main.fsl'): SchemaItems {
  return parseSchemaFile({ filename, content });
}

function fslError(content: string, filename = 'main.fsl'): FslSyntaxError {
  try {
    parse(content, filename);
  } catch (error) {
    if (error instanceof FslSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected an FSL error for: ${content}`);
}

describe('parseSchemaFile on the guide\'s schema', () => {
  it('reads the guide\'s Customer collection with its unique email and byEmail index', () => {
    // Arrange: the guide's `collection Customer { unique [.email] index byEmail { terms [.email] } }`, one member per line
    const content = 'collection Customer {\n  unique [.email]\n  index byEmail {\n    terms [.email]\n  }\n}\n';

    // Act
    const schema = parse(content);

    // Assert
    expect(schema.collections).toEqual([{
      name: 'Customer',
      alias: null,
      fields: [],
      wildcard: null,
      uniques: [{ fields: [{ path: ['email'], mva: false }] }],
      indexes: { byEmail: { terms: [{ path: ['email'], mva: false }], values: [] } },
      checks: [],
      computed: [],
      ttlDays: null,
      historyDays: null,
      documentTtls: null,
      span: { start: 0, end: content.trimEnd().length },
    }]);
    expect(schema.roles).toEqual([]);
    expect(schema.functions).toEqual([]);
  });

  it('reads the guide\'s customer role with its membership and read privilege', () => {
    // Arrange
    const content = 'role customer {\n  membership Customer\n  privileges Product { read }\n}';

    // Act
    const schema = parse(content);

    // Assert
    expect(schema.roles).toEqual([{
      name: 'customer',
      membership: [{ collection: 'Customer', predicate: null }],
      privileges: [{ resource: 'Product', actions: { read: true } }],
    }]);
  });

  it('rejects the guide\'s schema flattened onto one line, because FSL needs a separator between members', () => {
    // Act
    const error = fslError('collection Customer { unique [.email] index byEmail { terms [.email] } }');

    // Assert
    expect(error.message).toBe([
      'error: Unexpected `index`. Expected `}`, `;` or a line break',
      'at main.fsl:1:39',
      '  |',
      '1 | collection Customer { unique [.email] index byEmail { terms [.email] } }',
      '  |                                       ^^^^^',
      '  |',
    ].join('\n'));
    expect(error.diagnostics).toEqual([{
      filename: 'main.fsl', message: 'Unexpected `index`. Expected `}`, `;` or a line break', span: { start: 38, end: 43 }, line: 1, column: 39,
    }]);
  });

  it('accepts members separated by semicolons on one line', () => {
    // Act
    const schema = parse('collection Customer { unique [.email]; index byEmail { terms [.email] } }');

    // Assert
    expect(Object.keys(schema.collections[0]!.indexes)).toEqual(['byEmail']);
  });
});

describe('parseSchemaFile collections', () => {
  const content = [
    '// Customers of the shop',
    '@alias(Cust)',
    'collection Customer {',
    '  email: String',
    '  name: String? = "anonymous"',
    '  age: Int | Null',
    '  address: { city: String, zip: String? }',
    '  tags: Array<String> = []',
    '  *: Any',
    '',
    '  unique [.email]',
    '  unique [.name, mva(.tags)]',
    '',
    '  index byEmail {',
    '    terms [.email]',
    '    values [.name, desc(.ts), asc(.address.city), mva(.tags), desc(mva(.tags))]',
    '  }',
    '  index byCity { terms [.address.city, mva(.tags)] }',
    '',
    '  check emailPresent ((doc) => doc.email != "")',
    '  compute display: String = (doc) => doc.name + " <" + doc.email + ">"',
    '  compute upper = ((doc) => doc.name.toUpperCase())',
    '  history_days 0',
    '  ttl_days 30',
    '  document_ttls true',
    '  migrations {',
    '    add .age',
    '    backfill .age = null',
    '  }',
    '}',
  ].join('\n');

  it('reads fields with types, optionality and defaults, and the wildcard', () => {
    // Act
    const [customer] = parse(content).collections;

    // Assert
    expect(customer!.name).toBe('Customer');
    expect(customer!.alias).toBe('Cust');
    expect(customer!.fields.map((f) => ({ name: f.name, type: f.type, optional: f.optional, default: f.default?.source ?? null }))).toEqual([
      { name: 'email', type: 'String', optional: false, default: null },
      { name: 'name', type: 'String?', optional: true, default: '"anonymous"' },
      { name: 'age', type: 'Int | Null', optional: true, default: null },
      { name: 'address', type: '{ city: String, zip: String? }', optional: false, default: null },
      { name: 'tags', type: 'Array<String>', optional: false, default: '[]' },
    ]);
    expect(sexpr(customer!.fields[1]!.default!.expr)).toBe('"anonymous"');
    expect(customer!.wildcard).toBe('Any');
  });

  it('reads unique constraints and indexes with mva, asc and desc', () => {
    // Act
    const [customer] = parse(content).collections;

    // Assert
    expect(customer!.uniques).toEqual([
      { fields: [{ path: ['email'], mva: false }] },
      { fields: [{ path: ['name'], mva: false }, { path: ['tags'], mva: true }] },
    ]);
    expect(customer!.indexes).toEqual({
      byEmail: {
        terms: [{ path: ['email'], mva: false }],
        values: [
          { path: ['name'], order: 'asc', mva: false },
          { path: ['ts'], order: 'desc', mva: false },
          { path: ['address', 'city'], order: 'asc', mva: false },
          { path: ['tags'], order: 'asc', mva: true },
          { path: ['tags'], order: 'desc', mva: true },
        ],
      },
      byCity: { terms: [{ path: ['address', 'city'], mva: false }, { path: ['tags'], mva: true }], values: [] },
    });
  });

  it('reads checks and computed fields as lambdas with their source, and the collection settings', () => {
    // Act
    const [customer] = parse(content).collections;

    // Assert
    expect(customer!.checks.map((c) => ({ name: c.name, source: c.predicate.source, tree: sexpr(c.predicate.expr) }))).toEqual([
      { name: 'emailPresent', source: '(doc) => doc.email != ""', tree: '(fn (doc) (!= (. doc email) ""))' },
    ]);
    expect(customer!.computed.map((c) => ({ name: c.name, type: c.type, source: c.fn.source }))).toEqual([
      { name: 'display', type: 'String', source: '(doc) => doc.name + " <" + doc.email + ">"' },
      { name: 'upper', type: null, source: '(doc) => doc.name.toUpperCase()' },
    ]);
    expect([customer!.historyDays, customer!.ttlDays, customer!.documentTtls]).toEqual([0, 30, true]);
  });

  it('keeps a collection with no members', () => {
    // Act
    const schema = parse('collection Empty {}');

    // Assert
    expect(schema.collections.map((c) => [c.name, c.fields.length, Object.keys(c.indexes).length])).toEqual([['Empty', 0, 0]]);
  });
});

describe('parseSchemaFile roles', () => {
  it('reads membership predicates, action predicates and actions separated by ; or newlines', () => {
    // Arrange
    const content = [
      'role customer {',
      '  membership Customer',
      '  membership Manager { predicate ((m) => m.active) }',
      '  privileges Customer {',
      '    read { predicate ((doc) => Query.identity() == doc) }',
      '    write; create',
      '    delete',
      '    create_with_id',
      '  }',
      '  privileges Order {',
      '    read {',
      '      predicate ((order) => order.customer == Query.identity())',
      '    }',
      '  }',
      '  privileges placeOrder { call }',
      '}',
    ].join('\n');

    // Act
    const [role] = parse(content).roles;

    // Assert
    expect(role!.name).toBe('customer');
    expect(role!.membership.map((m) => [m.collection, m.predicate?.source ?? null])).toEqual([
      ['Customer', null],
      ['Manager', '(m) => m.active'],
    ]);
    const actions = role!.privileges.map((p) => [p.resource, Object.fromEntries(Object.entries(p.actions).map(([k, v]) => [k, v === true ? true : v.source]))]);
    expect(actions).toEqual([
      ['Customer', { read: '(doc) => Query.identity() == doc', write: true, create: true, delete: true, create_with_id: true }],
      ['Order', { read: '(order) => order.customer == Query.identity()' }],
      ['placeOrder', { call: true }],
    ]);
    const read = role!.privileges[0]!.actions.read;
    expect(read !== true && read !== undefined ? sexpr(read.expr) : '').toBe('(fn (doc) (== (call (. Query identity)) doc))');
  });
});

describe('parseSchemaFile functions', () => {
  it('reads a server-role function with typed parameters, return type and body', () => {
    // Arrange
    const content = [
      '@role(server)',
      'function upsertCustomer(email: String, name: String?): Customer {',
      '  let existing = Customer.byEmail(email).first()',
      '  existing ?? Customer.create({ email: email, name: name })',
      '}',
    ].join('\n');

    // Act
    const [fn] = parse(content).functions;

    // Assert
    expect(fn!.name).toBe('upsertCustomer');
    expect(fn!.role).toBe('server');
    expect(fn!.alias).toBeNull();
    expect(fn!.params).toEqual([
      { name: 'email', type: 'String', variadic: false },
      { name: 'name', type: 'String?', variadic: false },
    ]);
    expect(fn!.returnType).toBe('Customer');
    expect(fn!.bodySource).toBe('let existing = Customer.byEmail(email).first()\n  existing ?? Customer.create({ email: email, name: name })');
    expect(sexpr(fn!.body)).toBe(
      '(block (let existing (call (. (call (. Customer byEmail) email) first)))'
      + ' (?? existing (call (. Customer create) (obj "email"=email "name"=name))))',
    );
  });

  it('reads untyped, variadic and aliased functions with a custom role', () => {
    // Arrange
    const content = '@alias(addAll)\n@role(customer)\nfunction sum(first, ...rest) { rest.fold(first, (a, b) => a + b) }\nfunction noArgs() { 42 }';

    // Act
    const { functions } = parse(content);

    // Assert
    expect(functions.map((f) => ({ name: f.name, alias: f.alias, role: f.role, params: f.params, ret: f.returnType, body: f.bodySource }))).toEqual([
      { name: 'sum', alias: 'addAll', role: 'customer', params: [{ name: 'first', type: null, variadic: false }, { name: 'rest', type: null, variadic: true }], ret: null, body: 'rest.fold(first, (a, b) => a + b)' },
      { name: 'noArgs', alias: null, role: null, params: [], ret: null, body: '42' },
    ]);
  });
});

describe('parseSchemaFile errors', () => {
  it.each([
    ['a duplicate collection', 'collection A {}\ncollection A {}', 'Duplicate collection or function `A`', 2, 12],
    ['a function named like a collection', 'collection A {}\nfunction A() { 1 }', 'Duplicate collection or function `A`', 2, 10],
    ['a duplicate role', 'role r { privileges A { read } }\nrole r { privileges A { read } }', 'Duplicate role `r`', 2, 6],
    ['a duplicate field', 'collection A {\n  a: Int\n  a: String\n}', 'Duplicate field `a`', 3, 3],
    ['a duplicate index', 'collection A {\n  index i { terms [.a] }\n  index i { terms [.b] }\n}', 'Duplicate index name `i`', 3, 9],
    ['a reserved field name', 'collection A {\n  ts: Time\n}', 'Invalid reserved name `ts`', 2, 3],
    ['an unknown collection member', 'collection A {\n  colour blue\n}', 'Invalid field or member `colour`', 2, 3],
    ['an unknown top-level item', 'table A {}', 'Invalid schema item `table`', 1, 1],
    ['a check without parentheses around the lambda', 'collection A {\n  check c (doc) => true\n}', 'Expected lambda check predicate', 2, 11],
    ['a predicate that is not a lambda', 'role r {\n  privileges A { read { predicate (true) } }\n}', 'Expected lambda predicate', 2, 36],
    ['a predicate without parentheses', 'role r {\n  membership A { predicate (m) => true }\n}', 'Expected lambda predicate', 2, 28],
    ['an unknown action', 'role r {\n  privileges A { fly }\n}', 'Invalid action `fly`', 2, 18],
    ['a non-path index term', 'collection A {\n  index i { terms [.a + 1] }\n}', 'Invalid field path', 2, 20],
    ['an unknown index value wrapper', 'collection A {\n  index i { values [up(.a)] }\n}', "Expected 'asc', 'desc', or 'mva'", 2, 21],
    ['an empty unique constraint', 'collection A {\n  unique []\n}', 'Expected non-empty terms for a unique constraint', 2, 10],
    ['a non-integer ttl_days', 'collection A {\n  ttl_days 1.5\n}', 'Expected integer literal', 2, 12],
    ['a field without a type', 'collection A {\n  a = 1\n}', 'Expected a type signature', 2, 3],
    ['a collection without a name', 'collection {}', 'Missing required name', 1, 1],
    ['an annotation on a role', '@alias(x)\nrole r { privileges A { read } }', 'Annotations are not allowed here', 1, 1],
    ['an unknown annotation', '@owner(x)\ncollection A {}', 'Invalid annotation `@owner`. Expected `@alias` or `@role`', 1, 2],
    ['mixed typed and untyped arguments', 'function f(a: Int, b): Int { a }', 'All or no arguments must have a type', 1, 20],
    ['a built-in role name', 'role server { privileges A { read } }', 'The identifier `server` is reserved.', 1, 6],
    ['invalid FQL in a function body', 'function f() { let x = 1 }', 'Missing return expression', 1, 26],
    ['an unclosed collection', 'collection A {\n  a: Int\n', 'Unexpected end of query. Expected `}`', 2, 9],
  ])('reports %s', (_name, content, message, line, column) => {
    // Act
    const error = fslError(content);

    // Assert
    expect(error.diagnostics[0]).toMatchObject({ filename: 'main.fsl', message, line, column });
    expect(error.message.split('\n').slice(0, 2)).toEqual([`error: ${message}`, `at main.fsl:${line}:${column}`]);
  });

  it('reports every conversion problem of a file in one message', () => {
    // Act
    const error = fslError('collection A {\n  ts: Time\n  colour blue\n}', 'app/shop.fsl');

    // Assert
    expect(error.diagnostics.map((d) => `${d.filename}:${d.line}:${d.column} ${d.message}`)).toEqual([
      'app/shop.fsl:2:3 Invalid reserved name `ts`',
      'app/shop.fsl:3:3 Invalid field or member `colour`',
    ]);
    expect(error.message).toContain('\n\nerror: Invalid field or member `colour`\nat app/shop.fsl:3:3');
  });

  it('points a duplicate at the original definition in a hint', () => {
    // Act
    const error = fslError('collection A {}\ncollection A {}');

    // Assert
    expect(error.message).toContain('hint: Originally defined here\nat main.fsl:1:12');
  });

  it('reports access providers as not supported by the emulator', () => {
    // Act
    const error = fslError('access provider someIdP {\n  issuer "https://example.com"\n}');

    // Assert
    expect(error.message).toMatch(/^error: Access providers are not supported by the local Fauna emulator\nat main.fsl:1:1/);
  });
});

describe('parseSchemaFiles', () => {
  it('merges the items of several files', () => {
    // Act
    const schema = parseSchemaFiles([
      { filename: 'collections.fsl', content: 'collection Customer {}\ncollection Product {}' },
      { filename: 'roles.fsl', content: 'role customer {\n  membership Customer\n  privileges Product { read }\n}' },
    ]);

    // Assert
    expect(schema.collections.map((c) => c.name)).toEqual(['Customer', 'Product']);
    expect(schema.roles.map((r) => r.name)).toEqual(['customer']);
  });

  it('rejects a name declared in two files, naming both files', () => {
    // Act
    const act = () => parseSchemaFiles([
      { filename: 'a.fsl', content: 'collection Customer {}' },
      { filename: 'b.fsl', content: 'function Customer() { 1 }' },
    ]);

    // Assert
    expect(act).toThrow(FslSyntaxError);
    expect(act).toThrow('Duplicate collection or function `Customer` (also defined in a.fsl)\nat b.fsl:1:10');
  });
});
