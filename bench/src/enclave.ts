// Simulated-enclave benchmark: shielded (RSA-3072 OAEP) decryptions/s through the worker-thread pool with 1 and 2
// threads, against `openssl speed rsa3072` private ops/s measured in the same run (both per second of user CPU time,
// as `openssl speed` counts; wall-clock rates and the load average are recorded beside them); seal/unseal throughput.
// The enclave's key holder (TrustedEnclave: its decryption pool and sealing) runs in this process, created as the
// enclave process creates it, so the numbers are of that code alone, without the ECALL channel.
// Run: npx tsc -b bench && node bench/dist/enclave.js  → bench/results/enclave.json
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { shieldEncrypt, shieldingKeyFromJson } from '@sealbridge/chain-types';
import { openTestEnclave, type TrustedEnclave } from '@sealbridge/enclave-sim/testing';
import { opensslRsa3072, writeResult } from './results.js';

const RUN_SECONDS = 3;
const BATCH_SIZE = 256;
/** A typical trusted-call TOP fits one RSA block (≤ 318 bytes). */
const PLAINTEXT_BYTES = 200;
const THREAD_COUNTS = [1, 2];
const TARGET_FRACTION = 0.85;
const SEAL_SIZES = [1024, 1024 * 1024];
const SEAL_SECONDS = 1;

/** RSA-3072 private (sign) ops/s of `openssl speed`, summed over `processes` parallel processes. */
/** Wall-clock decryptions/s, and decryptions per second of process user CPU time (main thread + pool threads). */
async function decryptRate(enclave: TrustedEnclave, batch: Uint8Array[]): Promise<{ wall: number; perCpuSecond: number }> {
  await enclave.decryptShieldedBatch(batch); // warm-up: JIT, thread start-up
  let done = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < RUN_SECONDS * 1000) {
    const results = await enclave.decryptShieldedBatch(batch);
    if (!results.every((r) => r.ok)) throw new Error('a benchmark ciphertext failed to decrypt');
    done += results.length;
  }
  const cpuSeconds = process.cpuUsage(cpuStart).user / 1e6;
  return { wall: done / ((performance.now() - start) / 1000), perCpuSecond: done / cpuSeconds };
}

function sealRates(enclave: TrustedEnclave, size: number): { bytes: number; sealPerSec: number; unsealPerSec: number; sealMiBPerSec: number; unsealMiBPerSec: number } {
  const plaintext = new Uint8Array(randomBytes(size));
  const time = (op: () => void): number => {
    op();
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < SEAL_SECONDS * 1000) {
      op();
      n++;
    }
    return n / ((performance.now() - start) / 1000);
  };
  const sealed = enclave.seal('bench', plaintext);
  const sealPerSec = time(() => enclave.seal('bench', plaintext));
  const unsealPerSec = time(() => enclave.unseal('bench', sealed));
  const mib = size / (1024 * 1024);
  return { bytes: size, sealPerSec, unsealPerSec, sealMiBPerSec: sealPerSec * mib, unsealMiBPerSec: unsealPerSec * mib };
}

const round = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-enclave-'));
  const open = (threads: number): Promise<TrustedEnclave> =>
    openTestEnclave({ dataDir: path.join(tmp, 'data'), platformSecretPath: path.join(tmp, 'platform-secret'), decryptThreads: threads });
  try {
    const opensslSingle = opensslRsa3072(RUN_SECONDS);
    const pool: Array<Record<string, unknown>> = [];
    let seal: ReturnType<typeof sealRates>[] = [];
    for (const threads of THREAD_COUNTS) {
      // Measured right before the pool run, so both see the same machine load.
      const opensslParallel = threads === 1 ? opensslSingle : opensslRsa3072(RUN_SECONDS, threads);
      const enclave = await open(threads);
      try {
        const key = shieldingKeyFromJson(enclave.shieldingPublicKeyJson());
        const batch = Array.from({ length: BATCH_SIZE }, () => shieldEncrypt(key, randomBytes(PLAINTEXT_BYTES)));
        const loadBefore = os.loadavg()[0];
        const rate = await decryptRate(enclave, batch);
        // `openssl speed` divides by user CPU time (no -elapsed), so the like-for-like pool figure is decryptions per
        // CPU-second × threads: the rate with every pool thread on its own core. Wall-clock is reported beside it.
        const perSec = rate.perCpuSecond * threads;
        const target = TARGET_FRACTION * opensslSingle * threads;
        pool.push({
          threads,
          batchSize: BATCH_SIZE,
          decryptionsPerSec: round(perSec),
          targetPerSec: round(target),
          meetsTarget: perSec >= target,
          ratioToOpensslTimesThreads: round((perSec / (opensslSingle * threads)) * 100) / 100,
          wallClockDecryptionsPerSec: round(rate.wall),
          opensslMultiPerSec: opensslParallel,
          loadAverage1m: round(loadBefore ?? 0),
        });
        if (threads === THREAD_COUNTS[0]) seal = SEAL_SIZES.map((size) => sealRates(enclave, size));
      } finally {
        await enclave.close();
      }
    }
    const result = {
      benchmark: 'enclave',
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model,
      enclave: 'TrustedEnclave (the enclave process\'s key holder, unbundled) in the benchmark process',
      openssl: { version: spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim(), rsa3072PrivateOpsPerSec: opensslSingle, seconds: RUN_SECONDS },
      shieldedDecryption: {
        plaintextBytes: PLAINTEXT_BYTES,
        runSeconds: RUN_SECONDS,
        targetFraction: TARGET_FRACTION,
        note:
          'decryptionsPerSec = decryptions per user-CPU-second of the whole process (main + pool threads) × threads, like-for-like with openssl speed (user CPU time); wallClockDecryptionsPerSec is real throughput at the recorded load; opensslMultiPerSec is `openssl speed -multi N` as printed, run just before',
        pool,
      },
      sealing: seal.map((s) => ({ ...s, sealPerSec: round(s.sealPerSec), unsealPerSec: round(s.unsealPerSec), sealMiBPerSec: round(s.sealMiBPerSec), unsealMiBPerSec: round(s.unsealMiBPerSec) })),
    };
    writeResult('enclave', result);
    console.log(`openssl rsa3072 private ops/s (1 process): ${opensslSingle}`);
    for (const p of pool) {
      console.log(`pool ${p.threads} thread(s): ${p.decryptionsPerSec} decryptions/s per CPU-time (target ≥ ${p.targetPerSec}) ${p.meetsTarget ? 'OK' : 'BELOW TARGET'}; wall-clock ${p.wallClockDecryptionsPerSec}/s; openssl ×${p.threads} same moment ${p.opensslMultiPerSec}/s; load ${p.loadAverage1m}`);
    }
    for (const s of result.sealing) {
      console.log(`seal ${s.bytes} B: ${s.sealPerSec}/s (${s.sealMiBPerSec} MiB/s), unseal ${s.unsealPerSec}/s (${s.unsealMiBPerSec} MiB/s)`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
