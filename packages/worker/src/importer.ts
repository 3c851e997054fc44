import { u8aToHex } from '@polkadot/util';

import { BlockDecodeError, hexToBytes } from '@sealbridge/chain-types';
import { BoundaryError, type BlockImported, type EnclaveEcalls } from '@sealbridge/enclave-api';

import type { ImportMonitor } from './import-stall.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Mutex } from './mutex.js';
import type { Outbox } from './outbox.js';
import { UndecodableBlockError, type BlockRef, type ParentchainBlock, type ParentchainClient } from './parentchain.js';
import type { OutboxEntry, WorkerStore } from './store.js';

/**
 * Blocks handed to the enclave ahead of the one being committed: their decryption overlaps its execution, and during
 * a catch-up the boundary's round trip and the host's commit overlap the enclave's work.
 */
const PIPELINE_DEPTH = 8;
/** A sync longer than this many blocks is a catch-up: logged at its start, every PROGRESS_EVERY_MS and at its end. */
const CATCH_UP_BLOCKS = 100;
const PROGRESS_EVERY_MS = 10_000;

interface PreparedBlock {
  block: ParentchainBlock;
  imported: Promise<BlockImported>;
}

export class ChainMismatchError extends Error {
  override name = 'ChainMismatchError';
}

/**
 * Test only: where a block should fail as if it did not decode — the import then throws the `UndecodableBlockError`
 * the parentchain client throws for a real one. Lets specs stall a worker on a block of their choosing.
 */
export type UndecodableBlockHook = (block: ParentchainBlock) => { message: string; extrinsicIndex?: number; eventIndex?: number; path?: string } | undefined;

export interface BlockImporterDeps {
  client: ParentchainClient;
  store: WorkerStore;
  outbox: Outbox;
  /** The enclave's ECALLs: `import_block` does all the trusted work of a block. */
  enclave: EnclaveEcalls;
  lock: Mutex;
  log: Logger;
  metrics: Metrics;
  /** Told of every committed block. */
  monitor: ImportMonitor;
  fetchConcurrency: number;
  /** A block that upgraded the runtime: the enclave must learn the new metadata before the next block. */
  onRuntimeUpgrade: (block: ParentchainBlock) => Promise<void>;
  /**
   * The store could not write a block the enclave executed: the enclave is now ahead of what is durable, so it must
   * start again from the store (the worker restarts its process).
   */
  onCommitFailed: (error: unknown) => void;
  testUndecodable?: UndecodableBlockHook;
}

/**
 * The host's half of block import: fetches finalized blocks, hands each to the enclave (ECALL `import_block`) and
 * commits what comes back — sealed writes, the import cursor and the enclave-signed extrinsics — in one LevelDB
 * batch before anything is sent. It never sees a plaintext call or state value.
 */
export class BlockImporter {
  readonly #deps: BlockImporterDeps;
  #last: BlockRef;

  constructor(deps: BlockImporterDeps, last: BlockRef) {
    this.#deps = deps;
    this.#last = last;
  }

  get lastImported(): BlockRef {
    return this.#last;
  }

