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
  #queued: MetricOp[] = [];
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
    this.#push({ op: 'define', name, labels: JSON.stringify({ type, help, ...options }), value: 0 });
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    this.#push({ op: 'inc', name, labels: JSON.stringify(labels), value: by });
  }

  set(name: string, value: number, labels: Labels = {}): void {
    const key = `${name}${JSON.stringify(labels)}`;
    if (this.#lastSet.get(key) === value) return;
    this.#lastSet.set(key, value);
    this.#push({ op: 'set', name, labels: JSON.stringify(labels), value });
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
    this.#push({ op: 'observe', name, labels: JSON.stringify(labels), value });
  }

  #push(op: MetricOp): void {
    if (this.#queued.length === 0) setImmediate(() => this.flush());
    this.#queued.push(op);
  }

  flush(): void {
    if (this.#queued.length === 0) return;
    const ops = this.#queued;
    this.#queued = [];
    this.#ocalls.metrics(ops);
  }
}
