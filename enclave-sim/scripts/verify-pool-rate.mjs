// Throughput and latency of SignatureVerifyPool (a measurement, not a test): prints one JSON report.
//
//   npx tsc -b enclave-sim && node enclave-sim/scripts/verify-pool-rate.mjs [--count 20000] [--burst 64]
//       [--main-work-us N] [--repeat 1] [--only raw,sync,saturated,main-work,paced,batch-max,batches-per-thread]
//
// `count` distinct sr25519 signatures of getter-sized messages (each by a fresh key, so every one also pays its key's
// ristretto check), made before anything is timed, are verified:
//   raw          by 1 and 2 plain threads calling chain-types' verifySignatureBytes in a loop (no messages): the
//                ceiling, "two sr25519 verification threads";
//   sync         inline on the main thread after `main-work-us` of other work each: today's synchronous server;
//   saturated    through the pool (1 and 2 threads), fed from the main thread in bursts of `burst` every turn; when
//                the pool's queue has no room for a burst the feeder sleeps 1 ms (a server shedding load does not
//                spin);
//   main-work    the same, but each request first costs the main thread `main-work-us` µs of CPU (parse, decode,
//                reply: a calibrated SHA-256, so it takes longer when the main thread must share a core). Default
//                0.24 of one verification as measured by raw: today's server does 3,149 getters/s against 3,900
//                verifications/s, so 61 of its 317 µs per getter are not the verification. Here a third busy thread
//                competes for the two cores;
//   paced        bursts of `burst` on a timer at 50 % and 80 % of the saturated 2-thread rate (50 % also with
//                batchMax 16), and with main work at 50 % of the main-work 2-thread rate on 1 and 2 threads: latency
//                without a standing queue; and a trickle of 4 requests every millisecond (4,000/s, not bursty);
//   batch-max, batches-per-thread   the saturated 2-thread run with other batch parameters.
// Latency is from the verify() call to the answer (the main thread's view), so under saturation it is queueing time.
// The host is shared: each result has othersCores (other processes' CPU, from /proc/stat) and stolenCores (hypervisor
// steal) over its own run, and quiet = their sum ≤ 0.1 core; only quiet results are comparable.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import { blake2AsU8a, sr25519PairFromSeed, sr25519Sign } from '@polkadot/util-crypto';
import { cryptoReady, verifySignatureBytes } from '@sealbridge/chain-types';

import { SignatureVerifyPool, VERIFY_MAX_WAITING } from '../dist/trusted/verify-pool.js';

/** 1/3,149 − 1/3,900 s (61 µs) over 1/3,900 s (256 µs): today's server spends 0.24 of a verification on the rest of a getter. */
const MAIN_WORK_PER_VERIFY = 0.24;

/**
 * `us` µs of main-thread CPU (on an idle core): SHA-256 over a calibrated number of bytes — a fixed amount of native
 * computation, so it takes longer when the thread must share its core (a busy wait on the clock would not), and
 * steadier than a JavaScript loop, whose speed here changed 4× with V8's tiering.
 */
function mainWork(us) {
  createHash('sha256').update(workBytes.subarray(0, Math.min(workBytes.length, Math.round(us * bytesPerUs)))).digest();
}
const workBytes = new Uint8Array(1 << 20);
let bytesPerUs = 1;

/** Bytes per µs of mainWork: the best of 5 timings of 1 MiB, after warm-up. */
function calibrateMainWork() {
  let best = 0;
  for (let round = 0; round < 6; round++) {
    bytesPerUs = 1;
    const t = performance.now();
    for (let i = 0; i < 4; i++) mainWork(workBytes.length);
    if (round > 0) best = Math.max(best, (4 * workBytes.length) / ((performance.now() - t) * 1000));
  }
  bytesPerUs = best;
}

/** The raw threads' items: u32 message length, then count × (publicKey 32 ‖ signature 64 ‖ message), all messages of one length. */
function pack(items) {
  const messageBytes = items[0].message.length;
  const stride = 32 + 64 + messageBytes;
  const bytes = new Uint8Array(4 + items.length * stride);
  new DataView(bytes.buffer).setUint32(0, messageBytes, true);
  items.forEach(({ publicKey, signature, message }, i) => {
    bytes.set(publicKey, 4 + i * stride);
    bytes.set(signature, 4 + i * stride + 32);
    bytes.set(message, 4 + i * stride + 96);
  });
  return bytes.buffer;
}

