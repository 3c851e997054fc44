import type { Miniflare, MiniflareOptions, Request, Response, WorkerOptions } from 'miniflare';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';

import { INVOKE_URL } from '@sealbridge/smart-worker-sdk';

import { COMPATIBILITY_DATE } from './constants.js';
import { SmartWorkerError } from './errors.js';
import { miniflare } from './miniflare.js';
import { processUsage, workerdChildren } from './process-usage.js';
import type { LogLine, ScriptType } from './types.js';

export interface InstanceOptions {
  code: string;
  type: ScriptType;
  /** Value of the `config` JSON binding. */
  config: Record<string, unknown>;
  escrin: (request: Request) => Promise<Response>;
  outbound: (request: Request) => Promise<Response>;
  onLog: (line: LogLine) => void;
  limits?: InstanceLimits;
}

// Served by miniflare's entry worker when `unsafeTriggerHandlers` is on; only the host can dispatch to it.
const SCHEDULED_TRIGGER_URL = 'http://smart-worker.invalid/cdn-cgi/handler/scheduled';

/** Thrown when a call exceeds a bound (wall clock, CPU time or memory); the caller must dispose the instance. */
export class InstanceTimeoutError extends Error {}

/** CPU time and resident memory one call may use, enforced on the instance's own workerd process. */
export interface InstanceLimits {
  cpuMs?: number;
  memoryMb?: number;
}

/** How often a running call's process is measured against its limits. */
const LIMIT_POLL_MS = 25;

// Module workers run behind this entry module so the host can also reach an `invoke` export (named, or a method of
// the default handler object). Everything else is forwarded to the author's default export unchanged.
const ENTRY_MODULE = `import * as user from './worker.mjs';
const handler = user.default ?? {};
const invoke = user.invoke ?? handler.invoke;
const entry = {
  async fetch(request, env, ctx) {
    if (typeof invoke === 'function' && request.url === ${JSON.stringify(INVOKE_URL)}) {
      const result = await invoke.call(handler, request, env, ctx);
      return result instanceof Response ? result : new Response(result);
    }
    if (typeof handler.fetch !== 'function') return new Response('this worker has no fetch handler', { status: 501 });
    return handler.fetch.call(handler, request, env, ctx);
  },
};
if (typeof handler.scheduled === 'function') entry.scheduled = (event, env, ctx) => handler.scheduled.call(handler, event, env, ctx);
export default entry;
`;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Creates a Miniflare without the SIGINT/SIGTERM listeners its exit hook adds on first use: they kill workerd and
 * call `process.exit(130/143)` at once, before the host's own shutdown (closing the store, releasing the enclave
 * lock, removing temporary directories) has run. The host disposes every instance itself when it stops; miniflare's
 * `exit` listener stays as the last resort that kills workerd on any other exit.
 */
