import { hexToU8a, isHex } from '@polkadot/util';
import { base58Decode, base58Encode } from '@polkadot/util-crypto';

import { InputError } from './errors.js';

export const SHARD_BYTES = 32;

/**
 * Parses a shard identifier given as base58 (the human form used by the Integritee CLI and JS client) or as
 * 0x-prefixed hex; both must yield exactly 32 bytes.
 */
export function parseShard(base58OrHex: string): Uint8Array {
  const text = base58OrHex.trim();
  let bytes: Uint8Array;
  if (text.startsWith('0x')) {
    if (!isHex(text)) throw new InputError('INVALID_SHARD', `shard ${JSON.stringify(base58OrHex)} is not valid hex`);
    bytes = hexToU8a(text);
  } else {
    try {
      bytes = base58Decode(text);
    } catch (cause) {
      throw new InputError('INVALID_SHARD', `shard ${JSON.stringify(base58OrHex)} is neither 0x-hex nor base58`, { cause });
    }
  }
  if (bytes.length !== SHARD_BYTES) {
    throw new InputError('INVALID_SHARD', `shard ${JSON.stringify(base58OrHex)} has ${bytes.length} bytes, expected ${SHARD_BYTES}`);
  }
  return bytes;
}

/** Base58 form of a 32-byte shard (what `integritee-service`, the CLI and shard directories use). */
export function shardToBase58(shard: Uint8Array): string {
  return base58Encode(toShardBytes(shard));
}

/** Accepts a shard as 32 bytes or as base58/hex text; returns the 32 bytes. */
export function toShardBytes(shard: Uint8Array | string): Uint8Array {
  if (typeof shard === 'string') return parseShard(shard);
  if (shard.length !== SHARD_BYTES) {
    throw new InputError('INVALID_SHARD', `shard has ${shard.length} bytes, expected ${SHARD_BYTES}`);
  }
  return shard;
}
