import { u8aEq, u8aToHex } from '@polkadot/util';

import { bytesToHex, shieldEncrypt, topHash, verifyTrustedCallSigned } from '@sealbridge/chain-types';
import type { Logger } from '@sealbridge/chain-types/log';
import type { HostOcalls } from '@sealbridge/enclave-api';
import { decodeOperation, senderOf, type OperationResult, type SignedCall } from '@sealbridge/stf';

import type { TrustedEnclave } from '../enclave.js';
import { RpcServerError, type TopWatcher } from '../rpc/index.js';
import type { ChainContext } from './chain.js';
import type { EnclaveAccount } from './signer.js';

interface PendingDirectCall {
  top: Uint8Array;
  signed: SignedCall;
  sender: Uint8Array;
  watcher?: TopWatcher;
}

export interface DirectCallRelayDeps {
  chain: () => ChainContext;
  enclave: TrustedEnclave;
  account: EnclaveAccount;
  ocalls: HostOcalls;
  shard: Uint8Array;
  log: Logger;
  /** Parentchain block the import is at; recorded with the outbox entry. */
  lastImported: () => number;
}

/**
 * Direct calls are not executed out of order on one worker (that would fork the state between workers): the
 * enclave re-encrypts them to its shielding key and relays them on chain inside `EnclaveBridge.invoke`, paid
 * by the enclave account. They execute when the block carrying them is imported, like any indirect call.
 */
export class DirectCallRelay {
  readonly #deps: DirectCallRelayDeps;
  readonly #pending = new Map<string, PendingDirectCall>();

  constructor(deps: DirectCallRelayDeps) {
    this.#deps = deps;
  }

  async submit(shard: Uint8Array, top: Uint8Array, watcher?: TopWatcher): Promise<Uint8Array> {
    const { chain, enclave, account, ocalls, log } = this.#deps;
    if (!u8aEq(shard, this.#deps.shard)) throw new RpcServerError('SHARD_NOT_FOUND');
    let operation;
    try {
      operation = decodeOperation(top);
    } catch (error) {
      throw new RpcServerError('TOP_BAD_FORMAT', undefined, { cause: error });
    }
    if (operation.kind !== 'direct_call') throw new RpcServerError('UNSUPPORTED_OPERATION');
    if (!verifyTrustedCallSigned(operation.signed.strict, enclave.mrenclave, shard)) throw new RpcServerError('TOP_INVALID', 'bad signature');
    const hash = topHash(top);
    const key = bytesToHex(hash);
    if (this.#pending.has(key)) throw new RpcServerError('TOP_ALREADY_IMPORTED');

    const cyphertext = shieldEncrypt(enclave.shieldingPublicKey(), top);
    // Vec<u8> arguments go in as hex: polkadot-js reads a raw Uint8Array as already length-prefixed.
    const call = chain().tx.enclaveBridge!.invoke!({ shard, cyphertext: u8aToHex(cyphertext) }).toU8a();
    this.#pending.set(key, { top, signed: operation.signed, sender: senderOf(operation.signed.call), watcher });
    try {
      // Signed and handed to the host at once: the host persists extrinsics in the order the enclave signed them.
      await ocalls.send_extrinsic({ extrinsic: account.sign(call, 'relay'), origin: this.#deps.lastImported() });
    } catch (error) {
      this.#pending.delete(key);
      throw error;
    }
    log.info('direct call relayed on chain', { top: key });
    // The host persisted and sent it: Ready follows the Submitted answer.
    setImmediate(() => this.#pending.get(key)?.watcher?.({ kind: 'Ready' }));
    return hash;
  }

  /**
   * Reports the outcome of relayed calls once the block that carried them was imported: a call the STF failed
   * (even one that paid its fee) is `Invalid`, and the sender reads why with the `operation_outcome` getter.
   */
  executed(results: OperationResult[], blockHash: Uint8Array): void {
    for (const result of results) {
      const key = bytesToHex(result.topHash);
      const pending = this.#pending.get(key);
      if (!pending) continue;
      this.#pending.delete(key);
      pending.watcher?.(result.ok ? { kind: 'InSidechainBlock', blockHash } : { kind: 'Invalid', reason: result.error && `${result.error.code}: ${result.error.message}` });
    }
  }

  pendingFor(account: Uint8Array): Uint8Array[] {
    return [...this.#pending.values()].filter((p) => u8aEq(p.sender, account)).map((p) => p.signed.encoded);
  }

  pendingOperations(): Uint8Array[] {
    return [...this.#pending.values()].map((p) => p.top);
  }
}
