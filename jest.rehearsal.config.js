// The deploy rehearsal (tests/rehearsal/): `npm run rehearse`, run by .ci/run where moto_server is installed. Not part
// of `npm test`, which needs only Node and npm (jest.config.js ignores tests/rehearsal/).
import base from './jest.config.js';

export default {
  testEnvironment: base.testEnvironment,
  extensionsToTreatAsEsm: base.extensionsToTreatAsEsm,
  transform: base.transform,
  testMatch: ['<rootDir>/tests/rehearsal/**/*.test.ts'],
  // Each deploy takes seconds of the CLI's own work; the suites share one emulator's account and run one at a time.
  maxWorkers: 1,
  testTimeout: 240000,
};
