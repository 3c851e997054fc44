// Cost of the enclave boundary itself (packages/enclave-api): the ECALL `import_block` for an empty and for a full
// block, over a real socket pair between two processes — this one as the host and a child node process as the
// "enclave", serving the ECALLs with `serveEcalls` on its fd 3 exactly as enclave-sim/src/host/launch.ts spawns the
// real one (stdio ['ignore', 'ignore', 'pipe', 'pipe']) — with handlers that answer canned results and do no work.
// What is left is the boundary: SCALE encode and decode on both sides, the channel's framing and the socket.
// Reported per message: bytes each way (as the channel's record hook saw them), round-trip µs (p50/p99) with 1 and
// with 3 requests in flight (3 is what the worker's importer keeps: PIPELINE_DEPTH 2 plus the one being committed),
// CPU µs per block of both processes, the same pipelined over an in-memory channel (no socket, one process), and
// encode/decode µs in-process without any channel. Getters do not cross the boundary; what each one costs on it is the
// OCALL `metrics` traffic of the RPC server's request counters, computed from the codec.
// Run: npx tsc -b bench && node bench/dist/boundary.js  → bench/results/boundary.json
// (BENCH_EMPTY_ITERATIONS, BENCH_FULL_ITERATIONS and BENCH_CODEC_MS shorten it while developing; BENCH_WRITE_VALUE_BYTES
// sizes the full block's sealed writes.)
import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';

import {
  BoundaryError,
  Channel,
  ecallClient,
  ECALLS,
  OCALLS,
  scale,
  serveEcalls,
  type BlockImported,
  type EcallHandlers,
  type EnclaveEcalls,
  type HostOcalls,
  type MetricOp,
  type RawBlock,
} from '@sealbridge/enclave-api';
import { connectedPair, FRAME_HEADER_BYTES, SeededRandom } from '@sealbridge/enclave-api/testing';

// Not exported by the package: the enclave's metric batching, compiled, driven here as the enclave runs it.
import { EnclaveMetrics } from '@sealbridge/enclave-sim/testing';

import { cpuSeconds, writeResult } from './results.js';

const SELF = fileURLToPath(import.meta.url);
/** The messages' codecs, as both sides of the channel use them. */
const RawBlockCodec = ECALLS.import_block.arg;
const BlockImportedCodec = ECALLS.import_block.result;
const EMPTY_ITERATIONS = Number(process.env.BENCH_EMPTY_ITERATIONS ?? 20_000);
const FULL_ITERATIONS = Number(process.env.BENCH_FULL_ITERATIONS ?? 1_000);
/** Each in-process encode/decode is repeated for this long. */
const CODEC_MS = Number(process.env.BENCH_CODEC_MS ?? 1_000);
/** Requests before each timed run (JIT, socket buffers); not counted. */
const warmupOf = (iterations: number) => Math.max(10, Math.round(iterations / 10));
/** What the importer keeps in flight: PIPELINE_DEPTH (2) blocks prepared beyond the one being committed. */
const IMPORTER_IN_FLIGHT = 3;

// The representative messages. Sizes follow what the worker really exchanges: a shielded `invoke` extrinsic is ~600
// bytes (a 384-byte RSA-3072 ciphertext, the shard, the sr25519 signature and the extension fields); a full block's
// `System.Events` ~40 KB; a state change sealed under a `state/<hmac hex>` key with a ~100-byte sealed value, two
// per invocation; the enclave's `confirm_processed_parentchain_block` ~150 bytes signed.
const FULL_EXTRINSICS = 1_000;
const FULL_EXTRINSIC_BYTES = 600;
const FULL_EVENTS_BYTES = 40_000;
const FULL_WRITES = 2_000;
/** BENCH_WRITE_VALUE_BYTES: the worker-import bench's boundary record shows ~620 reply bytes per real invocation. */
const WRITE_VALUE_BYTES = Number(process.env.BENCH_WRITE_VALUE_BYTES ?? 100);
const CONFIRM_BYTES = 150;
/** `timestamp.set` of an otherwise empty block. */
const TIMESTAMP_BYTES = 12;

interface Messages {
  empty: { block: RawBlock; reply: BlockImported };
  full: { block: RawBlock; reply: BlockImported };
}

