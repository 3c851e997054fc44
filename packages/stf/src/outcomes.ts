// What became of each trusted operation, kept in shard state for OUTCOME_RETENTION_BLOCKS blocks so that any worker
// of the shard can tell the sender (`operation_outcome` getter). Recorded and pruned inside the block's transaction:
// part of the state root like every other entry, and the same on every worker.
import { u8aEq } from '@polkadot/util';
import { ScaleReader, ScaleWriter } from '@sealbridge/chain-types';

import type { OperationError, OperationResult } from './execute.js';
import type { StateTransaction } from './state.js';

import { ACCOUNT_ID_BYTES, HASH_BYTES, OUTCOME_RETENTION_BLOCKS } from './constants.js';
import { StfError } from './errors.js';
import { STORAGE_PREFIX, blockOfOutcomesByBlockKey, operationOutcomeKey, outcomesByBlockKey } from './state.js';

/** The registry's `TrustedOperationOutcome`, as plain values. */
export interface OperationOutcome {
  /** Parentchain block whose execution produced the outcome. */
  blockNumber: number;
  /** Absent when the operation succeeded. */
  error?: OperationError;
  /** STF fee the sender paid (it stays paid when the call then failed). */
  fee: bigint;
}

/** SCALE `TrustedOperationOutcome { block_number: u32, result: Result<(), { code: Text, message: Text }>, fee: u128 }`. */
export function encodeOperationOutcome(outcome: OperationOutcome): Uint8Array {
  const w = new ScaleWriter(64).u32(outcome.blockNumber);
  if (outcome.error) w.byte(1).str(outcome.error.code).str(outcome.error.message);
  else w.byte(0);
  return w.uint(outcome.fee, 16).finish();
}

export function decodeOperationOutcome(bytes: Uint8Array): OperationOutcome {
  try {
    const r = new ScaleReader(bytes, 'TrustedOperationOutcome');
    const blockNumber = r.u32('block_number');
    const tag = r.byte('result');
    let error: OperationError | undefined;
    if (tag === 1) error = { code: r.str('code') as OperationError['code'], message: r.str('message') };
    else if (tag !== 0) r.fail('SCALE_UNKNOWN_VARIANT', `no Result variant with index ${tag}`, r.offset - 1);
    const fee = r.uint(16, 'fee');
    r.end();
    return { blockNumber, ...(error && { error }), fee };
  } catch (cause) {
    throw new StfError('MalformedState', `operation outcome does not decode: ${(cause as Error).message}`, { cause });
  }
}

const PAIR_BYTES = ACCOUNT_ID_BYTES + HASH_BYTES;

/** Index value of one block: SCALE Vec<(AccountId, H256)> of the (sender, TOP hash) pairs it recorded. */
function decodeIndex(bytes: Uint8Array): Array<[Uint8Array, Uint8Array]> {
  try {
    const r = new ScaleReader(bytes, 'OutcomesByBlock');
    const count = r.length('pairs', PAIR_BYTES);
    const pairs: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < count; i += 1) pairs.push([r.take(ACCOUNT_ID_BYTES, 'sender'), r.take(HASH_BYTES, 'TOP hash')]);
    r.end();
    return pairs;
  } catch (cause) {
    throw new StfError('MalformedState', `outcome index does not decode: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Outcomes of one batch of operations, all executed for `blockNumber`. Construction prunes what has expired;
 * `finish()` writes the block's index entry once (a block of a thousand calls must not rewrite it a thousand times).
 */
export class OutcomeRecorder {
  readonly #tx: StateTransaction;
  readonly #blockNumber: number;
  readonly #enclaveAccount: Uint8Array;
  readonly #recorded: Array<[Uint8Array, Uint8Array]> = [];

  constructor(tx: StateTransaction, blockNumber: number, enclaveAccount: Uint8Array) {
    this.#tx = tx;
    this.#blockNumber = blockNumber;
    this.#enclaveAccount = enclaveAccount;
    this.#prune();
  }

  /** Records the outcome of an operation whose signature was accepted (its sender is who it claims to be). */
  record(result: OperationResult): void {
    const sender = result.sender;
    // The enclave signs no getters, so its own calls (a timestamp_set every block) would only fill the state.
    if (!sender || u8aEq(sender, this.#enclaveAccount)) return;
    const key = operationOutcomeKey(sender, result.topHash);
    // An executed operation's outcome is final: the same bytes replayed later (a copied ciphertext) are rejected
    // for their nonce, and that rejection must not hide what happened.
    if (!result.executed && this.#tx.get(key) !== undefined) return;
    this.#tx.put(key, encodeOperationOutcome({ blockNumber: this.#blockNumber, ...(result.error && { error: result.error }), fee: result.fee }));
    this.#recorded.push([sender, result.topHash]);
  }

  finish(): void {
    if (this.#recorded.length === 0) return;
    const key = outcomesByBlockKey(this.#blockNumber);
    const stored = this.#tx.get(key);
    const pairs = [...(stored ? decodeIndex(stored) : []), ...this.#recorded];
    const w = new ScaleWriter(4 + pairs.length * PAIR_BYTES).compact(pairs.length);
    for (const [sender, topHash] of pairs) w.bytes(sender).bytes(topHash);
    this.#tx.put(key, w.finish());
  }

  /** Removes what blocks up to `blockNumber − OUTCOME_RETENTION_BLOCKS` recorded, oldest first. */
  #prune(): void {
    const last = this.#blockNumber - OUTCOME_RETENTION_BLOCKS;
    if (last < 0) return;
    for (const [key, value] of this.#tx.base.entries(STORAGE_PREFIX.outcomesByBlock)) {
      const block = blockOfOutcomesByBlockKey(key);
      if (block > last) break;
      for (const [sender, topHash] of decodeIndex(value)) {
        const outcomeKey = operationOutcomeKey(sender, topHash);
        const outcome = this.#tx.get(outcomeKey);
        // A later block may have replaced it (an executed operation after a rejection of the same bytes).
        if (outcome && decodeOperationOutcome(outcome).blockNumber === block) this.#tx.delete(outcomeKey);
      }
      this.#tx.delete(key);
    }
  }
}
