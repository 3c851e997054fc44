import { parentPort } from 'node:worker_threads';

import { cryptoWaitReady } from '@polkadot/util-crypto';

import type { VerifyJob } from './verifier.js';

import { verifySignature } from './extrinsic.js';

// Messages queue up in the port until the wasm crypto is ready.
await cryptoWaitReady();
parentPort!.on('message', ({ id, jobs }: { id: number; jobs: VerifyJob[] }) => {
  const results = jobs.map((j) => verifySignature(j, j.payload));
  parentPort!.postMessage({ id, results });
});
