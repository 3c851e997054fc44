import { bytesToHex, encodeGetterResult, encodeVecOfEncoded, rpcError, rpcOk, rpcTopStatus, withCompactLength, type TopStatusInput } from '@sealbridge/chain-types';

import type { TopStatus } from './backend.js';

/** Statuses after which Integritee drops the watch registration (docs/integritee-protocol.md §2.6). */
export const TERMINAL_STATUSES: ReadonlySet<TopStatus['kind']> = new Set(['Invalid', 'InSidechainBlock', 'Finalized', 'Usurped']);

/** hex(RpcReturnValue{value, do_watch=false, status=Ok}). */
export const rpcOkHex = (value: Uint8Array): string => bytesToHex(rpcOk(value));

/** hex(RpcReturnValue{SCALE(String msg), false, Error}) — Integritee's `compute_hex_encoded_return_error`. */
export const rpcErrorHex = (message: string): string => bytesToHex(rpcError(message));

const statusInput = (status: TopStatus): TopStatusInput =>
  status.kind === 'InSidechainBlock' ? { InSidechainBlock: status.blockHash } : status.kind;

/** hex(RpcReturnValue{value = TOP hash, do_watch, status = TrustedOperationStatus(status)}). */
export const rpcTopStatusHex = (topHash: Uint8Array, status: TopStatus, doWatch: boolean): string =>
  bytesToHex(rpcTopStatus(topHash, statusInput(status), doWatch));

/** SCALE `Option<Vec<u8>>` (docs/integritee-protocol.md §3.6). */
export const scaleOptionBytes = (v: Uint8Array | null): Uint8Array => encodeGetterResult(v ?? undefined);

/** `Vec<Vec<u8>>`: compact(count) ‖ each item length-prefixed. */
export const scaleVecOfBytes = (items: Uint8Array[]): Uint8Array => encodeVecOfEncoded(items.map((item) => withCompactLength(item)));