/** Deterministic: the child builds the same canned replies the parent expects. */
function messages(): Messages {
  const rnd = new SeededRandom(0x5ea1b71d);
  const h256 = () => rnd.bytes(32);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const confirm = { hash: h256(), nonce: 41, kind: 'confirm', bytes: rnd.bytes(CONFIRM_BYTES) };
  const reply = (writes: BlockImported['writes'], calls: number): BlockImported => ({
    writes, extrinsics: [confirm], indirectCalls: calls, ok: calls, failed: 0, callsRoot: h256(), stateRoot: h256(), executionSeconds: calls ? 0.35 : 0.0001,
  });
  return {
    empty: {
      // The previous block's confirmation lands in the next block: an empty block in steady state carries two.
      block: { number: 1_000_001, hash: h256(), parentHash: h256(), extrinsics: [rnd.bytes(TIMESTAMP_BYTES), rnd.bytes(CONFIRM_BYTES)], events: undefined, committed: 1_000_000 },
      reply: reply([], 0),
    },
    full: {
      block: {
        number: 1_000_002,
        hash: h256(),
        parentHash: h256(),
        extrinsics: Array.from({ length: FULL_EXTRINSICS }, () => rnd.bytes(FULL_EXTRINSIC_BYTES)),
        events: rnd.bytes(FULL_EVENTS_BYTES),
        committed: 1_000_001,
      },
      reply: reply(Array.from({ length: FULL_WRITES }, () => ({ key: `state/${hex(h256())}`, value: rnd.bytes(WRITE_VALUE_BYTES) })), FULL_EXTRINSICS),
    },
  };
}

/** The canned enclave: `import_block` answers by the block's size, every other ECALL but `shutdown` is refused. */
function cannedHandlers(m: Messages): Partial<EcallHandlers> {
  return {
    import_block: (block) => (block.extrinsics.length > 2 ? m.full.reply : m.empty.reply),
    shutdown: () => undefined,
  };
}

// ---- child: the "enclave" process ----------------------------------------------------------------------------------

async function serveChild(): Promise<void> {
  const socket = new Socket({ fd: 3, readable: true, writable: true });
  const channel = new Channel(socket, { side: 'enclave' });
  const canned = cannedHandlers(messages());
  const refuse = (name: string) => () => {
    throw new BoundaryError('INTERNAL', `the boundary bench enclave serves no ${name}`);
  };
  const handlers = Object.fromEntries(Object.keys(ECALLS).map((name) => [name, canned[name as keyof EcallHandlers] ?? refuse(name)])) as EcallHandlers;
  serveEcalls(channel, handlers);
  await channel.closed;
  process.exit(0);
}

// ---- parent: the host ----------------------------------------------------------------------------------------------

interface Spawned {
  pid: number;
  ecalls: EnclaveEcalls;
  bytes: { toEnclave: number; fromEnclave: number; framesToEnclave: number; framesFromEnclave: number };
  close(): Promise<void>;
}

function spawnCannedEnclave(): Spawned {
  const child = spawn(process.execPath, [SELF, '--serve'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: { ...process.env } });
  const stderr: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const bytes = { toEnclave: 0, fromEnclave: 0, framesToEnclave: 0, framesFromEnclave: 0 };
  const channel = new Channel(child.stdio[3] as Duplex, {
    side: 'host',
    record: (direction, frame) => {
      if (direction === 'out') {
        bytes.toEnclave += frame.length;
        bytes.framesToEnclave++;
      } else {
        bytes.fromEnclave += frame.length;
        bytes.framesFromEnclave++;
      }
    },
  });
  let closing = false;
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    channel.close();
    if (!closing) process.stderr.write(`the canned enclave exited early (code ${code}, signal ${signal}):\n${stderr.join('\n')}\n`);
    resolve();
  }));
  const ecalls = ecallClient(channel);
  return {
    pid: child.pid!,
    ecalls,
    bytes,
    async close() {
      closing = true;
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await ecalls.shutdown(undefined).catch(() => undefined);
      channel.close();
      await exited;
      clearTimeout(timer);
    },
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** `iterations` import_block calls with `inFlight` outstanding at any time; latency of each, send to decoded reply. */
async function roundTrips(ecalls: EnclaveEcalls, block: RawBlock, iterations: number, inFlight: number) {
  const latencies = new Float64Array(iterations);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < iterations) {
      const i = next++;
      const t = performance.now();
      await ecalls.import_block(block);
      latencies[i] = performance.now() - t;
    }
  }));
  const wallMs = performance.now() - started;
  latencies.sort();
  return {
    p50Us: round1(quantile(latencies, 0.5) * 1000),
    p99Us: round1(quantile(latencies, 0.99) * 1000),
    maxUs: round1(latencies[latencies.length - 1]! * 1000),
    /** Wall time of the run per block: with several in flight, what a block costs the pipeline. */
    wallUsPerBlock: round1((wallMs * 1000) / iterations),
    blocksPerSecond: Math.round(iterations / (wallMs / 1000)),
  };
}

