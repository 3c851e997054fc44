import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';

/** Length in bytes of a blake2-256 digest, and so of every hashed node reference. */
export const HASH_LENGTH = 32;

/**
 * blake2-256. Uses the wasm implementation once `trieReady()` has resolved (about 8x faster for trie-node
 * sized inputs) and the pure-JS one before that, so results never depend on initialisation order.
 */
export function blake2b256(data: Uint8Array): Uint8Array {
  return blake2AsU8a(data, 256);
}

/** Resolves once the wasm blake2 is initialised; call it once at start-up before heavy root computation. */
export async function trieReady(): Promise<void> {
  await cryptoWaitReady();
}
