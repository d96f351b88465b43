// Fixture for local-stack-processes.test.ts: a process that dies before it is ready, as serverless does on a bad config.
console.error('Error: functions.preTokenGeneration.handler points to a missing file');
process.exit(3);
