// Test-only (re-exported by the package subpath "@sealbridge/enclave-sim/testing"): trusted code run in the caller's
// process, for unit specs and benchmark baselines. The product never does this: its enclave runs only in the process
// spawnEnclave starts, and nothing here is part of the enclave boundary.
import type { KeyObject } from 'node:crypto';
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createAttestationService } from './attestation-service.js';
import { devMrsigner } from './host/measurement.js';
import { TrustedEnclave } from './trusted/enclave.js';
import { EnclaveError } from './trusted/errors.js';
import { FileSealedStorage } from './trusted/file-sealed-storage.js';
import type { EnclaveLog } from './trusted/log.js';
import { noopLog } from './trusted/log.js';
import { loadOrCreatePlatformSecret } from './trusted/platform-secret.js';
import { SealedStore } from './trusted/sealed-store.js';
import type { SealedStorage } from './trusted/sealed-storage.js';
import type { EnclaveIdentity } from './trusted/sealing.js';
import { Sealer } from './trusted/sealing.js';
import { SHIELDING_KEY_FILE, SIGNING_KEY_FILE } from './trusted/settings.js';

export { TrustedEnclave } from './trusted/enclave.js';
export type { DecryptBatchOptions, DecryptOptions } from './trusted/enclave.js';
export { DecryptPool } from './trusted/decrypt-pool.js';
export { EnclaveMetrics } from './trusted/runtime/metrics.js';
export type { DecryptPoolStats, DecryptResult } from './trusted/decrypt-pool.js';
export type { EnclaveLog, EnclaveLogLevel } from './trusted/log.js';
export type { EnclaveIdentity, SealPolicy } from './trusted/sealing.js';

/** A fixed MRENCLAVE for enclaves created in-process (the real one is what the loader measured of the bundle). */
export const TEST_MRENCLAVE: Uint8Array = Uint8Array.from({ length: 32 }, (_, i) => 0xe0 ^ i);

/** The identity of an in-process test enclave: TEST_MRENCLAVE and the dev vendor's MRSIGNER. */
export function testEnclaveIdentity(): EnclaveIdentity {
  return { mrenclave: TEST_MRENCLAVE.slice(), mrsigner: devMrsigner() };
}

export interface TestEnclaveOptions {
  /** The enclave's sealed key files (InitArgs.sealedDir). */
  dataDir: string;
  /** Outside dataDir; created on first use. */
  platformSecretPath: string;
  /** Default testEnclaveIdentity(). */
  identity?: EnclaveIdentity;
  /** Default os.availableParallelism(), as the enclave process uses. */
  decryptThreads?: number;
  /** Ed25519 seed (32 bytes) of the attestation service; default the documented dev key. */
  attestationServiceKey?: Uint8Array;
  log?: EnclaveLog;
}

/**
 * A TrustedEnclave in this process, built as the enclave runtime's `init` builds it (FileSealedStorage holding the
 * data directory's lock, the platform secret, the dev attestation service, Debug quotes). Fails, releasing the lock,
 * when existing sealed state cannot be unsealed; never regenerates keys.
 */
export async function openTestEnclave(options: TestEnclaveOptions): Promise<TrustedEnclave> {
  const log = options.log ?? noopLog;
  const storage = await FileSealedStorage.open(options.dataDir, log);
  try {
    const platformSecret = await loadOrCreatePlatformSecret(options.platformSecretPath, options.dataDir);
    return await TrustedEnclave.create({
      storage,
      platformSecret,
      identity: options.identity ?? testEnclaveIdentity(),
      quotingService: createAttestationService(options.attestationServiceKey),
      buildMode: 'Debug',
      decryptThreads: options.decryptThreads ?? os.availableParallelism(),
      log,
    });
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/**
 * The key files of an enclave with a known identity, unsealed from outside (read-only: works while the enclave holds
 * the lock). testing.ts' unsealEnclaveKeysForTest calls it with the bundled enclave's measured identity.
 */
export async function unsealEnclaveKeys(
  dataDir: string,
  platformSecretPath: string,
  identity: EnclaveIdentity = testEnclaveIdentity(),
): Promise<{ signingSeed: Uint8Array; shieldingPrivateKey: KeyObject }> {
  const sealer = new Sealer(new Uint8Array(await fs.readFile(platformSecretPath)), identity);
  const readOnly: SealedStorage = {
    read: async (name) => new Uint8Array(await fs.readFile(path.join(dataDir, name))),
    write: async (name) => {
      throw new EnclaveError('STORAGE_FAILED', `test storage is read-only (${name})`);
    },
  };
  const store = new SealedStore(readOnly, sealer, noopLog);
  const [seed, der] = await Promise.all([store.load(SIGNING_KEY_FILE), store.load(SHIELDING_KEY_FILE)]);
  if (!seed || !der) throw new EnclaveError('INVALID_ARGUMENT', `no sealed keys in ${dataDir}`);
  return { signingSeed: seed, shieldingPrivateKey: createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }) };
}
