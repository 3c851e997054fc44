import os from 'node:os';

import { createAttestationService } from './attestation-service.js';
import type { EnclaveHandle } from './enclave-handle.js';
import { FileSealedStorage } from './host/file-sealed-storage.js';
import { devMrsigner, measureTrustedBundle } from './host/measurement.js';
import { defaultPlatformSecretPath, loadOrCreatePlatformSecret } from './host/platform-secret.js';
import { TrustedEnclave } from './trusted/enclave.js';
import type { EnclaveLog } from './trusted/log.js';
import { noopLog } from './trusted/log.js';

export interface OpenEnclaveOptions {
  /** Directory for sealed state; everything written there is sealed. */
  dataDir: string;
  /** Simulated CPU sealing root, outside dataDir; default ~/.sealbridge/platform-secret. */
  platformSecretPath?: string;
  /** Ed25519 seed (32 bytes) of the attestation service; default the documented dev key. */
  attestationServiceKey?: Uint8Array;
  /** Worker threads for shielded decryption; default os.availableParallelism(). */
  decryptThreads?: number;
  /** Build mode written into quotes; default 'Debug' (a simulator is never production). */
  buildMode?: 'Debug' | 'Production';
  log?: EnclaveLog;
}

/**
 * Host-side loader: measures the trusted bundle, reads the platform secret, and starts the trusted side with a
 * file-backed sealed storage. Fails (never regenerates keys) when existing sealed state cannot be unsealed.
 */
export async function openEnclave(options: OpenEnclaveOptions): Promise<EnclaveHandle> {
  const log = options.log ?? noopLog;
  const storage = await FileSealedStorage.open(options.dataDir, log);
  try {
    const platformSecret = await loadOrCreatePlatformSecret(options.platformSecretPath ?? defaultPlatformSecretPath(), options.dataDir);
    const identity = { mrenclave: await measureTrustedBundle(), mrsigner: devMrsigner() };
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    log('info', 'enclave', 'measured enclave', { mrenclave: hex(identity.mrenclave), mrsigner: hex(identity.mrsigner) });
    const enclave = await TrustedEnclave.create({
      storage,
      platformSecret,
      identity,
      quotingService: createAttestationService(options.attestationServiceKey),
      buildMode: options.buildMode ?? 'Debug',
      decryptThreads: options.decryptThreads ?? os.availableParallelism(),
      log,
    });
    log('info', 'enclave', 'enclave ready', { signer: hex(enclave.signerPublicKey()), dataDir: options.dataDir });
    return enclave;
  } catch (error) {
    await storage.close();
    throw error;
  }
}

export { DEV_ATTESTATION_SERVICE_SEED_HEX } from './attestation-service.js';
export type { DecryptBatchOptions, DecryptOptions, EnclaveHandle } from './enclave-handle.js';
export { DEV_VENDOR_PUBLIC_KEY_HEX, devMrsigner, measureTrustedBundle } from './host/measurement.js';
export { defaultPlatformSecretPath } from './host/platform-secret.js';
export { DECRYPT_PRIORITIES } from './trusted/decrypt-pool.js';
export type { DecryptPoolStats, DecryptPriority, DecryptResult } from './trusted/decrypt-pool.js';
export { ENCLAVE_ERROR_CODES, EnclaveError } from './trusted/errors.js';
export type { EnclaveErrorCode } from './trusted/errors.js';
export type { EnclaveLog, EnclaveLogLevel } from './trusted/log.js';
/** libolm's one-time WASM init without its process-wide crash handlers; for client-side Olm in the same process. */
export { initOlm } from './trusted/olm-adapter.js';
export { preKeyMessageId as olmPreKeyMessageId } from './trusted/olm-vault.js';
export type { PreKeyMessage } from './trusted/olm-vault.js';
export type { SealedStorage } from './trusted/sealed-storage.js';
export type { SealPolicy } from './trusted/sealing.js';
export { MAX_SHIELDED_BYTES } from './trusted/settings.js';
