import type { KeyObject } from 'node:crypto';
import { createPrivateKey, generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

import { ed25519PrivateKeyFromSeed } from '@sealbridge/chain-types';

import { EnclaveError } from './errors.js';
import type { EnclaveLog } from './log.js';
import type { SealedStore } from './sealed-store.js';
import {
  KEY_SEAL_POLICY,
  SHIELDING_KEY_BITS,
  SHIELDING_KEY_FILE,
  SHIELDING_KEY_PUBLIC_EXPONENT,
  SIGNING_KEY_FILE,
} from './settings.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * Loads a sealed secret or, only if the host has never stored one, creates and seals it. A file that exists
 * but does not unseal throws (SealedStore.load) — keys are never silently regenerated.
 */
async function loadOrCreate(
  store: SealedStore,
  name: string,
  create: () => Promise<Uint8Array>,
  log: EnclaveLog,
): Promise<Uint8Array> {
  const existing = await store.load(name);
  if (existing) return existing;
  const created = await create();
  await store.save(name, created, KEY_SEAL_POLICY);
  log('info', 'keys', 'created and sealed new key', { file: name });
  return created;
}

/** RSA-3072 shielding key (private KeyObject), sealed as PKCS#8 DER. */
export async function loadOrCreateShieldingKey(store: SealedStore, log: EnclaveLog): Promise<KeyObject> {
  const der = await loadOrCreate(store, SHIELDING_KEY_FILE, async () => {
    const { privateKey } = await generateKeyPairAsync('rsa', {
      modulusLength: SHIELDING_KEY_BITS,
      publicExponent: SHIELDING_KEY_PUBLIC_EXPONENT,
    });
    return new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
  }, log);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new EnclaveError('SEALED_KEY_INVALID', `${SHIELDING_KEY_FILE} does not hold a PKCS#8 key`, { cause });
  }
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== 'rsa' || details?.modulusLength !== SHIELDING_KEY_BITS) {
    throw new EnclaveError('SEALED_KEY_INVALID', `${SHIELDING_KEY_FILE} is not an RSA-${SHIELDING_KEY_BITS} key`);
  }
  return key;
}

/** Ed25519 signing key (the enclave's parentchain account), sealed as its 32-byte seed. */
export async function loadOrCreateSigningKey(store: SealedStore, log: EnclaveLog): Promise<KeyObject> {
  const seed = await loadOrCreate(store, SIGNING_KEY_FILE, async () => new Uint8Array(randomBytes(32)), log);
  try {
    return ed25519PrivateKeyFromSeed(seed);
  } catch (cause) {
    throw new EnclaveError('SEALED_KEY_INVALID', `${SIGNING_KEY_FILE} does not hold a 32-byte seed`, { cause });
  }
}