function unpack(buffer) {
  const bytes = new Uint8Array(buffer);
  const messageBytes = new DataView(buffer).getUint32(0, true);
  const stride = 32 + 64 + messageBytes;
  const items = [];
  for (let at = 4; at < bytes.length; at += stride) {
    items.push({ publicKey: bytes.subarray(at, at + 32), signature: bytes.subarray(at + 32, at + 96), message: bytes.subarray(at + 96, at + stride) });
  }
  return items;
}

if (!isMainThread && workerData?.role === 'raw') {
  // A plain verification thread: verify its share in a loop when told to go, report the time.
  const items = unpack(workerData.items);
  await cryptoReady();
  // Warm-up, as the pool gets: JIT and the WASM tiers, on other keys than the timed ones.
  for (const { publicKey, signature, message } of unpack(workerData.warmUp)) verifySignatureBytes(message, 'Sr25519', signature, publicKey);
  parentPort.once('message', () => {
    const start = performance.now();
    let valid = 0;
    for (const { publicKey, signature, message } of items) if (verifySignatureBytes(message, 'Sr25519', signature, publicKey)) valid++;
    parentPort.postMessage({ valid, ms: performance.now() - start });
  });
  parentPort.postMessage('ready');
} else if (isMainThread) {
  await main();
}

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : process.argv[at + 1];
}

