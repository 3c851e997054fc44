import type { HostOcalls, MetricOp } from '@sealbridge/enclave-api';

/** How often sampled values are read: fine enough for specs that watch a queue fill. */
const SAMPLE_EVERY_MS = 5;

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type Labels = Record<string, string>;

/**
 * The enclave's side of the worker's metrics: definitions and updates go to the host (OCALL `metrics`), batched per
 * event-loop turn, where they join the host's own. Only counts and times cross, never values of state.
 */
export class EnclaveMetrics {
  readonly #ocalls: HostOcalls;
  /** This turn's updates by (op, name, labels): one op per series crosses, however many requests touched it. */
  #queued = new Map<string, MetricOp>();
  readonly #defined = new Set<string>();
  /** Last value sent per gauge series, so sampled values cross only when they change. */
  readonly #lastSet = new Map<string, number>();
  readonly #samplers: Array<() => void> = [];
  #sampling: NodeJS.Timeout | undefined;

  constructor(ocalls: HostOcalls) {
    this.#ocalls = ocalls;
  }

  define(name: string, type: MetricType, help: string, options: { labelNames?: string[]; buckets?: number[] } = {}): void {
    if (this.#defined.has(name)) return;
    this.#defined.add(name);
    this.#push('define', name, JSON.stringify({ type, help, ...options }));
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    this.#push('inc', name, JSON.stringify(labels), by);
  }

  set(name: string, value: number, labels: Labels = {}): void {
    const key = `${name}${JSON.stringify(labels)}`;
    if (this.#lastSet.get(key) === value) return;
    this.#lastSet.set(key, value);
    this.#push('set', name, JSON.stringify(labels), value);
  }

  /** Values whose counts live elsewhere (the decryption pool): sampled every few milliseconds, sent when changed. */
  onCollect(sample: () => void): void {
    this.#samplers.push(sample);
    this.#sampling ??= setInterval(() => this.#samplers.forEach((s) => s()), SAMPLE_EVERY_MS).unref();
  }

  close(): void {
    clearInterval(this.#sampling);
    this.flush();
  }

  observe(name: string, value: number, labels: Labels = {}): void {
    this.#push('observe', name, JSON.stringify(labels), value);
  }

  #push(op: MetricOp['op'], name: string, labels: string, value?: number): void {
    if (this.#queued.size === 0) setImmediate(() => this.flush());
    const key = `${op}\u0000${name}\u0000${labels}`;
    const queued = this.#queued.get(key);
    if (!queued) this.#queued.set(key, { op, name, labels, values: value === undefined ? [] : [value] });
    else if (op === 'inc') queued.values[0]! += value!;
    else if (op === 'set') queued.values[0] = value!;
    else if (op === 'observe') queued.values.push(value!);
  }

  flush(): void {
    if (this.#queued.size === 0) return;
    const ops = [...this.#queued.values()];
    this.#queued.clear();
    this.#ocalls.metrics(ops);
  }
}
