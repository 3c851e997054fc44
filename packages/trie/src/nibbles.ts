// Keys are byte strings; the trie is radix 16, so paths are nibble strings, high nibble of a byte first.

/** Nibble `i` of `key` (0 = high nibble of byte 0) without allocating a nibble array. */
export function nibbleAt(key: Uint8Array, i: number): number {
  const byte = key[i >> 1]!;
  return (i & 1) === 0 ? byte >> 4 : byte & 0x0f;
}

export function bytesToNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4;
    out[2 * i + 1] = key[i]! & 0x0f;
  }
  return out;
}

/** Packs an even-length nibble path back into bytes. */
export function nibblesToBytes(nibbles: ArrayLike<number>, length = nibbles.length): Uint8Array {
  const out = new Uint8Array(length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = (nibbles[2 * i]! << 4) | nibbles[2 * i + 1]!;
  return out;
}

export function concatNibbles(a: Uint8Array, nibble: number, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + 1 + b.length);
  out.set(a, 0);
  out[a.length] = nibble;
  out.set(b, a.length + 1);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A private copy as a plain Uint8Array (`Buffer#slice` would return a view sharing memory). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** A string whose code-unit order is the bytewise order of `bytes`: sorting by it beats Buffer.compare calls. */
export function sortKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
