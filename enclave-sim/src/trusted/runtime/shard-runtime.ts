import { createHmac } from 'node:crypto';

import { u8aToHex } from '@polkadot/util';

import { bytesEqual, hexToBytes, ScaleReader, ScaleWriter } from '@sealbridge/chain-types';
import type { SealedWrite } from '@sealbridge/enclave-api';
import {
  enclaveSignedCall,
  executeTrustedOperations,
  ShardState,
  type Call,
  type ExecutionOutcome,
  type OperationInput,
  type OperationResult,
  type ParentchainCall,
  type PreverifiedOperation,
  type SmartWorkerDispatcher,
} from '@sealbridge/stf';
import type { Logger } from '@sealbridge/chain-types/log';

import type { DecryptResult } from '../decrypt-pool.js';
import type { TrustedEnclave } from '../enclave.js';
import { MAX_SHIELDED_BYTES } from '../settings.js';
import type { ParentchainBlock } from './block.js';
import type { ChainContext } from './chain.js';
import { callEncoder } from './extrinsic-signer.js';
import type { HostStore } from './host.js';
import type { IndirectCall } from './indirect-calls.js';
import type { EnclaveMetrics } from './metrics.js';

export interface BlockExecution {
  outcome: ExecutionOutcome;
  /** SCALE(RuntimeCall)s for the enclave account to send (unshield payouts, published hashes). */
  parentchainCalls: Array<{ kind: string; call: Uint8Array }>;
  ok: number;
  failed: number;
}

export interface ShardRuntimeDeps {
  shard: Uint8Array;
  enclave: TrustedEnclave;
  chain: () => ChainContext;
  store: HostStore;
  log: Logger;
  metrics: EnclaveMetrics;
  /** Root of `balance_set_balance`; only dev chains have one (//Alice), as with Integritee's test genesis. */
  sudoAccount?: Uint8Array;
  smartWorkers?: SmartWorkerDispatcher;
}

/** Host keys of sealed state values: `state/` ‖ HMAC of (shard, key) under a sealing-derived key, so they reveal neither. */
export const STATE_PREFIX = 'state/';
const purposeOf = (hostKey: string) => `shard-state:${hostKey}`;

/**
 * One shard's confidential state and how a parentchain block's indirect calls turn into trusted operations:
 * decrypted in the enclave's thread pool, executed by the STF, sealed before they leave the enclave.
 */
export class ShardRuntime {
  readonly shard: Uint8Array;
  readonly shardHex: string;
  readonly #deps: ShardRuntimeDeps;
  readonly #keyId: Buffer;
  #state: ShardState;
  /** Bytes of keys and values, counted once at load and then kept up to date from each block's changes. */
  #bytes: number;

  private constructor(deps: ShardRuntimeDeps, state: ShardState, keyId: Buffer) {
    this.#deps = deps;
    this.shard = deps.shard;
    this.shardHex = u8aToHex(deps.shard);
    this.#state = state;
    this.#keyId = keyId;
    this.#bytes = 0;
    for (const [key, value] of state.entries()) this.#bytes += key.length + value.length;
  }

  static async load(deps: ShardRuntimeDeps): Promise<ShardRuntime> {
    const keyId = deps.enclave.deriveKey('shard-state-key-id');
    const entries: Array<[Uint8Array, Uint8Array]> = [];
    const shardHex = u8aToHex(deps.shard);
    for (const [hostKey, sealed] of await deps.store.scan(STATE_PREFIX)) {
      // Each sealed value carries its shard and key; the purpose binds it to its host key, so values cannot be swapped.
      const r = new ScaleReader(deps.enclave.unseal(purposeOf(hostKey), sealed), 'SealedStateEntry');
      const shard = r.take(32, 'shard');
      const key = r.bytesWithLength('key').slice();
      const value = r.bytesWithLength('value').slice();
      r.end();
      if (bytesEqual(shard, deps.shard)) entries.push([key, value]);
    }
    deps.log.info('shard state loaded', { shard: shardHex, entries: entries.length });
    return new ShardRuntime(deps, ShardState.fromEntries(entries), keyId);
  }

  get state(): ShardState {
    return this.#state;
  }

