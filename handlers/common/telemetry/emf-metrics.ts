/**
 * The service's CloudWatch metrics, written as Embedded Metric Format: one JSON line per invocation that CloudWatch
 * turns into metrics, with no API call and no extra latency
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * It replaces Powertools Metrics for the reason given in `json-logger.ts`, and keeps its shape: the namespace, and the
 * service name as the one dimension (serverless/alarms.yml alarms on `service`).
 */
import type { ServiceMetrics } from '../../../lib/common/observability.ts';
import { type LineWriter, writeToStdout } from './json-logger.ts';

type Unit = Parameters<ServiceMetrics['addMetric']>[1];

/** EMF allows up to 100 values per metric in one record; more are dropped and counted as dropped. */
export const MAX_VALUES_PER_METRIC = 100;

export interface EmfMetricsOptions {
  namespace: string;
  serviceName: string;
  /** Default {@link writeToStdout}. */
  write?: LineWriter;
  /** Epoch milliseconds; default `Date.now`. */
  now?: () => number;
}

/**
 * Collects the invocation's metrics and writes them in one record on {@link EmfMetrics.flush}. A metric added twice
 * keeps both values (EMF's value arrays).
 *
 * @example
 * const metrics = new EmfMetrics({ namespace: 'CognitoFauna', serviceName: 'cognito-fauna' });
 * metrics.addMetric('SignIns', 'Count', 1);
 * metrics.flush(); // {"_aws":{...},"service":"cognito-fauna","SignIns":1}
 */
export class EmfMetrics implements ServiceMetrics {
  private readonly write: LineWriter;
  private readonly now: () => number;
  // The record's constant parts, serialised once (every invocation writes one record).
  private readonly tail: string;
  private readonly serviceMember: string;
  private stored: Record<string, { unit: Unit; values: number[] }> = {};
  /** Each metric's JSON pieces (its definition, its key), built the first time it is written with its unit. */
  private readonly pieces: Record<string, { unit: Unit; definition: string; key: string }> = {};
  private count = 0;

  constructor(options: EmfMetricsOptions) {
    this.write = options.write ?? writeToStdout;
    this.now = options.now ?? Date.now;
    this.tail = `,"CloudWatchMetrics":[{"Namespace":${JSON.stringify(options.namespace)},"Dimensions":[["service"]],"Metrics":[`;
    this.serviceMember = `,"service":${JSON.stringify(options.serviceName)}`;
  }

  /** A value that is not a finite number is dropped: CloudWatch would reject the whole record for it. */
  addMetric(name: string, unit: Unit, value: number): void {
    if (!Number.isFinite(value)) return;
    const metric = this.stored[name];
    if (!metric) {
      this.stored[name] = { unit, values: [value] };
      this.count++;
    } else if (metric.values.length < MAX_VALUES_PER_METRIC) metric.values.push(value);
  }

  /** Writes the stored metrics as one EMF record and forgets them; writes nothing when there are none. */
  flush(): void {
    if (this.count === 0) return;
    let definitions = '';
    let values = '';
    for (const name in this.stored) {
      const { unit, values: recorded } = this.stored[name]!;
      const { definition, key } = this.piecesOf(name, unit);
      definitions += definitions ? `,${definition}` : definition;
      values += `,${key}:${recorded.length === 1 ? String(recorded[0]) : JSON.stringify(recorded)}`;
    }
    this.stored = {};
    this.count = 0;
    this.write(`{"_aws":{"Timestamp":${this.now()}${this.tail}${definitions}]}]}${this.serviceMember}${values}}`);
  }

  private piecesOf(name: string, unit: Unit): { definition: string; key: string } {
    let pieces = this.pieces[name];
    if (pieces?.unit !== unit) {
      const key = JSON.stringify(name);
      pieces = { unit, definition: `{"Name":${key},"Unit":${JSON.stringify(unit)}}`, key };
      this.pieces[name] = pieces;
    }
    return pieces;
  }
}
