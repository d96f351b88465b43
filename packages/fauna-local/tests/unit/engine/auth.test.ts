import { describe, expect, it } from '@jest/globals';
import { hashSecret, mintKeySecret, mintTokenSecret, parseSecret } from '../../../src/auth/secrets.ts';
import { int, makeDb, ROOT_SECRET, SERVICE_FSL } from '../helpers/test-db.ts';

const SIGN_IN = (sub: string, email: string, ttl = 3600) => ({
  fql: ['signIn(', { value: sub }, ', ', { value: email }, ', ', { value: int(ttl) }, ', ', { value: { source: 'cognito' } }, ')'],
});

describe('secrets', () => {
  it('mints key and token secrets in Fauna\'s format that carry their document id (and a token\'s database)', () => {
    const key = mintKeySecret('412483941084446785');
    const token = mintTokenSecret('412483941084446786', 7n);
    expect(key).toMatch(/^fn[A-D][A-Za-z0-9_-]{37}$/);
    expect(token).toMatch(/^fn[E-H][A-Za-z0-9_-]{48}$/);
    expect(parseSecret(key)).toEqual({ kind: 'key', id: '412483941084446785' });
    expect(parseSecret(token)).toEqual({ kind: 'token', id: '412483941084446786', databaseGlobalId: 7n });
    expect(parseSecret('fnAnotasecret')).toBeNull();
    expect(hashSecret(key)).not.toContain(key);
  });
});

