// Decryption amplification: how long the chain's own invocations take (a shield_funds submitted on chain → imported
// by the worker, and → its block confirmed on chain) while RPC clients flood the worker with shielded submissions,
// against the same worker idle, before and after the flood, in the same run. The flood runs in a child process:
// FLOOD_CONNECTIONS connections each keep 16 valid-looking submissions in flight at the size cap (16 copies of one RSA
// block: one public-key encryption for the sender, sixteen private-key operations for the enclave), and
// PADDED_CONNECTIONS send padded ciphertexts (copies of one block, as many as the frame limit lets through) ten times
// a second each; the fuzzer's own 1 MB frame (1,364 copies) is sent once. The worker is a separate process, as an
// operator runs it.
// Run: npx tsc -b bench && node bench/dist/amplification.js  → bench/results/amplification.json
// (BENCH_SAMPLES shortens it while developing.)
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { EventRecord } from '@polkadot/types/interfaces';
import { hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import WebSocket from 'ws';

import { cryptoReady, encodeRequest, RSA_BLOCK_BYTES, sealbridgeRegistry, shieldEncrypt, shieldingKeyFromJson, signTrustedCall } from '@sealbridge/chain-types';
import { connectWorker } from '@sealbridge/client';
import { startDevChain } from '@sealbridge/dev-chain';
import { DEFAULT_RPC_LIMITS, MAX_SHIELDED_BYTES } from '@sealbridge/enclave-sim';
import { WorkerProcess } from '@sealbridge/test';

import { workerCpuSeconds, writeResult } from './results.js';

const SELF = fileURLToPath(import.meta.url);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 20);
const FLOOD_CONNECTIONS = 24;
/** The worker's per-connection decryption limit (RpcLimits.maxDecryptsPerConnection): each flooder keeps it full. */
const FLOOD_DEPTH = 16;
const PADDED_CONNECTIONS = 4;
/** The largest padded submission a frame can carry (the fuzzer's 1,364 blocks, 1 MB, are closed unread: 1009). */
const PADDED_BLOCKS = Math.floor((DEFAULT_RPC_LIMITS.maxFrameBytes - 256) / (2 * RSA_BLOCK_BYTES));
const FUZZER_BLOCKS = 1364;
const PADDED_INTERVAL_MS = 100;
const WARMUP_MS = 2_000;
const PAUSE_MS = 200;
const TARGET_RATIO = 2;

// ---------------------------------------------------------------- child: the flood
interface FloodStart { kind: 'start'; url: string; validFrame: string; paddedFrame: string; fuzzerFrame: string }
interface FloodReport {
  seconds: number;
  /** Valid-looking submissions answered after decryption, and refusals by JSON-RPC error code. */
  answered: number;
  refused: Record<string, number>;
  padded: { sent: number; refusedUndecrypted: number; p50Ms: number };
  /** Close code the fuzzer's 1 MB frame got, sent once on its own connection during the flood. */
  fuzzerFrameCloseCode: number;
}

