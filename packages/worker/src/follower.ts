import type { ImportMonitor } from './import-stall.js';
import { ChainMismatchError, type BlockImporter } from './importer.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Mutex } from './mutex.js';
import type { Outbox } from './outbox.js';
import type { ParentchainClient } from './parentchain.js';

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 5_000;

export interface FollowerDeps {
  client: ParentchainClient;
  importer: BlockImporter;
  outbox: Outbox;
  lock: Mutex;
  log: Logger;
  metrics: Metrics;
  /** Told of every finalized head and every failed or finished sync round. */
  monitor: ImportMonitor;
  /** Upper bound between two looks at the finalized head, whatever the subscription does. */
  pollMs?: number;
}

/**
 * Keeps the import at the latest finalized block. Finalized-head notifications only wake it up; a poll
 * timer guarantees progress when a subscription silently dies, and any error is retried with backoff — the
 * worker never gives up (Integritee #813, #1526, #1674), and a stall is reported, not hidden (ImportMonitor).
 * Only a chain that does not extend what was imported is fatal.
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
      this.#deps.monitor.finalized(head.number);
      this.#wake?.();
    });
  }

  async #loop(): Promise<void> {
    const { client, importer, outbox, lock, log, metrics, monitor } = this.#deps;
    let backoff = MIN_BACKOFF_MS;
    while (this.#running) {
      let imported = 0;
      let failed = false;
      try {
        if (!client.isConnected) throw new Error('parentchain not connected');
        await this.#ensureSubscribed();
        const finalized = await client.finalizedHead();
        monitor.finalized(finalized.number);
        imported = await importer.syncTo(finalized);
        monitor.succeeded();
        backoff = MIN_BACKOFF_MS;
      } catch (error) {
        if (error instanceof ChainMismatchError) {
          log.error('parentchain does not extend the imported chain; stopping the import', { error: error.message });
          this.#running = false;
          this.#fail(error);
          return;
        }
        failed = true;
        metrics.inc('sealbridge_import_errors_total');
        await monitor.failed(error, importer.lastImported.number + 1);
      }
      // After a failed round too: the confirmations of the blocks imported before the failure must still go out.
      if (client.isConnected) {
        try {
          await outbox.flush();
        } catch (error) {
          log.warn('outbox upkeep failed, retrying', { error: (error as Error).message });
        }
      }
      if (failed) {
        await this.#sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      } else if (imported === 0 || !this.#running) {
        await this.#sleep(this.#pollMs);
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
