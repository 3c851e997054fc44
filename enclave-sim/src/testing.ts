// Test-only helpers (package subpath "@sealbridge/enclave-sim/testing"), not part of the enclave boundary.
// Everything here needs the platform secret file, i.e. it can do nothing an attacker holding that secret could not.
import type { KeyObject } from 'node:crypto';

import { devMrsigner, measureEnclave } from './host/measurement.js';
import { unsealEnclaveKeys } from './testing-in-process.js';

/** The key holder, its decryption pool and sealing, in the caller's process (specs, benchmark baselines). */
export * from './testing-in-process.js';

export interface UnsealedEnclaveKeys {
  /** Raw 32-byte Ed25519 seed of the enclave signer. */
  signingSeed: Uint8Array;
  shieldingPrivateKey: KeyObject;
}

/** Unseals the bundled enclave's key files from outside, the way someone holding the platform secret could. */
export async function unsealEnclaveKeysForTest(dataDir: string, platformSecretPath: string): Promise<UnsealedEnclaveKeys> {
  return unsealEnclaveKeys(dataDir, platformSecretPath, { mrenclave: await measureEnclave(), mrsigner: devMrsigner() });
}
