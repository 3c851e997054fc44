import type { KeyObject } from 'node:crypto';

import { constants, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt } from 'node:crypto';

import { encodeStr } from './codec/writer.js';
import { ScaleDecodeError, ShieldingError } from './errors.js';
import { sealbridgeRegistry } from './registry.js';
import { decodeExact } from './scale.js';

/** RSA-3072 modulus / ciphertext block size. */
export const RSA_BLOCK_BYTES = 384;
/** Largest OAEP-SHA256 plaintext per block: 384 − 2·32 − 2 (sgx_crypto_helper `encrypt_buffer` chunking, docs/integritee-protocol.md §4). */
export const RSA_PLAINTEXT_CHUNK_BYTES = 318;
/** Public exponent of enclave-generated keys: SGX SDK default `[0x01,0x00,0x00,0x01]` LE = 16 777 217. */
export const SHIELDING_PUBLIC_EXPONENT = 0x01000001;
const RSA_MODULUS_BITS = RSA_BLOCK_BYTES * 8;
const EXPONENT_BYTES = 4;

const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' } as const;

// Keys already checked to be RSA-3072 of the right kind; `asymmetricKeyDetails` is not free on the hot path.
const checkedKeys = new WeakMap<KeyObject, 'public' | 'private'>();

function requireRsa3072(key: KeyObject, kind: 'public' | 'private'): KeyObject {
  if (checkedKeys.get(key) === kind) return key;
  const okType = kind === 'private' ? key.type === 'private' : key.type === 'public' || key.type === 'private';
  if (!okType || key.asymmetricKeyType !== 'rsa' || key.asymmetricKeyDetails?.modulusLength !== RSA_MODULUS_BITS) {
    throw new ShieldingError('SHIELDING_BAD_KEY', `expected an RSA-${RSA_MODULUS_BITS} ${kind} key, got ${key.type} ${key.asymmetricKeyType ?? ''} ${key.asymmetricKeyDetails?.modulusLength ?? '?'} bits`);
  }
  checkedKeys.set(key, kind);
  return key;
}

/** Fresh RSA-3072 shielding key pair with the enclave's public exponent (tests, enclave-sim). */
export function generateShieldingKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: RSA_MODULUS_BITS, publicExponent: SHIELDING_PUBLIC_EXPONENT });
}

function base64UrlToLe(b64: string, length: number): number[] {
  const be = Buffer.from(b64, 'base64url');
  if (be.length > length) throw new ShieldingError('SHIELDING_BAD_KEY', `key component has ${be.length} bytes, more than ${length}`);
  const le = new Array<number>(length).fill(0);
  for (let i = 0; i < be.length; i++) le[i] = be[be.length - 1 - i]!;
  return le;
}

/**
 * serde-JSON of `Rsa3072PubKey { n: [u8;384], e: [u8;4] }` as served by `author_getShieldingKey` (docs/integritee-protocol.md §2.5):
 * `{"n":[…384 little-endian bytes…],"e":[…4 LE bytes…]}`, no whitespace.
 */
export function shieldingKeyToJson(publicKey: KeyObject): string {
  const key = requireRsa3072(publicKey, 'public');
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  const n = base64UrlToLe(jwk.n!, RSA_BLOCK_BYTES);
  const e = base64UrlToLe(jwk.e!, EXPONENT_BYTES);
  return `{"n":[${n.join(',')}],"e":[${e.join(',')}]}`;
}

function byteArray(value: unknown, length: number, field: string): Uint8Array {
  if (!Array.isArray(value) || value.length !== length || !value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    throw new ShieldingError('SHIELDING_BAD_KEY_JSON', `shielding key field "${field}" must be an array of ${length} bytes`);
  }
  return Uint8Array.from(value as number[]);
}

function leToBase64Url(le: Uint8Array): string {
  const be = Buffer.from(le).reverse();
  const first = be.findIndex((b) => b !== 0);
  return be.subarray(first < 0 ? be.length - 1 : first).toString('base64url');
}

