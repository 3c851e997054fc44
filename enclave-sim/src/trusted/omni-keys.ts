import { randomBytes } from 'node:crypto';

import { EnclaveError } from './errors.js';
import type { SealedStore } from './sealed-store.js';
import { KEY_SEAL_POLICY, OMNI_KEYS_FILE, OMNI_KEY_BYTES } from './settings.js';

/** Sealed content: [store, identity hex, key hex] triples. */
type OmniEntries = Array<[string, string, string]>;

/**
 * Stand-in for Escrin's Omni Key store (escrin-smart-worker.md §3.5): 32 CSPRNG bytes per (store, worker identity),
 * created on first request and sealed before they are released, so every restart returns the same key.
 */
export class OmniKeyStore {
  readonly #keys: Map<string, Uint8Array>;
  readonly #store: SealedStore;
  #persisted: Promise<void> = Promise.resolve();

  private constructor(keys: Map<string, Uint8Array>, store: SealedStore) {
    this.#keys = keys;
    this.#store = store;
  }

  static async open(store: SealedStore): Promise<OmniKeyStore> {
    const sealed = await store.load(OMNI_KEYS_FILE);
    const keys = new Map<string, Uint8Array>();
    if (sealed) {
      try {
        for (const [name, identity, key] of JSON.parse(Buffer.from(sealed).toString('utf8')) as OmniEntries) {
          keys.set(entryId(name, Buffer.from(identity, 'hex')), Uint8Array.from(Buffer.from(key, 'hex')));
        }
      } catch (cause) {
        throw new EnclaveError('SEALED_KEY_INVALID', `${OMNI_KEYS_FILE} does not hold Omni key entries`, { cause });
      }
    }
    return new OmniKeyStore(keys, store);
  }

  async get(store: string, workerIdentity: Uint8Array): Promise<Uint8Array> {
    if (typeof store !== 'string' || store.length === 0) throw new EnclaveError('INVALID_ARGUMENT', 'key store name must be a non-empty string');
    if (!(workerIdentity instanceof Uint8Array) || workerIdentity.length === 0) {
      throw new EnclaveError('INVALID_ARGUMENT', 'worker identity must be non-empty bytes');
    }
    const id = entryId(store, workerIdentity);
    let key = this.#keys.get(id);
    if (!key) {
      key = new Uint8Array(randomBytes(OMNI_KEY_BYTES));
      this.#keys.set(id, key);
      this.#persisted = this.#store.save(OMNI_KEYS_FILE, this.#serialize(), KEY_SEAL_POLICY);
    }
    // Also waits when another caller created the key a moment ago: no key leaves before it is sealed to disk.
    await this.#persisted;
    return key.slice();
  }

  #serialize(): Uint8Array {
    const entries: OmniEntries = [...this.#keys].map(([id, key]) => {
      const [name, identity] = JSON.parse(id) as [string, string];
      return [name, identity, Buffer.from(key).toString('hex')];
    });
    return Buffer.from(JSON.stringify(entries), 'utf8');
  }
}

function entryId(store: string, identity: Uint8Array): string {
  return JSON.stringify([store, Buffer.from(identity).toString('hex')]);
}
