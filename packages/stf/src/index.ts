export { STF_TX_FEE, STF_UNSHIELD_FEE, SHIELD_PUBLISH_DATA } from './constants.js';
export { StfError, STF_ERROR_CODES } from './errors.js';
export type { StfErrorCode } from './errors.js';
export {
  cryptoReady,
  decodeGetter,
  decodeOperation,
  encodeCallOperation,
  encodeTrustedCall,
  encodeTrustedCallSigned,
  encodeTrustedGetter,
  encodeTrustedGetterSigned,
  trustedCallSigningPayload,
  verifyMultiSignature,
} from './codec.js';
export type { Getter, MultiSignature, Operation, ParentchainId, SignatureScheme, SignedCall, TrustedCall, TrustedGetter } from './codec.js';
export {
  ShardState,
  StateTransaction,
  STORAGE_PREFIX,
  accountKey,
  decodeAccount,
  encodeAccount,
  envNamesKey,
  smartWorkerResultKey,
  timestampKey,
} from './state.js';
export type { AccountData, StateChange } from './state.js';
export { executeTrustedOperations } from './execute.js';
export type { ExecutionEnv, ExecutionOutcome, OperationError, OperationInput, OperationResult, ParentchainCall } from './execute.js';
export { executeGetter, PUBLIC_SOME_VALUE } from './getters.js';
export type { GetterOptions } from './getters.js';
export { enclaveSignedCall, signTrustedCall } from './signing.js';
export type { SignFn } from './signing.js';
export { decodeSmartWorkerResult, encodeSmartWorkerResult } from './smart-worker.js';
export type { BlockContext, SmartWorkerDispatcher, SmartWorkerInvocation, SmartWorkerOutcome } from './smart-worker.js';
