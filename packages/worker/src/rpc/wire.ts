import { compactAddLength, compactToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';

import type { TopStatus } from './backend.js';

/** TrustedOperationStatus indices (§2.3). */
const TOP_STATUS_INDEX: Record<TopStatus['kind'], number> = {
  Submitted: 0, Future: 1, Ready: 2, Broadcast: 3, InSidechainBlock: 4, Retracted: 5,
  FinalityTimeout: 6, Finalized: 7, Usurped: 8, Dropped: 9, Invalid: 10,
};

/** Statuses after which Integritee drops the watch registration (§2.6). */
export const TERMINAL_STATUSES: ReadonlySet<TopStatus['kind']> = new Set(['Invalid', 'InSidechainBlock', 'Finalized', 'Usurped']);

const DIRECT_OK = Uint8Array.of(0);
const DIRECT_ERROR = Uint8Array.of(2);

function rrv(value: Uint8Array, doWatch: boolean, status: Uint8Array): string {
  return u8aToHex(u8aConcat(compactAddLength(value), Uint8Array.of(doWatch ? 1 : 0), status));
}

/** hex(RpcReturnValue{value, do_watch=false, status=Ok}). */
export const rpcOkHex = (value: Uint8Array): string => rrv(value, false, DIRECT_OK);

/** hex(RpcReturnValue{SCALE(String msg), false, Error}) — Integritee's `compute_hex_encoded_return_error`. */
export const rpcErrorHex = (message: string): string => rrv(scaleString(message), false, DIRECT_ERROR);

export function topStatusBytes(status: TopStatus): Uint8Array {
  const head = Uint8Array.of(1, TOP_STATUS_INDEX[status.kind]);
  return status.kind === 'InSidechainBlock' ? u8aConcat(head, status.blockHash) : head;
}

/** hex(RpcReturnValue{value = TOP hash, do_watch, status = TrustedOperationStatus(status)}). */
export const rpcTopStatusHex = (topHash: Uint8Array, status: TopStatus, doWatch: boolean): string =>
  rrv(topHash, doWatch, topStatusBytes(status));

export const scaleString = (s: string): Uint8Array => compactAddLength(stringToU8a(s));

export const scaleOptionBytes = (v: Uint8Array | null): Uint8Array =>
  v === null ? Uint8Array.of(0) : u8aConcat(Uint8Array.of(1), compactAddLength(v));

/** `Vec<Vec<u8>>`: compact(count) ‖ each item length-prefixed. */
export const scaleVecOfBytes = (items: Uint8Array[]): Uint8Array =>
  u8aConcat(compactToU8a(items.length), ...items.map((i) => compactAddLength(i)));

/** `Vec<T>` of already-encoded items: compact(count) ‖ items. */
export const scaleVecOfEncoded = (items: Uint8Array[]): Uint8Array => u8aConcat(compactToU8a(items.length), ...items);
