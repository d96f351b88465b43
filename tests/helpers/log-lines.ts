/**
 * In-memory log sinks for the real Powertools Logger and Metrics used by the service's tests: the JSON written is
 * exactly what Lambda would get, kept for assertions and copied to the secrets audit's capture.
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../handlers/create-handler.ts';
import { captureText } from './log-capture.ts';

/** Log lines kept in memory and copied to the audit's capture. */
export class LogLines {
  readonly lines: string[] = [];

  /** A console that writes here only. */
  console(source: string): Console {
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const text = chunk.toString('utf8');
        this.lines.push(text);
        captureText(source, text);
        done();
      },
    });
    return new Console({ stdout: sink, stderr: sink });
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

/**
 * A Powertools Logger and Metrics that write to `lines` instead of stdout. Powertools has no option for the output
 * stream, so its private `console` is replaced.
 */
export function observabilityWritingTo(
  lines: LogLines,
  options: { logLevel?: 'DEBUG' | 'INFO' } = {},
): { logger: Logger; metrics: Metrics } {
  const logger = new Logger({ serviceName: SERVICE_NAME, ...(options.logLevel ? { logLevel: options.logLevel } : {}) });
  // Metrics warns (e.g. "No application metrics to publish") through `logger`, and writes EMF through `console`.
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, logger: lines.console('powertools-metrics') });
  Reflect.set(logger, 'console', lines.console('powertools-logger'));
  Reflect.set(metrics, 'console', lines.console('powertools-metrics'));
  return { logger, metrics };
}