  /** Imports every block after the last imported one up to `target` (a finalized block). */
  async syncTo(target: BlockRef): Promise<number> {
    const { client, log, fetchConcurrency, outbox } = this.#deps;
    if (target.number <= this.#last.number) return 0;
    const from = this.#last.number + 1;
    const catchingUp = target.number - from >= CATCH_UP_BLOCKS;
    if (catchingUp) log.info('catching up', { from, to: target.number, blocks: target.number - from + 1 });
    const startedAt = Date.now();
    let imported = 0;
    const rate = () => Math.round((imported / Math.max(1, Date.now() - startedAt)) * 1000);
    let lastFlush = startedAt;
    let lastProgress = startedAt;
    // The next blocks are in the enclave already: their decryption runs while the current one executes.
    const prepared: PreparedBlock[] = [];
    const importNext = async () => {
      await this.#import(prepared.shift()!);
      imported++;
      // During a long catch-up, send confirmations as we go instead of in one burst at the end.
      if (Date.now() - lastFlush > 1_000) {
        void outbox.flush();
        lastFlush = Date.now();
      }
      if (catchingUp && Date.now() - lastProgress > PROGRESS_EVERY_MS) {
        log.info('catch-up progress', { block: this.#last.number, to: target.number, blocksPerSecond: rate() });
        lastProgress = Date.now();
      }
    };
    const blocks = client.fetchRange(from, target.number, fetchConcurrency);
    try {
      for (;;) {
        let next: IteratorResult<ParentchainBlock>;
        try {
          next = await blocks.next();
          if (!next.done) this.#checkTestHook(next.value);
        } catch (error) {
          // The blocks fetched before the one that failed are imported all the same: the import stops right at it.
          while (prepared.length > 0) await importNext();
          throw error;
        }
        if (next.done) break;
        prepared.push(this.#prepare(next.value));
        if (upgradesRuntime(next.value)) {
          // The blocks after it are decoded with the new runtime's metadata: the enclave learns it before it sees them.
          while (prepared.length > 0) await importNext();
          await this.#deps.onRuntimeUpgrade(next.value);
        } else if (prepared.length > PIPELINE_DEPTH) {
          await importNext();
        }
      }
    } finally {
      await blocks.return(undefined);
    }
    while (prepared.length > 0) await importNext();
    if (catchingUp) log.info('caught up', { block: this.#last.number, blocks: imported, seconds: (Date.now() - startedAt) / 1000, blocksPerSecond: rate() });
    return imported;
  }

  #checkTestHook(block: ParentchainBlock): void {
    const fault = this.#deps.testUndecodable?.(block);
    if (fault) throw new UndecodableBlockError(block, new BlockDecodeError('BLOCK_UNDECODABLE', fault.message, fault));
  }

  #prepare(block: ParentchainBlock): PreparedBlock {
    const imported = this.#deps.enclave.import_block({
      number: block.number,
      hash: hexToBytes(block.hash),
      parentHash: hexToBytes(block.parentHash),
      extrinsics: block.extrinsics.map((xt) => xt.bytes),
      events: block.eventsBytes,
      committed: this.#last.number,
    });
    imported.catch(() => undefined); // awaited in #import; handled here in case the import stops first
    return { block, imported };
  }

  async #import({ block, imported }: PreparedBlock): Promise<void> {
    const { outbox, store, lock, log, metrics } = this.#deps;
    if (block.number !== this.#last.number + 1 || block.parentHash !== this.#last.hash) {
      throw new ChainMismatchError(
        `block #${block.number} ${block.hash} does not extend the last imported block #${this.#last.number} ${this.#last.hash}`,
      );
    }
    let result: BlockImported;
    try {
      result = await imported;
    } catch (error) {
      // The enclave read the block with the chain's metadata and could not: the same stall as a host-side decode failure.
      if (error instanceof BoundaryError && (error.code === 'BLOCK_UNDECODABLE' || error.code === 'METADATA_UNSUPPORTED')) {
        const where = (error.details ?? {}) as { extrinsicIndex?: number; eventIndex?: number; path?: string };
        throw new UndecodableBlockError(block, new BlockDecodeError(error.code, error.message, where));
      }
      throw error;
    }
    metrics.observe('sealbridge_stf_block_execution_seconds', result.executionSeconds);
    const included = outbox.includedIn(block.extrinsics);
    const added: OutboxEntry[] = result.extrinsics.map((extrinsic) => outbox.entryOf(extrinsic, block.number));
    // Extrinsics the enclave signed before this block's (a relayed call) are persisted first: no nonce gap on a crash.
    await outbox.turn(Math.min(...added.map((entry) => entry.nonce)));
    await lock.run(async () => {
      try {
        await store.commitBlock({
          block: { number: block.number, hash: block.hash },
          sealedWrites: result.writes,
          outboxAdd: added,
          outboxRemove: included,
          nextNonce: outbox.nonceAfter(added),
        });
      } catch (error) {
        this.#deps.onCommitFailed(error);
        throw error;
      }
      outbox.committed(added, included);
    });
    this.#last = { number: block.number, hash: block.hash };

    this.#deps.monitor.imported(block.number);
    metrics.inc('sealbridge_invocations_total', { result: 'ok' }, result.ok);
    metrics.inc('sealbridge_invocations_total', { result: 'failed' }, result.failed);
    const level = result.indirectCalls > 1 || result.failed > 0 ? 'info' : 'debug';
    if (log.enabled(level)) log[level]('imported block', {
      block: block.number,
      hash: block.hash,
      indirectCalls: result.indirectCalls,
      ok: result.ok,
      failed: result.failed,
      root: u8aToHex(result.callsRoot),
      stateRoot: u8aToHex(result.stateRoot),
    });
  }
}

/** `System.CodeUpdated`: the next block is built by another runtime. */
function upgradesRuntime(block: ParentchainBlock): boolean {
  return block.events.some(({ event }) => event.section === 'system' && event.method === 'CodeUpdated');
}