async function main() {
  const count = Number(option('count', 20_000));
  const burst = Number(option('burst', 64));
  const repeat = Number(option('repeat', 1));
  const only = new Set(option('only', 'raw,sync,saturated,main-work,paced,batch-max,batches-per-thread').split(','));

  await cryptoReady();

  calibrateMainWork();
  const made = performance.now();
  const sign = (i, salt) => {
    const pair = sr25519PairFromSeed(blake2AsU8a(new TextEncoder().encode(`${salt} signer ${i}`), 256));
    // Getter-sized (SCALE of TrustedGetter::free_balance(AccountId) is 33 bytes), distinct per request.
    const message = new Uint8Array([0, ...blake2AsU8a(new TextEncoder().encode(`${salt} getter ${i}`), 256)]);
    return { scheme: 'sr25519', publicKey: pair.publicKey, message, signature: sr25519Sign(message, pair) };
  };
  const items = Array.from({ length: count }, (_, i) => sign(i, 'bench'));
  const warmUp = Array.from({ length: 512 }, (_, i) => sign(i, 'warm-up'));
  const signingMs = performance.now() - made;

  const report = {
    host: { cpus: os.availableParallelism(), model: os.cpus()[0]?.model, loadAverage1mAtStart: os.loadavg()[0], node: process.version },
    signatures: count,
    burst,
    signingSeconds: round(signingMs / 1000, 1),
    mainWorkSha256BytesPerUs: round(bytesPerUs),
  };

  // With --repeat, every scenario runs that many times (the whole sequence over again) and its entry is an array.
  const record = (section, name, result) => {
    const entry = { ...result, quiet: result.othersCores + result.stolenCores <= 0.1 };
    report[section] ??= {};
    if (repeat === 1) report[section][name] = entry;
    else (report[section][name] ??= []).push(entry);
    process.stderr.write(`${section} ${name}: ${JSON.stringify(entry)}\n`);
  };
  /** The best rate of a scenario so far, from its undisturbed runs if it has any. */
  const bestRate = (section, name, fallback) => {
    const runs = [report[section]?.[name] ?? []].flat();
    const quiet = runs.filter((r) => r.quiet);
    return Math.max(...(quiet.length ? quiet : runs).map((r) => r.perSecond), 0) || fallback;
  };

  const pool = async (name, threads, options, feed) => {
    const p = await SignatureVerifyPool.start(threads, options);
    try {
      const warm = await Promise.all(warmUp.map((item) => p.verify(item)));
      if (!warm.every(Boolean)) throw new Error('a warm-up signature did not verify');
      const before = p.stats();
      const result = await feed(p);
      const after = p.stats();
      const batches = after.batches - before.batches;
      record('pool', name, { threads, ...options, ...result, batches, meanBatch: round((after.verified - before.verified) / batches, 1) });
    } finally {
      await p.close();
    }
  };
  const saturate = (work) => (p) => feedBursts(p, items, burst, { work });

  let mainWorkUs;
  for (let run = 0; run < repeat; run++) {
    if (only.has('raw')) {
      for (const threads of [1, 2]) record('raw', `threads${threads}`, await rawRate(items, warmUp, threads));
    }
    // The synchronous server's other work per getter, in proportion to a verification on this host (see the top).
    mainWorkUs ??= Number(option('main-work-us', round(MAIN_WORK_PER_VERIFY * (1e6 / bestRate('raw', 'threads1', 3900)))));
    report.mainWorkUs = mainWorkUs;
    if (only.has('sync')) record('sync', 'threads0', syncRate(items, warmUp, mainWorkUs));
    if (only.has('saturated')) {
      for (const threads of [1, 2]) await pool(`saturated-${threads}`, threads, {}, saturate(0));
    }
    if (only.has('main-work')) {
      for (const threads of [1, 2]) await pool(`main-work-${threads}`, threads, {}, saturate(mainWorkUs));
    }
    if (only.has('paced')) {
      const capacity = bestRate('pool', 'saturated-2', 7000);
      for (const fraction of [0.5, 0.8]) {
        await pool(`paced-${fraction * 100}%-2`, 2, {}, (p) => feedBursts(p, items, burst, { rate: capacity * fraction }));
      }
      await pool('paced-50%-2-batchMax16', 2, { batchMax: 16 }, (p) => feedBursts(p, items, burst, { rate: capacity * 0.5 }));
      // Requests that do not come in bursts: 4 a millisecond (the timer's resolution), each turn its own message(s).
      await pool('trickle-4-per-ms-2', 2, {}, (p) => feedBursts(p, items, 4, { rate: 4000 }));
      const capacityWork = bestRate('pool', 'main-work-2', 5000);
      for (const threads of [1, 2]) {
        await pool(`paced-main-work-${threads}`, threads, {}, (p) => feedBursts(p, items, burst, { rate: capacityWork * 0.5, work: mainWorkUs }));
      }
    }
    if (only.has('batch-max')) {
      for (const batchMax of [8, 16, 256]) await pool(`saturated-2-batchMax${batchMax}`, 2, { batchMax }, saturate(0));
    }
    if (only.has('batches-per-thread')) {
      await pool('saturated-2-batchesPerThread1', 2, { batchesPerThread: 1 }, saturate(0));
      await pool('main-work-2-batchesPerThread1', 2, { batchesPerThread: 1 }, saturate(mainWorkUs));
    }
  }
  report.host.loadAverage1mAtEnd = os.loadavg()[0];
  console.log(JSON.stringify(report, null, 2));
}

/** Today's server: verification inline on the main thread, after `work` µs of other work per getter. */
function syncRate(items, warmUp, work) {
  for (const { publicKey, signature, message } of warmUp) verifySignatureBytes(message, 'Sr25519', signature, publicKey);
  const meter = cpuMeter();
  for (const { publicKey, signature, message } of items) {
    if (work > 0) mainWork(work);
    if (!verifySignatureBytes(message, 'Sr25519', signature, publicKey)) throw new Error('a benchmark signature did not verify');
  }
  const { ms, processCores, othersCores, stolenCores } = meter();
  return { perSecond: round(items.length / (ms / 1000)), processCores, othersCores, stolenCores };
}

/** `threads` plain threads, each verifying its share of the items in a loop; wall-clock rate from go to the last done. */
async function rawRate(items, warmUp, threads) {
  const share = Math.ceil(items.length / threads);
  const workers = Array.from({ length: threads }, (_, t) => new Worker(new URL(import.meta.url), {
    workerData: { role: 'raw', items: pack(items.slice(t * share, (t + 1) * share)), warmUp: pack(warmUp) },
  }));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once('message', resolve).once('error', reject))));
  const meter = cpuMeter();
  const done = await Promise.all(workers.map((w) => new Promise((resolve, reject) => {
    w.once('message', resolve).once('error', reject);
    w.postMessage('go');
  })));
  const { ms, processCores, othersCores, stolenCores } = meter();
  await Promise.all(workers.map((w) => w.terminate()));
  const valid = done.reduce((sum, d) => sum + d.valid, 0);
  if (valid !== items.length) throw new Error(`${items.length - valid} benchmark signatures did not verify`);
  return {
    perSecond: round(items.length / (ms / 1000)),
    perThreadPerSecond: done.map((d) => round(share / (d.ms / 1000))),
    processCores,
    othersCores,
    stolenCores,
  };
}

