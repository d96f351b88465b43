/**
 * Shared set-up for the engine tests: a fresh engine with an adjustable clock, FSL loaded, and a `run` helper that
 * sends FQL source (or a driver template) as a given principal.
 */
import { AdjustableClock } from '../../../../../local/fauna/clock.ts';
import type { Engine, Principal, QueryOutcome, QueryRequest, ValueFormat } from '../../../../../local/fauna/engine/api.ts';
import { createEngine, loadSchemaFiles } from '../../../../../local/fauna/engine/engine.ts';
import { statusOf } from '../../../../../local/fauna/http/errors.ts';

export const ROOT: Principal = { kind: 'root' };
export const ROOT_SECRET = 'secret';

export interface TestDb {
  engine: Engine;
  clock: AdjustableClock;
  run(query: QueryRequest['query'], options?: { principal?: Principal; format?: ValueFormat; args?: Record<string, unknown>; timeoutMs?: number }): QueryOutcome;
  /** Runs and expects success; returns the encoded data. */
  data(query: QueryRequest['query'], options?: { principal?: Principal; format?: ValueFormat; args?: Record<string, unknown> }): unknown;
  /** Runs and expects failure; returns the error body (plus status and summary). */
  error(query: QueryRequest['query'], options?: { principal?: Principal; format?: ValueFormat; args?: Record<string, unknown> }): { code: string; message: string; httpStatus: number; summary: string; abort?: unknown; constraint_failures?: unknown };
  /** Authenticates a secret and fails the test if it is rejected. */
  login(secret: string): Principal;
}

export function makeDb(fsl: string | Record<string, string> = ''): TestDb {
  const clock = new AdjustableClock();
  const engine = createEngine({ clock, rootSecret: ROOT_SECRET });
  const files = typeof fsl === 'string' ? { 'main.fsl': fsl } : fsl;
  const list = Object.entries(files).filter(([, content]) => content.trim() !== '').map(([filename, content]) => ({ filename, content }));
  if (list.length > 0) loadSchemaFiles(engine, list);
  const run: TestDb['run'] = (query, options = {}) =>
    engine.query({
      principal: options.principal ?? ROOT,
      query,
      arguments: options.args,
      format: options.format ?? 'tagged',
      lastTxnTs: undefined,
      timeoutMs: options.timeoutMs ?? 5000,
      typecheck: undefined,
    });
  return {
    engine,
    clock,
    run,
    data(query, options) {
      const outcome = run(query, options);
      if (!outcome.ok) throw new Error(`expected success, got ${outcome.error.code}: ${outcome.error.message}\n${outcome.summary}`);
      return outcome.data;
    },
    error(query, options) {
      const outcome = run(query, options);
      if (outcome.ok) throw new Error(`expected failure, got ${JSON.stringify(outcome.data)}`);
      // The status is the HTTP layer's: the engine reports codes only.
      return { ...outcome.error, httpStatus: statusOf(outcome.error.code), summary: outcome.summary };
    },
    login(secret) {
      const principal = engine.authenticate(secret);
      if (!principal) throw new Error('secret was rejected');
      return principal;
    },
  };
}

/** The FSL the service uses (a copy, so these tests do not depend on the service's schema evolving). */
export const SERVICE_FSL = `
collection Customer {
  email: String
  sub: String
  unique [.email]
  unique [.sub]
  index byEmail {
    terms [.email]
  }
  index bySub {
    terms [.sub]
  }
}

collection Product {
  name: String
  price: Int?
  *: Any
  index byName {
    terms [.name]
    values [desc(.price)]
  }
}

role customer {
  membership Customer
  privileges Product { read }
  privileges Customer {
    read { predicate ((doc) => Query.identity() == doc) }
  }
}

role pretokenTrigger {
  privileges signIn { call }
}

@role(server)
function signIn(sub, email, ttlSeconds, meta) {
  let bySub = Customer.bySub(sub).first()
  let user = bySub ?? (Customer.byEmail(email).first() ?? Customer.create({ email: email, sub: sub }))
  let linked = if (user.sub != sub || user.email != email) user.update({ sub: sub, email: email }) else user
  let token = Token.create({ document: linked, ttl: Time.now().add(ttlSeconds, "seconds"), data: meta })
  { userId: linked.id, secret: token.secret, expiresAt: token.ttl, created: bySub == null }
}
`;

/** `{"@int": "n"}` */
export const int = (n: number | bigint) => ({ '@int': String(n) });
