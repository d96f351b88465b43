// Fixture for local-stack-processes.test.ts: a "server" that starts a helper of its own (as serverless-offline
// starts esbuild), reports both pids, and runs until killed.
import { spawn } from 'node:child_process';

const helper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log(JSON.stringify({ ready: true, pid: process.pid, helperPid: helper.pid }));
setInterval(() => {}, 1000);
