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
}

export const DEFAULT_RPC_LIMITS: Readonly<RpcLimits> = Object.freeze({
  maxFrameBytes: 1024 * 1024,
  maxBatchItems: 16,
  maxInFlightPerConnection: 64,
  maxQueuedPerConnection: 1024,
  rateLimitPerSecond: 10_000,
  rateLimitBurst: 2_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  getterReplyCacheEntries: 4_096,
});

/** Default trusted RPC port of Integritee workers (`-P`, Appendix B). */
export const DEFAULT_RPC_PORT = 2000;
