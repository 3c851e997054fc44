import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

import { trustedCallsMerkleRoot } from '@sealbridge/chain-types';

import type { DecryptResult } from '@sealbridge/enclave-sim';

import { BlockDecodeError } from './block-decoder.js';
import type { ImportMonitor } from './import-stall.js';
import { findIndirectCalls, type IndirectCall } from './indirect-calls.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Mutex } from './mutex.js';
import type { OlmEnv } from './olm-env.js';
import type { Outbox } from './outbox.js';
import { UndecodableBlockError, type BlockRef, type ParentchainBlock, type ParentchainClient } from './parentchain.js';
import type { ShardRuntime } from './shard-runtime.js';
import type { OperationResult } from '@sealbridge/stf';
import type { OutboxEntry, WorkerStore } from './store.js';

/** Blocks whose decryption may run ahead of the one executing. */
const PIPELINE_DEPTH = 2;
/** A sync longer than this many blocks is a catch-up: logged at its start, every PROGRESS_EVERY_MS and at its end. */
const CATCH_UP_BLOCKS = 100;
const PROGRESS_EVERY_MS = 10_000;

interface PreparedBlock {
  block: ParentchainBlock;
  calls: IndirectCall[];
  decrypted: Promise<DecryptResult[]>;
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
  shard: ShardRuntime;
  lock: Mutex;
  log: Logger;
  metrics: Metrics;
  /** Told of every committed block. */
  monitor: ImportMonitor;
  fetchConcurrency: number;
  /** Olm env secrets (`WorkerEnv.EnvSet`), processed in the same commit as the block. */
  env?: OlmEnv;
  /** Told about every committed block's operation results (RPC watchers of relayed direct calls). */
  onExecuted?: (results: OperationResult[], block: BlockRef) => void;
  testUndecodable?: UndecodableBlockHook;
}

/**
 * Imports finalized parentchain blocks one at a time: finds the indirect invocations, executes them in the
 * enclave against the shard state, and commits the new state, the import cursor and the enclave-signed
 * confirmation in one LevelDB batch before anything is sent.
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
    // Decryption of the next blocks runs in the enclave's pool while the current block executes.
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
        if (prepared.length > PIPELINE_DEPTH) await importNext();
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
    const { shard, log, metrics } = this.#deps;
    const calls = findIndirectCalls(block, (extrinsic, error) => {
      log.warn('unreadable indirect call skipped', { block: block.number, extrinsic, error: error.message });
      metrics.inc('sealbridge_invocations_rejected_total', { reason: 'malformed_call' });
    });
    const decrypted = shard.decrypt(block, calls);
    decrypted.catch(() => undefined); // awaited in #import; handled here in case the import stops first
    return { block, calls, decrypted };
  }

  async #import({ block, calls, decrypted }: PreparedBlock): Promise<void> {
    const { outbox, shard, store, lock, log, metrics } = this.#deps;
    if (block.number !== this.#last.number + 1 || block.parentHash !== this.#last.hash) {
      throw new ChainMismatchError(
        `block #${block.number} ${block.hash} does not extend the last imported block #${this.#last.number} ${this.#last.hash}`,
      );
    }
    const operations = await decrypted;
    const executionStartedAt = performance.now();
    const execution = await shard.executeBlock(block, calls, operations);
    metrics.observe('sealbridge_stf_block_execution_seconds', (performance.now() - executionStartedAt) / 1000);
    const env = await this.#deps.env?.processBlock(block, (oneTimeKey, status) => this.#deps.client.api.tx.workerEnv.setEnvResult(oneTimeKey, status));
    const root = trustedCallsMerkleRoot(calls.map((call) => blake2AsU8a(call.leafPreimage)));
    const included = outbox.includedIn(block.extrinsics);

    await lock.run(async () => {
      const added: OutboxEntry[] = [];
      try {
        for (const { kind, call } of execution.parentchainCalls) added.push(outbox.sign(call, kind, block.number));
        for (const { kind, tx } of env?.acks ?? []) added.push(outbox.sign(tx.method.toU8a(), kind, block.number));
        added.push(outbox.sign(shard.confirmationCall(block, root), 'confirm', block.number));
        await store.commitBlock({
          block: { number: block.number, hash: block.hash },
          shardWrites: [shard.sealedChanges(execution)],
          outboxAdd: added,
          outboxRemove: included,
          nextNonce: outbox.nextNonce,
          kvWrites: env?.kvWrites,
        });
      } catch (error) {
        outbox.rollback();
        throw error;
      }
      outbox.committed(added, included, block.number);
    });
    const results = shard.commit(execution);
    await env?.committed();
    this.#last = { number: block.number, hash: block.hash };
    this.#deps.onExecuted?.(results, this.#last);

    this.#deps.monitor.imported(block.number);
    metrics.inc('sealbridge_invocations_total', { result: 'ok' }, execution.ok);
    metrics.inc('sealbridge_invocations_total', { result: 'failed' }, execution.failed);
    const level = calls.length > 1 || execution.failed > 0 ? 'info' : 'debug';
    // The state root costs a trie walk: only for a line that is written (the crash and determinism specs read it).
    if (log.enabled(level)) log[level]('imported block', {
      block: block.number,
      hash: block.hash,
      indirectCalls: calls.length,
      ok: execution.ok,
      failed: execution.failed,
      root: u8aToHex(root),
      stateRoot: u8aToHex(shard.state.root()),
    });
  }
}