/**
 * µs per call of `op` over CODEC_MS (after a short warm-up), timed in batches of ≥ ~50 µs: the median batch (what a
 * call costs when no GC or other process gets in the way) and the mean (GC included).
 */
function timeOp(op: () => unknown): { p50Us: number; meanUs: number } {
  const warmStart = performance.now();
  let warm = 0;
  while (performance.now() - warmStart < Math.min(200, CODEC_MS / 5)) {
    op();
    warm++;
  }
  const perBatch = Math.max(1, Math.ceil((50 * warm) / ((performance.now() - warmStart) * 1000)));
  const samples: number[] = [];
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < CODEC_MS) {
    const t = now;
    for (let i = 0; i < perBatch; i++) op();
    n += perBatch;
    now = performance.now();
    samples.push(((now - t) * 1000) / perBatch);
  }
  samples.sort((a, b) => a - b);
  return { p50Us: round3(samples[Math.floor(samples.length / 2)]!), meanUs: round3(((now - start) * 1000) / n) };
}

function codecTimes(m: { block: RawBlock; reply: BlockImported }) {
  const blockBytes = scale.encode(RawBlockCodec, m.block);
  const replyBytes = scale.encode(BlockImportedCodec, m.reply);
  return {
    /** Host: the block into SCALE. */
    encodeBlockUs: timeOp(() => scale.encode(RawBlockCodec, m.block)),
    /** Enclave: the block out of SCALE. */
    decodeBlockUs: timeOp(() => scale.decode(RawBlockCodec, blockBytes)),
    /** Enclave: the result into SCALE. */
    encodeReplyUs: timeOp(() => scale.encode(BlockImportedCodec, m.reply)),
    /** Host: the result out of SCALE. */
    decodeReplyUs: timeOp(() => scale.decode(BlockImportedCodec, replyBytes)),
  };
}

/**
 * What one trusted getter costs on the boundary. The getter itself never crosses it: the TLS JSON-RPC server runs in
 * the enclave process. Each request does one `inc` (sealbridge_rpc_requests_total) and one `observe`
 * (sealbridge_rpc_request_duration_seconds) labelled with its method (enclave-sim/src/trusted/runtime/rpc-backend.ts,
 * onRequest/onResponse); the enclave's own EnclaveMetrics (runtime/metrics.ts, driven here) sends what one
 * event-loop turn queued as one one-way OCALL `metrics` frame, which has no reply. A getter answered from the reply
 * cache does both in one turn; one whose signature is verified first (on the enclave's two verification threads) does
 * its `observe` in a later turn, when its thread's batch comes back: a batch of requests comes back in up to two turns.
 */
async function getterMetrics() {
  const VERIFY_THREADS = 2;
  const frames: number[] = [];
  const metrics = new EnclaveMetrics({ metrics: (ops: MetricOp[]) => frames.push(FRAME_HEADER_BYTES + scale.encode(OCALLS.metrics.arg, ops).length) } as unknown as HostOcalls);
  const labels = { method: 'state_executeGetter' };
  const onRequest = () => metrics.inc('sealbridge_rpc_requests_total', labels);
  const onResponse = () => metrics.observe('sealbridge_rpc_request_duration_seconds', 0.000_123 + Math.random() * 1e-4, labels);
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** Frames and bytes of `turns` (each: what runs in it), the flushes of each turn included. */
  const run = async (turns: Array<() => void>) => {
    frames.length = 0;
    for (const turn of turns) {
      turn();
      await nextTurn();
    }
    metrics.flush();
    return { frames: frames.length, bytes: frames.reduce((a, b) => a + b, 0) };
  };
  const times = (n: number, f: () => void) => () => {
    for (let i = 0; i < n; i++) f();
  };
  const at = async (batch: number) => {
    const cached = await run([times(batch, () => { onRequest(); onResponse(); })]);
    const returns = Math.min(batch, VERIFY_THREADS);
    const perReturn = Math.ceil(batch / returns);
    const verified = await run([times(batch, onRequest), ...Array.from({ length: returns }, (_, t) => times(Math.min(perReturn, batch - t * perReturn), onResponse))]);
    return {
      batch,
      cachedReply: { ...cached, bytesPerGetter: round1(cached.bytes / batch) },
      signatureVerified: { ...verified, bytesPerGetter: round1(verified.bytes / batch) },
    };
  };
  const batches = [await at(1), await at(64)];
  metrics.close();
  return {
    crossesBoundary: false,
    note: `getters do not cross the boundary: the TLS JSON-RPC server runs inside the enclave process and answers them there. Their only boundary traffic is the one-way OCALL \`metrics\` (enclave → host, no reply): one inc + one observe per request, sent per event-loop turn by the enclave's EnclaveMetrics (driven here with a recording OCALL client; frame = 11-byte header + SCALE Vec<MetricOp>). "batch" = getters handled in the same turn(s); cachedReply = inc and observe in one turn; signatureVerified = the incs in one turn, the observes in ${VERIFY_THREADS} later ones (one per verification thread).`,
    bytesToEnclavePerGetter: 0,
    batches,
  };
}

