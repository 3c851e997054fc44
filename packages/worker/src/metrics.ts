import http from 'node:http';

/** A tiny Prometheus registry: counters and gauges rendered in the text exposition format. */
export class Metrics {
  readonly #values = new Map<string, { help: string; type: 'counter' | 'gauge'; series: Map<string, number> }>();
  readonly #collectors: Array<() => void> = [];

  define(name: string, type: 'counter' | 'gauge', help: string): void {
    if (!this.#values.has(name)) this.#values.set(name, { help, type, series: new Map() });
  }

  inc(name: string, labels: Record<string, string> = {}, by = 1): void {
    const series = this.#series(name);
    const key = labelKey(labels);
    series.set(key, (series.get(key) ?? 0) + by);
  }

  set(name: string, value: number, labels: Record<string, string> = {}): void {
    this.#series(name).set(labelKey(labels), value);
  }

  /** `collect` runs before every read and render: it sets values whose counts live elsewhere (the enclave's pool). */
  onCollect(collect: () => void): void {
    this.#collectors.push(collect);
  }

  get(name: string, labels: Record<string, string> = {}): number {
    for (const collect of this.#collectors) collect();
    return this.#series(name).get(labelKey(labels)) ?? 0;
  }

  render(): string {
    for (const collect of this.#collectors) collect();
    const lines: string[] = [];
    for (const [name, { help, type, series }] of this.#values) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [key, value] of series) lines.push(`${name}${key} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }

  #series(name: string) {
    const metric = this.#values.get(name);
    if (!metric) throw new Error(`metric ${name} is not defined`);
    return metric.series;
  }
}

function labelKey(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}`;
}

export function serveMetrics(metrics: Metrics, port: number, host = '127.0.0.1'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
