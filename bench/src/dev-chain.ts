// Dev parentchain benchmark: signed balance transfers included per second (5,000 pre-signed transfers from six
// accounts with explicit nonces, pipelined over one ws connection, timed until the last is in a block) and
// ApiPromise.create time (median of 10 fresh connections). The chain runs in a child process so the load generator
// does not share its event loop.
// Run: npx tsc -b bench && node bench/dist/dev-chain.js  → bench/results/dev-chain.json
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { startDevChain } from '@sealbridge/dev-chain';
import WebSocket from 'ws';
import { writeResult } from './results.js';

const SELF = fileURLToPath(import.meta.url);
const TRANSFERS = Number(process.env.BENCH_TRANSFERS ?? 5000);
const SENDERS = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];
const CREATE_RUNS = 10;
const TARGET_TPS = 1000;
const TARGET_CREATE_MS = 150;

if (process.argv[2] === '--child') {
  const dev = await startDevChain({ port: 0 });
  process.send!({ url: dev.url });
  // Parent asks for CPU figures around the load phase, then says stop.
  process.on('message', (m) => {
    if (m === 'usage') process.send!({ cpu: process.cpuUsage(), elu: performance.eventLoopUtilization() });
    else void dev.stop().then(() => process.exit(0));
  });
} else {
  await main();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const child = fork(SELF, ['--child'], { stdio: 'inherit' });
  const url = await new Promise<string>((resolve) => child.once('message', (m) => resolve((m as { url: string }).url)));

  const createMs: number[] = [];
  for (let i = 0; i < CREATE_RUNS; i++) {
    const t0 = performance.now();
    const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
    createMs.push(performance.now() - t0);
    if (i < CREATE_RUNS - 1) await api.disconnect();
    else await presignAndRun(api, url, child).then((r) => finish(r, createMs, child));
  }
}

interface LoadResult {
  transfers: number;
  seconds: number;
  tps: number;
  blocks: number;
  submitSeconds: number;
  rejected: number;
  /** CPU time of the chain process (all threads) during the load. */
  chainCpuSeconds: number;
  /** Time the chain's event loop was busy during the load. */
  mainThreadBusySeconds: number;
}

interface Usage {
  cpu: NodeJS.CpuUsage;
  elu: EventLoopUtilization;
}

function usage(child: ChildProcess): Promise<Usage> {
  child.send('usage');
  return new Promise((resolve) => child.once('message', (m) => resolve(m as Usage)));
}

