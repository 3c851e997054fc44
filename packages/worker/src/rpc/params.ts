import { base58Decode } from '@polkadot/util-crypto';
import { compactFromU8a, compactToU8a, hexToU8a } from '@polkadot/util';

import { RpcServerError } from './errors.js';

/** Integritee params are always an array of strings (§2.1); anything else is -32602. */
export function stringParams(params: unknown, method: string, count: { min: number; max: number }): string[] {
  if (params === undefined) params = [];
  if (!Array.isArray(params) || !params.every((p) => typeof p === 'string')) {
    throw new RpcServerError('INVALID_PARAMS', `${method}: params must be an array of strings`);
  }
  if (params.length < count.min || params.length > count.max) {
    const want = count.min === count.max ? `${count.min}` : `${count.min}..${count.max}`;
    throw new RpcServerError('INVALID_PARAMS', `${method}: expected ${want} params, got ${params.length}`);
  }
  return params;
}

const HEX_RE = /^0x(?:[0-9a-fA-F]{2})*$/;

/** Strict `0x`-hex param → bytes; anything else (odd length, no prefix, non-hex) is -32602. */
export function parseHexParam(value: string, what: string): Uint8Array {
  if (!HEX_RE.test(value)) throw new RpcServerError('INVALID_PARAMS', `${what}: expected 0x-prefixed hex with an even number of digits`);
  return hexToU8a(value);
}

/** `Request { shard: H256, cyphertext: Vec<u8> }`, decoded exactly (no trailing bytes). */
export function decodeRequestParam(value: string): { shard: Uint8Array; cyphertext: Uint8Array } {
  const bytes = parseHexParam(value, 'request');
  if (bytes.length < 33) throw new RpcServerError('INVALID_PARAMS', 'request: truncated (needs shard and cyphertext)');
  let offset: number;
  let len: number;
  try {
    const [o, l] = compactFromU8a(bytes.subarray(32));
    offset = 32 + o;
    len = l.toNumber();
    // parity-scale-codec rejects over-long compact encodings; so do we.
    if (o === 0 || compactToU8a(len).length !== o) throw new Error('non-canonical compact');
  } catch (cause) {
    throw new RpcServerError('INVALID_PARAMS', 'request: bad compact length', { cause });
  }
  if (offset + len !== bytes.length) {
    throw new RpcServerError('INVALID_PARAMS', `request: cyphertext length ${len} does not match the ${bytes.length - offset} bytes sent`);
  }
  return { shard: bytes.slice(0, 32), cyphertext: bytes.slice(offset) };
}

/** Base58 shard (`[base58 shard, …]` params) → 32 bytes. */
export function parseShardParam(value: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = base58Decode(value);
  } catch (cause) {
    throw new RpcServerError('INVALID_PARAMS', 'shard: not base58', { cause });
  }
  if (bytes.length !== 32) throw new RpcServerError('INVALID_PARAMS', `shard: expected 32 bytes, got ${bytes.length}`);
  return bytes;
}

export function parseAccountParam(value: string): Uint8Array {
  const bytes = parseHexParam(value, 'account');
  if (bytes.length !== 32) throw new RpcServerError('INVALID_PARAMS', `account: expected 32 bytes, got ${bytes.length}`);
  return bytes;
}
