import type { KeyObject } from 'node:crypto';
import { createPublicKey, generateKeyPair, sign } from 'node:crypto';
import { promisify } from 'node:util';

import type { QuoteBuildMode } from '@sealbridge/chain-types';
import {
  buildReportData,
  createRaTlsCertificate,
  ed25519RawPublicKey,
  encodeQuote,
  REPORT_DATA_BYTES,
  SIMULATED_QUOTE_VERSION,
  shieldingKeyToJson,
} from '@sealbridge/chain-types';

import { DecryptPool } from './decrypt-pool.js';
import type { DecryptPoolStats, DecryptPriority, DecryptResult } from './decrypt-pool.js';
import { EnclaveError } from './errors.js';
import { loadOrCreateShieldingKey, loadOrCreateSigningKey } from './keys.js';
import type { EnclaveLog } from './log.js';
import { OlmVault } from './olm-vault.js';
import type { PreKeyMessage } from './olm-vault.js';
import { OmniKeyStore } from './omni-keys.js';
import type { QuotingService } from './quoting.js';
import { SealedStore } from './sealed-store.js';
import type { SealedStorage } from './sealed-storage.js';
import { Sealer } from './sealing.js';
import type { EnclaveIdentity, SealPolicy } from './sealing.js';
import { RA_TLS_KEY_BITS } from './settings.js';

const generateKeyPairAsync = promisify(generateKeyPair);
/** Purpose prefix for host-requested sealing, disjoint from the enclave's own "enclave/" purposes. */
const APP_PURPOSE_PREFIX = 'app/';

/** Everything the enclave gets at creation: serialisable values plus the storage OCALL. */
export interface TrustedEnclaveInit {
  storage: SealedStorage;
  /** Stands in for the CPU's fused sealing root; the enclave process reads it from a file (simulator limitation). */
  platformSecret: Uint8Array;
  identity: EnclaveIdentity;
  quotingService: QuotingService;
  buildMode: QuoteBuildMode;
  decryptThreads: number;
  log: EnclaveLog;
}

interface TrustedParts {
  identity: EnclaveIdentity;
  sealer: Sealer;
  store: SealedStore;
  shieldingKey: KeyObject;
  signingKey: KeyObject;
  pool: DecryptPool;
  olm: OlmVault;
  omni: OmniKeyStore;
  quotingService: QuotingService;
  buildMode: QuoteBuildMode;
  tls: { certPem: string; keyPem: string };
}

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
 * The enclave's key holder, inside the enclave process: shielding, signing and sealing keys, the decryption threads,
 * the Olm account and the Omni Keys. The trusted runtime uses it; nothing of it is reachable from the host except
 * through the ECALLs (enclave-api), none of which returns a key or signs host-chosen bytes.
 */
export class TrustedEnclave {
  readonly #p: TrustedParts;
  readonly #signerPublicKey: Uint8Array;
  readonly #shieldingPublicKey: KeyObject;
  readonly #shieldingJson: string;
  #closed = false;

  private constructor(parts: TrustedParts) {
    this.#p = parts;
    this.#signerPublicKey = ed25519RawPublicKey(parts.signingKey);
    this.#shieldingPublicKey = createPublicKey(parts.shieldingKey);
    // Passes the private key: createPublicKey() of a public KeyObject throws on Node 20 (chain-types to fix).
    this.#shieldingJson = shieldingKeyToJson(parts.shieldingKey);
  }

  static async create(init: TrustedEnclaveInit): Promise<TrustedEnclave> {
    const sealer = new Sealer(init.platformSecret, init.identity);
    const store = new SealedStore(init.storage, sealer, init.log);
    const shieldingKey = await loadOrCreateShieldingKey(store, init.log);
    const signingKey = await loadOrCreateSigningKey(store, init.log);
    const olm = await OlmVault.open(store, sealer, init.log);
    try {
      const omni = await OmniKeyStore.open(store);
      const base = { identity: init.identity, quotingService: init.quotingService, buildMode: init.buildMode };
      const tls = await createTlsCredentials(signingKey, (reportData) => quoteFor(base, reportData));
      const pool = await DecryptPool.start(shieldingKey, init.decryptThreads);
      return new TrustedEnclave({ ...base, sealer, store, shieldingKey, signingKey, pool, olm, omni, tls });
    } catch (error) {
      olm.close(); // frees the WASM-heap account; nothing else holds resources yet
      throw error;
    }
  }

  #open(): TrustedParts {
    if (this.#closed) throw new EnclaveError('ENCLAVE_CLOSED', 'enclave is closed');
    return this.#p;
  }

  get mrenclave(): Uint8Array {
    return this.#p.identity.mrenclave.slice();
  }

  get mrsigner(): Uint8Array {
    return this.#p.identity.mrsigner.slice();
  }

  shieldingPublicKey(): KeyObject {
    return this.#shieldingPublicKey;
  }

  shieldingPublicKeyJson(): string {
    return this.#shieldingJson;
  }

  async decryptShielded(ciphertext: Uint8Array, options: DecryptOptions = {}): Promise<Uint8Array> {
    return this.#open().pool.decrypt(ciphertext, options.priority);
  }

