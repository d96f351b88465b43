/**
 * Errors raised while reading FSL schema files.
 */
import type { Span } from '../fql/ast.ts';

/** One problem in a schema file, with its position. */
export interface FslDiagnostic {
  filename: string;
  message: string;
  span: Span;
  /** 1-based, as printed in the rendered message. */
  line: number;
  column: number;
}

/**
 * Thrown by `parseSchemaFile` / `parseSchemaFiles` when a file is not valid FSL, declares an item twice, or uses something
 * the emulator does not support. `message` is the rendered diagnostic (`error: … at main.fsl:3:5` with the source
 * excerpt), which the schema API returns as `{"error":{"message"}}` with status 400.
 */
export class FslSyntaxError extends Error {
  override name = 'FslSyntaxError';
  readonly diagnostics: FslDiagnostic[];

  constructor(message: string, diagnostics: FslDiagnostic[], options: { cause?: unknown } = {}) {
    super(message, options);
    this.diagnostics = diagnostics;
  }
}
