import { decodeRequest, parseShard, type DecodedRequest } from '@sealbridge/chain-types';

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

/**
 * Strict `0x`-hex param → bytes; anything else (odd length, no prefix, non-hex) is -32602. Node's decoder stops at
 * the first pair that is not hex, so a full-length result proves every digit was one.
 */
export function parseHexParam(value: string, what: string): Uint8Array {
  const digits = value.length - 2;
  const bytes = value.startsWith('0x') && digits % 2 === 0 ? Buffer.from(value.slice(2), 'hex') : undefined;
  if (bytes?.length !== digits / 2) throw new RpcServerError('INVALID_PARAMS', `${what}: expected 0x-prefixed hex with an even number of digits`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** hex(SCALE(Request{shard, cyphertext})), decoded exactly; decode failures (SCALE_* codes) map to -32602. */
export const decodeRequestParam = (value: string): DecodedRequest => decodeRequest(parseHexParam(value, 'request'));

/** Shard param (base58 as Integritee, or 0x-hex); INVALID_SHARD maps to -32602. */
export const parseShardParam = (value: string): Uint8Array => parseShard(value);

export function parseAccountParam(value: string): Uint8Array {
  const bytes = parseHexParam(value, 'account');
  if (bytes.length !== 32) throw new RpcServerError('INVALID_PARAMS', `account: expected 32 bytes, got ${bytes.length}`);
  return bytes;
}
