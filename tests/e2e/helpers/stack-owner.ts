// Fixture for local-stack-processes.test.ts: a process that starts a managed child (as startLocalStack does) and
// then is killed by the test. With `--stop-on-signal` it registers the stack's SIGINT/SIGTERM hook; without it,
// only the orphan guard can end the child.
import { fileURLToPath } from 'node:url';
import { startNodeProcess } from '../../../stack/node-process.ts';
import { onTermination } from '../../../stack/shutdown-hooks.ts';

const idleProcess = fileURLToPath(new URL('./idle-process.ts', import.meta.url));
const child = await startNodeProcess({
  name: 'idle process',
  args: [idleProcess],
  cwd: process.cwd(),
  env: process.env,
  isReady: (line) => line.includes('"ready"'),
  onOutput: (line) => console.log(line),
});
if (process.argv.includes('--stop-on-signal')) onTermination(() => child.stop());
setInterval(() => {}, 1000);
