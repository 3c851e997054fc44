export { createSmartWorkerRuntime, SmartWorkerRuntime } from './runtime.js';
export type { CreateOptions } from './runtime.js';
export type { ListenOptions, RunnerServer } from './http-api.js';
export type { RawWorkerRequest } from './create-request.js';
export { SmartWorkerError, SMART_WORKER_ERROR_STATUS } from './errors.js';
export type { SmartWorkerErrorCode } from './errors.js';
export { workerIdentity } from './identity.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export type { Logger } from './logger.js';
export type {
  OmniKeyProvider,
  SealedKv,
  SmartWorkerLimits,
  SmartWorkerRuntimeOptions,
  ScriptType,
  WorkerSpec,
  WorkerInfo,
  WorkerStatus,
  RunSummary,
  LogLine,
  InvocationBlockContext,
  InvocationRequest,
  InvocationResult,
} from './types.js';
// The invocation wire contract, re-exported so hosts and tools need only this package.
export { INVOKE_URL, INVOKE_HEADERS } from '@sealbridge/smart-worker-sdk';
