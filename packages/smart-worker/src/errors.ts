// Local error class until chain-types exports SealbridgeError; the code set maps 1:1 to HTTP statuses.
export const SMART_WORKER_ERROR_STATUS = {
  /** Malformed creation request or options (user error). */
  ERR_INVALID_REQUEST: 400,
  /** The worker script could not be loaded by workerd (user error). */
  ERR_SCRIPT_FAILED: 400,
  /** Missing or wrong bearer token (user error). */
  ERR_UNAUTHORIZED: 401,
  /** Unknown worker id or route (user error). */
  ERR_NOT_FOUND: 404,
  /** Known route, unsupported HTTP method (user error). */
  ERR_METHOD_NOT_ALLOWED: 405,
  /** Request body above the configured limit (user error). */
  ERR_PAYLOAD_TOO_LARGE: 413,
  /** Invalid runtime options, e.g. a malformed fetchAllow entry (system error: the host wiring is wrong). */
  ERR_INVALID_OPTIONS: 500,
  /** The runtime was closed (system error). */
  ERR_CLOSED: 503,
  /** Host-side failure, e.g. storage or key provider (system error). */
  ERR_INTERNAL: 500,
} as const;

export type SmartWorkerErrorCode = keyof typeof SMART_WORKER_ERROR_STATUS;

export class SmartWorkerError extends Error {
  readonly status: number;

  constructor(
    readonly code: SmartWorkerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = `SmartWorkerError [${code}]`;
    this.status = SMART_WORKER_ERROR_STATUS[code];
  }
}
