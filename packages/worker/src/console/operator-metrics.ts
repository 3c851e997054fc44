import fs from 'node:fs';

import type { ShardState } from '@sealbridge/stf';

import type { Metrics } from '../metrics.js';
import type { ShardRuntime } from '../shard-runtime.js';

/** The worker package's version, as released (package.json next to dist/). */
export const WORKER_VERSION: string = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Per block: an empty block executes in well under a millisecond, a full one of 1,000 calls in a few hundred. */
const STF_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface ShardSize {
  entries: number;
  /** Keys and values of the state in memory, unsealed. */
  bytes: number;
}

/** States are immutable: each one is measured once. */
const measured = new WeakMap<ShardState, ShardSize>();

export function shardSize(state: ShardState): ShardSize {
  let size = measured.get(state);
  if (!size) {
    let bytes = 0;
    for (const [key, value] of state.entries()) bytes += key.length + value.length;
    size = { entries: state.size, bytes };
    measured.set(state, size);
  }
  return size;
}

/**
 * Integritee's operator metrics that belong to the composition rather than one component: build info, the state
 * size of the shard, and the STF's execution time per block (defined here, observed by the importer around
 * `ShardRuntime.executeBlock`).
 */
export function instrumentShard(metrics: Metrics, shard: ShardRuntime, labels: { mrenclave: string; shard: string }): void {
  metrics.define('sealbridge_build_info', 'gauge', 'Always 1; the labels say which enclave (MRENCLAVE, base58) and worker version this is');
  metrics.set('sealbridge_build_info', 1, { mrenclave: labels.mrenclave, version: WORKER_VERSION });

  metrics.define('sealbridge_state_size_bytes', 'gauge', 'Bytes of keys and values of the shard state (unsealed, in memory), by shard (base58)');
  metrics.define('sealbridge_state_entries', 'gauge', 'Entries of the shard state, by shard (base58)');
  metrics.onCollect(() => {
    const size = shardSize(shard.state);
    metrics.set('sealbridge_state_size_bytes', size.bytes, { shard: labels.shard });
    metrics.set('sealbridge_state_entries', size.entries, { shard: labels.shard });
  });

  metrics.define('sealbridge_stf_block_execution_seconds', 'histogram', 'Time the STF took to execute one parentchain block (its decryption not included)', { buckets: STF_BUCKETS });
}
