import { SealbridgeError } from '@sealbridge/chain-types';

/** Error codes of the CLI. User errors are printed as one line; system errors too, with a stack under --verbose. */
export const CliErrorCode = {
  /** A command-line argument or config value is malformed (amount, account, URL, option). */
  BAD_INPUT: 'ERR_BAD_INPUT',
  /** An account argument is neither a secret URI nor present in the keystore. */
  UNKNOWN_ACCOUNT: 'ERR_UNKNOWN_ACCOUNT',
  /** The parentchain node does not answer. */
  NODE_UNREACHABLE: 'ERR_NODE_UNREACHABLE',
  /** The worker does not answer. */
  WORKER_UNREACHABLE: 'ERR_WORKER_UNREACHABLE',
  /** The Smart Worker runner API does not answer. */
  RUNNER_UNREACHABLE: 'ERR_RUNNER_UNREACHABLE',
  /** The runner API refused the bearer token (401). */
  RUNNER_UNAUTHORIZED: 'ERR_RUNNER_UNAUTHORIZED',
  /** The runner knows no Smart Worker with that id (404). */
  UNKNOWN_SMART_WORKER: 'ERR_UNKNOWN_SMART_WORKER',
  /** The runner rejected a request (Escrin's error message, verbatim). */
  RUNNER_REJECTED: 'ERR_RUNNER_REJECTED',
  /** The worker's MRENCLAVE is not the expected one. */
  MRENCLAVE_MISMATCH: 'ERR_MRENCLAVE_MISMATCH',
  /** The sender cannot pay the amount plus fees. */
  INSUFFICIENT_FUNDS: 'ERR_INSUFFICIENT_FUNDS',
  /** An extrinsic was rejected or failed on the parentchain. */
  EXTRINSIC_FAILED: 'ERR_EXTRINSIC_FAILED',
  /** A trusted operation was rejected or ended in a failure status. */
  TRUSTED_CALL_FAILED: 'ERR_TRUSTED_CALL_FAILED',
  /** Waiting for a confirmation took longer than --timeout. */
  TIMEOUT: 'ERR_TIMEOUT',
  /** SIGINT/SIGTERM stopped the command before it finished (exit code 130/143). */
  INTERRUPTED: 'ERR_INTERRUPTED',
  /** No enclave registered on the parentchain serves the shard (shielding there would strand the funds). */
  SHARD_NOT_SERVED: 'ERR_SHARD_NOT_SERVED',
  /** A ws:// URL names a port that speaks TLS. */
  TLS_REQUIRED: 'ERR_TLS_REQUIRED',
  /** The worker's parentchain import is stuck before the block a command waits for (it says where and why). */
  WORKER_STALLED: 'ERR_WORKER_STALLED',
  /** Attestation evidence could not be verified. */
  ATTESTATION_FAILED: 'ERR_ATTESTATION_FAILED',
  /** The demo scenario did not produce the expected state. */
  ASSERTION_FAILED: 'ERR_ASSERTION_FAILED',
} as const;

export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

export class CliError extends SealbridgeError<CliErrorCode> {}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
