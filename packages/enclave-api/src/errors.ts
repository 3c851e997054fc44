import { SealbridgeError } from '@sealbridge/chain-types';

/**
 * Every way an ECALL or OCALL can fail, with the status number its reply carries (0 is success). One list for both
 * directions, so a failure keeps its meaning across the boundary instead of collapsing into one "enclave error".
 */
export const BOUNDARY_ERRORS = {
  // The message itself
  UNKNOWN_CALL: 1, // no ECALL (or OCALL) has this id
  MALFORMED_MESSAGE: 2, // the frame is shorter than its header, or of an unknown kind
  MALFORMED_ARGUMENT: 3, // the argument does not decode as the call's argument type (truncated, trailing bytes, bad enum)
  MESSAGE_TOO_LARGE: 4, // over MAX_MESSAGE_BYTES: refused unread
  // The enclave's state
  NOT_INITIALIZED: 10, // any ECALL but `init` before `init` succeeded
  ALREADY_INITIALIZED: 11,
  ENCLAVE_CLOSED: 12, // after `shutdown`, or the process is gone
  BUSY: 13, // an ECALL that may not run concurrently with itself was called again
  // What the enclave refused to do
  SEALED_DATA_INVALID: 20, // sealed data does not unseal: another enclave, another platform, or tampered
  CHAIN_MISMATCH: 21, // a block that does not extend the last imported one, or data of another chain
  BLOCK_UNDECODABLE: 22, // a block or its events do not decode with the chain's metadata
  METADATA_UNSUPPORTED: 23, // the chain's metadata lacks what the enclave needs (pallets, signed extensions)
  INVALID_ARGUMENT: 24, // well-formed but not acceptable (a shard of the wrong length, a port out of range)
  // The other side of an OCALL
  HOST_FAILED: 30, // the host could not do what an OCALL asked (storage, parentchain); the enclave may retry
  // Neither side's fault, or not classified
  INTERNAL: 99,
} as const;

export type BoundaryErrorCode = keyof typeof BOUNDARY_ERRORS;

const BY_STATUS = new Map<number, BoundaryErrorCode>(Object.entries(BOUNDARY_ERRORS).map(([code, status]) => [status, code as BoundaryErrorCode]));

/** A failed ECALL or OCALL, as both sides see it. `details` carries a code's structured context (e.g. where a block failed). */
export class BoundaryError extends SealbridgeError<BoundaryErrorCode> {
  readonly details: Record<string, unknown> | undefined;

  constructor(code: BoundaryErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, options);
    this.details = options?.details;
  }

  get status(): number {
    return BOUNDARY_ERRORS[this.code];
  }

  static fromStatus(status: number, message: string, details?: Record<string, unknown>): BoundaryError {
    return new BoundaryError(BY_STATUS.get(status) ?? 'INTERNAL', message, { details });
  }
}
