import { SealbridgeError } from '@sealbridge/chain-types';

/** The worker answered with a JSON-RPC `error` object (protocol failure); `rpcCode` is its numeric code. */
export class WorkerRpcError extends SealbridgeError<'WORKER_RPC_ERROR'> {
  readonly rpcCode: number;
  readonly method: string;
  constructor(method: string, rpcCode: number, message: string) {
    super('WORKER_RPC_ERROR', `${method}: JSON-RPC error ${rpcCode}: ${message}`);
    this.rpcCode = rpcCode;
    this.method = method;
  }
}

/** The worker answered with an RpcReturnValue of status Error; `workerMessage` is its decoded SCALE String. */
export class WorkerApplicationError extends SealbridgeError<'WORKER_APPLICATION_ERROR'> {
  readonly workerMessage: string;
  readonly method: string;
  constructor(method: string, workerMessage: string) {
    super('WORKER_APPLICATION_ERROR', `${method}: ${workerMessage}`);
    this.workerMessage = workerMessage;
    this.method = method;
  }
}

export const WORKER_CONNECTION_ERROR_CODES = [
  'WORKER_UNREACHABLE', // TCP/TLS connection could not be opened (ECONNREFUSED, timeout, handshake failure)
  'WORKER_TLS_REQUIRED', // a ws:// URL names a port that speaks TLS (wss://)
  'WORKER_CERT_MISMATCH', // the presented certificate is not the pinned one
  'WORKER_CONNECTION_CLOSED', // the socket closed while requests were outstanding
  'WORKER_TIMEOUT', // no answer within the request timeout
  'WORKER_BAD_RESPONSE', // a frame or result that does not follow the protocol
] as const;
export type WorkerConnectionErrorCode = (typeof WORKER_CONNECTION_ERROR_CODES)[number];

export class WorkerConnectionError extends SealbridgeError<WorkerConnectionErrorCode> {}
