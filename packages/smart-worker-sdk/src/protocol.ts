// The wire contract between the Sealbridge Smart Worker runtime (host) and worker code (workerd isolate).
// Shared by the host (`@sealbridge/smart-worker`) and the author helper, so it compiles without DOM or Node types.

/** Fixed URL the host POSTs chain invocations to. `.invalid` can never resolve, so it cannot collide with real traffic. */
export const INVOKE_URL = 'https://smart-worker.invalid/invoke';

/** Request headers carrying the deterministic invocation context (all lower-case). */
export const INVOKE_HEADERS = {
  /** Hex (0x-prefixed) of the account that sent the invoking trusted call. */
  sender: 'x-sealbridge-sender',
  /** Decimal block number. */
  blockNumber: 'x-sealbridge-block-number',
  /** Hex (0x-prefixed) block hash. */
  blockHash: 'x-sealbridge-block-hash',
  /** Decimal block timestamp in milliseconds; use it instead of `Date.now()` for committed results. */
  timestamp: 'x-sealbridge-timestamp',
  /** Hex (0x-prefixed) 32-byte seed, secret to this worker and identical on every instance for the same block. */
  seed: 'x-sealbridge-seed',
} as const;

/** URL Escrin workers POST `{method, params}` to on their `escrin` service binding. */
export const ESCRIN_RPC_URL = 'http://escrin';

/** Key stores the Escrin runner accepts (`KmNetwork` in `@escrin/worker`). */
export const KEY_STORES = ['sapphire-mainnet', 'sapphire-testnet'] as const;
export type KmNetwork = (typeof KEY_STORES)[number];
