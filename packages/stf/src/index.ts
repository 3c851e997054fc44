export { OUTCOME_RETENTION_BLOCKS, STF_TX_FEE, STF_UNSHIELD_FEE, SHIELD_PUBLISH_DATA } from './constants.js';
export { StfError, STF_ERROR_CODES } from './errors.js';
export type { StfErrorCode } from './errors.js';
export { decodeGetter, decodeOperation, encodeCall, encodeCallOperation } from './codec.js';
export type { Call, DecodedGetter, DecodedOperation, ParentchainId, Query, SignedCall } from './codec.js';
export {
  ShardState,
  StateTransaction,
  STORAGE_PREFIX,
  accountKey,
  decodeAccount,
  encodeAccount,
  operationOutcomeKey,
  smartWorkerResultKey,
  timestampKey,
} from './state.js';
export type { AccountData, StateChange } from './state.js';
export { executeTrustedOperations, senderOf, trustedCallHash } from './execute.js';
export type { ExecutionEnv, ExecutionOutcome, OperationError, OperationInput, OperationResult, ParentchainCall, PreverifiedOperation } from './execute.js';
export { executeGetter, PUBLIC_SOME_VALUE } from './getters.js';
export type { GetterOptions } from './getters.js';
export { decodeOperationOutcome, encodeOperationOutcome } from './outcomes.js';
export type { OperationOutcome } from './outcomes.js';
export { enclaveSignedCall } from './signing.js';
export type { SignFn } from './signing.js';
export { decodeSmartWorkerResult, encodeSmartWorkerResult } from './smart-worker.js';
export type { BlockContext, SmartWorkerDispatcher, SmartWorkerInvocation, SmartWorkerOutcome } from './smart-worker.js';
