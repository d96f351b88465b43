/**
 * In-memory log sinks for the service's real logger and metrics in tests: the JSON written is exactly what Lambda
 * would get, kept for assertions and copied to the secrets audit's capture.
 */
import { EmfMetrics } from '../../handlers/common/telemetry/emf-metrics.ts';
import { JsonLogger, type LineWriter, type LogLevel, logLevelFrom } from '../../handlers/common/telemetry/json-logger.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../handlers/common/telemetry/service-telemetry.ts';
import { captureText } from './log-capture.ts';

/** Log lines kept in memory and copied to the audit's capture. */
export class LogLines {
  readonly lines: string[] = [];

  /** A line writer that writes here only (each line with its newline, as on stdout). */
  writer(source: string): LineWriter {
    return (line) => {
      const text = `${line}\n`;
      this.lines.push(text);
      captureText(source, text);
    };
  }

  /** The parsed JSON log records whose `message` is `message`. */
  records(message: string): Record<string, unknown>[] {
    return this.lines
      .flatMap((line) => line.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.message === message);
  }

  get text(): string {
    return this.lines.join('');
  }
}

/** The service's logger and metrics writing to `lines`; the level defaults to the environment's, as in the handler. */
export function observabilityWritingTo(lines: LogLines, options: { logLevel?: LogLevel } = {}): { logger: JsonLogger; metrics: EmfMetrics } {
  const logger = new JsonLogger({ serviceName: SERVICE_NAME, level: options.logLevel ?? logLevelFrom(process.env).level, write: lines.writer('logger') });
  const metrics = new EmfMetrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, write: lines.writer('metrics') });
  return { logger, metrics };
}
