#!/usr/bin/env node
// The package's `fauna-local` command (package.json `bin`): the CLI of cli.ts, run unconditionally. A separate entry
// because npm links the bin through node_modules/.bin, so cli.ts's own "am I the main module" check (its URL against
// process.argv[1]) does not hold there.
import { runCli } from './cli.ts';

runCli();