/** Inverse of `shieldingKeyToJson`; rejects anything that is not a 3072-bit key in the serde shape. */
export function shieldingKeyFromJson(json: string): KeyObject {
  let parsed: { n?: unknown; e?: unknown };
  try {
    parsed = JSON.parse(json) as { n?: unknown; e?: unknown };
  } catch (cause) {
    throw new ShieldingError('SHIELDING_BAD_KEY_JSON', 'shielding key is not JSON', { cause });
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ShieldingError('SHIELDING_BAD_KEY_JSON', 'shielding key JSON is not an object');
  const n = byteArray(parsed.n, RSA_BLOCK_BYTES, 'n');
  const e = byteArray(parsed.e, EXPONENT_BYTES, 'e');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'RSA', n: leToBase64Url(n), e: leToBase64Url(e) }, format: 'jwk' });
  } catch (cause) {
    throw new ShieldingError('SHIELDING_BAD_KEY_JSON', 'shielding key JSON does not form an RSA key', { cause });
  }
  return requireRsa3072(key, 'public');
}

/** RpcReturnValue.value of `author_getShieldingKey`: SCALE String(json) = compact(len) ‖ utf8 (double-prefixed on the wire). */
export function encodeShieldingKeyValue(json: string): Uint8Array {
  return encodeStr(json);
}

/** Inverse of `encodeShieldingKeyValue` (strict: exact length, valid UTF-8). */
export function decodeShieldingKeyValue(value: Uint8Array): string {
  try {
    return decodeExact(sealbridgeRegistry, 'Text', value).toString();
  } catch (cause) {
    if (cause instanceof ScaleDecodeError) {
      throw new ShieldingError('SHIELDING_BAD_KEY_VALUE', `shielding key value is not a SCALE String: ${cause.message}`, { cause });
    }
    throw cause;
  }
}

/** RSA-OAEP-SHA256 (MGF1-SHA256, no label) over 318-byte chunks; output is the concatenation of 384-byte blocks. */
export function shieldEncrypt(publicKey: KeyObject, plaintext: Uint8Array): Uint8Array {
  const key = { key: requireRsa3072(publicKey, 'public'), ...OAEP };
  if (plaintext.length === 0) throw new ShieldingError('SHIELDING_EMPTY_PLAINTEXT', 'nothing to encrypt');
  const blocks: Buffer[] = [];
  for (let at = 0; at < plaintext.length; at += RSA_PLAINTEXT_CHUNK_BYTES) {
    blocks.push(publicEncrypt(key, plaintext.subarray(at, at + RSA_PLAINTEXT_CHUNK_BYTES)));
  }
  return new Uint8Array(Buffer.concat(blocks));
}

/**
 * Inverse of `shieldEncrypt`. The length must be a multiple of 384 — except that a single block shorter than 384
 * bytes is left-padded with zeros, because the encointer JS client strips leading zero bytes of its ciphertext
 * (`new BN(bytes).toArray()`, docs/integritee-protocol.md §4).
 */
export function shieldDecrypt(privateKey: KeyObject, ciphertext: Uint8Array): Uint8Array {
  const key = { key: requireRsa3072(privateKey, 'private'), ...OAEP };
  let input = ciphertext;
  if (input.length > 0 && input.length < RSA_BLOCK_BYTES) {
    input = new Uint8Array(RSA_BLOCK_BYTES);
    input.set(ciphertext, RSA_BLOCK_BYTES - ciphertext.length);
  }
  if (input.length === 0 || input.length % RSA_BLOCK_BYTES !== 0) {
    throw new ShieldingError('SHIELDING_BAD_CIPHERTEXT_LENGTH', `ciphertext of ${ciphertext.length} bytes is not a non-empty multiple of ${RSA_BLOCK_BYTES}`);
  }
  const blocks: Buffer[] = [];
  for (let at = 0; at < input.length; at += RSA_BLOCK_BYTES) {
    try {
      blocks.push(privateDecrypt(key, input.subarray(at, at + RSA_BLOCK_BYTES)));
    } catch (cause) {
      throw new ShieldingError('SHIELDING_DECRYPT_FAILED', `RSA-OAEP block ${at / RSA_BLOCK_BYTES} does not decrypt with this key`, { cause });
    }
  }
  return blocks.length === 1 ? new Uint8Array(blocks[0]!.buffer, blocks[0]!.byteOffset, blocks[0]!.length) : new Uint8Array(Buffer.concat(blocks));
}
