import { hexToU8a, isHex, isU8a } from '@polkadot/util';
import { base58Decode } from '@polkadot/util-crypto';
import { CliError, CliErrorCode } from './errors.js';

/** Bytes of a Uint8Array, a codec (`toU8a`), 0x-hex or base58 — the shapes in which hashes cross package borders. */
export function toBytes(value: unknown): Uint8Array {
  if (isU8a(value)) return value;
  if (typeof value === 'string') {
    if (isHex(value)) return hexToU8a(value);
    try {
      return base58Decode(value);
    } catch {
      // fall through to the error below
    }
  }
  if (value && typeof (value as { toU8a?: unknown }).toU8a === 'function') return (value as { toU8a(): Uint8Array }).toU8a();
  throw new CliError(CliErrorCode.BAD_INPUT, `expected bytes (hex or base58), got ${typeof value === 'string' ? `'${value}'` : typeof value}`);
}
