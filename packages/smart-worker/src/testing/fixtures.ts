// Test doubles and helpers for the smart-worker specs (not exported from the package).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import type { Clock } from '../clock.js';
import type { OmniKeyProvider, SealedKv } from '../types.js';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export class MemoryKv implements SealedKv {
  readonly data = new Map<string, Uint8Array>();
  async get(key: string) {
    return this.data.get(key);
  }
  async put(key: string, bytes: Uint8Array) {
    this.data.set(key, bytes);
  }
  async del(key: string) {
    this.data.delete(key);
  }
  async list(prefix: string) {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix));
  }
}

/** Omni Key = sha256(store ‖ identity): stable per (store, identity), different across identities. */
export const hashKeys: OmniKeyProvider = {
  getOmniKey: (store, identity) => createHash('sha256').update(store).update(identity).digest(),
};

/** Every worker gets 00 01 … 1f, the key of the vectors in docs/smart-workers.md Appendix A. */
export const vectorKeys: OmniKeyProvider = { getOmniKey: () => Uint8Array.from({ length: 32 }, (_, i) => i) };

/** A clock whose time only moves on `advance`, firing due timers in order. */
export class ManualClock implements Clock {
  #now: number;
  #timers = new Map<number, { due: number; fn: () => void }>();
  #nextId = 1;

  constructor(start = Date.UTC(2026, 0, 1, 0, 0, 1)) {
    this.#now = start;
  }
  now() {
    return this.#now;
  }
  setTimer(fn: () => void, ms: number) {
    const id = this.#nextId++;
    this.#timers.set(id, { due: this.#now + ms, fn });
    return id;
  }
  clearTimer(handle: unknown) {
    this.#timers.delete(handle as number);
  }
  get pendingTimers() {
    return this.#timers.size;
  }
  advance(ms: number) {
    const target = this.#now + ms;
    for (;;) {
      const due = [...this.#timers].filter(([, t]) => t.due <= target).sort((a, b) => a[1].due - b[1].due)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].due);
      due[1].fn();
    }
    this.#now = target;
  }
}

/** Bundles worker source (which may import @sealbridge/smart-worker-sdk) the way Escrin's tutorials do. */
export async function bundleWorker(source: string, format: 'esm' | 'iife' = 'esm'): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: PACKAGE_DIR, loader: 'js' },
    bundle: true,
    format,
    target: 'es2022',
    write: false,
    external: ['cloudflare:*'], // workerd built-ins
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Loopback HTTP sink that records JSON bodies POSTed to it. */
export async function startSink() {
  const reports: any[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      reports.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
      waiters.splice(0).forEach((w) => w());
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}/report`,
    reports,
    /** Resolves once `count` reports arrived (mocha's timeout bounds the wait). */
    async waitForCount(count: number) {
      while (reports.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return reports[count - 1];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Polls until `check` returns a value other than undefined. */
export async function eventually<T>(check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
