import os from 'node:os';

/** Per-connection and per-server limits of the trusted RPC server. All are overridable through `limits`. */
export interface RpcLimits {
  /** Largest accepted WebSocket frame; larger frames close the connection with 1009 (ws `maxPayload`). */
  maxFrameBytes: number;
  /** Most JSON-RPC entries in one batch; larger or empty batches get -32600. */
  maxBatchItems: number;
  /** Requests (a batch counts once) being handled at the same time on one connection; beyond it -32005. */
  maxInFlightPerConnection: number;
  /** Responses waiting behind a slow earlier one; beyond it the connection is closed (1008): the client ignores -32005. */
  maxQueuedPerConnection: number;
  /** Token bucket: sustained requests per second per connection … */
  rateLimitPerSecond: number;
  /** … and burst size. */
  rateLimitBurst: number;
  /** Getter answers kept per server for repeated requests against unchanged state (0: none). */
  getterReplyCacheEntries: number;
  /** A connection whose unsent output exceeds this is a slow reader and is terminated so it cannot hold memory. */
  maxBufferedBytes: number;
  /** Open WebSocket connections; further upgrades are refused with HTTP 503. */
  maxConnections: number;
  /** Shielded requests of one connection waiting for or in decryption; beyond it -32005. */
  maxDecryptsPerConnection: number;
  /** Shielded requests waiting for decryption across all connections (served round-robin); beyond it -32002. */
  maxDecryptsWaiting: number;
  /** Decryptions handed to the enclave at once; the rest wait in the fair queue, where their order is still ours. */
  maxDecryptsRunning: number;
}

export const DEFAULT_RPC_LIMITS: Readonly<RpcLimits> = Object.freeze({
  // Every byte of a frame costs the main thread (unmasking, UTF-8, JSON) before any check can refuse it: the limit
  // is the largest request that can be valid — a full batch of submissions at MAX_SHIELDED_BYTES, about 200 KB.
  maxFrameBytes: 256 * 1024,
  maxBatchItems: 16,
  maxInFlightPerConnection: 64,
  maxQueuedPerConnection: 1024,
  rateLimitPerSecond: 10_000,
  rateLimitBurst: 2_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  getterReplyCacheEntries: 4_096,
  // Well above the 10,000 idle connections the server is measured to hold (29 KB each).
  maxConnections: 16_384,
  // A full batch of submissions (maxBatchItems) fits; a flood from one connection does not.
  maxDecryptsPerConnection: 16,
  // About 0.6 s of RSA work on two threads: a request starts within that or is refused, never queued for minutes.
  maxDecryptsWaiting: 512,
  // One running and one ready per decryption thread (the enclave's pool defaults to one per core).
  maxDecryptsRunning: 2 * os.availableParallelism(),
});

/** Default trusted RPC port of Integritee workers (`-P`, docs/integritee-protocol.md Appendix B). */
export const DEFAULT_RPC_PORT = 2000;