describe('authentication and privileges on the engine', () => {
  it('authenticates the root secret and its scoped forms, and rejects unknown secrets', () => {
    const db = makeDb(SERVICE_FSL);
    expect(db.engine.authenticate(ROOT_SECRET)).toEqual({ kind: 'root' });
    expect(db.engine.authenticate(`${ROOT_SECRET}:server`)).toEqual({ kind: 'root', role: 'server' });
    expect(db.engine.authenticate(`${ROOT_SECRET}:@role/customer`)).toEqual({ kind: 'root', role: 'customer' });
    expect(db.engine.authenticate(`${ROOT_SECRET}:@role/nope`)).toBeNull();
    expect(db.engine.authenticate('wrong')).toBeNull();
    expect(db.engine.authenticate(mintKeySecret('1'))).toBeNull();
  });

  it('never stores a secret: the snapshot holds only hashes', () => {
    const db = makeDb(SERVICE_FSL);
    const secret = db.data('Key.create({ role: "server" }).secret') as string;
    expect(JSON.stringify(db.engine.snapshot())).not.toContain(secret);
    expect(db.login(secret)).toMatchObject({ kind: 'key', role: 'server' });
  });

  it('shows a key secret only in the query that created it, and a deleted key stops authenticating', () => {
    const db = makeDb(SERVICE_FSL);
    const created = db.data('Key.create({ role: "server", data: { name: "ci" } })') as { '@doc': { id: string; secret: string; role: string } };
    expect(created['@doc'].role).toBe('server');
    const id = created['@doc'].id;
    expect(db.data(`Key.byId("${id}")!.secret`)).toBeNull();
    expect(db.data(`Key.byId("${id}")!.data`)).toEqual({ name: 'ci' });
    db.data(`Key.byId("${id}")!.delete()`);
    expect(db.engine.authenticate(created['@doc'].secret)).toBeNull();
  });

  it('lets only admin create keys', () => {
    const db = makeDb(SERVICE_FSL);
    const server = db.login(db.data('Key.create({ role: "server" }).secret') as string);
    expect(db.error('Key.create({ role: "server" })', { principal: server })).toMatchObject({ code: 'permission_denied' });
    expect(db.error('Key.create({ role: "nope" })').code).toBe('constraint_failure');
  });

  it('gives server keys documents and tokens but not keys, and server-readonly keys only reads', () => {
    const db = makeDb(SERVICE_FSL);
    const server = db.login(db.data('Key.create({ role: "server" }).secret') as string);
    const readonly = db.login(db.data('Key.create({ role: "server-readonly" }).secret') as string);
    expect(db.data('Customer.create({ email: "a@b.co", sub: "1" }).email', { principal: server })).toBe('a@b.co');
    expect(db.data('Customer.all().count()', { principal: readonly })).toEqual(int(1));
    expect(db.error('Customer.create({ email: "b@b.co", sub: "2" })', { principal: readonly }).code).toBe('permission_denied');
    expect(db.error('Token.create({ document: Customer.all().first() })', { principal: readonly }).code).toBe('permission_denied');
    expect(db.data('Key.all().count()', { principal: server })).toEqual(int(0));
  });

  it('runs a token through its lifecycle: valid, read-only secret, then expired by the clock', () => {
    const db = makeDb(SERVICE_FSL);
    const created = db.data('let c = Customer.create({ email: "a@b.co", sub: "s" })\nToken.create({ document: c, ttl: Time.now().add(60, "seconds"), data: { k: "v" } })') as { '@doc': Record<string, unknown> };
    const doc = created['@doc'];
    expect(doc).toMatchObject({ coll: { '@mod': 'Token' }, data: { k: 'v' }, document: { '@ref': { coll: { '@mod': 'Customer' } } } });
    const secret = doc.secret as string;
    expect(secret).toMatch(/^fn[E-H][A-Za-z0-9_-]{48}$/);
    expect(db.data(`Token.byId("${doc.id as string}")!.secret`)).toBeNull();
    const principal = db.login(secret);
    expect(principal).toMatchObject({ kind: 'token', tokenId: doc.id });
    expect(db.data('Query.identity()!.email', { principal })).toBe('a@b.co');
    expect(db.data(`Query.token() == Token.byId("${doc.id as string}")`, { principal })).toBe(true);
    db.clock.advance(59_000);
    expect(db.engine.authenticate(secret)).not.toBeNull();
    db.clock.advance(2_000);
    expect(db.engine.authenticate(secret)).toBeNull();
    expect(db.data(`Token.byId("${doc.id as string}").exists()`)).toBe(false);
  });

  it('invalidates a token when it or its identity document is deleted', () => {
    const db = makeDb(SERVICE_FSL);
    const [a, b] = db.data('let c = Customer.create({ email: "a@b.co", sub: "s" })\n[Token.create({ document: c }).secret, Token.create({ document: c }).secret]') as string[];
    expect(db.data('Token.byDocument(Customer.all().first()!).count()')).toEqual(int(2));
    db.data('Token.byDocument(Customer.all().first()!).first()!.delete()');
    expect(db.engine.authenticate(a!)).toBeNull();
    expect(db.engine.authenticate(b!)).not.toBeNull();
    db.data('Customer.all().first()!.delete()');
    expect(db.engine.authenticate(b!)).toBeNull();
  });

  it('rejects tokens for documents of non-user collections', () => {
    const db = makeDb(SERVICE_FSL);
    const error = db.error('Token.create({ document: Key.create({ role: "server" }) })');
    expect(error).toMatchObject({ code: 'constraint_failure', message: 'Expected document from a user-defined collection.' });
  });

  it('returns null for Query.identity() with a key', () => {
    const db = makeDb(SERVICE_FSL);
    expect(db.data('Query.identity()')).toBeNull();
    expect(db.error('Query.identity()!')).toMatchObject({ code: 'null_value', message: 'Null value, due to missing identity' });
  });

  it('applies a role read predicate: own identity readable, other documents denied as Fauna shows it', () => {
    const db = makeDb(SERVICE_FSL);
    const ids = db.data('[Customer.create({ email: "a@b.co", sub: "1" }).id, Customer.create({ email: "b@b.co", sub: "2" }).id]') as string[];
    const secret = db.data(`Token.create({ document: Customer.byId("${ids[0]}") }).secret`) as string;
    const me = db.login(secret);
    expect(db.data(`Customer.byId("${ids[0]}")!.email`, { principal: me })).toBe('a@b.co');
    expect(db.data(`Customer.byId("${ids[1]}")`, { principal: me })).toEqual({ '@ref': { id: ids[1], coll: { '@mod': 'Customer' }, exists: false, cause: 'permission denied' } });
    expect(db.error(`Customer.byId("${ids[1]}")!`, { principal: me })).toMatchObject({ code: 'null_value', message: 'Null value, due to permission denied' });
    expect(db.error(`Customer.byId("${ids[1]}").email`, { principal: me }).code).toBe('permission_denied');
    expect(db.data('Customer.all().map(.email).toArray()', { principal: me })).toEqual(['a@b.co']);
    expect(db.data('Customer.byEmail("b@b.co").first()', { principal: me })).toBeNull();
    expect(db.error('Customer.byEmail("b@b.co").first()!', { principal: me })).toMatchObject({ code: 'null_value', message: 'Null value, due to empty set' });
    expect(db.error('Customer.create({ email: "c@b.co", sub: "3" })', { principal: me })).toMatchObject({ code: 'permission_denied', message: 'Insufficient privileges to perform the action.' });
    expect(db.error(`Customer.byId("${ids[0]}")!.update({ email: "x@b.co" })`, { principal: me }).code).toBe('permission_denied');
  });

  it('denies index reads on a collection the role cannot read at all', () => {
    const db = makeDb(SERVICE_FSL);
    const key = db.login(db.data('Key.create({ role: "pretokenTrigger" }).secret') as string);
    expect(db.error('Customer.byEmail("a@b.co")', { principal: key })).toMatchObject({ code: 'permission_denied', message: 'Insufficient privileges to read from collection Customer.' });
  });

  it('checks the collection read privilege again when another caller follows an index set cursor', () => {
    const db = makeDb(SERVICE_FSL);
    db.data('Set.sequence(0, 3).forEach(i => Product.create({ name: "p", price: i }))\nCustomer.create({ email: "a@b.co", sub: "1" })');
    const page = db.data('Customer.byEmail("a@b.co").concat(Product.byName("p")).paginate(1)') as { after: string };
    const key = db.login(db.data('Key.create({ role: "pretokenTrigger" }).secret') as string);
    expect(db.error({ fql: ['Set.paginate(', { value: page.after }, ')'] }, { principal: key })).toMatchObject({ code: 'permission_denied', message: 'Insufficient privileges to read from collection Customer.' });
    expect(db.data({ fql: ['Set.paginate(', { value: page.after }, ')'] })).toMatchObject({ data: expect.any(Array) });
  });

  it('evaluates write, create and delete predicates and membership predicates', () => {
    const db = makeDb(`
collection User {
  *: Any
}
collection Note {
  *: Any
  index byOwner {
    terms [.owner]
  }
}
role member {
  membership User {
    predicate ((u) => u.active == true)
  }
  privileges Note {
    read { predicate ((n) => n.owner == Query.identity()) }
    create { predicate ((n) => n.owner == Query.identity()) }
    write { predicate ((oldDoc, newDoc) => oldDoc.owner == Query.identity() && newDoc.locked != true) }
    delete { predicate ((n) => n.owner == Query.identity() && n.kind == "draft") }
  }
}
`);
    const tokens = db.data('let a = User.create({ active: true })\nlet b = User.create({ active: false })\n[Token.create({ document: a }).secret, Token.create({ document: b }).secret, a.id]') as string[];
    const active = db.login(tokens[0]!);
    const inactive = db.login(tokens[1]!);
    const noteId = db.data('Note.create({ owner: Query.identity(), kind: "draft", text: "x" }).id', { principal: active }) as string;
    expect(db.error('Note.create({ owner: null, text: "y" })', { principal: active }).code).toBe('permission_denied');
    expect(db.data(`Note.byId("${noteId}")!.update({ text: "z" }).text`, { principal: active })).toBe('z');
    expect(db.error(`Note.byId("${noteId}")!.update({ locked: true })`, { principal: active }).code).toBe('permission_denied');
    expect(db.error('Note.create({ owner: Query.identity() })', { principal: inactive }).code).toBe('permission_denied');
    expect(db.data(`Note.byId("${noteId}")!.delete().exists()`, { principal: active })).toBe(false);
  });

  it('lets a key that may only call a @role(server) function do what the function does, and nothing else', () => {
    const db = makeDb(SERVICE_FSL);
    const key = db.login(db.data('Key.create({ role: "pretokenTrigger" }).secret') as string);
    const first = db.data(SIGN_IN('sub-1', 'a@b.co'), { principal: key }) as Record<string, unknown>;
    expect(first).toMatchObject({ userId: expect.stringMatching(/^\d+$/), secret: expect.stringMatching(/^fn[E-H]/), created: true });
    expect((first.expiresAt as { '@time': string })['@time']).toMatch(/Z$/);
    expect(db.data('Customer.all().count()', { principal: key })).toEqual(int(0));
    expect(db.data('Customer.all().count()')).toEqual(int(1));
    expect(db.error('Customer.create({ email: "z@b.co", sub: "z" })', { principal: key }).code).toBe('permission_denied');
    const client = db.login(db.data('Key.create({ role: "client" }).secret') as string);
    expect(db.error(SIGN_IN('sub-2', 'b@b.co'), { principal: client }).code).toBe('permission_denied');
  });

  it('points the summary of a failure inside a function body at the call in the query', () => {
    const db = makeDb(SERVICE_FSL);
    const error = db.error('signIn("s", "e@b.co", "soon", {})');
    expect(error.code).toBe('invalid_argument');
    expect(error.summary).toBe('error: expected value for `amount` of type Number, received String\nat *query*:1:1\n  |\n1 | signIn("s", "e@b.co", "soon", {})\n  | ^^^^^^\n  |');
  });

  it('runs the service sign-in: upsert by sub, link by email, keep email in sync, token valid for ttlSeconds', () => {
    const db = makeDb(SERVICE_FSL);
    const key = db.login(db.data('Key.create({ role: "pretokenTrigger" }).secret') as string);
    db.data('Customer.create({ email: "pre@b.co", sub: "legacy" })');
    const linked = db.data(SIGN_IN('sub-9', 'pre@b.co'), { principal: key }) as Record<string, unknown>;
    expect(linked.created).toBe(true);
    expect(db.data('Customer.all().count()')).toEqual(int(1));
    expect(db.data('Customer.all().first()!.sub')).toBe('sub-9');
    const again = db.data(SIGN_IN('sub-9', 'new@b.co', 60), { principal: key }) as Record<string, unknown>;
    expect(again).toMatchObject({ userId: linked.userId, created: false });
    expect(db.data('Customer.all().first()!.email')).toBe('new@b.co');
    const token = db.login(again.secret as string);
    expect(db.data('Query.identity()!.email', { principal: token })).toBe('new@b.co');
    expect(db.data('Product.all().count()', { principal: token })).toEqual(int(0));
    db.clock.advance(61_000);
    expect(db.engine.authenticate(again.secret as string)).toBeNull();
    expect(db.engine.authenticate(linked.secret as string)).not.toBeNull();
  });
});
