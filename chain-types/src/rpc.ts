import { u8aConcat } from '@polkadot/util';

import type { TrustedOperationStatusName } from './interfaces.js';

import { encodeStr, withCompactLength } from './codec/writer.js';
import { InputError, ScaleDecodeError } from './errors.js';
import { sealbridgeRegistry } from './registry.js';
import { decodeExact, decodeRequestStrict } from './scale.js';
import { toShardBytes } from './shard.js';

/** `Request { shard, cyphertext }`: shard(32) ‖ compact(len) ‖ cyphertext. */
export function encodeRequest(shard: Uint8Array | string, cyphertext: Uint8Array): Uint8Array {
  // Built by hand: polkadot-js would read a Uint8Array handed to a `Vec<u8>` field as already length-prefixed.
  return withCompactLength(cyphertext, toShardBytes(shard));
}

export interface DecodedRequest {
  readonly shard: Uint8Array;
  readonly cyphertext: Uint8Array;
}

export function decodeRequest(bytes: Uint8Array): DecodedRequest {
  return decodeRequestStrict(sealbridgeRegistry, bytes);
}

/**
 * `state_executeGetter` value (docs/integritee-protocol.md §3.6): SCALE `Option<Vec<u8>>` — `00` for None, `01 ‖ compact(len) ‖ bytes` where
 * `bytes` is the SCALE-encoded getter result (u128 balance, u32 nonce, …). Wrap it with `rpcOk`.
 */
export function encodeGetterResult(result: Uint8Array | undefined): Uint8Array {
  return result === undefined ? Uint8Array.of(0) : withCompactLength(result, Uint8Array.of(1));
}

/** Inverse of `encodeGetterResult` (strict); `undefined` for None. */
export function decodeGetterResult(value: Uint8Array): Uint8Array | undefined {
  const option = decodeExact(sealbridgeRegistry, 'GetterResult', value);
  return option.isSome ? option.unwrap().toU8a(true) : undefined;
}

/** Status argument of `rpcTopStatus`: a unit status name or `{ InSidechainBlock: blockHash }`. */
export type TopStatusInput = Exclude<TrustedOperationStatusName, 'InSidechainBlock'> | { readonly InSidechainBlock: Uint8Array };

/** do_watch false ‖ DirectRequestStatus::Ok / ::Error. */
const NO_WATCH_OK = Uint8Array.of(0, 0);
const NO_WATCH_ERROR = Uint8Array.of(0, 2);

/** RpcReturnValue: compact(len) ‖ value ‖ `statusTail` = do_watch ‖ status (by hand for the Vec<u8> reason of `encodeRequest`). */
const encodeReturnValue = (value: Uint8Array, statusTail: Uint8Array): Uint8Array => withCompactLength(value, undefined, statusTail);

/** `RpcReturnValue { value, do_watch: false, status: Ok }` — the "RRV(x)" of docs/integritee-protocol.md §2.2 when `value` = SCALE(x). */
export function rpcOk(value: Uint8Array): Uint8Array {
  return encodeReturnValue(value, NO_WATCH_OK);
}

/** `RpcReturnValue::from_error_message`: value = SCALE String(message), do_watch false, status Error (docs/integritee-protocol.md §2.4). */
export function rpcError(message: string): Uint8Array {
  return encodeReturnValue(encodeStr(message), NO_WATCH_ERROR);
}

/** Submission/watch answer: value = the 32 raw bytes of the TOP hash, status = TrustedOperationStatus(status). */
export function rpcTopStatus(topHash: Uint8Array, status: TopStatusInput, doWatch: boolean): Uint8Array {
  if (topHash.length !== 32) throw new InputError('INVALID_ARGUMENT', `TOP hash has ${topHash.length} bytes, expected 32`);
  const top = sealbridgeRegistry.createType('DirectRequestStatus', { TrustedOperationStatus: status });
  return encodeReturnValue(topHash, u8aConcat(Uint8Array.of(doWatch ? 1 : 0), top.toU8a()));
}

export type RpcStatus =
  | { readonly kind: 'Ok' }
  | { readonly kind: 'Error' }
  | { readonly kind: 'TrustedOperationStatus'; readonly status: TrustedOperationStatusName; readonly blockHash?: Uint8Array };

export interface DecodedRpcReturnValue {
  readonly value: Uint8Array;
  readonly doWatch: boolean;
  readonly status: RpcStatus;
  /** For status Error: `value` decoded as SCALE String, when it is one. */
  readonly errorMessage?: string;
}

/** Strictly decodes an RpcReturnValue (the hex `result` of a worker JSON-RPC response, as bytes). */
export function decodeRpcReturnValue(bytes: Uint8Array): DecodedRpcReturnValue {
  const rrv = decodeExact(sealbridgeRegistry, 'RpcReturnValue', bytes);
  const value = rrv.value.toU8a(true);
  const doWatch = rrv.do_watch.isTrue;
  if (rrv.status.isTrustedOperationStatus) {
    const top = rrv.status.asTrustedOperationStatus;
    const blockHash = top.isInSidechainBlock ? top.asInSidechainBlock.toU8a() : undefined;
    return { value, doWatch, status: { kind: 'TrustedOperationStatus', status: top.type, ...(blockHash && { blockHash }) } };
  }
  if (rrv.status.isOk) return { value, doWatch, status: { kind: 'Ok' } };
  return { value, doWatch, status: { kind: 'Error' }, ...optionalErrorMessage(value) };
}

function optionalErrorMessage(value: Uint8Array): { errorMessage?: string } {
  try {
    return { errorMessage: decodeExact(sealbridgeRegistry, 'Text', value).toString() };
  } catch (err) {
    // Some worker errors are not SCALE Strings (e.g. the author_getShardVault double-hex quirk, docs/integritee-protocol.md §2.4).
    if (err instanceof ScaleDecodeError) return {};
    throw err;
  }
}
