import fs from 'node:fs';

import type { Metrics } from '../metrics.js';

/** The worker package's version, as released (package.json next to dist/). */
export const WORKER_VERSION: string = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Per block: an empty block executes in well under a millisecond, a full one of 1,000 calls in a few hundred. */
const STF_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Integritee's operator metrics that belong to the composition rather than one component: build info and the STF's
 * execution time per block (observed by the importer from the enclave's answer). The shard's size is sent by the
 * enclave, which alone can see the state.
 */
export function defineOperatorMetrics(metrics: Metrics, mrenclave: string): void {
  metrics.define('sealbridge_build_info', 'gauge', 'Always 1; the labels say which enclave (MRENCLAVE, base58) and worker version this is');
  metrics.set('sealbridge_build_info', 1, { mrenclave, version: WORKER_VERSION });
  metrics.define('sealbridge_stf_block_execution_seconds', 'histogram', 'Time the STF took to execute one parentchain block (its decryption not included)', { buckets: STF_BUCKETS });
}
