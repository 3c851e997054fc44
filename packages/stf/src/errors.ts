// Typed errors of the STF. Codes are the stable part: they travel to RPC clients inside `OperationResult.error`.
export const STF_ERROR_CODES = [
  'MalformedOperation', // bytes are not exactly one SCALE TrustedOperation / Getter
  'UnsupportedOperation', // a getter submitted as a call, or an unknown call variant
  'BadSignature', // signature does not verify over call ‖ nonce ‖ mrenclave ‖ shard
  'InvalidNonce', // nonce differs from the sender's STF nonce
  'MissingPrivileges', // balance_set_balance not signed by the sudo account
  'RequireEnclaveSignerAccount', // balance_shield / timestamp_set not from the enclave account
  'MissingFunds', // free balance below amount (+ fee)
  'Overflow', // a balance would exceed u128
  'ShardMismatch', // balance_unshield names another shard than the executing one
  'SmartWorkerFailed', // the dispatcher threw, timed out or was absent
  'GetterIsNotAuthorized', // trusted getter without a valid owner signature
  'InvalidEnvironment', // executor called with malformed env/ctx (programming error)
  'MalformedState', // a snapshot or stored value does not decode
] as const;
export type StfErrorCode = (typeof STF_ERROR_CODES)[number];

export class StfError extends Error {
  readonly code: StfErrorCode;
  constructor(code: StfErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = `StfError [${code}]`;
  }
}
