// Smart Worker runtime benchmark: cold start (create → first response) and per-invocation overhead of
// runtime.invoke, each compared in the same run with a bare miniflare running the same bundled script.
// Run: npx tsc -b bench && node bench/dist/smart-worker.js  → bench/results/smart-worker.json
import { createHash } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { createSmartWorkerRuntime, INVOKE_HEADERS, INVOKE_URL, type SealedKv } from '@sealbridge/smart-worker';

import { BENCH_DIR, writeResult } from './results.js';

const COLD_RUNS = 7;
const WARMUP_CALLS = 100;
const CALLS_PER_ROUND = 500;
const ROUNDS = 4;

const WORKER = `
import { smartWorker } from '@sealbridge/smart-worker-sdk';
export default smartWorker({
  async invoke(request) {
    const input = new Uint8Array(await request.arrayBuffer());
    return input.reverse();
  },
});
`;

const memoryKv = (): SealedKv => {
  const data = new Map<string, Uint8Array>();
  return {
    get: async (k) => data.get(k),
    put: async (k, v) => void data.set(k, v),
    del: async (k) => void data.delete(k),
    list: async (p) => [...data.keys()].filter((k) => k.startsWith(p)),
  };
};
const keys = { getOmniKey: (store: string, id: Uint8Array) => createHash('sha256').update(store).update(id).digest() };
const input = new TextEncoder().encode('x'.repeat(256));
const ctx = { blockNumber: 1n, blockHash: new Uint8Array(32).fill(3), timestamp: 1_700_000_000_000 };
const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');
// The bare baseline sends the same headers so both sides run identical worker code.
const bareHeaders = {
  'content-type': 'application/octet-stream',
  [INVOKE_HEADERS.sender]: hex(new Uint8Array(32)),
  [INVOKE_HEADERS.blockNumber]: '1',
  [INVOKE_HEADERS.blockHash]: hex(ctx.blockHash),
  [INVOKE_HEADERS.timestamp]: String(ctx.timestamp),
  [INVOKE_HEADERS.seed]: hex(new Uint8Array(32)),
};

const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { n: samples.length, mean: round(mean), p50: round(at(0.5)), p95: round(at(0.95)), min: round(sorted[0]!) };
};
const round = (x: number) => Math.round(x * 1000) / 1000;

async function main() {
  const code = (
    await build({
      stdin: { contents: WORKER, resolveDir: path.join(BENCH_DIR, '../packages/smart-worker'), loader: 'js' },
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
    })
  ).outputFiles[0]!.text;

  const runtime = await createSmartWorkerRuntime({ keys, storage: memoryKv() });
  const bareInstances: Miniflare[] = [];
  const newBare = async () => {
    const mf = new Miniflare({ modules: [{ type: 'ESModule', path: 'worker.mjs', contents: code }], compatibilityDate: '2023-02-28' });
    bareInstances.push(mf);
    return mf;
  };
  const bareCall = async (mf: Miniflare) => {
    const res = await mf.dispatchFetch(INVOKE_URL, { method: 'POST', headers: bareHeaders, body: input });
    if (!res.ok) throw new Error(`bare call failed: ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const runtimeCall = async (id: string) => {
    const res = await runtime.invoke(id, { input, sender: new Uint8Array(32), ctx });
    if (!res.ok) throw new Error(`invoke failed: ${res.error}`);
    return res.output;
  };

  try {
    // Cold start, alternating the two sides.
    const coldRuntime: number[] = [];
    const coldBare: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      let t = performance.now();
      const { id } = await runtime.create({ code, type: 'module', name: `bench-${i}` }, { runTasksNow: false });
      await runtimeCall(id);
      coldRuntime.push(performance.now() - t);
      ids.push(id);
      t = performance.now();
      await bareCall(await newBare());
      coldBare.push(performance.now() - t);
    }
    // Keep one of each warm; drop the rest so the per-call rounds are not disturbed.
    for (const id of ids.slice(1)) await runtime.remove(id);
    for (const mf of bareInstances.splice(1)) await mf.dispose();
    const id = ids[0]!;
    const bare = bareInstances[0]!;

    for (let i = 0; i < WARMUP_CALLS; i++) {
      await runtimeCall(id);
      await bareCall(bare);
    }
    const perRuntime: number[] = [];
    const perBare: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [samples, fn] of [
        [perBare, () => bareCall(bare)],
        [perRuntime, () => runtimeCall(id)],
      ] as const) {
        for (let i = 0; i < CALLS_PER_ROUND; i++) {
          const t = performance.now();
          await fn();
          samples.push(performance.now() - t);
        }
      }
    }

    const cold = { runtime: stats(coldRuntime), bare: stats(coldBare) };
    const invoke = { runtime: stats(perRuntime), bare: stats(perBare) };
    const overhead = round(invoke.runtime.mean / invoke.bare.mean);
    const result = {
      name: 'smart-worker',
      date: new Date().toISOString(),
      node: process.version,
      miniflare: '4.20260426.0',
      inputBytes: input.length,
      // Absolute times depend heavily on machine load (2 shared cores here); the ratios to bare are the signal.
      host: { cpus: cpus().length, loadavg1m: round(loadavg()[0]!) },
      coldStartMs: cold,
      invokeMs: invoke,
      overheadRatio: overhead,
      coldStartRatioP50: round(cold.runtime.p50 / cold.bare.p50),
      targets: { coldStartP50Ms: 250, overheadRatio: 1.2 },
      met: { coldStart: cold.runtime.p50 <= 250, overhead: overhead <= 1.2 },
      notes:
        'cold = runtime.create (validate, identity hash, persist, new Miniflare) + first runtime.invoke, vs new Miniflare + first dispatchFetch; ' +
        'invoke = sequential runtime.invoke (seed hash, headers, timeout signal, dispatchFetch) vs bare dispatchFetch of the same bundle and headers.',
    };
    writeResult('smart-worker', result);
    console.log(
      `smart-worker: cold start p50 ${cold.runtime.p50} ms (bare ${cold.bare.p50} ms, load ${result.host.loadavg1m}); ` +
        `invoke mean ${invoke.runtime.mean} ms vs bare ${invoke.bare.mean} ms → overhead ×${overhead}`,
    );
  } finally {
    await runtime.close();
    await Promise.all(bareInstances.map((mf) => mf.dispose()));
  }
}

await main();
