import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

import { BlockDecodeError, bytesToHex, hexToBytes, ScaleReader, ScaleWriter, trustedCallsMerkleRoot } from '@sealbridge/chain-types';
import type { Logger } from '@sealbridge/chain-types/log';
import { BoundaryError, type BlockImported, type RawBlock, type SignedExtrinsic } from '@sealbridge/enclave-api';
import type { OperationResult } from '@sealbridge/stf';

import type { DecryptResult } from '../decrypt-pool.js';
import type { TrustedEnclave } from '../enclave.js';
import type { HostStore } from './host.js';
import type { ParentchainBlock } from './block.js';
import type { ChainContext } from './chain.js';
import { findIndirectCalls, type IndirectCall } from './indirect-calls.js';
import type { EnclaveMetrics } from './metrics.js';
import type { OlmEnv } from './olm-env.js';
import type { ShardRuntime } from './shard-runtime.js';
import type { EnclaveAccount } from './signer.js';

interface PreparedBlock {
  block: ParentchainBlock;
  calls: IndirectCall[];
  decrypted: Promise<DecryptResult[]>;
  /** The host's last committed block when it sent this one. */
  committed: number;
}

/** Host key of the sealed import cursor: the last block whose result the enclave handed out. */
const CURSOR_KEY = 'cursor';
const CURSOR_PURPOSE = 'import-cursor';

export interface TrustedImportDeps {
  enclave: TrustedEnclave;
  chain: () => ChainContext;
  shard: ShardRuntime;
  env: OlmEnv;
  account: EnclaveAccount;
  log: Logger;
  metrics: EnclaveMetrics;
  /** Told about every executed block's operation results (RPC watchers of relayed direct calls). */
  onExecuted: (results: OperationResult[], blockHash: Uint8Array) => void;
}

/**
 * The enclave's half of block import (ECALL `import_block`): it decodes the block the host fetched, decrypts and
 * executes its indirect invocations, handles its set_env claims, and answers with sealed writes and signed
 * extrinsics only. Decryption starts as soon as a block arrives, so it overlaps the execution of the block before.
 */
export class TrustedImport {
  readonly #deps: TrustedImportDeps;
  #queue: Promise<unknown> = Promise.resolve();
  /** The last block executed (hash, number); the next one must extend it. */
  #last: { number: number; hash: string } | undefined;

  private constructor(deps: TrustedImportDeps, last: { number: number; hash: string } | undefined) {
    this.#deps = deps;
    this.#last = last;
  }

  /**
   * Resumes after the block its sealed cursor names (written with every block's result): the first block the host
   * hands in after a restart must extend it, as every later one extends the one before.
   */
  static async open(deps: TrustedImportDeps, store: HostStore): Promise<TrustedImport> {
    const sealed = await store.get(CURSOR_KEY);
    let last: { number: number; hash: string } | undefined;
    if (sealed) {
      const r = new ScaleReader(deps.enclave.unseal(CURSOR_PURPOSE, sealed), 'ImportCursor');
      last = { number: r.u32('number'), hash: bytesToHex(r.take(32, 'hash')) };
      r.end();
    }
    return new TrustedImport(deps, last);
  }

  /** Number of the last block handed in (the relay records it with the extrinsics it signs). */
  get lastImported(): number {
    return this.#last?.number ?? 0;
  }

  importBlock(raw: RawBlock): Promise<BlockImported> {
    const prepared = this.#prepare(raw);
    const run = this.#queue.then(async () => this.#execute(await prepared));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #prepare(raw: RawBlock): Promise<PreparedBlock> {
    const { chain, shard, log, metrics } = this.#deps;
    const { decoder } = chain();
    let block: ParentchainBlock;
    try {
      block = {
        number: raw.number,
        hash: bytesToHex(raw.hash),
        parentHash: bytesToHex(raw.parentHash),
        extrinsics: raw.extrinsics.map((bytes, index) => decoder.extrinsic(bytes, index)),
        events: raw.events ? decoder.events(raw.events) : [],
      };
    } catch (error) {
      if (!(error instanceof BlockDecodeError)) throw error;
      throw new BoundaryError(error.code, `parentchain block #${raw.number} ${bytesToHex(raw.hash)} does not decode: ${error.message}`, {
        details: { extrinsicIndex: error.extrinsicIndex, eventIndex: error.eventIndex, path: error.path },
      });
    }
    const calls = findIndirectCalls(block, (extrinsic, error) => {
      log.warn('unreadable indirect call skipped', { block: block.number, extrinsic, error: error.message });
      metrics.inc('sealbridge_invocations_rejected_total', { reason: 'malformed_call' });
    });
    const decrypted = shard.decrypt(block, calls);
    decrypted.catch(() => undefined); // awaited in #execute; handled here in case that never runs
    return { block, calls, decrypted, committed: raw.committed };
  }

  async #execute({ block, calls, decrypted, committed }: PreparedBlock): Promise<BlockImported> {
    const { shard, env, account, log } = this.#deps;
    const last = this.#last;
    if (last && (block.number !== last.number + 1 || block.parentHash !== last.hash)) {
      throw new BoundaryError('CHAIN_MISMATCH', `block #${block.number} ${block.hash} does not extend the last imported block #${last.number} ${last.hash}`);
    }
    await env.release(committed);
    const operations = await decrypted;
    const startedAt = performance.now();
    const execution = await shard.executeBlock(block, calls, operations);
    const executionSeconds = (performance.now() - startedAt) / 1000;
    const envChanges = await env.processBlock(block);
    const root = trustedCallsMerkleRoot(calls.map((call) => blake2AsU8a(call.leafPreimage)));

    // Signed in one go, in nonce order, right before the answer leaves: nothing else can take a nonce in between.
    const extrinsics: SignedExtrinsic[] = [];
    for (const { kind, call } of execution.parentchainCalls) extrinsics.push(account.sign(call, kind));
    for (const { kind, call } of envChanges.acks) extrinsics.push(account.sign(call, kind));
    extrinsics.push(account.sign(shard.confirmationCall(block, root), 'confirm'));

    const cursor = new ScaleWriter().u32(block.number).bytes(hexToBytes(block.hash)).finish();
    const writes = [...shard.sealedChanges(execution), ...envChanges.writes, { key: CURSOR_KEY, value: this.#deps.enclave.seal(CURSOR_PURPOSE, cursor) }];
    const results = shard.commit(execution);
    envChanges.committed();
    this.#last = { number: block.number, hash: block.hash };
    this.#deps.onExecuted(results, hexToBytes(block.hash));
    const stateRoot = shard.state.root();
    const level = calls.length > 1 || execution.failed > 0 ? 'info' : 'debug';
    if (log.enabled(level)) log[level]('executed block', { block: block.number, indirectCalls: calls.length, ok: execution.ok, failed: execution.failed, stateRoot: u8aToHex(stateRoot) });
    return {
      writes,
      extrinsics,
      indirectCalls: calls.length,
      ok: execution.ok,
      failed: execution.failed,
      callsRoot: root,
      stateRoot,
      executionSeconds,
    };
  }
}
