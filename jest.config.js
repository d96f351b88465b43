// Jest runs in ESM mode (Middy 7 is ESM-only); @swc/jest strips types, `npm run typecheck` checks them.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  // Every log line of the run is copied for the secrets audit, which `npm test` (scripts/test.ts) runs last, alone.
  setupFiles: ['<rootDir>/tests/helpers/log-capture.setup.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/evidence/secrets-audit\\.test\\.ts$'],
  testTimeout: 30000,
};
