import { ChainMismatchError, type BlockImporter } from './importer.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Mutex } from './mutex.js';
import type { Outbox } from './outbox.js';
import type { ParentchainClient } from './parentchain.js';

const MAX_BACKOFF_MS = 5_000;

export interface FollowerDeps {
  client: ParentchainClient;
  importer: BlockImporter;
  outbox: Outbox;
  lock: Mutex;
  log: Logger;
  metrics: Metrics;
  /** Upper bound between two looks at the finalized head, whatever the subscription does. */
  pollMs?: number;
}

/**
 * Keeps the import at the latest finalized block. Finalized-head notifications only wake it up; a poll
 * timer guarantees progress when a subscription silently dies, and any error is retried with backoff — the
 * worker never sits stalled (Integritee #813, #1526, #1674). Only a chain that does not extend what was
 * imported is fatal.
 */
export class Follower {
  readonly #deps: FollowerDeps;
  readonly #pollMs: number;
  #running = false;
  #wake: (() => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  #done: Promise<void> | undefined;
  #fail!: (error: Error) => void;
  readonly failed: Promise<Error>;

  constructor(deps: FollowerDeps) {
    this.#deps = deps;
    this.#pollMs = deps.pollMs ?? 2_000;
    this.failed = new Promise((resolve) => {
      this.#fail = resolve;
    });
  }

  start(): void {
    this.#running = true;
    this.#done = this.#loop();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    this.#unsubscribe?.();
    await this.#done;
  }

  async #ensureSubscribed(): Promise<void> {
    if (this.#unsubscribe) return;
    this.#unsubscribe = await this.#deps.client.subscribeFinalizedHeads((head) => {
      this.#deps.metrics.set('sealbridge_last_finalized_block', head.number);
      this.#wake?.();
    });
  }

  async #loop(): Promise<void> {
    const { client, importer, outbox, lock, log, metrics } = this.#deps;
    let backoff = 500;
    while (this.#running) {
      try {
        if (!client.isConnected) throw new Error('parentchain not connected');
        await this.#ensureSubscribed();
        const finalized = await client.finalizedHead();
        metrics.set('sealbridge_last_finalized_block', finalized.number);
        const imported = await importer.syncTo(finalized);
        metrics.set('sealbridge_confirmation_lag_blocks', finalized.number - importer.lastImported.number);
        await lock.run(() => outbox.resignStale(importer.lastImported.number));
        await outbox.flush();
        backoff = 500;
        if (imported === 0 || !this.#running) await this.#sleep(this.#pollMs);
      } catch (error) {
        if (error instanceof ChainMismatchError) {
          log.error('parentchain does not extend the imported chain; stopping the import', { error: error.message });
          this.#running = false;
          this.#fail(error);
          return;
        }
        log.warn('import loop error, retrying', { error: (error as Error).message, retryInMs: backoff, lastImported: importer.lastImported.number });
        metrics.inc('sealbridge_import_errors_total');
        await this.#sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}
