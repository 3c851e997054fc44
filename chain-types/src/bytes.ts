/** Byte equality as a plain loop: polkadot's `u8aEq` builds two DataViews per call, and this runs per request. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lowercase hex through node's native encoder (polkadot's `u8aToHex` builds the string in JS); `0x`-prefixed by default. */
export function bytesToHex(bytes: Uint8Array, prefixed = true): string {
  const digits = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
  return prefixed ? `0x${digits}` : digits;
}

/**
 * Bytes of hex digits (an optional `0x` prefix) through node's native decoder, into a plain Uint8Array of their
 * own; throws on odd length or a non-hex digit (node would stop there silently).
 */
export function hexToBytes(hex: string): Uint8Array {
  const start = hex.startsWith('0x') ? 2 : 0;
  const length = (hex.length - start) / 2;
  if (!Number.isInteger(length)) throw new TypeError(`odd number of hex digits: ${hex.length - start}`);
  const out = new Uint8Array(length);
  if (Buffer.from(out.buffer).write(hex.slice(start), 'hex') !== length) throw new TypeError('not a hex string');
  return out;
}
