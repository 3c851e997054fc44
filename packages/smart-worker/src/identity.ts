import { createHash } from 'node:crypto';

import { IDENTITY_TAG, SEED_TAG } from './constants.js';

/**
 * Worker identity = sha256(utf8("sealbridge-smart-worker-v1") ‖ 0x00 ‖ utf8(name) ‖ 0x00 ‖ sha256(utf8(code))).
 * The same name and code give the same identity (and so the same Omni Keys) on every instance and restart;
 * changing either gives a new one. Config and schedule are not part of it, so they can change without losing keys.
 */
export function workerIdentity(name: string, code: string): Uint8Array {
  const codeHash = createHash('sha256').update(code, 'utf8').digest();
  return createHash('sha256')
    .update(IDENTITY_TAG, 'utf8')
    .update(Uint8Array.of(0))
    .update(name, 'utf8')
    .update(Uint8Array.of(0))
    .update(codeHash)
    .digest();
}

/** Per-block worker seed = sha256("sealbridge-smart-worker-seed-v1" ‖ omniKey ‖ blockHash ‖ stfSeed). */
export function invocationSeed(omniKey: Uint8Array, blockHash: Uint8Array, stfSeed: Uint8Array | undefined): Uint8Array {
  const hash = createHash('sha256').update(SEED_TAG, 'utf8').update(omniKey).update(blockHash);
  if (stfSeed) hash.update(stfSeed);
  return hash.digest();
}

export const toHex = (bytes: Uint8Array) => `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
