export {
  connectWorker,
  DEFAULT_WORKER_URL,
  WorkerClient,
  type ConnectWorkerOptions,
  type TopStatusUpdate,
  type TrustedGetterInput,
  type VerifiedWorker,
  type WorkerAttestation,
  type WorkerSigner,
  type WorkerSyncStatus,
  type WorkerTlsMode,
} from './worker-client.js';
export {
  WORKER_CONNECTION_ERROR_CODES,
  WorkerApplicationError,
  WorkerConnectionError,
  WorkerRpcError,
  type WorkerConnectionErrorCode,
} from './errors.js';
