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
  // Coverage of the service code. `npm test` (scripts/test.ts) collects it on a whole-suite run (CI's too), so these
  // thresholds fail the run when a change leaves lib/ or handlers/ less tested than the suite reaches today; a run of a
  // few files collects nothing. V8's own coverage: no instrumentation pass over the code, so it costs little.
  coverageProvider: 'v8',
  collectCoverageFrom: ['<rootDir>/lib/**/*.ts', '<rootDir>/handlers/**/*.ts'],
  coverageReporters: ['text-summary'],
  coverageThreshold: {
    // A folder's entry holds its files together (lib/generated/ and handlers/middleware/ included).
    './lib/': { statements: 99, branches: 95, functions: 92, lines: 99 },
    './handlers/': { statements: 97, branches: 80, functions: 87, lines: 97 },
  },
};
