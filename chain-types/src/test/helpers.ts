import { RistrettoPoint } from '@noble/curves/ed25519';

import { ScaleDecodeError } from '../errors.js';

// Byte helpers for the specs, written independently of polkadot-js so expected vectors are not derived from the
// code under test.
export function hex(...parts: string[]): string {
  return '0x' + parts.map((p) => p.replace(/^0x/, '').replace(/\s+/g, '')).join('');
}

export function bytes(hexString: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hexString.replace(/^0x/, ''), 'hex'));
}

export function toHex(u8a: Uint8Array): string {
  return '0x' + Buffer.from(u8a).toString('hex');
}

/** Little-endian unsigned integer of `size` bytes. */
export function le(value: bigint | number, size: number): string {
  let v = BigInt(value);
  let out = '';
  for (let i = 0; i < size; i++) {
    out += (v & 0xffn).toString(16).padStart(2, '0');
    v >>= 8n;
  }
  return out;
}

export const u32 = (v: number): string => le(v, 4);
export const u64 = (v: bigint | number): string => le(v, 8);
export const u128 = (v: bigint | number): string => le(v, 16);
export const repeat = (byteHex: string, n: number): string => byteHex.repeat(n);

export const ALICE = repeat('11', 32);
export const BOB = repeat('22', 32);
export const SHARD = repeat('33', 32);
export const HASH = repeat('44', 32);
export const MRENCLAVE = repeat('55', 32);

/** Deterministic xorshift32 so a failing random case can be reproduced. */
export function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

export const randomHex = (rand: () => number, n: number): string =>
  Array.from({ length: n }, () => Math.floor(rand() * 256).toString(16).padStart(2, '0')).join('');

/** A decoder's outcome as comparable data: the thrown ScaleDecodeError's code, offset and type, or 'ok'. */
export function scaleOutcome(decode: () => unknown): string {
  try {
    decode();
    return 'ok';
  } catch (err) {
    if (!(err instanceof ScaleDecodeError)) throw new Error(`expected ScaleDecodeError, got ${String(err)}`, { cause: err });
    return `${err.code}@${err.offset} ${err.typeName}`;
  }
}

/** Whether @noble/curves' audited ristretto255 decoder accepts 32 bytes: the reference for the key checks. */
export function nobleDecodesRistretto(encoding: Uint8Array): boolean {
  try {
    RistrettoPoint.fromHex(encoding);
    return true;
  } catch {
    return false;
  }
}