  /** Entries and bytes (keys and values) of the current state: what the operator sees of its size, nothing of its content. */
  size(): { entries: number; bytes: number } {
    return { entries: this.#state.size, bytes: this.#bytes };
  }

  /**
   * Starts decrypting a block's shielded payloads in the enclave's thread pool. Needs no state, so the import runs
   * it for the next blocks while the current one executes.
   */
  decrypt(block: ParentchainBlock, calls: IndirectCall[]): Promise<DecryptResult[]> {
    const { enclave, log, metrics } = this.#deps;
    const encrypted: Uint8Array[] = [];
    for (const call of calls) {
      if (call.kind === 'timestamp') continue;
      if (!bytesEqual(call.shard, this.shard)) {
        log.warn('indirect call for an unknown shard ignored', { block: block.number, extrinsic: call.extrinsicIndex, shard: u8aToHex(call.shard) });
        metrics.inc('sealbridge_invocations_rejected_total', { reason: 'unknown_shard' });
        continue;
      }
      const ciphertext = call.kind === 'invoke' ? call.cyphertext : call.accountEncrypted;
      // Oversized payloads are not decrypted; an empty ciphertext stands in so the positions still line up.
      encrypted.push(ciphertext.length > MAX_SHIELDED_BYTES ? new Uint8Array(0) : ciphertext);
    }
    // Signatures are checked on the enclave's decryption threads too, so executing the block only applies calls.
    return enclave.decryptShieldedBatch(encrypted, { verifyCallsForShard: this.shard });
  }

  async executeBlock(block: ParentchainBlock, calls: IndirectCall[], decrypted: DecryptResult[]): Promise<BlockExecution> {
    const { enclave, log, metrics } = this.#deps;
    const blockLog = { block: block.number };

    const enclaveAccount = enclave.signerPublicKey();
    let enclaveNonce = this.#state.account(enclaveAccount).nonce;
    // The enclave's own calls need no second look at the signature it just made.
    const signByEnclave = (call: Call): PreverifiedOperation => ({
      top: enclaveSignedCall(call, enclaveNonce++, (payload) => enclave.sign(payload), enclave.mrenclave, this.shard),
      signatureVerified: true,
    });
    const ops: OperationInput[] = [];
    let rejected = 0;
    let next = 0;
    for (const call of calls) {
      if (call.kind === 'timestamp') {
        ops.push(signByEnclave({ kind: 'timestamp_set', enclave: enclaveAccount, now: call.now, parentchainId: 'Integritee' }));
        continue;
      }
      if (!bytesEqual(call.shard, this.shard)) continue;
      const result = decrypted[next++]!;
      const size = call.kind === 'invoke' ? call.cyphertext.length : call.accountEncrypted.length;
      if (size > MAX_SHIELDED_BYTES) {
        log.warn('oversized indirect call ignored', { ...blockLog, extrinsic: call.extrinsicIndex, bytes: size, max: MAX_SHIELDED_BYTES });
        metrics.inc('sealbridge_invocations_rejected_total', { reason: 'oversized' });
        rejected++;
      } else if (!result.ok) {
        log.warn('indirect call could not be deciphered', { ...blockLog, extrinsic: call.extrinsicIndex, error: result.error });
        metrics.inc('sealbridge_invocations_rejected_total', { reason: 'undecryptable' });
        rejected++;
      } else if (call.kind === 'invoke') {
        ops.push(result.callSignatureValid ? { top: result.plaintext, signatureVerified: true } : result.plaintext);
      } else if (result.plaintext.length !== 32) {
        log.warn('shield_funds with an incognito account that is not 32 bytes', { ...blockLog, extrinsic: call.extrinsicIndex });
        metrics.inc('sealbridge_invocations_rejected_total', { reason: 'bad_incognito_account' });
        rejected++;
      } else {
        ops.push(signByEnclave({ kind: 'balance_shield', enclave: enclaveAccount, who: result.plaintext, amount: call.amount, parentchainId: 'Integritee' }));
      }
    }

    const timestamp = calls.find((call) => call.kind === 'timestamp');
    const outcome = await executeTrustedOperations(
      this.#state,
      ops,
      { blockNumber: block.number, blockHash: hexToBytes(block.hash), timestamp: timestamp?.kind === 'timestamp' ? timestamp.now : undefined },
      { mrenclave: enclave.mrenclave, shard: this.shard, enclaveAccount, sudoAccount: this.#deps.sudoAccount, smartWorkers: this.#deps.smartWorkers },
    );
    for (const result of outcome.results) {
      if (result.ok) continue;
      // The code only: the message may quote balances or a Smart Worker's answer, which only the sender may read
      // (through the operation_outcome getter).
      log.info('trusted operation failed', { ...blockLog, top: u8aToHex(result.topHash), code: result.error?.code });
      metrics.inc('sealbridge_invocations_rejected_total', { reason: result.error?.code ?? 'unknown' });
    }
    const okCount = outcome.results.filter((result) => result.ok).length;
    return {
      outcome,
      parentchainCalls: outcome.parentchainCalls.map((call) => this.#toCall(call)),
      ok: okCount,
      failed: rejected + outcome.results.length - okCount,
    };
  }

  /** SCALE of `EnclaveBridge.confirm_processed_parentchain_block(shard, block_hash, block_number, trusted_calls_merkle_root)`. */
  confirmationCall(block: ParentchainBlock, root: Uint8Array): Uint8Array {
    return callEncoder(this.#deps.chain(), 'enclaveBridge', 'confirmProcessedParentchainBlock')(this.shard, block.hash, block.number, root);
  }

  /** The block's state changes, sealed, under host keys that reveal nothing of the shard or the state key. */
  sealedChanges(execution: BlockExecution): SealedWrite[] {
    const { enclave } = this.#deps;
    return execution.outcome.state.changes.map(({ key, value }) => {
      const hostKey = STATE_PREFIX + createHmac('sha256', this.#keyId).update(this.shard).update(key).digest('hex');
      if (value === null) return { key: hostKey, value: undefined };
      const plain = new ScaleWriter().bytes(this.shard).bytesWithLength(key).bytesWithLength(value).finish();
      return { key: hostKey, value: enclave.seal(purposeOf(hostKey), plain) };
    });
  }

  commit(execution: BlockExecution): OperationResult[] {
    for (const { key, value } of execution.outcome.state.changes) {
      const before = this.#state.get(key);
      if (before !== undefined) this.#bytes -= key.length + before.length;
      if (value !== null) this.#bytes += key.length + value.length;
    }
    this.#state = execution.outcome.state;
    return execution.outcome.results;
  }

  #toCall(call: ParentchainCall): { kind: string; call: Uint8Array } {
    const { tx } = this.#deps.chain();
    const encoded = call.kind === 'unshield_funds'
      ? tx.enclaveBridge!.unshieldFunds!(call.shard, call.beneficiary, call.amount, call.callHash)
      : tx.enclaveBridge!.publishHash!(call.hash, call.extraTopics, u8aToHex(call.data));
    return { kind: call.kind, call: encoded.toU8a() };
  }
}