async function measureOverSocket(m: Messages) {
  const enclave = spawnCannedEnclave();
  try {
    // The replies decode into what the child was canned with: the messages are the ones meant.
    const check = await enclave.ecalls.import_block(m.full.block);
    if (check.writes.length !== FULL_WRITES || check.extrinsics[0]?.kind !== 'confirm') throw new Error('the canned enclave answered something else');
    const out: Record<string, unknown> = {};
    for (const [name, iterations] of [['empty', EMPTY_ITERATIONS], ['full', FULL_ITERATIONS]] as const) {
      const { block } = m[name];
      const runs: Record<string, unknown> = {};
      let wire: Record<string, number> | undefined;
      for (const inFlight of [1, IMPORTER_IN_FLIGHT]) {
        await roundTrips(enclave.ecalls, block, warmupOf(iterations), inFlight);
        const bytes0 = { ...enclave.bytes };
        const hostCpu0 = process.cpuUsage();
        const enclaveCpu0 = cpuSeconds(enclave.pid) ?? 0;
        const loadAverage1m = round1(os.loadavg()[0] ?? 0);
        const run = await roundTrips(enclave.ecalls, block, iterations, inFlight);
        const hostCpu = process.cpuUsage(hostCpu0);
        const cpu = { host: (hostCpu.user + hostCpu.system) / 1e6, enclave: (cpuSeconds(enclave.pid) ?? 0) - enclaveCpu0 };
        wire ??= {
          bytesToEnclave: (enclave.bytes.toEnclave - bytes0.toEnclave) / iterations,
          bytesFromEnclave: (enclave.bytes.fromEnclave - bytes0.fromEnclave) / iterations,
          framesToEnclave: (enclave.bytes.framesToEnclave - bytes0.framesToEnclave) / iterations,
          framesFromEnclave: (enclave.bytes.framesFromEnclave - bytes0.framesFromEnclave) / iterations,
        };
        runs[`inFlight${inFlight}`] = {
          iterations,
          ...run,
          /** CPU (user+system) per block of each process during the run: the host's from process.cpuUsage, the child's from /proc (10 ms ticks). */
          cpuUsPerBlock: { host: round1((cpu.host * 1e6) / iterations), enclave: round1((cpu.enclave * 1e6) / iterations) },
          loadAverage1m,
        };
      }
      out[name] = { ...wire, ...runs };
    }
    return out;
  } finally {
    await enclave.close();
  }
}

/** The same pipelined run over the channel on an in-memory stream pair: both sides in this one process, no socket. */
async function measureInProcessChannel(m: Messages) {
  const pair = connectedPair({ ecalls: cannedHandlers(m) });
  try {
    const out: Record<string, unknown> = {};
    for (const [name, iterations] of [['empty', EMPTY_ITERATIONS], ['full', FULL_ITERATIONS]] as const) {
      await roundTrips(pair.ecalls, m[name].block, warmupOf(iterations), IMPORTER_IN_FLIGHT);
      const cpu0 = process.cpuUsage();
      const run = await roundTrips(pair.ecalls, m[name].block, iterations, IMPORTER_IN_FLIGHT);
      const cpu = process.cpuUsage(cpu0);
      out[name] = { [`inFlight${IMPORTER_IN_FLIGHT}`]: { iterations, ...run, cpuUsPerBlock: round1((cpu.user + cpu.system) / iterations) } };
    }
    return out;
  } finally {
    await pair.close();
  }
}

