// Thread of SignatureVerifyPool: verifies packed batches of MultiSignature-style signatures (trusted getters) with the
// chain-types verification (`verifySignatureBytes`: schnorrkel WASM for sr25519, OpenSSL for ed25519, blake2 + key
// recovery for ecdsa) and answers each batch with one packed Uint8Array of 0/1. The wire format is defined here, next
// to its decoder, and used by verify-pool.ts to encode.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

import { cryptoReady, verifySignatureBytes } from '@sealbridge/chain-types';

/** Integritee's MultiSignature variants, by the names the pool takes. */
export type VerifyScheme = 'sr25519' | 'ed25519' | 'ecdsa';

export interface VerifyItem {
  scheme: VerifyScheme;
  /** sr25519/ed25519: the 32-byte public key (= AccountId). ecdsa: the 32-byte AccountId (blake2_256 of the compressed key) or the 33-byte compressed key. */
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/** Scheme codes of the wire format, by index. */
export const VERIFY_SCHEMES: readonly VerifyScheme[] = Object.freeze(['sr25519', 'ed25519', 'ecdsa']);
const VARIANTS = ['Sr25519', 'Ed25519', 'Ecdsa'] as const;

/**
 * The `batch` buffer of a `verify` message (little-endian):
 *
 *     u32 count
 *     count × 8-byte entry: u8 scheme (index in VERIFY_SCHEMES), u8 publicKey length, u8 signature length, u8 0,
 *                           u32 message length
 *     count × (publicKey ‖ signature ‖ message), in entry order
 *
 * It is transferred, not cloned; the answer's `results` (count bytes, 1 = valid) is transferred back.
 */
export const VERIFY_BATCH_HEADER_BYTES = 4;
export const VERIFY_BATCH_ENTRY_BYTES = 8;

export type ToVerifyThread = { type: 'verify'; id: number; batch: ArrayBuffer };
export type FromVerifyThread = { type: 'ready' } | { type: 'results'; id: number; results: Uint8Array };

/** Bytes `item` takes in a packed batch (its entry and its data). */
export function packedItemBytes(item: VerifyItem): number {
  return VERIFY_BATCH_ENTRY_BYTES + item.publicKey.length + item.signature.length + item.message.length;
}

/** Packs items (key and signature lengths ≤ 255) into one buffer of the format above; `dataBytes` = Σ packedItemBytes. */
export function packVerifyBatch(items: readonly VerifyItem[], dataBytes: number): ArrayBuffer {
  const buffer = new ArrayBuffer(VERIFY_BATCH_HEADER_BYTES + dataBytes);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  view.setUint32(0, items.length, true);
  let entry = VERIFY_BATCH_HEADER_BYTES;
  let data = VERIFY_BATCH_HEADER_BYTES + items.length * VERIFY_BATCH_ENTRY_BYTES;
  for (const { scheme, publicKey, signature, message } of items) {
    bytes[entry] = VERIFY_SCHEMES.indexOf(scheme);
    bytes[entry + 1] = publicKey.length;
    bytes[entry + 2] = signature.length;
    view.setUint32(entry + 4, message.length, true);
    entry += VERIFY_BATCH_ENTRY_BYTES;
    bytes.set(publicKey, data);
    bytes.set(signature, (data += publicKey.length));
    bytes.set(message, (data += signature.length));
    data += message.length;
  }
  return buffer;
}

/** Verifies every item of a packed batch, in order: 1 valid, 0 anything else (wrong signature, malformed key or signature, unknown scheme). */
export function verifyPackedBatch(batch: ArrayBuffer): Uint8Array {
  const view = new DataView(batch);
  const bytes = new Uint8Array(batch);
  const count = view.getUint32(0, true);
  const results = new Uint8Array(count);
  let entry = VERIFY_BATCH_HEADER_BYTES;
  let data = VERIFY_BATCH_HEADER_BYTES + count * VERIFY_BATCH_ENTRY_BYTES;
  for (let i = 0; i < count; i++, entry += VERIFY_BATCH_ENTRY_BYTES) {
    const variant = VARIANTS[bytes[entry]!];
    const publicKey = bytes.subarray(data, (data += bytes[entry + 1]!));
    const signature = bytes.subarray(data, (data += bytes[entry + 2]!));
    const message = bytes.subarray(data, (data += view.getUint32(entry + 4, true)));
    if (variant === undefined) continue;
    try {
      results[i] = verifySignatureBytes(message, variant, signature, publicKey) ? 1 : 0;
    } catch {
      // verifySignatureBytes answers false for bad curve points and unrecoverable signatures; whatever else throws
      // (a malformed length that slipped past the pool's checks) cannot be a valid signature either.
    }
  }
  return results;
}

let running = false;

/**
 * The verification thread's body: answers `verify` messages until the thread ends. Called by the thread file's own
 * entry (below) or by the bundle's role dispatch for `workerData.sealbridgeThread === 'verify'`; a second call is a
 * no-op, so both may run in one bundle.
 */
export function runVerifyThread(): void {
  if (running) return;
  const port = parentPort;
  if (isMainThread || !port) throw new Error('runVerifyThread runs on a worker thread');
  running = true;
  port.on('message', (m: ToVerifyThread) => {
    if (m.type !== 'verify') return;
    const results = verifyPackedBatch(m.batch);
    port.postMessage({ type: 'results', id: m.id, results } satisfies FromVerifyThread, [results.buffer as ArrayBuffer]);
  });
  // blake2 and secp256k1 recovery (ecdsa) use @polkadot/wasm-crypto: ready before the pool sends anything.
  void cryptoReady().then(() => port.postMessage({ type: 'ready' } satisfies FromVerifyThread));
}

// Entry when this file itself is the thread (unbundled); in the bundle the role dispatch calls runVerifyThread.
if (!isMainThread && (workerData as { sealbridgeThread?: unknown } | null)?.sealbridgeThread === 'verify') runVerifyThread();
