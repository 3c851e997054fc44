import { randomBytes, type KeyObject } from 'node:crypto';

import { u8aEq } from '@polkadot/util';
import {
  bytesEqual,
  decodeExact,
  decodeGetterStrict,
  encodeUint,
  generateShieldingKeyPair,
  RSA_BLOCK_BYTES,
  sealbridgeRegistry,
  senderAccount,
  shieldDecrypt,
  shieldingKeyToJson,
  topHash,
  verifyTrustedCallSigned,
  verifyTrustedGetterSigned,
  type TrustedCallSigned,
} from '@sealbridge/chain-types';

import type { RpcBackend, RpcRefusal, ShardVault, SyncStatus, TopWatcher } from '../backend.js';
import { RpcServerError } from '../errors.js';

interface Account { free: bigint; reserved: bigint; nonce: number }

export interface FakeBackendOptions {
  /** Keep submitted calls pending instead of executing them (for `author_pending*`). */
  holdPending?: boolean;
  /** Report Ready synchronously inside submitTrustedOperation, before it resolves (ordering test). */
  synchronousReady?: boolean;
  vault?: ShardVault | null;
  /** Reuse another double's RSA key (3072-bit generation takes a second or two). */
  shareKeyWith?: FakeBackend;
  /** MRENCLAVE (= default shard) to report; random by default. */
  mrenclave?: Uint8Array;
}

const accountKey = (account: Uint8Array): string => Buffer.from(account.buffer, account.byteOffset, account.length).toString('hex');

/**
 * RpcBackend double on real chain-types crypto: an RSA-3072 shielding key with the SGX exponent, strict SCALE
 * decoding, sr25519/ed25519 signature checks over the Integritee payloads, a balance table and a TOP "pool".
 */
export class FakeBackend implements RpcBackend {
  readonly mrenclaveBytes: Uint8Array;
  readonly shard: Uint8Array;
  readonly certPem: string;
  readonly quote: Uint8Array;
  /** Parentchain block hash reported in InSidechainBlock (the relay target in the offchain-worker flavour). */
  readonly blockHash = new Uint8Array(randomBytes(32));
  /** Dispatch count per method, from the `onRequest` metrics hook. */
  readonly requestCounts = new Map<string, number>();
  /** RSA blocks decrypted (private-key operations) and refusals reported through `onRefused`. */
  privateKeyOps = 0;
  readonly refusals = new Map<RpcRefusal, number>();
  /** Answer of `sealbridge_syncStatus`; specs set it. */
  sync: SyncStatus = { imported: 0, finalized: 0, lag: 0, stalled: null };
  readonly #keys: { privateKey: KeyObject; publicKey: KeyObject };
  readonly #accounts = new Map<string, Account>();
  readonly #pending: { top: Uint8Array; sender: Uint8Array; tcs: TrustedCallSigned }[] = [];
  readonly #options: FakeBackendOptions;
  /** Replaced on every balance-table change, as the worker's state object is replaced per block. */
  #epoch = {};

  constructor(certPem: string, options: FakeBackendOptions = {}, quote: Uint8Array = new Uint8Array(randomBytes(64))) {
    this.mrenclaveBytes = options.mrenclave ?? new Uint8Array(randomBytes(32));
    this.shard = this.mrenclaveBytes;
    this.#keys = options.shareKeyWith ? options.shareKeyWith.#keys : generateShieldingKeyPair();
    this.certPem = certPem;
    this.quote = quote;
    this.#options = options;
  }

  setAccount(account: Uint8Array, state: Partial<Account>): void {
    this.#accounts.set(accountKey(account), { free: 0n, reserved: 0n, nonce: 0, ...state });
    this.#epoch = {};
  }

  account(account: Uint8Array): Readonly<Account> | undefined {
    return this.#accounts.get(accountKey(account));
  }

  getterEpoch(shard: Uint8Array): object | undefined {
    return bytesEqual(shard, this.shard) ? this.#epoch : undefined;
  }

  /** The shielding public key, for specs that encrypt with chain-types directly. */
  shieldingPublicKey(): KeyObject {
    return this.#keys.publicKey;
  }

  mrenclave(): Uint8Array {
    return this.mrenclaveBytes;
  }

  shards(): Uint8Array[] {
    return [this.shard];
  }