async function main(): Promise<void> {
  const loadAverageAtStart = os.loadavg().map((v) => Math.round(v * 100) / 100);
  const m = messages();
  const describe = (x: { block: RawBlock; reply: BlockImported }) => ({
    extrinsics: x.block.extrinsics.length,
    extrinsicBytes: x.block.extrinsics.reduce((s, b) => s + b.length, 0),
    eventsBytes: x.block.events?.length ?? 0,
    replyWrites: x.reply.writes.length,
    replyWriteBytes: x.reply.writes[0] ? { keyChars: x.reply.writes[0].key.length, valueBytes: x.reply.writes[0].value?.length ?? 0 } : undefined,
    replyExtrinsics: x.reply.extrinsics.map((e) => ({ kind: e.kind, bytes: e.bytes.length })),
    /** Frame = 11-byte header + SCALE payload. */
    requestFrameBytes: FRAME_HEADER_BYTES + scale.encode(RawBlockCodec, x.block).length,
    replyFrameBytes: FRAME_HEADER_BYTES + scale.encode(BlockImportedCodec, x.reply).length,
  });
  const messagesInfo = { empty: describe(m.empty), full: describe(m.full) };
  process.stderr.write('boundary: round trips over the socket pair\n');
  const socket = await measureOverSocket(m);
  process.stderr.write('boundary: round trips over an in-memory channel\n');
  const inProcess = await measureInProcessChannel(m);
  process.stderr.write('boundary: encode/decode in-process\n');
  const codec = { empty: codecTimes(m.empty), full: codecTimes(m.full) };
  const result = {
    benchmark: 'boundary',
    date: new Date().toISOString(),
    machine: { cpus: os.availableParallelism(), model: os.cpus()[0]?.model, node: process.version, loadAverageAtStart },
    settings: { emptyIterations: EMPTY_ITERATIONS, fullIterations: FULL_ITERATIONS, codecMs: CODEC_MS, importerInFlight: IMPORTER_IN_FLIGHT, writeValueBytes: WRITE_VALUE_BYTES },
    note: 'ECALL import_block with canned results (the "enclave" does no work: it decodes the block and encodes a prepared BlockImported). socket = this process as host and a child node process serving the ECALLs on fd 3, as enclave-sim launches the real enclave; latency is send to decoded reply (both sides\' SCALE work, framing, socket). inProcessChannel = the same Channel over an in-memory stream pair in one process (no socket; both sides share one thread). codec = SCALE encode/decode alone, µs per call (median of timed batches, and mean).',
    messages: messagesInfo,
    socket,
    inProcessChannel: inProcess,
    codec,
    getter: await getterMetrics(),
    loadAverageAtEnd: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
  const file = writeResult('boundary', result);
  for (const name of ['empty', 'full'] as const) {
    const s = socket[name] as Record<string, any>;
    const c = codec[name];
    console.log(`${name}: ${s.bytesToEnclave} B → enclave, ${s.bytesFromEnclave} B ← enclave; round trip p50/p99 ${s.inFlight1.p50Us}/${s.inFlight1.p99Us} µs (1 in flight), ${s.inFlight3.p50Us}/${s.inFlight3.p99Us} µs (3 in flight, ${s.inFlight3.wallUsPerBlock} µs/block, CPU host ${s.inFlight3.cpuUsPerBlock.host} + enclave ${s.inFlight3.cpuUsPerBlock.enclave} µs/block); in-memory channel ${(inProcess[name] as any).inFlight3.wallUsPerBlock} µs/block; codec (median) block enc/dec ${c.encodeBlockUs.p50Us}/${c.decodeBlockUs.p50Us} µs, reply enc/dec ${c.encodeReplyUs.p50Us}/${c.decodeReplyUs.p50Us} µs`);
  }
  for (const b of result.getter.batches) {
    console.log(`getter metrics OCALL, batch ${b.batch}: ${b.cachedReply.bytesPerGetter} B/getter (cached reply), ${b.signatureVerified.bytesPerGetter} B/getter (signature verified); 0 B to the enclave`);
  }
  console.log(`written ${file}`);
}

if (process.argv[2] === '--serve') await serveChild();
else await main();
