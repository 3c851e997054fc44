/** Byte equality as a plain loop: polkadot's `u8aEq` builds two DataViews per call, and this runs per request. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