  shieldingKeyJson(): string {
    return shieldingKeyToJson(this.#keys.publicKey);
  }

  async decryptRequest(cyphertext: Uint8Array): Promise<Uint8Array> {
    this.privateKeyOps += Math.max(1, Math.ceil(cyphertext.length / RSA_BLOCK_BYTES));
    return shieldDecrypt(this.#keys.privateKey, cyphertext);
  }

  /**
   * Answers synchronously, like the worker's backend (strict getter decode and cached verification of chain-types);
   * typed as the interface so specs can swap in a slow one.
   */
  executeGetter(_shard: Uint8Array, getterBytes: Uint8Array): Uint8Array | null | Promise<Uint8Array | null> {
    const getter = decodeGetterStrict(sealbridgeRegistry, getterBytes);
    if (getter.kind === 'public') return encodeUint(42, 4); // some_value
    const { signed } = getter;
    if (!verifyTrustedGetterSigned(signed)) throw new RpcServerError('GETTER_NOT_AUTHORIZED');
    const acc = this.account(signed.getter.fields[0]!);
    if (acc === undefined) return null;
    switch (signed.getter.name) {
      case 'free_balance':
        return encodeUint(acc.free, 16);
      case 'reserved_balance':
        return encodeUint(acc.reserved, 16);
      case 'nonce':
        return encodeUint(acc.nonce, 4);
      default:
        return null;
    }
  }

  async submitTrustedOperation(shard: Uint8Array, top: Uint8Array, watcher?: TopWatcher): Promise<Uint8Array> {
    let tcs: TrustedCallSigned;
    try {
      tcs = decodeExact(sealbridgeRegistry, 'TrustedOperation', top).asDirectCall;
    } catch (cause) {
      throw new RpcServerError('TOP_BAD_FORMAT', undefined, { cause });
    }
    if (this.#pending.some((p) => u8aEq(p.top, top))) throw new RpcServerError('TOP_ALREADY_IMPORTED');
    this.#pending.push({ top, sender: senderAccount(tcs.call), tcs });
    if (this.#options.synchronousReady) watcher?.({ kind: 'Ready' });
    if (!this.#options.holdPending) setImmediate(() => this.#execute(shard, top, tcs, watcher));
    return topHash(top);
  }

  #execute(shard: Uint8Array, top: Uint8Array, tcs: TrustedCallSigned, watcher?: TopWatcher): void {
    this.#pending.splice(this.#pending.findIndex((p) => p.top === top), 1);
    const acc = this.#accounts.get(accountKey(senderAccount(tcs.call)));
    if (!verifyTrustedCallSigned(tcs, this.mrenclaveBytes, shard) || acc === undefined || acc.nonce !== tcs.nonce.toNumber()) {
      watcher?.({ kind: 'Invalid', reason: 'bad signature or nonce' });
      return;
    }
    if (!this.#options.synchronousReady) watcher?.({ kind: 'Ready' });
    acc.nonce++;
    this.#epoch = {};
    if (tcs.call.type === 'balance_transfer') {
      const [, to, amount] = tcs.call.asBalanceTransfer;
      const value = amount.toBigInt();
      if (acc.free >= value) {
        acc.free -= value;
        const dest = this.#accounts.get(accountKey(to.toU8a())) ?? { free: 0n, reserved: 0n, nonce: 0 };
        dest.free += value;
        this.#accounts.set(accountKey(to.toU8a()), dest);
      }
    }
    setImmediate(() => watcher?.({ kind: 'InSidechainBlock', blockHash: this.blockHash }));
  }

  pendingTrustedCallsFor(_shard: Uint8Array, account: Uint8Array): Uint8Array[] {
    return this.#pending.filter((p) => u8aEq(p.sender, account)).map((p) => p.top.subarray(1));
  }

  pendingOperations(_shard: Uint8Array): Uint8Array[] {
    return this.#pending.map((p) => p.top);
  }

  shardVault(_shard: Uint8Array): ShardVault | null {
    return this.#options.vault ?? null;
  }

  attestation(): { quote: Uint8Array; certPem: string } {
    return { quote: this.quote, certPem: this.certPem };
  }

  muRaUrl(): string {
    return 'wss://127.0.0.1:3443';
  }

  untrustedUrl(): string {
    return 'ws://127.0.0.1:2001';
  }

  metadata(): Uint8Array {
    return Uint8Array.of(0x6d, 0x65, 0x74, 0x61, 14, 0); // "meta" ‖ v14 ‖ empty
  }

  syncStatus(): SyncStatus {
    return this.sync;
  }

  onRequest(method: string): void {
    this.requestCounts.set(method, (this.requestCounts.get(method) ?? 0) + 1);
  }

  onRefused(reason: RpcRefusal): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
  }
}