function withoutSignalExit<T>(create: () => T): T {
  const before = new Map(STOP_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  try {
    return create();
  } finally {
    for (const signal of STOP_SIGNALS) {
      for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.off(signal, listener);
    }
  }
}

/**
 * Miniflare keeps scratch files in `<tmpdir>/miniflare-<random>` and removes them after `dispose()` without waiting
 * for it, so a host that exits right after stopping left them behind. Each instance gets a directory of its own as
 * the tmpdir its constructor sees (os.tmpdir() reads TMPDIR; nothing else runs meanwhile), which `dispose()` removes.
 */
function inScratchDir<T>(dir: string, create: () => T): T {
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return create();
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
}

/**
 * One Smart Worker in its own workerd process (one Miniflare each). A separate process per worker is what
 * makes recycling safe: a worker stuck in `while(true)` blocks its process's event loop, and disposing kills
 * only that process, leaving every other worker running. It also avoids `setOptions` restarts of all workers
 * whenever one is added. Bindings: `escrin` (host key service), `config` (JSON) and nothing else; no disk, no
 * env, no `nodejs_compat`; every fetch goes through the host's allow-list.
 */
export class WorkerInstance {
  /** Starts run one at a time, so the workerd process each one spawned can be told apart. */
  static #starting: Promise<unknown> = Promise.resolve();
  readonly #mf: Miniflare;
  readonly #scratch: string;
  readonly #pid: number | undefined;
  readonly #limits: InstanceLimits;

  private constructor(mf: Miniflare, scratch: string, pid: number | undefined, limits: InstanceLimits) {
    this.#mf = mf;
    this.#scratch = scratch;
    this.#pid = pid;
    this.#limits = limits;
  }

  static start(options: InstanceOptions): Promise<WorkerInstance> {
    const started = WorkerInstance.#starting.then(() => WorkerInstance.#start(options));
    WorkerInstance.#starting = started.catch(() => undefined);
    return started;
  }

  static async #start(options: InstanceOptions): Promise<WorkerInstance> {
    const startupErrors: string[] = [];
    const script: WorkerOptions =
      options.type === 'module'
        ? {
            modules: [
              { type: 'ESModule', path: 'sealbridge-entry.mjs', contents: ENTRY_MODULE },
              { type: 'ESModule', path: 'worker.mjs', contents: options.code },
            ],
          }
        : { script: options.code };
    const mfOptions: MiniflareOptions = {
      ...script,
      compatibilityDate: COMPATIBILITY_DATE,
      unsafeTriggerHandlers: true,
      bindings: { config: options.config as Record<string, never> },
      serviceBindings: { escrin: options.escrin },
      outboundService: options.outbound,
      handleStructuredLogs: ({ timestamp, level, message }: LogLine) => {
        if (level === 'error') startupErrors.push(message);
        options.onLog({ timestamp, level, message });
      },
      // Structured logs carry everything we keep; the raw streams only need draining.
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
        stdout.resume();
        stderr.resume();
      },
    };
    const before = workerdChildren();
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'sealbridge-smart-worker-'));
    const { Miniflare } = await miniflare();
    const mf = withoutSignalExit(() => inScratchDir(scratch, () => new Miniflare(mfOptions)));
    try {
      await mf.ready;
    } catch (e) {
      await mf.dispose().catch(() => {}); // rejects with the same startup failure
      await rm(scratch, { recursive: true, force: true });
      const detail = startupErrors[0]?.replace(/^service core:user:[^:]*: /, '') ?? String(e);
      throw new SmartWorkerError('ERR_SCRIPT_FAILED', `the worker script failed to load: ${detail}`, { cause: e });
    }
    startupErrors.length = 0;
    const pid = [...workerdChildren()].find((candidate) => !before.has(candidate));
    return new WorkerInstance(mf, scratch, pid, options.limits ?? {});
  }

  /** Dispatches a request to the worker's fetch handler, aborting after `timeoutMs`. */
  async fetch(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: Uint8Array },
    timeoutMs: number,
  ): Promise<{ status: number; body: Uint8Array }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const overLimit = new AbortController();
    let exceeded: string | undefined;
    const watch = this.#watchLimits((reason) => {
      exceeded = reason;
      overLimit.abort();
    });
    try {
      const res = await this.#mf.dispatchFetch(url, { ...init, signal: AbortSignal.any([timeout, overLimit.signal]) });
      return { status: res.status, body: new Uint8Array(await res.arrayBuffer()) };
    } catch (e) {
      if (exceeded) throw new InstanceTimeoutError(exceeded);
      if (timeout.aborted) throw new InstanceTimeoutError(`timed out after ${timeoutMs} ms`);
      throw e;
    } finally {
      clearInterval(watch);
    }
  }

  /** Measures this instance's workerd process while a call runs; `onExceeded` once CPU or memory goes over. */
  #watchLimits(onExceeded: (reason: string) => void): NodeJS.Timeout | undefined {
    const { cpuMs, memoryMb } = this.#limits;
    const pid = this.#pid;
    const start = pid === undefined ? undefined : processUsage(pid);
    if (!start || (cpuMs === undefined && memoryMb === undefined)) return undefined;
    const timer = setInterval(() => {
      const now = processUsage(pid!);
      if (!now) return;
      if (cpuMs !== undefined && now.cpuMs - start.cpuMs > cpuMs) onExceeded(`used more than ${cpuMs} ms of CPU time`);
      else if (memoryMb !== undefined && now.rssMb > memoryMb) onExceeded(`used more than ${memoryMb} MiB of memory`);
      else return;
      clearInterval(timer);
    }, LIMIT_POLL_MS);
    return timer;
  }

  /**
   * Runs the scheduled handler (and its waitUntil tasks) and resolves with workerd's outcome string. It goes
   * through miniflare's HTTP trigger route, not `getWorker().scheduled()`: that proxy does synchronous round
   * trips which block the host's event loop for good when the isolate is stuck in a loop.
   */
  async scheduled(cron: string, scheduledTime: number, timeoutMs: number): Promise<string> {
    const query = new URLSearchParams({ cron, time: String(scheduledTime) });
    const res = await this.fetch(`${SCHEDULED_TRIGGER_URL}?${query}`, { method: 'GET', headers: {} }, timeoutMs);
    return res.status === 200 ? 'ok' : new TextDecoder().decode(res.body);
  }

  /** Kills the workerd process (also when its isolate is stuck in a loop) and removes its scratch files. */
  async dispose(): Promise<void> {
    try {
      await this.#mf.dispose();
    } finally {
      await rm(this.#scratch, { recursive: true, force: true });
    }
  }
}
