// Jest runs in ESM mode (Middy 7 is ESM-only); @swc/jest strips types, `npm run typecheck` checks them.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  // The service's suites and every workspace package's (each package also has its own jest project, with its coverage gate).
  testMatch: ['<rootDir>/tests/**/*.test.ts', '<rootDir>/packages/*/tests/**/*.test.ts'],
  // Every log line of the run is copied for the secrets audit, which `npm test` (scripts/test.ts) runs last, alone.
  setupFiles: ['<rootDir>/tests/helpers/log-capture.setup.ts'],
  // The deploy rehearsal needs Python's moto_server: `npm run rehearse` (jest.rehearsal.config.js) runs it, from .ci/run.
  // A whole-suite `npm test` runs the packages' suites in their own jest projects (for their coverage gates), so it sets
  // SERVICE_SUITES_ONLY for the service's run (scripts/test.ts).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/evidence/secrets-audit\\.test\\.ts$', '<rootDir>/tests/rehearsal/', ...(process.env.SERVICE_SUITES_ONLY ? ['<rootDir>/packages/'] : [])],
  testTimeout: 30000,
  // Coverage of the service code. `npm test` (scripts/test.ts) collects it on a whole-suite run (CI's too), so these
  // thresholds fail the run when a change leaves lib/ or handlers/ less tested than the suite reaches today; a run of a
  // few files collects nothing. Babel's (istanbul) provider instruments only the files below, after @swc/jest, so the
  // rest (the local Fauna above all) runs at full speed; V8's block coverage slowed the whole suite down. The generated
  // event validator is ajv's output: its branches are ajv's business, tested through lib/sign-in/event-schema.ts.
  coverageProvider: 'babel',
  collectCoverageFrom: ['<rootDir>/lib/**/*.ts', '<rootDir>/handlers/**/*.ts', '!<rootDir>/lib/sign-in/generated/**'],
  coverageReporters: ['text-summary'],
  coverageThreshold: {
    // A folder's entry holds its files together (handlers/sign-in/middleware/ included). Measured on the whole suite: lib/
    // 96.6 % statements, 94.9 % branches, 91.9 % functions, 97.8 % lines; handlers/ 93.9, 76.6, 90.9, 96.9. Each
    // threshold is that figure rounded down, branches a point lower again: a branch or two depends on timing.
    './lib/': { statements: 96, branches: 93, functions: 91, lines: 97 },
    './handlers/': { statements: 93, branches: 75, functions: 90, lines: 96 },
  },
};
