import { decodeRequest, parseShard, type DecodedRequest } from '@sealbridge/chain-types';

import { RpcServerError } from './errors.js';

/** Integritee params are always an array of strings (docs/integritee-protocol.md §2.1); anything else is -32602. */
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

const badHex = (what: string): RpcServerError => new RpcServerError('INVALID_PARAMS', `${what}: expected 0x-prefixed hex with an even number of digits`);

/**
 * Strict `0x`-hex → bytes written into `target` (a plain Uint8Array view of them is returned); anything else (odd
 * length, no prefix, non-hex) is -32602. Node's decoder stops at the first pair that is not hex, so a full-length
 * result proves every digit was one.
 */
function decodeHexInto(value: string, what: string, target: (length: number) => Buffer): Uint8Array {
  const digits = value.length - 2;
  if (!value.startsWith('0x') || digits % 2 !== 0) throw badHex(what);
  const out = target(digits / 2);
  if (out.write(value.slice(2), 0, digits / 2, 'hex') !== digits / 2) throw badHex(what);
  return new Uint8Array(out.buffer, out.byteOffset, digits / 2);
}

export const parseHexParam = (value: string, what: string): Uint8Array => decodeHexInto(value, what, (n) => Buffer.alloc(n));

/**
 * Request params are decoded into one reused buffer: `decodeRequest` copies shard and cyphertext out of it and
 * nothing else keeps a view, so no per-request allocation (Buffer.from would also churn node's 8 KiB pool).
 */
const REQUEST_SCRATCH_BYTES = 16 * 1024;
const requestScratch = Buffer.allocUnsafeSlow(REQUEST_SCRATCH_BYTES);

/** hex(SCALE(Request{shard, cyphertext})), decoded exactly; decode failures (SCALE_* codes) map to -32602. */
export const decodeRequestParam = (value: string): DecodedRequest =>
  decodeRequest(decodeHexInto(value, 'request', (n) => (n <= REQUEST_SCRATCH_BYTES ? requestScratch : Buffer.allocUnsafe(n))));

/** Shard param (base58 as Integritee, or 0x-hex); INVALID_SHARD maps to -32602. */
export const parseShardParam = (value: string): Uint8Array => parseShard(value);

export function parseAccountParam(value: string): Uint8Array {
  const bytes = parseHexParam(value, 'account');
  if (bytes.length !== 32) throw new RpcServerError('INVALID_PARAMS', `account: expected 32 bytes, got ${bytes.length}`);
  return bytes;
}
