import { SealbridgeError } from '@sealbridge/chain-types';

/**
 * Typed errors of the dev chain. `DevChainError` carries a stable `code`; the RPC layer maps codes to
 * JSON-RPC error objects in one place (`rpc/errors.ts`).
 */
export const DEV_CHAIN_ERROR_CODES = [
  'INVALID_ARGUMENT', // bad option or parameter passed by a caller
  'METADATA', // inconsistent pallet table (unknown type, duplicate index)
  'UNKNOWN_BLOCK', // a block hash or number that this chain does not know
  'INVALID_TRANSACTION', // pool rejected the extrinsic (node error 1010)
  'UNKNOWN_TRANSACTION', // validity cannot be determined (node error 1011)
  'TEMPORARILY_BANNED', // recently included extrinsic resubmitted (node error 1012)
  'ALREADY_IMPORTED', // the same extrinsic is already in the pool (node error 1013)
  'TOO_LOW_PRIORITY', // same sender+nonce already in the pool (node error 1014)
  'BAD_FORMAT', // extrinsic bytes do not decode (node error 1001)
  'DATABASE', // persisted chain is inconsistent with this configuration
  'NOT_FINALIZED', // a finality proof was asked for a block that is not finalized yet
  'STOPPED', // the chain was stopped
] as const;
export type DevChainErrorCode = (typeof DEV_CHAIN_ERROR_CODES)[number];

export class DevChainError extends SealbridgeError<DevChainErrorCode> {
  /** Extra machine-readable detail, e.g. the node's `data` string for pool errors. */
  readonly data?: string;

  constructor(code: DevChainErrorCode, message: string, options: { data?: string; cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.data = options.data;
  }
}
