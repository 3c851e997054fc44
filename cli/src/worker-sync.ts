import type { WorkerClient, WorkerSyncStatus } from '@sealbridge/client';
import { CliError, CliErrorCode } from './errors.js';

/** How often a waiting command asks the worker how its import stands. */
const POLL_MS = 2_000;
/** A stall seen this long has outlasted several of the worker's retries (0.5–5 s apart): the wait fails with it. */
export const STALL_PATIENCE_MS = 15_000;
/** JSON-RPC "method not found": a worker without `sealbridge_syncStatus` (Integritee's); the watch then stays silent. */
const METHOD_NOT_FOUND = -32601;

export type ImportStall = NonNullable<WorkerSyncStatus['stalled']>;

/** `the worker is stalled at block #N since <time>: <reason>`. */
export function describeStall(stall: ImportStall): string {
  return `the worker is stalled at block #${stall.block} since ${new Date(stall.since * 1000).toISOString()}: ${stall.reason}`;
}

export interface StallWatchOptions {
  /** Called when a stall that holds up the awaited block is first seen (spinner text). */
  readonly onStall?: (stall: ImportStall) => void;
  readonly pollMs?: number;
  readonly patienceMs?: number;
}

/**
 * Watches the worker's import while a command waits for it to process `block` (undefined: whatever block comes
 * next, as for a relayed direct call). `failed` rejects with ERR_WORKER_STALLED once the import has been seen
 * stalled at or before that block for `patienceMs` — the worker says where and why, so the user is not left with a
 * timeout that blames the worker's registration.
 */
export class StallWatch {
  readonly failed: Promise<never>;
  readonly #worker: WorkerClient;
  readonly #block: number | undefined;
  readonly #options: StallWatchOptions;
  #fail!: (error: CliError) => void;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #status: WorkerSyncStatus | undefined;
  /** The stall holding up the block, and when this watch first saw it. */
  #seen: { stall: ImportStall; at: number } | undefined;

  constructor(worker: WorkerClient, block: number | undefined, options: StallWatchOptions = {}) {
    this.#worker = worker;
    this.#block = block;
    this.#options = options;
    this.failed = new Promise<never>((_, reject) => {
      this.#fail = reject;
    });
    this.failed.catch(() => undefined); // a caller that stopped waiting need not listen
    void this.#poll();
  }

  /** The stall holding up the awaited block, as last reported; undefined when there is none (or no answer). */
  get stall(): ImportStall | undefined {
    return this.#seen?.stall;
  }

  /** The worker's last answer, if any. */
  get status(): WorkerSyncStatus | undefined {
    return this.#status;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #poll(): Promise<void> {
    try {
      this.#status = await this.#worker.syncStatus();
    } catch (error) {
      // (WorkerRpcError, matched by its field: the client module is loaded only once a command needs the worker.)
      if ((error as { rpcCode?: unknown }).rpcCode === METHOD_NOT_FOUND) return;
      // Unreachable for a moment: the wait itself reports a dead connection; try again next time.
    }
    if (this.#stopped) return;
    this.#observe(Date.now());
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#poll(), this.#options.pollMs ?? POLL_MS);
  }

  #observe(now: number): void {
    const stall = this.#status?.stalled;
    if (!stall || (this.#block !== undefined && stall.block > this.#block)) {
      this.#seen = undefined;
      return;
    }
    const same = this.#seen && this.#seen.stall.block === stall.block && this.#seen.stall.since === stall.since;
    if (!same) {
      this.#seen = { stall, at: now };
      this.#options.onStall?.(stall);
      return;
    }
    this.#seen!.stall = stall;
    if (now - this.#seen!.at < (this.#options.patienceMs ?? STALL_PATIENCE_MS)) return;
    this.stop();
    this.#fail(stalledError(stall, this.#block));
  }
}

/** ERR_WORKER_STALLED for a wait on `block` (undefined: a direct call's block-to-be). */
export function stalledError(stall: ImportStall, block: number | undefined): CliError {
  const then = block === undefined ? 'the call is processed once the import resumes' : `block #${block} is processed once the import resumes`;
  return new CliError(CliErrorCode.WORKER_STALLED, `${describeStall(stall)} — ${then}`);
}
