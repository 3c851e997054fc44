import type { KeyObject } from 'node:crypto';

import type { DecryptPoolStats, DecryptPriority, DecryptResult } from './trusted/decrypt-pool.js';
import type { PreKeyMessage } from './trusted/olm-vault.js';
import type { SealPolicy } from './trusted/sealing.js';

export interface DecryptOptions {
  /**
   * `import` (default): the chain's own invocations; `rpc`: requests of RPC clients, served only when no import
   * work waits, so a flood of requests cannot delay block import.
   */
  priority?: DecryptPriority;
}

export interface DecryptBatchOptions extends DecryptOptions {
  /**
   * Also check every plaintext as a TrustedOperation call signed for this enclave and shard, on the decryption
   * threads; each ok result then carries `callSignatureValid`.
   */
  verifyCallsForShard?: Uint8Array;
}

/**
 * The ECALL surface of the simulated enclave: everything the host may ask of it. Private keys never
 * cross it, with one documented exception: the ephemeral RA-TLS key (Node's TLS stack runs on the host).
 */
export interface EnclaveHandle {
  /** SHA-256 over the trusted code bundle (dist/trusted/*.js). */
  readonly mrenclave: Uint8Array;
  /** SHA-256 of the (dev) vendor signing public key. */
  readonly mrsigner: Uint8Array;
  /** RSA-3072 shielding public key (e = 0x01000001). */
  shieldingPublicKey(): KeyObject;
  /** Integritee JSON `{"n":[…LE],"e":[…LE]}` of the shielding key. */
  shieldingPublicKeyJson(): string;
  /** Rejects with CIPHERTEXT_TOO_LARGE, before any decryption, over MAX_SHIELDED_BYTES. */
  decryptShielded(ciphertext: Uint8Array, options?: DecryptOptions): Promise<Uint8Array>;
  /** In order; one failed (or oversized: CIPHERTEXT_TOO_LARGE) ciphertext does not fail the others. */
  decryptShieldedBatch(ciphertexts: Uint8Array[], options?: DecryptBatchOptions): Promise<DecryptResult[]>;
  /** Counters of the decryption pool (private-key operations, refusals, queue) for metrics and tests. */
  decryptStats(): DecryptPoolStats;
  /** Raw 32-byte Ed25519 public key: the enclave's parentchain account. */
  signerPublicKey(): Uint8Array;
  /** Ed25519 signature (64 bytes) by the enclave signer. */
  sign(payload: Uint8Array): Uint8Array;
  seal(purpose: string, plaintext: Uint8Array, policy?: SealPolicy): Uint8Array;
  unseal(purpose: string, sealed: Uint8Array): Uint8Array;
  /** Encoded SimulatedQuote; reportData64[0..32] must be this enclave's signer public key. */
  quote(reportData64: Uint8Array): Uint8Array;
  /** RA-TLS certificate (quote extension binds its key) and its ephemeral private key, fresh per open. */
  tlsCredentials(): { certPem: string; keyPem: string };
  /** Curve25519 identity key (unpadded base64). */
  olmIdentityKey(): string;
  /** Creates n one-time keys, seals the account, returns keyId → curve25519 base64. */
  olmGenerateOneTimeKeys(n: number): Promise<Record<string, string>>;
  olmMarkKeysAsPublished(): Promise<void>;
  /** Unused one-time keys held (published or not). */
  olmOneTimeKeyCount(): number;
  /**
   * Decrypts a pre-key message to one of our unused one-time keys and consumes the key. With `retain`, the plaintext
   * stays sealed in the enclave (keyed by `olmPreKeyMessageId`) and the same message is answered again until released.
   */
  olmDecryptPreKey(message: PreKeyMessage, options?: { retain?: boolean }): Promise<Uint8Array>;
  /** Ids of retained pre-key plaintexts not yet released. */
  olmRetainedPreKeyMessages(): string[];
  olmReleasePreKeyMessages(ids: string[]): Promise<void>;
  /** Drops an unused one-time key the chain consumed for an unusable claim; false if it is not (or no longer) ours. */
  olmDiscardOneTimeKey(oneTimeKey: string): Promise<boolean>;
  /** 32-byte key per (store, worker identity), created on first request and stable across restarts. */
  getOmniKey(store: string, workerIdentity: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}
