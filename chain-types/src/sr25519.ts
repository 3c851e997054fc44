import { sr25519_verify as schnorrkelVerify } from '@polkadot-labs/schnorrkel-wasm';

import { remember } from './bounded-cache.js';
import { isRistrettoEncoding } from './ristretto.js';

/**
 * sr25519 verification: schnorrkel 0.11 `verify_simple` with signing context "substrate", as Substrate's
 * `sr25519::Pair::verify`. It runs on the WASM build in `@polkadot-labs/schnorrkel-wasm`, which verifies about twice
 * as fast here as `@polkadot/wasm-crypto` (3,900 vs 1,900 per second on one core); it is on every shielded call.
 *
 * That build panics on bytes schnorrkel's `from_bytes` refuses, and a WASM panic is a trap that leaves the module's
 * stack pointer behind, so nothing malformed may reach it: the same checks run here first and answer `false`, as
 * `@polkadot/wasm-crypto` does for such input.
 */
export function sr25519Verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  if (!isSchnorrkelSignature(signature) || !isKnownRistrettoEncoding(publicKey)) return false;
  return schnorrkelVerify(publicKey, message, signature);
}

/** ℓ, the order of the ristretto255 group. */
const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/** schnorrkel's `Signature::from_bytes`: the top bit marks a schnorrkel (not ed25519) signature, and s < ℓ. */
function isSchnorrkelSignature(signature: Uint8Array): boolean {
  const last = signature[63]!;
  if ((last & 0x80) === 0) return false;
  if ((last & 0x70) === 0) return true; // s < 2^252 < ℓ: no need for the full comparison
  let s = BigInt(last & 0x7f);
  for (let i = 62; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]!);
  return s < GROUP_ORDER;
}

/** `isRistrettoEncoding`, remembered per key: signers repeat, and a lookup is cheaper still. */
function isKnownRistrettoEncoding(publicKey: Uint8Array): boolean {
  const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, 32).toString('latin1');
  let valid = checkedKeys.get(id);
  if (valid === undefined) {
    valid = isRistrettoEncoding(publicKey);
    remember(checkedKeys, id, CHECKED_KEY_CACHE_SIZE, valid);
  }
  return valid;
}

const checkedKeys = new Map<string, boolean>();
const CHECKED_KEY_CACHE_SIZE = 16_384;
