import { SealbridgeError } from '@sealbridge/chain-types';

// Codes are the stable part: they travel to RPC clients inside `OperationResult.error`.
export const STF_ERROR_CODES = [
  'MalformedOperation', // bytes are not exactly one SCALE TrustedOperation / Getter
  'UnsupportedOperation', // a getter submitted as a call
  'BadSignature', // signature does not verify over call ‖ nonce ‖ mrenclave ‖ shard
  'InvalidNonce', // nonce differs from the sender's STF nonce
  'MissingPrivileges', // balance_set_balance not signed by the sudo account
  'RequireEnclaveSignerAccount', // balance_shield / timestamp_set not from the enclave account
  'MissingFunds', // free balance below amount (+ fee)
  'Overflow', // a balance would exceed u128 / a nonce u32
  'ShardMismatch', // balance_unshield names another shard than the executing one
  'SmartWorkerFailed', // the dispatcher threw, timed out, returned garbage or was absent
  'GetterIsNotAuthorized', // trusted getter without a valid owner signature
  'InvalidEnvironment', // executor called with malformed env/ctx or key parts (programming error)
  'MalformedState', // a snapshot or stored value does not decode
  'InternalError', // an unexpected failure inside the STF (a bug); reported, never thrown out of the executor
] as const;
export type StfErrorCode = (typeof STF_ERROR_CODES)[number];

export class StfError extends SealbridgeError<StfErrorCode> {}