async function presignAndRun(api: ApiPromise, url: string, child: ChildProcess): Promise<LoadResult> {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 13 });
  const pairs = SENDERS.map((n) => keyring.addFromUri(`//${n}`));
  const dest = keyring.addFromUri('//BenchSink').address;
  const frames: string[] = [];
  const signOptions = { era: api.createType('ExtrinsicEra'), blockHash: api.genesisHash, genesisHash: api.genesisHash, runtimeVersion: api.runtimeVersion, signedExtensions: api.registry.signedExtensions };
  for (let i = 0; i < TRANSFERS; i++) {
    const signer = pairs[i % pairs.length]!;
    const nonce = Math.floor(i / pairs.length);
    const tx = api.tx.balances.transferKeepAlive(dest, 1_000_000_000_000n).sign(signer, { ...signOptions, nonce });
    frames.push(JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'author_submitExtrinsic', params: [tx.toHex()] }));
  }
  await api.disconnect();

  const ws = new WebSocket(url);
  await new Promise((r) => ws.once('open', r));
  const before = await usage(child);
  let included = 0;
  let blocks = 0;
  let responses = 0;
  let rejected = 0;
  let submitDone = 0;
  const t0 = performance.now();
  const done = new Promise<number>((resolve) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { id?: number | string; method?: string; error?: unknown; result?: unknown; params?: { result: { number: string } } };
      if (msg.method === 'chain_newHead') {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: `b${msg.params!.result.number}`, method: 'chain_getBlockHash', params: [parseInt(msg.params!.result.number, 16)] }));
      } else if (typeof msg.id === 'string' && msg.id.startsWith('b') && typeof msg.result === 'string') {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: `x${msg.id}`, method: 'chain_getBlock', params: [msg.result] }));
      } else if (typeof msg.id === 'string' && msg.id.startsWith('x')) {
        const n = (msg.result as { block: { extrinsics: string[] } }).block.extrinsics.length - 1;
        if (n > 0) {
          blocks++;
          included += n;
        }
        if (included >= TRANSFERS - rejected) resolve(performance.now());
      } else if (typeof msg.id === 'number') {
        responses++;
        if (msg.error) {
          rejected++;
          if (rejected <= 3) process.stderr.write(`rejected: ${JSON.stringify(msg.error)}\n`);
        }
        if (responses === TRANSFERS) submitDone = performance.now();
      }
    });
  });
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'sub', method: 'chain_subscribeNewHead', params: [] }));
  for (const f of frames) ws.send(f);
  const end = await done;
  const after = await usage(child);
  ws.close();
  const seconds = (end - t0) / 1000;
  const chainCpuSeconds = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1e6;
  const mainThreadBusySeconds = (after.elu.active - before.elu.active) / 1000;
  return { transfers: included, seconds, tps: included / seconds, blocks, submitSeconds: (submitDone - t0) / 1000, rejected, chainCpuSeconds, mainThreadBusySeconds };
}

async function finish(load: LoadResult, createMs: number[], child: ChildProcess): Promise<void> {
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
  const result = {
    date: new Date().toISOString(),
    // Other processes share the machine: the load average tells how much of it the run actually had.
    machine: { cpus: os.cpus().length, node: process.version, loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)) },
    transfers: {
      count: load.transfers,
      rejected: load.rejected,
      seconds: Number(load.seconds.toFixed(3)),
      includedPerSecond: Math.round(load.tps),
      submitSeconds: Number(load.submitSeconds.toFixed(3)),
      blocks: load.blocks,
      chainCpuSeconds: Number(load.chainCpuSeconds.toFixed(3)),
      chainMainThreadBusySeconds: Number(load.mainThreadBusySeconds.toFixed(3)),
      /** Throughput the chain's own CPU use allows on 2 idle cores: bounded by its event loop and by its total CPU / 2. */
      cpuBoundPerSecond: Math.round(load.transfers / Math.max(load.mainThreadBusySeconds, load.chainCpuSeconds / 2)),
      target: TARGET_TPS,
      meetsTarget: load.tps >= TARGET_TPS,
    },
    apiCreate: {
      runs: createMs.length,
      medianMs: Number(median(createMs).toFixed(1)),
      firstMs: Number(createMs[0]!.toFixed(1)),
      samplesMs: createMs.map((x) => Number(x.toFixed(1))),
      target: TARGET_CREATE_MS,
      meetsTarget: median(createMs) < TARGET_CREATE_MS,
    },
  };
  writeResult('dev-chain', result);
  process.stdout.write(
    `dev-chain: ${result.transfers.includedPerSecond} transfers/s included (${load.transfers} in ${result.transfers.seconds} s, ${load.blocks} blocks, ${load.rejected} rejected; target ≥ ${TARGET_TPS}; load average ${result.machine.loadAverage1m})\n` +
      `  chain CPU ${result.transfers.chainCpuSeconds} s, event loop busy ${result.transfers.chainMainThreadBusySeconds} s → CPU-bound capacity ${result.transfers.cpuBoundPerSecond}/s\n` +
      `ApiPromise.create: median ${result.apiCreate.medianMs} ms over ${CREATE_RUNS} (first ${result.apiCreate.firstMs} ms; target < ${TARGET_CREATE_MS})\n`,
  );
  process.exit(0);
}