/**
 * Feeds the items in bursts: every turn (setImmediate) when `rate` is unset, else one burst every burst/rate s on a
 * timer; `work` µs of busy main-thread CPU per request before its verify(). Unpaced, the feeder sleeps 1 ms instead
 * of offering a burst the pool's queue has no room for; a refused request (VERIFY_QUEUE_FULL) is offered again first.
 */
function feedBursts(pool, items, burst, { rate, work = 0 }) {
  return new Promise((resolve, reject) => {
    const latencies = new Float64Array(items.length);
    const retry = [];
    let next = 0;
    let answered = 0;
    let refused = 0;
    let bursts = 0;
    let failed;
    const fail = (error) => {
      failed ??= error;
      reject(error);
    };
    const meter = cpuMeter();
    const elu = performance.eventLoopUtilization();
    const start = performance.now();
    const finish = () => {
      const { ms, processCores, othersCores, stolenCores } = meter();
      const sorted = latencies.slice().sort();
      const pct = (q) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))], 2);
      resolve({
        ...(rate && { offeredPerSecond: round(rate) }),
        perSecond: round(items.length / (ms / 1000)),
        latencyMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: round(sorted[sorted.length - 1], 2) },
        refusedQueueFull: refused,
        processCores,
        othersCores,
        stolenCores,
        mainThreadUtilization: round(performance.eventLoopUtilization(elu).utilization, 2),
      });
    };
    const offer = (i) => {
      if (work > 0) mainWork(work);
      const t0 = performance.now();
      pool.verify(items[i]).then(
        (valid) => {
          if (!valid) return fail(new Error(`benchmark signature ${i} did not verify`));
          latencies[i] = performance.now() - t0;
          if (++answered === items.length) finish();
          return undefined;
        },
        (error) => {
          if (error.code !== 'VERIFY_QUEUE_FULL') return fail(error);
          refused++;
          retry.push(i);
          return undefined;
        },
      );
    };
    const turn = () => {
      if (failed) return;
      const full = !rate && pool.stats().waiting + burst > VERIFY_MAX_WAITING;
      if (!full) {
        bursts++;
        for (let k = 0; k < burst && (retry.length > 0 || next < items.length); k++) offer(retry.length > 0 ? retry.shift() : next++);
      }
      if (answered === items.length) return;
      if (rate) setTimeout(turn, Math.max(0, start + (bursts * burst * 1000) / rate - performance.now()));
      else if (full || next >= items.length) setTimeout(turn, 1);
      else setImmediate(turn);
    };
    turn();
  });
}

/**
 * CPU use from now until the returned function is called: this process's cores, and everyone else's (from /proc/stat;
 * the machine is shared, so a run another build overlapped shows as othersCores > 0 and is not comparable).
 */
function cpuMeter() {
  const machine = () => {
    try {
      const [, ...fields] = fs.readFileSync('/proc/stat', 'latin1').split('\n', 1)[0].trim().split(/\s+/).map(Number);
      const total = fields.reduce((a, b) => a + b, 0);
      const steal = fields[7] ?? 0;
      return { busy: total - fields[3] - fields[4] - steal, steal, total };
    } catch {
      return undefined;
    }
  };
  const m0 = machine();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const ms = performance.now() - t0;
    const { user, system } = process.cpuUsage(cpu0);
    const processCores = (user + system) / 1000 / ms;
    const m1 = machine();
    const cores = (field) => (m0 && m1 ? ((m1[field] - m0[field]) / (m1.total - m0.total)) * os.availableParallelism() : NaN);
    return {
      ms,
      processCores: round(processCores, 2),
      othersCores: round(Math.max(0, cores('busy') - processCores), 2),
      stolenCores: round(cores('steal'), 2),
    };
  };
}

function round(value, digits = 0) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
