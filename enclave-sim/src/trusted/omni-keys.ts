import { hkdfSync, randomBytes } from 'node:crypto';

import { EnclaveError } from './errors.js';
import type { SealedStore } from './sealed-store.js';
import { KEY_SEAL_POLICY, OMNI_KEYS_FILE, OMNI_KEY_BYTES } from './settings.js';

const OMNI_KEY_SALT = Buffer.from('sealbridge-omni-key-v1', 'utf8');

/**
 * Stand-in for Escrin's Omni Key store (docs/smart-workers.md §3.5). A 32-byte random master secret is created
 * inside the enclave on first start and sealed before anything is derived from it; the key of (store, worker
 * identity) is HKDF-SHA256(master, store ‖ 0x00 ‖ identity). So keys are random to everyone outside, stable
 * across restarts, different per store and identity — and equal in every replica of the sealed state, which a
 * worker replaying blocks needs: Smart Worker seeds derived from them must not fork the shard state.
 */
export class OmniKeyStore {
  readonly #master: Buffer;

  private constructor(master: Buffer) {
    this.#master = master;
  }

  static async open(store: SealedStore): Promise<OmniKeyStore> {
    const sealed = await store.load(OMNI_KEYS_FILE);
    if (sealed) {
      if (sealed.length !== OMNI_KEY_BYTES) throw new EnclaveError('SEALED_KEY_INVALID', `${OMNI_KEYS_FILE} does not hold an Omni master secret`);
      return new OmniKeyStore(Buffer.from(sealed));
    }
    const master = randomBytes(OMNI_KEY_BYTES);
    await store.save(OMNI_KEYS_FILE, master, KEY_SEAL_POLICY);
    return new OmniKeyStore(master);
  }

  async get(store: string, workerIdentity: Uint8Array): Promise<Uint8Array> {
    if (typeof store !== 'string' || store.length === 0) throw new EnclaveError('INVALID_ARGUMENT', 'key store name must be a non-empty string');
    if (!(workerIdentity instanceof Uint8Array) || workerIdentity.length === 0) {
      throw new EnclaveError('INVALID_ARGUMENT', 'worker identity must be non-empty bytes');
    }
    const info = Buffer.concat([Buffer.from(store, 'utf8'), Buffer.from([0]), workerIdentity]);
    return new Uint8Array(hkdfSync('sha256', this.#master, OMNI_KEY_SALT, info, OMNI_KEY_BYTES));
  }
}
