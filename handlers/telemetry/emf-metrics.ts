/**
 * The service's CloudWatch metrics, written as Embedded Metric Format: one JSON line per invocation that CloudWatch
 * turns into metrics, with no API call and no extra latency
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * It replaces Powertools Metrics for the reason given in `json-logger.ts`, and keeps its shape: the namespace, and the
 * service name as the one dimension (serverless/alarms.yml alarms on `service`).
 */
import type { ServiceMetrics } from '../../lib/observability.ts';
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
  private readonly namespace: string;
  private readonly serviceName: string;
  private readonly write: LineWriter;
  private readonly now: () => number;
  private stored = new Map<string, { unit: Unit; values: number[] }>();

  constructor(options: EmfMetricsOptions) {
    this.namespace = options.namespace;
    this.serviceName = options.serviceName;
    this.write = options.write ?? writeToStdout;
    this.now = options.now ?? Date.now;
  }

  addMetric(name: string, unit: Unit, value: number): void {
    const metric = this.stored.get(name);
    if (!metric) this.stored.set(name, { unit, values: [value] });
    else if (metric.values.length < MAX_VALUES_PER_METRIC) metric.values.push(value);
  }

  /** Writes the stored metrics as one EMF record and forgets them; writes nothing when there are none. */
  flush(): void {
    if (this.stored.size === 0) return;
    const record: Record<string, unknown> = {
      _aws: {
        Timestamp: this.now(),
        CloudWatchMetrics: [
          {
            Namespace: this.namespace,
            Dimensions: [['service']],
            Metrics: [...this.stored].map(([name, { unit }]) => ({ Name: name, Unit: unit })),
          },
        ],
      },
      service: this.serviceName,
    };
    for (const [name, { values }] of this.stored) record[name] = values.length === 1 ? values[0] : values;
    this.stored = new Map();
    this.write(JSON.stringify(record));
  }
}
