/**
 * Errors of the local stack. Each names the process or step that failed and what to check, and carries the
 * underlying error as `cause`.
 */

/** A process of the stack could not be started, or it died before it was ready. */
export class LocalStackStartError extends Error {
  /** The last lines the process printed, oldest first, so the reason is visible without re-running. */
  readonly output: readonly string[];

  constructor(message: string, options: { output?: readonly string[]; cause?: unknown } = {}) {
    const output = options.output ?? [];
    super(output.length > 0 ? `${message}\n--- last output ---\n${output.join('\n')}` : message, { cause: options.cause });
    this.name = 'LocalStackStartError';
    this.output = output;
  }
}
