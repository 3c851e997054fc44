/**
 * What the trusted RPC server needs from the worker core. Everything crossing it is bytes (SCALE) or plain
 * strings, as on the enclave boundary; the server owns only the wire format.
 */

/** Status of a trusted operation as reported to a watcher (TrustedOperationStatus, docs/integritee-protocol.md §2.3). */
export type TopStatus =
  | { kind: 'Submitted' }
  | { kind: 'Future' }
  | { kind: 'Ready' }
  | { kind: 'Broadcast' }
  | { kind: 'InSidechainBlock'; blockHash: Uint8Array }
  | { kind: 'Retracted' }
  | { kind: 'FinalityTimeout' }
  | { kind: 'Finalized' }
  | { kind: 'Usurped' }
  | { kind: 'Dropped' }
  /** `reason` is for logs only: the wire status carries no payload. */
  | { kind: 'Invalid'; reason?: string };

export type TopWatcher = (status: TopStatus) => void;

/** Why the server refused a request or connection before any decryption (a metrics label). */
export type RpcRefusal = 'oversized' | 'frame_too_large' | 'decrypt_queue_full' | 'server_busy' | 'max_connections';

/** `(AccountId, ParentchainId)` of a shard vault (docs/integritee-protocol.md §1.8); ParentchainId Integritee=0, TargetA=1, TargetB=2. */
export interface ShardVault {
  account: Uint8Array;
  parentchainId: 0 | 1 | 2;
}

/** The worker's parentchain import (`sealbridge_syncStatus`); `since` is unix seconds of the stall's first failure. */
export interface SyncStatus {
  imported: number;
  finalized: number;
  lag: number;
  stalled: { since: number; block: number; reason: string } | null | undefined;
}

export interface RpcBackend {
  /** Own MRENCLAVE (32 bytes); `author_getFingerprint`. */
  mrenclave(): Uint8Array;
  /** Shards this worker serves (32 bytes each); the first one is `author_getShard`. */
  shards(): Uint8Array[];
  /** serde-JSON of the RSA-3072 shielding public key, `{"n":[384 LE bytes],"e":[4 LE bytes]}` (docs/integritee-protocol.md §2.5). */
  shieldingKeyJson(): string;
  /**
   * RSA-OAEP-SHA256 decryption inside the enclave, behind the chain's own work; rejects when the cyphertext cannot be
   * deciphered. The server calls it only for cyphertexts within MAX_SHIELDED_BYTES, through its fair queue.
   */
  decryptRequest(cyphertext: Uint8Array): Promise<Uint8Array>;
  /**
   * Executes SCALE(Getter) against the shard's latest state; `null` = None. Throws (or rejects with) errors with a
   * `code` (`GETTER_NOT_AUTHORIZED`, `GETTER_DECODE`, `SHARD_NOT_FOUND`) that rpc/errors.ts maps. A backend that can
   * answer at once should return the value itself: the server then replies without a promise hop.
   */
  executeGetter(shard: Uint8Array, getter: Uint8Array): Uint8Array | null | Promise<Uint8Array | null>;
  /**
   * Accepts SCALE(TrustedOperation::direct_call) for a shard and relays it; resolves with the TOP hash once
   * accepted. `watcher`, when given, later gets Ready / InSidechainBlock(parentchain block hash) / Invalid.
   */
  submitTrustedOperation(shard: Uint8Array, top: Uint8Array, watcher?: TopWatcher): Promise<Uint8Array>;
  /** SCALE(TrustedCallSigned) of the calls in the pool signed by `account`. */
  pendingTrustedCallsFor(shard: Uint8Array, account: Uint8Array): Uint8Array[];
  /** SCALE(TrustedOperation) of every pending operation of the shard (`author_pendingExtrinsics`); absent = none. */
  pendingOperations?(shard: Uint8Array): Uint8Array[];
  /** The shard's vault, or null (or no method) when none was created. */
  shardVault?(shard: Uint8Array): ShardVault | null;
  /** Attestation evidence: the quote and the RA-TLS certificate this server presents. */
  attestation(): { quote: Uint8Array; certPem: string };
  muRaUrl(): string;
  untrustedUrl(): string;
  /** SCALE(RuntimeMetadataPrefixed) of the STF runtime (`state_getMetadata`). */
  metadata(): Uint8Array;
  /** Where the parentchain import stands (`sealbridge_syncStatus`). */
  syncStatus(): SyncStatus | Promise<SyncStatus>;
  /**
   * An object that stays the same exactly as long as every getter of `shard` would answer the same (the state, and
   * whatever else getters read, unchanged); undefined for a shard it does not serve. Absent: getters are never cached.
   * Cached answers hold on to it, so it should be a small token, not the state itself.
   */
  getterEpoch?(shard: Uint8Array): object | undefined;
  /** Metrics hook, called once per dispatched method (unknown methods included, as `"unknown"`). */
  onRequest?(method: string): void;
  /** Metrics hook, called once per answered request of a known method with the seconds its handler took. */
  onResponse?(method: string, seconds: number): void;
  /** Metrics hook, called once per request or connection refused by a limit (nothing was decrypted for it). */
  onRefused?(reason: RpcRefusal): void;
}
