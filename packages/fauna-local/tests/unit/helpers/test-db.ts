/**
 * Shared set-up for the engine tests: a fresh engine with an adjustable clock, FSL loaded, and a `run` helper that
 * sends FQL source (or a driver template) as a given principal.
 */
import { AdjustableClock } from '../../../src/clock.ts';
import type { Engine, Principal, QueryOutcome, QueryRequest, ValueFormat } from '../../../src/engine/api.ts';
import { createEngine, loadSchemaFiles } from '../../../src/engine/engine.ts';
import { statusOf } from '../../../src/http/errors.ts';
import { IDENTITY_FIXTURE } from '../../helpers/identity-fixture.ts';

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

export function makeDb(fsl: string | Readonly<Record<string, string>> = ''): TestDb {
  const clock = new AdjustableClock();
  // These tests exercise the evaluator's runtime semantics (runtime errors included), as a database created with
  // `typechecked: false` runs them; the static checker has its own tests (packages/fauna-local/tests/unit/typer/).
  const engine = createEngine({ clock, rootSecret: ROOT_SECRET, typechecked: false });
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

/** The identity schema fixture, shared with the conformance suite (see packages/fauna-local/tests/helpers/identity-fixture.ts). */
export const SERVICE_FSL = IDENTITY_FIXTURE;

/** `{"@int": "n"}` */
export const int = (n: number | bigint) => ({ '@int': String(n) });