async function flood(msg: FloodStart): Promise<FloodReport> {
  const open = (): Promise<WebSocket> => new Promise((resolve, reject) => {
    const ws = new WebSocket(msg.url, { rejectUnauthorized: false, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
  const sockets = await Promise.all(Array.from({ length: FLOOD_CONNECTIONS + PADDED_CONNECTIONS }, open));
  let running = true;
  let answered = 0;
  const refused: Record<string, number> = {};
  const started = performance.now();
  for (const ws of sockets.slice(0, FLOOD_CONNECTIONS)) {
    ws.on('message', (data) => {
      const reply = JSON.parse(data.toString()) as { error?: { code: number } };
      if (reply.error) refused[reply.error.code] = (refused[reply.error.code] ?? 0) + 1;
      else answered++;
      if (running) ws.send(msg.validFrame);
    });
    for (let i = 0; i < FLOOD_DEPTH; i++) ws.send(msg.validFrame);
  }
  const padded = { sent: 0, refusedUndecrypted: 0, latencies: [] as number[] };
  const paddedLoops = sockets.slice(FLOOD_CONNECTIONS).map(async (ws) => {
    while (running) {
      const t0 = performance.now();
      const reply = await new Promise<string>((resolve) => {
        ws.once('message', (data) => resolve(data.toString()));
        ws.send(msg.paddedFrame);
      });
      padded.sent++;
      padded.latencies.push(performance.now() - t0);
      if (reply.includes(MAX_SHIELDED_BYTES_HEX)) padded.refusedUndecrypted++;
      await sleep(Math.max(0, PADDED_INTERVAL_MS - (performance.now() - t0)));
    }
  });
  const fuzzer = await open();
  const fuzzerFrameCloseCode = await new Promise<number>((resolve) => {
    fuzzer.once('close', (code) => resolve(code));
    fuzzer.send(msg.fuzzerFrame);
  });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  running = false;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(paddedLoops);
  for (const ws of sockets) ws.terminate();
  return {
    seconds: round(seconds), answered, refused, fuzzerFrameCloseCode,
    padded: { sent: padded.sent, refusedUndecrypted: padded.refusedUndecrypted, p50Ms: round(percentile(padded.latencies, 0.5)) },
  };
}

/** The refusal's data (`shielded payload over 6144 bytes`) as it appears hex-encoded inside the RpcReturnValue. */
const MAX_SHIELDED_BYTES_HEX = Buffer.from(`shielded payload over ${MAX_SHIELDED_BYTES} bytes`).toString('hex');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const round = (v: number): number => Math.round(v * 1000) / 1000;
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

// ---------------------------------------------------------------- parent: chain, worker, samples
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Prometheus text → value of one series (labels in the worker's order). */
async function scrape(port: number): Promise<(series: string) => number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const values = new Map(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const at = l.lastIndexOf(' ');
    return [l.slice(0, at), Number(l.slice(at + 1))] as const;
  }));
  return (series) => values.get(series) ?? 0;
}

const summary = (values: number[]) => ({
  p50: Math.round(percentile(values, 0.5)),
  p90: Math.round(percentile(values, 0.9)),
  max: Math.round(Math.max(...values)),
  mean: Math.round(values.reduce((a, b) => a + b, 0) / values.length),
});

async function main(): Promise<void> {
  const loadAverageAtStart = os.loadavg().map((v) => Math.round(v * 100) / 100);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sealbridge-bench-amplification-'));
  await Promise.all([cryptoWaitReady(), cryptoReady()]);
  const progress = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  const dev = await startDevChain({ port: 0, blockTime: 'instant' });
  const metricsPort = await freePort();
  const worker = new WorkerProcess([
    '--parentchain', dev.url, '--data-dir', path.join(tmp, 'worker'), '--platform-secret', path.join(tmp, 'platform-secret'),
    '--rpc-port', '0', '--runner-port=-1', '--metrics-port', String(metricsPort), '--log-level', 'info',
  ]);
  const opened = await worker.waitFor((r) => r.msg === 'enclave opened');
  /** The worker's host process and the enclave process it spawned (which terminates TLS and decrypts). */
  const pids = { host: worker.child.pid!, enclave: Number(opened.pid) };
  const rpc = await worker.waitFor((r) => r.msg === 'trusted RPC listening');
  await worker.waitFor((r) => r.msg === 'resuming import', 120_000);
  const rpcUrl = String(rpc.url);
  const client = await connectWorker(rpcUrl, { tls: 'insecure' });
  const shieldingKey = shieldingKeyFromJson(await client.getShieldingKeyJson());
  await client.close();
  const shard = hexToU8a(String(opened.mrenclaveHex));

  const api = await ApiPromise.create({ provider: new WsProvider(dev.url), noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 13 });
  const alice = keyring.addFromUri('//Alice');

  // When the block carrying each confirmation was built, by the block it confirms (every finalized block scanned).
  const confirmedAt = new Map<string, number>();
  let scanned = dev.chain.finalizedNumber;
  const unsubscribe = await api.rpc.chain.subscribeFinalizedHeads(async (header) => {
    for (; scanned < header.number.toNumber(); ) {
      const number = ++scanned;
      const hash = (await api.rpc.chain.getBlockHash(number)).toHex();
      const events = (await (await api.at(hash)).query.system.events()) as unknown as EventRecord[];
      for (const { event } of events) {
        if (api.events.enclaveBridge.ProcessedParentchainBlock.is(event)) confirmedAt.set(event.data[1].toHex(), dev.chain.blockByHash(hash)!.importedAt);
      }
    }
  });

  /** One shield_funds: ms from submission to the worker's commit of its block, and to that block's confirmation on chain. */
  async function sample(): Promise<{ importedMs: number; confirmedMs: number }> {
    const tx = api.tx.enclaveBridge.shieldFunds(shard, u8aToHex(shieldEncrypt(shieldingKey, new Uint8Array(randomBytes(32)))), 10n ** 12n);
    const submittedAt = Date.now();
    const blockHash = await new Promise<string>((resolve, reject) => {
      tx.signAndSend(alice, { nonce: -1 }, (result) => {
        if (result.isError) reject(new Error(`shield_funds ${result.status.type}`));
        if (result.status.isInBlock) resolve(result.status.asInBlock.toHex());
      }).catch(reject);
    });
    const number = dev.chain.blockByHash(blockHash)!.number;
    const imported = await worker.waitFor((r) => r.msg === 'imported block' && Number(r.block) === number, 60_000);
    while (!confirmedAt.has(blockHash)) await sleep(5);
    return { importedMs: Date.parse(String(imported.time)) - submittedAt, confirmedMs: confirmedAt.get(blockHash)! - submittedAt };
  }
  async function phase(name: string): Promise<Array<{ importedMs: number; confirmedMs: number }>> {
    const samples = [];
    for (let i = 0; i < SAMPLES; i++) {
      samples.push(await sample());
      await sleep(PAUSE_MS);
    }
    progress(`${name}: imported p50 ${summary(samples.map((s) => s.importedMs)).p50} ms, confirmed p50 ${summary(samples.map((s) => s.confirmedMs)).p50} ms`);
    return samples;
  }

  // The flood's frames: a direct call signed by someone else than its sender, one valid RSA block that decrypts.
  const [eve, ferdie] = [keyring.addFromUri('//Eve'), keyring.addFromUri('//Ferdie')];
  const forged = sealbridgeRegistry.createType('TrustedOperation', {
    direct_call: signTrustedCall(ferdie, { balance_transfer: [eve.publicKey, ferdie.publicKey, 1n] }, 0, shard, shard),
  }).toU8a();
  const block = shieldEncrypt(shieldingKey, forged);
  const frame = (copies: number): string => JSON.stringify({
    jsonrpc: '2.0', method: 'author_submitExtrinsic', params: [u8aToHex(encodeRequest(shard, u8aConcat(...Array.from({ length: copies }, () => block))))], id: 1,
  });
  const start: FloodStart = { kind: 'start', url: rpcUrl, validFrame: frame(MAX_SHIELDED_BYTES / block.length), paddedFrame: frame(PADDED_BLOCKS), fuzzerFrame: frame(FUZZER_BLOCKS) };

  progress('worker up; idle samples');
  await sample(); // warm-up: JIT, first connections
  const idleBefore = await phase('idle');

  const metricsBefore = await scrape(metricsPort);
  const cpuBefore = workerCpuSeconds(pids) ?? 0;
  const load = fork(SELF, ['--flood'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const report = new Promise<FloodReport>((resolve) => load.once('message', (m: FloodReport) => resolve(m)));
  load.send(start);
  await sleep(WARMUP_MS);
  const flooded = await phase('flood');
  load.send({ kind: 'stop' });
  const floodReport = await report;
  const floodCpuSeconds = (workerCpuSeconds(pids) ?? 0) - cpuBefore;
  const metricsAfter = await scrape(metricsPort);
  const delta = (series: string): number => metricsAfter(series) - metricsBefore(series);

  await sleep(1_000); // the flood's queue drains
  const idleAfter = await phase('idle again');
  unsubscribe();

  const idle = [...idleBefore, ...idleAfter];
  const stats = (samples: typeof idle) => ({ importedMs: summary(samples.map((s) => s.importedMs)), confirmedMs: summary(samples.map((s) => s.confirmedMs)) });
  const idleStats = stats(idle);
  const floodStats = stats(flooded);
  const ratio = {
    importedP50: round(floodStats.importedMs.p50 / idleStats.importedMs.p50),
    confirmedP50: round(floodStats.confirmedMs.p50 / idleStats.confirmedMs.p50),
    importedP90: round(floodStats.importedMs.p90 / idleStats.importedMs.p90),
  };
  const rpcOps = delta('sealbridge_enclave_private_key_ops_total{priority="rpc"}');
  const result = {
    benchmark: 'amplification',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, totalMemMb: Math.round(os.totalmem() / 2 ** 20), loadAverageAtStart },
    config: {
      samplesPerPhase: SAMPLES, floodConnections: FLOOD_CONNECTIONS, floodDepthPerConnection: FLOOD_DEPTH, floodCiphertextBlocks: MAX_SHIELDED_BYTES / block.length,
      paddedConnections: PADDED_CONNECTIONS, paddedBlocks: PADDED_BLOCKS, paddedFrameBytes: start.paddedFrame.length, paddedRequestsPerSecond: PADDED_CONNECTIONS * (1000 / PADDED_INTERVAL_MS),
      fuzzerBlocks: FUZZER_BLOCKS, fuzzerFrameBytes: start.fuzzerFrame.length, maxFrameBytes: DEFAULT_RPC_LIMITS.maxFrameBytes,
      warmupMs: WARMUP_MS, invocation: 'shield_funds, one per block, submitted one after another', loadProcess: 'separate child process', worker: 'separate process, default options',
    },
    /** Idle = the samples before and after the flood together (this host drifts between windows). */
    idle: { ...idleStats, before: stats(idleBefore), after: stats(idleAfter) },
    flood: {
      ...floodStats,
      seconds: floodReport.seconds,
      submissionsAnswered: floodReport.answered,
      submissionsRefused: floodReport.refused,
      padded: floodReport.padded,
      fuzzerFrameCloseCode: floodReport.fuzzerFrameCloseCode,
      rpcPrivateKeyOpsPerSecond: Math.round(rpcOps / floodReport.seconds),
      /** From the worker's /metrics over the flood. */
      worker: {
        privateKeyOps: { import: delta('sealbridge_enclave_private_key_ops_total{priority="import"}'), rpc: rpcOps },
        importAheadOfRpc: delta('sealbridge_enclave_import_ahead_of_rpc_total'),
        rejectedOversized: delta('sealbridge_invocations_rejected_total{reason="oversized",source="rpc"}'),
        rejectedFrameTooLarge: delta('sealbridge_invocations_rejected_total{reason="frame_too_large",source="rpc"}'),
        rejectedQueueFull: delta('sealbridge_invocations_rejected_total{reason="decrypt_queue_full",source="rpc"}'),
        rejectedServerBusy: delta('sealbridge_invocations_rejected_total{reason="server_busy",source="rpc"}'),
        /** Host and enclave process together. */
        cpuSecondsPerSecond: round(floodCpuSeconds / floodReport.seconds),
      },
    },
    ratioFloodToIdle: ratio,
    target: TARGET_RATIO,
    pass: ratio.importedP50 <= TARGET_RATIO && ratio.confirmedP50 <= TARGET_RATIO,
    loadAverageAtEnd: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
  console.log(`shield_funds imported p50: idle ${idleStats.importedMs.p50} ms, flood ${floodStats.importedMs.p50} ms → ${ratio.importedP50}; ` +
    `confirmed p50: idle ${idleStats.confirmedMs.p50} ms, flood ${floodStats.confirmedMs.p50} ms → ${ratio.confirmedP50} (target ≤ ${TARGET_RATIO})`);
  console.log(`flood: ${floodReport.answered} submissions answered in ${floodReport.seconds} s (${result.flood.rpcPrivateKeyOpsPerSecond} private-key ops/s), ` +
    `refused ${JSON.stringify(floodReport.refused)}, padded ${floodReport.padded.refusedUndecrypted}/${floodReport.padded.sent} refused undecrypted (p50 ${floodReport.padded.p50Ms} ms), ` +
    `the 1 MB fuzzer frame closed with ${floodReport.fuzzerFrameCloseCode}`);
  console.log(`written ${writeResult('amplification', result)}`);
  await api.disconnect();
  await worker.kill('SIGTERM');
  await dev.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (process.argv.includes('--flood')) {
  process.once('message', (msg: FloodStart) => {
    flood(msg).then((report) => process.send!(report, () => process.exit(0)));
  });
} else {
  await main();
}
