// Test-only helpers (package subpath "@sealbridge/enclave-sim/testing"), not part of the enclave boundary.
// Everything here needs the platform secret file, i.e. it can do nothing an attacker holding that secret could not.
import type { KeyObject } from 'node:crypto';
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

import { devMrsigner, measureEnclave } from './host/measurement.js';
import { EnclaveError } from './trusted/errors.js';
import { noopLog } from './trusted/log.js';
import { SealedStore } from './trusted/sealed-store.js';
import type { SealedStorage } from './trusted/sealed-storage.js';
import { Sealer } from './trusted/sealing.js';
import { SHIELDING_KEY_FILE, SIGNING_KEY_FILE } from './trusted/settings.js';

/** The key holder, its decryption pool and sealing, in the caller's process (specs, benchmark baselines). */
export * from './testing-in-process.js';

export interface UnsealedEnclaveKeys {
  /** Raw 32-byte Ed25519 seed of the enclave signer. */
  signingSeed: Uint8Array;
  shieldingPrivateKey: KeyObject;
}

/** Unseals the enclave's key files from outside, the way someone holding the platform secret could. */
export async function unsealEnclaveKeysForTest(dataDir: string, platformSecretPath: string): Promise<UnsealedEnclaveKeys> {
  const sealer = new Sealer(new Uint8Array(await fs.readFile(platformSecretPath)), {
    mrenclave: await measureEnclave(),
    mrsigner: devMrsigner(),
  });
  // Read-only view: works while the enclave holds the data directory lock.
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
