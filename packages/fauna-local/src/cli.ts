/**
 * `npm run fauna:local`: runs the local Fauna endpoint until SIGINT/SIGTERM.
 *
 *   npm run fauna:local -- --port 8443 --host 127.0.0.1 --secret secret --schema-dir fauna --data-file .fauna-local/data.json
 *   npm run fauna:local -- --contention 10      # contention mode, 10 ms in flight per read-write transaction
 *
 * Every flag has an environment variable: FAUNA_LOCAL_PORT, FAUNA_LOCAL_HOST, FAUNA_LOCAL_SECRET,
 * FAUNA_LOCAL_SCHEMA_DIR, FAUNA_LOCAL_DATA_FILE, FAUNA_LOCAL_CONTENTION. Flags win over the environment.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CONTENTION_WINDOW_MS, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_ROOT_SECRET, startLocalFauna, type LocalFaunaOptions } from './index.ts';

const USAGE = `Usage: npm run fauna:local -- [--port N] [--host H] [--secret S] [--schema-dir DIR] [--data-file FILE] [--contention MS] [--typechecked true|false]
  --port       port to listen on (0 = any free port)   env FAUNA_LOCAL_PORT        default ${DEFAULT_PORT}
  --host       address to bind                          env FAUNA_LOCAL_HOST        default ${DEFAULT_HOST}
  --secret     the root key's secret                    env FAUNA_LOCAL_SECRET      default ${DEFAULT_ROOT_SECRET}
  --schema-dir *.fsl files pushed at start              env FAUNA_LOCAL_SCHEMA_DIR
  --data-file  persist the database to this file        env FAUNA_LOCAL_DATA_FILE   default: in memory only
  --contention contention mode: MS in flight per read-write transaction (0 = off)
                                                        env FAUNA_LOCAL_CONTENTION  default 0 (off); ${DEFAULT_CONTENTION_WINDOW_MS} is typical
  --typechecked the root database's type checking       env FAUNA_LOCAL_TYPECHECKED default true (as in Fauna)`;

/** A flag or variable the CLI cannot use. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'CliUsageError';
  }
}

/** Reads the options from argv and the environment (flags first). */
export function cliOptions(argv: string[], env: NodeJS.ProcessEnv): LocalFaunaOptions & { help: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        secret: { type: 'string' },
        'schema-dir': { type: 'string' },
        'data-file': { type: 'string' },
        contention: { type: 'string' },
        typechecked: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const portText = values.port ?? env.FAUNA_LOCAL_PORT;
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliUsageError(`Invalid port '${portText}'.`);
  const schemaDir = values['schema-dir'] ?? env.FAUNA_LOCAL_SCHEMA_DIR;
  const dataFile = values['data-file'] ?? env.FAUNA_LOCAL_DATA_FILE;
  const contentionText = values.contention ?? env.FAUNA_LOCAL_CONTENTION;
  const windowMs = contentionText === undefined ? 0 : Number(contentionText);
  if (!Number.isFinite(windowMs) || windowMs < 0) {
    throw new CliUsageError(`Invalid contention window '${contentionText}': give the milliseconds a read-write transaction stays in flight (0 = off).`);
  }
  const typecheckedText = values.typechecked ?? env.FAUNA_LOCAL_TYPECHECKED;
  if (typecheckedText !== undefined && typecheckedText !== 'true' && typecheckedText !== 'false') throw new CliUsageError(`Invalid --typechecked '${typecheckedText}': use true or false.`);
  return {
    help: values.help ?? false,
    port,
    host: values.host ?? env.FAUNA_LOCAL_HOST ?? DEFAULT_HOST,
    rootSecret: values.secret ?? env.FAUNA_LOCAL_SECRET ?? DEFAULT_ROOT_SECRET,
    ...(schemaDir === undefined ? {} : { schemaDir }),
    ...(dataFile === undefined ? {} : { dataFile }),
    ...(windowMs > 0 ? { contention: { windowMs } } : {}),
    ...(typecheckedText === undefined ? {} : { typechecked: typecheckedText === 'true' }),
  };
}

async function main(): Promise<void> {
  const { help, ...options } = cliOptions(process.argv.slice(2), process.env);
  if (help) {
    console.log(USAGE);
    return;
  }
  const fauna = await startLocalFauna(options);
  // The root secret of a local emulator is a well-known development value (Fauna's Docker image prints it too).
  console.log(`Local Fauna listening on ${fauna.url}`);
  if (options.contention) console.log(`Contention mode: read-write transactions stay ${(options.contention as { windowMs: number }).windowMs} ms in flight`);
  console.log(`Root secret: ${fauna.rootSecret}`);
  console.log(`Use it with: FAUNA_ENDPOINT=${fauna.url} FAUNA_SECRET=<secret>`);
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, stopping…`);
    fauna.stop().then(
      () => {
        console.log('Local Fauna stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('Local Fauna failed to stop cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/** Runs the CLI on this process's arguments and environment; exits 2 for a flag or variable it cannot use, 1 on failure. */
export function runCli(): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    // 2 for a flag or variable it cannot use, as every npm script of the repository.
    process.exit(error instanceof CliUsageError ? 2 : 1);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) runCli();
