import { Miniflare, type MiniflareOptions, type Request, type Response, type WorkerOptions } from 'miniflare';
import type { Readable } from 'node:stream';

import { INVOKE_URL } from '@sealbridge/smart-worker-sdk';

import { COMPATIBILITY_DATE } from './constants.js';
import { SmartWorkerError } from './errors.js';
import type { LogLine, ScriptType } from './types.js';

export interface InstanceOptions {
  code: string;
  type: ScriptType;
  /** Value of the `config` JSON binding. */
  config: Record<string, unknown>;
  escrin: (request: Request) => Promise<Response>;
  outbound: (request: Request) => Promise<Response>;
  onLog: (line: LogLine) => void;
}

// Served by miniflare's entry worker when `unsafeTriggerHandlers` is on; only the host can dispatch to it.
const SCHEDULED_TRIGGER_URL = 'http://smart-worker.invalid/cdn-cgi/handler/scheduled';

/** Thrown when a call exceeds its wall-clock bound; the caller must dispose the instance. */
export class InstanceTimeoutError extends Error {}

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

/**
 * One Smart Worker in its own workerd process (one Miniflare each). A separate process per worker is what
 * makes recycling safe: a worker stuck in `while(true)` blocks its process's event loop, and disposing kills
 * only that process, leaving every other worker running. It also avoids `setOptions` restarts of all workers
 * whenever one is added. Bindings: `escrin` (host key service), `config` (JSON) and nothing else; no disk, no
 * env, no `nodejs_compat`; every fetch goes through the host's allow-list.
 */
export class WorkerInstance {
  readonly #mf: Miniflare;

  private constructor(mf: Miniflare) {
    this.#mf = mf;
  }

  static async start(options: InstanceOptions): Promise<WorkerInstance> {
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
    const mf = new Miniflare(mfOptions);
    try {
      await mf.ready;
    } catch (e) {
      await mf.dispose().catch(() => {}); // rejects with the same startup failure
      const detail = startupErrors[0]?.replace(/^service core:user:[^:]*: /, '') ?? String(e);
      throw new SmartWorkerError('ERR_SCRIPT_FAILED', `the worker script failed to load: ${detail}`, { cause: e });
    }
    startupErrors.length = 0;
    return new WorkerInstance(mf);
  }

  /** Dispatches a request to the worker's fetch handler, aborting after `timeoutMs`. */
  async fetch(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: Uint8Array },
    timeoutMs: number,
  ): Promise<{ status: number; body: Uint8Array }> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await this.#mf.dispatchFetch(url, { ...init, signal });
      return { status: res.status, body: new Uint8Array(await res.arrayBuffer()) };
    } catch (e) {
      if (signal.aborted) throw new InstanceTimeoutError(`timed out after ${timeoutMs} ms`);
      throw e;
    }
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

  /** Kills the workerd process (also when its isolate is stuck in a loop). */
  async dispose(): Promise<void> {
    await this.#mf.dispose();
  }
}