  async decryptShieldedBatch(ciphertexts: Uint8Array[], options: DecryptBatchOptions = {}): Promise<DecryptResult[]> {
    const { verifyCallsForShard: shard, priority } = options;
    if (shard !== undefined && !(shard instanceof Uint8Array && shard.length === 32)) {
      throw new EnclaveError('INVALID_ARGUMENT', 'verifyCallsForShard must be 32 bytes');
    }
    return this.#open().pool.decryptBatch(ciphertexts, { priority, ...(shard && { verifyCalls: { mrenclave: this.#p.identity.mrenclave, shard } }) });
  }

  decryptStats(): DecryptPoolStats {
    return this.#p.pool.stats();
  }

  signerPublicKey(): Uint8Array {
    return this.#signerPublicKey.slice();
  }

  sign(payload: Uint8Array): Uint8Array {
    if (!(payload instanceof Uint8Array)) throw new EnclaveError('INVALID_ARGUMENT', 'payload must be a Uint8Array');
    return new Uint8Array(sign(null, payload, this.#open().signingKey));
  }

  seal(purpose: string, plaintext: Uint8Array, policy: SealPolicy = 'MRENCLAVE'): Uint8Array {
    checkPurpose(purpose);
    return this.#open().sealer.seal(APP_PURPOSE_PREFIX + purpose, plaintext, policy);
  }

  unseal(purpose: string, sealed: Uint8Array): Uint8Array {
    checkPurpose(purpose);
    return this.#open().sealer.unseal(APP_PURPOSE_PREFIX + purpose, sealed);
  }

  /** A 32-byte key bound to this enclave (MRENCLAVE) and `label`, for keyed hashes of host storage keys. */
  deriveKey(label: string): Buffer {
    checkPurpose(label);
    return this.#open().sealer.deriveKey('MRENCLAVE', APP_PURPOSE_PREFIX + label);
  }

  quote(reportData64: Uint8Array): Uint8Array {
    const parts = this.#open();
    if (!(reportData64 instanceof Uint8Array) || reportData64.length !== REPORT_DATA_BYTES) {
      throw new EnclaveError('INVALID_ARGUMENT', `report data must be ${REPORT_DATA_BYTES} bytes`);
    }
    // The enclave vouches only for data bound to its own signer (Teerex requires sender == report_data[0..32]).
    if (!Buffer.from(reportData64.subarray(0, 32)).equals(this.#signerPublicKey)) {
      throw new EnclaveError('INVALID_ARGUMENT', "report data must start with the enclave's signer public key");
    }
    return quoteFor(parts, reportData64);
  }

  tlsCredentials(): { certPem: string; keyPem: string } {
    return { ...this.#open().tls };
  }

  olmIdentityKey(): string {
    return this.#open().olm.identityKey();
  }

  async olmGenerateOneTimeKeys(n: number): Promise<Record<string, string>> {
    return this.#open().olm.generateOneTimeKeys(n);
  }

  async olmMarkKeysAsPublished(): Promise<void> {
    return this.#open().olm.markKeysAsPublished();
  }

  olmOneTimeKeyCount(): number {
    return this.#open().olm.oneTimeKeyCount();
  }

  async olmDecryptPreKey(message: PreKeyMessage, options?: { retain?: boolean }): Promise<Uint8Array> {
    return this.#open().olm.decryptPreKey(message, options);
  }

  olmRetainedPreKeyMessages(): string[] {
    return this.#open().olm.retainedPreKeyMessages();
  }

  async olmReleasePreKeyMessages(ids: string[]): Promise<void> {
    return this.#open().olm.releasePreKeyMessages(ids);
  }

  async olmDiscardOneTimeKey(oneTimeKey: string): Promise<boolean> {
    return this.#open().olm.discardOneTimeKey(oneTimeKey);
  }

  async getOmniKey(store: string, workerIdentity: Uint8Array): Promise<Uint8Array> {
    return this.#open().omni.get(store, workerIdentity);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#p.pool.close();
    await this.#p.store.close();
    this.#p.olm.close();
  }
}

function checkPurpose(purpose: string): void {
  if (typeof purpose !== 'string' || purpose.length === 0) {
    throw new EnclaveError('INVALID_ARGUMENT', 'seal purpose must be a non-empty string');
  }
}

function quoteFor(
  parts: Pick<TrustedParts, 'identity' | 'quotingService' | 'buildMode'>,
  reportData: Uint8Array,
): Uint8Array {
  return encodeQuote(
    parts.quotingService.signQuote({
      version: SIMULATED_QUOTE_VERSION,
      mrenclave: parts.identity.mrenclave,
      mrsigner: parts.identity.mrsigner,
      reportData: reportData.slice(),
      timestamp: BigInt(Date.now()),
      buildMode: parts.buildMode,
    }),
  );
}

/** Fresh RSA key per start; its SPKI hash goes into the quote's report data, the quote into the certificate. */
async function createTlsCredentials(
  signingKey: KeyObject,
  quote: (reportData: Uint8Array) => Uint8Array,
): Promise<{ certPem: string; keyPem: string }> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: RA_TLS_KEY_BITS });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const reportData = buildReportData(ed25519RawPublicKey(signingKey), spki);
  const certPem = createRaTlsCertificate({ quote: quote(reportData), privateKey });
  return { certPem, keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}
