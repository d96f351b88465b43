// Fixture for local-stack-processes.test.ts: a process that starts a managed child and then dies without
// stopping it (the test SIGKILLs it), to show that the orphan guard ends the child's whole group.
import { fileURLToPath } from 'node:url';
import { startNodeProcess } from '../../../local/stack/node-process.ts';

const idleProcess = fileURLToPath(new URL('./idle-process.ts', import.meta.url));
await startNodeProcess({
  name: 'idle process',
  args: [idleProcess],
  cwd: process.cwd(),
  env: process.env,
  isReady: (line) => line.includes('"ready"'),
  onOutput: (line) => console.log(line),
});
setInterval(() => {}, 1000);
