import { u8aToHex, stringToU8a } from '@polkadot/util';
import { SCALE_DECODE_ERROR_CODES, SealbridgeError } from '@sealbridge/chain-types';
import { MAX_SHIELDED_BYTES } from '../settings.js';

import type { RpcLog } from './log.js';
import { rpcErrorHex } from './wire.js';

/** JSON-RPC error codes the server emits; handlers never write numbers inline. */
export const JSON_RPC_CODES = Object.freeze({
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** Per-connection in-flight, rate or decryption-queue limit hit (EIP-1474 "limit exceeded"). */
  LIMIT_EXCEEDED: -32005,
  /** Capacity shared by all connections is used up; retry later (EIP-1474 "resource unavailable"). */
  RESOURCE_UNAVAILABLE: -32002,
});

/** Codes answered as JSON-RPC `error` objects (protocol failures). */
const PROTOCOL_CODES = {
  PARSE_ERROR: JSON_RPC_CODES.PARSE_ERROR,
  INVALID_REQUEST: JSON_RPC_CODES.INVALID_REQUEST,
  METHOD_NOT_FOUND: JSON_RPC_CODES.METHOD_NOT_FOUND,
  INVALID_PARAMS: JSON_RPC_CODES.INVALID_PARAMS,
  /** The backend could not decode a getter it was handed: undecodable SCALE is bad params. */
  GETTER_DECODE: JSON_RPC_CODES.INVALID_PARAMS,
  LIMIT_EXCEEDED: JSON_RPC_CODES.LIMIT_EXCEEDED,
  /** This connection already has its share of shielded requests waiting for or in decryption. */
  DECRYPT_QUEUE_FULL: JSON_RPC_CODES.LIMIT_EXCEEDED,
  /** The decryption queue of all connections is full. */
  SERVER_BUSY: JSON_RPC_CODES.RESOURCE_UNAVAILABLE,
  // chain-types InputError codes raised while parsing params
  INVALID_SHARD: JSON_RPC_CODES.INVALID_PARAMS,
  INVALID_ARGUMENT: JSON_RPC_CODES.INVALID_PARAMS,
  INVALID_SIGNATURE_INPUT: JSON_RPC_CODES.INVALID_PARAMS,
  // chain-types ScaleDecodeError: undecodable SCALE in a param
  ...Object.fromEntries(SCALE_DECODE_ERROR_CODES.filter((c) => c !== 'SCALE_UNKNOWN_TYPE').map((c) => [c, JSON_RPC_CODES.INVALID_PARAMS])),
} as const satisfies Record<string, number>;

/**
 * Application failures are answered, like Integritee, as a `result` whose RpcReturnValue has status Error and
 * value SCALE(String msg) (docs/integritee-protocol.md §2.4). On the submit methods the message is the Rust Debug print of the
 * top-pool-author `jsonrpc_core::Error` (`client_error.rs`), hence the server code per failure.
 */
const APPLICATION_CODES = {
  SHARD_NOT_FOUND: { pool: 'ServerError(1002)', text: 'Shard does not exist' },
  TOP_UNDECIPHERABLE: { pool: 'ServerError(1001)', text: 'Trusted operation could not be deciphered' },
  TOP_BAD_FORMAT: { pool: 'ServerError(1001)', text: 'Trusted operation has invalid format' },
  /** A padded cyphertext: refused before any decryption, as Integritee's BadFormat with the reason as data. */
  TOP_TOO_LARGE: { pool: 'ServerError(1001)', text: 'Trusted operation has invalid format', data: `shielded payload over ${MAX_SHIELDED_BYTES} bytes` },
  TOP_INVALID: { pool: 'ServerError(1010)', text: 'Invalid Trusted Operation' },
  TOP_ALREADY_IMPORTED: { pool: 'ServerError(1013)', text: 'Trusted Operation Already Imported' },
  /** Integritee maps the filter rejection through `errors::internal` [inference from substrate's rpc errors]. */
  UNSUPPORTED_OPERATION: { pool: 'InternalError', text: 'Unknown error occurred', data: 'UnsupportedOperation' },
  GETTER_NOT_AUTHORIZED: { pool: 'ServerError(1002)', text: 'GetterIsNotAuthorized' },
  NO_SHARD: { pool: 'InternalError', text: 'No shard available' },
  NO_SHARD_VAULT: { pool: 'InternalError', text: 'shard vault key has not been initialized' },
} as const;

export type RpcProtocolCode =
  | 'PARSE_ERROR' | 'INVALID_REQUEST' | 'METHOD_NOT_FOUND' | 'INVALID_PARAMS' | 'GETTER_DECODE' | 'LIMIT_EXCEEDED' | 'DECRYPT_QUEUE_FULL' | 'SERVER_BUSY';
export type RpcApplicationCode = keyof typeof APPLICATION_CODES;
export type RpcErrorCode = RpcProtocolCode | RpcApplicationCode;

/** Error raised by handlers and (with the same codes) by the backend. */
export class RpcServerError extends SealbridgeError<RpcErrorCode> {
  constructor(code: RpcErrorCode, message?: string, options?: { cause?: unknown }) {
    super(code, message ?? (code in APPLICATION_CODES ? APPLICATION_CODES[code as RpcApplicationCode].text : code), options);
  }
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** What becomes of a failed call: a JSON-RPC error or an application `result` string. */
export type RpcFailure = { error: JsonRpcErrorObject } | { result: string };

const SUBMIT_METHODS = new Set(['author_submitExtrinsic', 'author_submitAndWatchExtrinsic']);

const rustDebugString = (s: string): string => JSON.stringify(s);

function applicationMessage(code: RpcApplicationCode, message: string, method: string): string {
  const entry: { pool: string; text: string; data?: string } = APPLICATION_CODES[code];
  if (!SUBMIT_METHODS.has(method)) return message;
  const data = entry.data === undefined ? 'None' : `Some(String(${rustDebugString(entry.data)}))`;
  return `Error { code: ${entry.pool}, message: ${rustDebugString(entry.text)}, data: ${data} }`;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The one place where an error becomes wire output, for every method and every transport path. */
export function toRpcFailure(err: unknown, method: string, log: RpcLog): RpcFailure {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code !== undefined && code in PROTOCOL_CODES) {
    return { error: { code: (PROTOCOL_CODES as Record<string, number>)[code]!, message } };
  }
  if (code !== undefined && code in APPLICATION_CODES) {
    const appCode = code as RpcApplicationCode;
    const hex = rpcErrorHex(applicationMessage(appCode, message, method));
    // Quirk kept for wire compatibility (docs/integritee-protocol.md §2.4): Integritee hex-encodes the already-hex error a second time here.
    return { result: appCode === 'NO_SHARD_VAULT' ? u8aToHex(stringToU8a(hex)) : hex };
  }
  log({ level: 'error', component: 'rpc', msg: 'handler failed', method, error: message });
  return { error: { code: JSON_RPC_CODES.INTERNAL_ERROR, message: 'Internal error' } };
}
