import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import { SealbridgeError } from '@sealbridge/chain-types';

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type Labels = Record<string, string>;

export class MetricsError extends SealbridgeError<'METRIC_UNDEFINED' | 'METRIC_WRONG_TYPE' | 'METRIC_BAD_VALUE'> {}

export interface HistogramOptions {
  /** Every label an observation may carry (Prometheus fixes a histogram's label set up front). */
  labelNames?: string[];
  /** Upper bounds of the buckets, ascending (default: prom-client's 5 ms … 10 s). */
  buckets?: number[];
}

interface ScalarMetric {
  type: 'counter' | 'gauge';
  help: string;
  series: Map<string, { labels: Labels; value: number }>;
  /** The prom-client object that renders it, rebuilt when a series brings a label name it was not built with. */
  exposed?: { metric: Counter | Gauge; labelNames: string };
}

interface HistogramMetric {
  type: 'histogram';
  histogram: Histogram;
  /** Observations per label set, for `get`. */
  counts: Map<string, number>;
  registered: boolean;
}

/**
 * The worker's metrics on prom-client. Counters and gauges keep their values here — callers read them back
 * synchronously (`get`), set counters whose counts live elsewhere (`onCollect`) and add labels without declaring them —
 * and are handed to prom-client objects when rendered; histograms are prom-client's own.
 */
export class Metrics {
  readonly #registry = new Registry();
  readonly #metrics = new Map<string, ScalarMetric | HistogramMetric>();
  readonly #collectors: Array<() => void> = [];

  /** Defines a metric once; a second definition of the same name is ignored (several components may define it). */
  define(name: string, type: MetricType, help: string, options: HistogramOptions = {}): void {
    if (this.#metrics.has(name)) return;
    if (type === 'histogram') {
      const histogram = new Histogram({ name, help, labelNames: options.labelNames ?? [], registers: [], ...(options.buckets && { buckets: options.buckets }) });
      this.#metrics.set(name, { type, histogram, counts: new Map(), registered: false });
    } else {
      this.#metrics.set(name, { type, help, series: new Map() });
    }
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const metric = this.#scalar(name);
    if (metric.type === 'counter' && !(by >= 0)) throw new MetricsError('METRIC_BAD_VALUE', `counter ${name} cannot grow by ${by}`);
    const key = labelKey(labels);
    const series = metric.series.get(key);
    if (series) series.value += by;
    else metric.series.set(key, { labels: { ...labels }, value: by });
  }

  set(name: string, value: number, labels: Labels = {}): void {
    const metric = this.#scalar(name);
    if (metric.type === 'counter' && !(value >= 0)) throw new MetricsError('METRIC_BAD_VALUE', `counter ${name} cannot be ${value}`);
    metric.series.set(labelKey(labels), { labels: { ...labels }, value });
  }

  /** Adds one observation (seconds, bytes …) to a histogram. */
  observe(name: string, value: number, labels: Labels = {}): void {
    this.observeMany(name, [value], labels);
  }

  /** Adds observations of one series at once (the enclave's batches): the label set is looked up once. */
  observeMany(name: string, values: readonly number[], labels: Labels = {}): void {
    const metric = this.#metrics.get(name);
    if (!metric) throw new MetricsError('METRIC_UNDEFINED', `metric ${name} is not defined`);
    if (metric.type !== 'histogram') throw new MetricsError('METRIC_WRONG_TYPE', `metric ${name} is a ${metric.type}, not a histogram`);
    const series = metric.histogram.labels(labels);
    for (const value of values) series.observe(value);
    const key = labelKey(labels);
    metric.counts.set(key, (metric.counts.get(key) ?? 0) + values.length);
  }

  /** `collect` runs before every read and render: it sets values whose counts live elsewhere (the enclave's pool). */
  onCollect(collect: () => void): void {
    this.#collectors.push(collect);
  }

  /** The current value of a counter or gauge series; for a histogram, how many observations the series has. */
  get(name: string, labels: Labels = {}): number {
    this.#collect();
    const metric = this.#metrics.get(name);
    if (!metric) throw new MetricsError('METRIC_UNDEFINED', `metric ${name} is not defined`);
    const key = labelKey(labels);
    return metric.type === 'histogram' ? (metric.counts.get(key) ?? 0) : (metric.series.get(key)?.value ?? 0);
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  async render(): Promise<string> {
    this.#collect();
    for (const [name, metric] of this.#metrics) {
      if (metric.type === 'histogram') {
        if (!metric.registered) this.#registry.registerMetric(metric.histogram);
        metric.registered = true;
      } else {
        this.#expose(name, metric);
      }
    }
    return this.#registry.metrics();
  }

  #expose(name: string, metric: ScalarMetric): void {
    // Nothing counted yet: no sample, rather than prom-client's unlabelled 0 in a metric that may be labelled.
    if (metric.series.size === 0) return;
    const names = new Set<string>();
    for (const { labels } of metric.series.values()) for (const label of Object.keys(labels)) names.add(label);
    const labelNames = [...names].sort();
    if (metric.exposed?.labelNames !== labelNames.join(',')) {
      if (metric.exposed) this.#registry.removeSingleMetric(name);
      const config = { name, help: metric.help, labelNames, registers: [this.#registry] };
      metric.exposed = { metric: metric.type === 'counter' ? new Counter(config) : new Gauge(config), labelNames: labelNames.join(',') };
    }
    const exposed = metric.exposed.metric;
    exposed.reset();
    for (const { labels, value } of metric.series.values()) {
      if (exposed instanceof Counter) exposed.inc(labels, value);
      else exposed.set(labels, value);
    }
  }

  #collect(): void {
    for (const collect of this.#collectors) collect();
  }

  #scalar(name: string): ScalarMetric {
    const metric = this.#metrics.get(name);
    if (!metric) throw new MetricsError('METRIC_UNDEFINED', `metric ${name} is not defined`);
    if (metric.type === 'histogram') throw new MetricsError('METRIC_WRONG_TYPE', `metric ${name} is a histogram: observe it`);
    return metric;
  }
}

/** One key per label set, whatever order the caller wrote the labels in. */
function labelKey(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
