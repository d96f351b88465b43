// Fixture for local-stack-processes.test.ts: a "server" that starts a helper of its own (as serverless-offline
// starts esbuild), reports both pids, and runs until killed. On SIGTERM it leaves a note in TERM_NOTE_FILE (if
// set), so a test can tell a graceful stop from a SIGKILL.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const helper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
process.on('SIGTERM', () => {
  const noteFile = process.env.TERM_NOTE_FILE;
  if (noteFile) writeFileSync(noteFile, 'stopped by SIGTERM');
  process.exit(0);
});
console.log(JSON.stringify({ ready: true, pid: process.pid, helperPid: helper.pid }));
setInterval(() => {}, 1000);
