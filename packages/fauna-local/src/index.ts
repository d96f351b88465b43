/**
 * The programmatic API of the local Fauna endpoint (see DESIGN.md): start an engine behind the HTTP server on one
 * port, optionally seeded with an FSL schema folder and persisted to a data file.
 *
 * @example
 * const fauna = await startLocalFauna({ port: 0, schemaDir: 'fauna' });
 * const client = new Client({ endpoint: new URL(fauna.url), secret: fauna.rootSecret });
 * // …
 * client.close();
 * await fauna.stop();
 */
import { readFslFiles } from './fsl-files.ts';
import type { Clock } from './clock.ts';
import { AdjustableClock } from './clock.ts';
import type { ContentionFault, ContentionOptions, Engine, EngineSnapshot } from './engine/api.ts';
import type { SchemaFile } from './schema/model.ts';
import { createEngine, loadSchemaFiles } from './engine/engine.ts';
import { createFaunaDispatcher } from './http/app.ts';
import { startHttpServer } from './http/server.ts';
import { SnapshotWriter, loadSnapshot } from './persistence.ts';

/** Fauna's Docker image port. */
export const DEFAULT_PORT = 8443;
export const DEFAULT_HOST = '127.0.0.1';
/** Fauna's Docker image root secret. */
export const DEFAULT_ROOT_SECRET = 'secret';

export interface LocalFaunaOptions<C extends Clock = AdjustableClock> {
  /** Default 8443; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default `secret`. */
  rootSecret?: string;
  /** A folder of `*.fsl` files (searched recursively) pushed at start as the root key, with override semantics. */
  schemaDir?: string;
  /** Default a new AdjustableClock, so tests can `advance()` time. */
  clock?: C;
  /** Persist to this file (atomic replace after commits, coalesced) and load it at start. */
  dataFile?: string;
  /** Largest accepted request body; default 16 MiB. */
  maxRequestBytes?: number;
  /**
   * Whether the root database is type-checked (default true, as in Fauna): queries are checked before they run and
   * schema code at push, unless a database sets `typechecked: false` or a request sends `x-typecheck: false`.
   */
  typechecked?: boolean;
  /**
   * Contention mode (DESIGN.md "Contention"): read-write transactions overlap and conflict as in Fauna (retried up to
   * `x-max-contention-retries`, else 409). `true` for the defaults (10 ms in flight, retries after < 200 ms).
   */
  contention?: boolean | ContentionOptions;
}

export type { Clock, ContentionFault, ContentionOptions };
// The clock a test advances (`fauna.clock.advance(ms)`): TTLs, token expiry and time functions read it.
export { AdjustableClock };
export { DEFAULT_CONTENTION_WINDOW_MS, DEFAULT_MAX_CONTENTION_RETRIES } from './engine/contention.ts';

export interface LocalFauna<C extends Clock = AdjustableClock> {
  /** e.g. `http://127.0.0.1:43123` */
  url: string;
  port: number;
  rootSecret: string;
  clock: C;
  /** The fault switch: forces 409 `contended_transaction` on read-write queries (in either mode). */
  forceContention(fault: ContentionFault): void;
  /** Removes every forced-contention rule. */
  clearForcedContention(): void;
  /** Totals since the start: commits through the in-flight window, retries, 409s (and how many were forced). */
  contentionCounts(): { committed: number; retries: number; aborted: number; forced: number };
  /** Stops the server, then writes any pending data to `dataFile`. Safe to call twice. */
  stop(): Promise<void>;
}

/** The schema folder could not be read or was rejected by the engine. */
export class SchemaDirError extends Error {
  constructor(schemaDir: string, reason: string, cause?: unknown) {
    super(`The schema folder ${schemaDir} could not be applied: ${reason}`, { cause });
    this.name = 'SchemaDirError';
  }
}

/** Starts a local Fauna endpoint. Resolves once it accepts connections. */
export async function startLocalFauna<C extends Clock = AdjustableClock>(options: LocalFaunaOptions<C> = {}): Promise<LocalFauna<C>> {
  const clock = options.clock ?? (new AdjustableClock() as unknown as C);
  const rootSecret = options.rootSecret ?? DEFAULT_ROOT_SECRET;
  const host = options.host ?? DEFAULT_HOST;
  const snapshot: EngineSnapshot | undefined = options.dataFile === undefined ? undefined : await loadSnapshot(options.dataFile);
  const contention = options.contention === true ? {} : options.contention === false ? undefined : options.contention;
  const engine = createEngine({
    clock,
    rootSecret,
    ...(contention === undefined ? {} : { contention }),
    ...(options.typechecked === undefined ? {} : { typechecked: options.typechecked }),
  }, snapshot);

  let writer: SnapshotWriter | undefined;
  if (options.dataFile !== undefined) {
    const persisted = new SnapshotWriter({ file: options.dataFile, snapshot: () => engine.snapshot() });
    engine.onCommit(() => persisted.schedule());
    writer = persisted;
  }
  if (options.schemaDir !== undefined) await applySchemaDir(engine, options.schemaDir);

  const server = await startHttpServer({
    host,
    port: options.port ?? DEFAULT_PORT,
    dispatch: createFaunaDispatcher(engine),
    ...(options.maxRequestBytes === undefined ? {} : { maxRequestBytes: options.maxRequestBytes }),
  });

  let stopped: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`,
    port: server.port,
    rootSecret,
    clock,
    forceContention: (fault) => engine.forceContention(fault),
    clearForcedContention: () => engine.clearForcedContention(),
    contentionCounts: () => engine.contentionCounts(),
    stop() {
      stopped ??= (async () => {
        await server.stop();
        await writer?.flush();
      })();
      return stopped;
    },
  };
}

async function applySchemaDir(engine: Engine, schemaDir: string): Promise<void> {
  let files: SchemaFile[];
  try {
    files = await readFslFiles(schemaDir);
  } catch (error) {
    throw new SchemaDirError(schemaDir, (error as Error).message, error);
  }
  try {
    loadSchemaFiles(engine, files);
  } catch (error) {
    throw new SchemaDirError(schemaDir, (error as Error).message, error);
  }
}
