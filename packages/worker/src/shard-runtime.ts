import { hexToU8a, u8aToHex } from '@polkadot/util';

import { bytesEqual, bytesToHex } from '@sealbridge/chain-types';
import { MAX_SHIELDED_BYTES, type DecryptResult, type EnclaveHandle } from '@sealbridge/enclave-sim';
import {
  enclaveSignedCall,
  executeTrustedOperations,
  ShardState,
  type ExecutionOutcome,
  type OperationInput,
  type OperationResult,
  type ParentchainCall,
  type Call,
  type PreverifiedOperation,
  type SmartWorkerDispatcher,
} from '@sealbridge/stf';

import { callEncoder, perRuntimeVersion } from './extrinsic-signer.js';
import type { IndirectCall } from './indirect-calls.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { ParentchainBlock, ParentchainClient } from './parentchain.js';
import type { ShardStateWrite, WorkerStore } from './store.js';

export interface BlockExecution {
  outcome: ExecutionOutcome;
  /** SCALE(RuntimeCall)s for the enclave account to send (unshield payouts, published hashes). */
  parentchainCalls: Array<{ kind: string; call: Uint8Array }>;
  ok: number;
  failed: number;
}

export interface ShardRuntimeDeps {
  shard: Uint8Array;
  enclave: EnclaveHandle;
  client: ParentchainClient;
  store: WorkerStore;
  log: Logger;
  metrics: Metrics;
  /** Root of `balance_set_balance`; only dev chains have one (//Alice), as with Integritee's test genesis. */
  sudoAccount?: Uint8Array;
  smartWorkers?: SmartWorkerDispatcher;
}

/** Seal purpose of one state value: binds it to its shard and key, so sealed values cannot be swapped around. */
const statePurpose = (shardHex: string, keyHex: string) => `shard-state:${shardHex}:${keyHex}`;

/**
 * One shard's confidential state and how a parentchain block's indirect calls turn into trusted operations:
 * decrypted in the enclave's thread pool, executed by the STF, sealed before they are written.
 */
export class ShardRuntime {
  readonly shard: Uint8Array;
  readonly shardHex: string;
  readonly #deps: ShardRuntimeDeps;
  #state: ShardState;
  readonly #confirmEncoder: () => (...args: unknown[]) => Uint8Array;

  private constructor(deps: ShardRuntimeDeps, state: ShardState) {
    this.#deps = deps;
    const { api } = deps.client;
    this.#confirmEncoder = perRuntimeVersion(api, () => callEncoder(api, 'enclaveBridge', 'confirmProcessedParentchainBlock'));
    this.shard = deps.shard;
    this.shardHex = u8aToHex(deps.shard);
    this.#state = state;
  }

  static async load(deps: ShardRuntimeDeps): Promise<ShardRuntime> {
    const shardHex = u8aToHex(deps.shard);
    const entries: Array<[Uint8Array, Uint8Array]> = [];
    for await (const [keyHex, sealed] of deps.store.shardEntries(shardHex)) {
      entries.push([hexToU8a(keyHex), deps.enclave.unseal(statePurpose(shardHex, keyHex), sealed)]);
    }
    deps.log.info('shard state loaded', { shard: shardHex, entries: entries.length });
    return new ShardRuntime(deps, ShardState.fromEntries(entries));
  }

  get state(): ShardState {
    return this.#state;
  }

  /**
   * Starts decrypting a block's shielded payloads in the enclave's thread pool. Needs no state, so the importer
   * runs it for the next blocks while the current one executes.
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
      const result = decrypted[next++];
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
      { blockNumber: block.number, blockHash: hexToU8a(block.hash), timestamp: timestamp?.kind === 'timestamp' ? timestamp.now : undefined },
      { mrenclave: enclave.mrenclave, shard: this.shard, enclaveAccount, sudoAccount: this.#deps.sudoAccount, smartWorkers: this.#deps.smartWorkers },
    );
    for (const result of outcome.results) {
      if (result.ok) continue;
      log.info('trusted operation failed', { ...blockLog, top: u8aToHex(result.topHash), code: result.error?.code, error: result.error?.message });
      metrics.inc('sealbridge_invocations_rejected_total', { reason: result.error?.code ?? 'unknown' });
    }
    const okCount = outcome.results.filter((result) => result.ok).length;
    return {
      outcome,
      parentchainCalls: outcome.parentchainCalls.map((call) => this.#toExtrinsic(call)),
      ok: okCount,
      failed: rejected + outcome.results.length - okCount,
    };
  }

  /** SCALE of `EnclaveBridge.confirm_processed_parentchain_block(shard, block_hash, block_number, trusted_calls_merkle_root)`. */
  confirmationCall(block: ParentchainBlock, root: Uint8Array): Uint8Array {
    return this.#confirmEncoder()(this.shard, block.hash, block.number, root);
  }

  sealedChanges(execution: BlockExecution): ShardStateWrite {
    const { enclave } = this.#deps;
    return {
      shard: this.shardHex,
      changes: execution.outcome.state.changes.map(({ key, value }) => {
        const keyHex = bytesToHex(key);
        return [keyHex, value === null ? null : enclave.seal(statePurpose(this.shardHex, keyHex), value)];
      }),
    };
  }

  commit(execution: BlockExecution): OperationResult[] {
    this.#state = execution.outcome.state;
    return execution.outcome.results;
  }

  #toExtrinsic(call: ParentchainCall): { kind: string; call: Uint8Array } {
    const { tx } = this.#deps.client.api;
    const submittable = call.kind === 'unshield_funds'
      ? tx.enclaveBridge.unshieldFunds(call.shard, call.beneficiary, call.amount, call.callHash)
      : tx.enclaveBridge.publishHash(call.hash, call.extraTopics, u8aToHex(call.data));
    return { kind: call.kind, call: submittable.method.toU8a() };
  }
}
