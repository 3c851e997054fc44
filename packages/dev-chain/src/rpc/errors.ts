import { ScaleDecodeError, ScaleEncodeError } from '@sealbridge/chain-types';

import { DevChainError } from '../errors.js';

/** JSON-RPC error codes: JSON-RPC 2.0 plus the Substrate author (pool) codes. */
export const RPC_CODES = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  BAD_FORMAT: 1001,
  POOL_INVALID_TX: 1010,
  POOL_UNKNOWN_VALIDITY: 1011,
  POOL_TEMPORARILY_BANNED: 1012,
  POOL_ALREADY_IMPORTED: 1013,
  POOL_TOO_LOW_PRIORITY: 1014,
  CLIENT_ERROR: 4003,
  /** sc-consensus-grandpa-rpc `ErrorCode::ProveFinality`. */
  GRANDPA_PROVE_FINALITY: 4,
} as const;

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: string;
}

/** Raised by handlers for JSON-RPC-level problems (bad params). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const invalidParams = (why: string) => new RpcError(RPC_CODES.INVALID_PARAMS, `Invalid params: ${why}`);

/** The one place where errors become JSON-RPC error objects. */
export function toRpcError(e: unknown, onInternal: (e: unknown) => void): RpcErrorObject {
  if (e instanceof RpcError) return { code: e.code, message: e.message };
  // Parameters that are not valid SCALE of their type.
  if (e instanceof ScaleDecodeError || e instanceof ScaleEncodeError) return { code: RPC_CODES.INVALID_PARAMS, message: `Invalid params: ${e.message}` };
  if (e instanceof DevChainError) {
    switch (e.code) {
      case 'INVALID_TRANSACTION':
        return { code: RPC_CODES.POOL_INVALID_TX, message: 'Invalid Transaction', data: e.data };
      case 'UNKNOWN_TRANSACTION':
        return { code: RPC_CODES.POOL_UNKNOWN_VALIDITY, message: 'Unknown Transaction Validity', data: e.data };
      case 'TEMPORARILY_BANNED':
        return { code: RPC_CODES.POOL_TEMPORARILY_BANNED, message: 'Transaction is temporarily banned' };
      case 'ALREADY_IMPORTED':
        return { code: RPC_CODES.POOL_ALREADY_IMPORTED, message: 'Transaction Already Imported' };
      case 'TOO_LOW_PRIORITY':
        return { code: RPC_CODES.POOL_TOO_LOW_PRIORITY, message: e.message, data: e.data };
      case 'BAD_FORMAT':
        return { code: RPC_CODES.BAD_FORMAT, message: e.message };
      case 'UNKNOWN_BLOCK':
        return { code: RPC_CODES.CLIENT_ERROR, message: e.message };
      case 'NOT_FINALIZED':
        return { code: RPC_CODES.GRANDPA_PROVE_FINALITY, message: `GRANDPA prove finality rpc failed: ${e.message}` };
      case 'INVALID_ARGUMENT':
        return { code: RPC_CODES.INVALID_PARAMS, message: `Invalid params: ${e.message}` };
      default:
        break;
    }
  }
  onInternal(e);
  return { code: RPC_CODES.INTERNAL, message: 'Internal error' };
}
