/**
 * How long after its start (the init's start on a cold container) every answer must be back in the evidence suites:
 * Cognito waits 5 s, and the rest is kept for Lambda's and the network's overhead (docs/reliability.md "The deadline").
 */
export const ANSWER_BUDGET_MS = 4500;
