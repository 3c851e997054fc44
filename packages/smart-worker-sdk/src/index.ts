export { smartWorker, readInvocation, ApiError, decodeEscrinRequest } from './smart-worker.js';
export type {
  JsonRequestLike,
  ExecutionContext,
  ScheduledEvent,
  SmartWorkerEnv,
  SmartWorkerRunner,
  InvocationContext,
  SmartWorkerCallbacks,
  SmartWorkerHandler,
} from './smart-worker.js';
export { INVOKE_URL, INVOKE_HEADERS, ESCRIN_RPC_URL, KEY_STORES } from './protocol.js';
export type { KmNetwork } from './protocol.js';
