// Trusted RPC benchmark: trusted getters/s and p50/p99 latency with 64 concurrent wss clients against the worker
// RPC server (FakeBackend: strict getter decoding, real sr25519/ed25519 verification) compared in the same run with a
// bare TLS `ws` echo server; then how many idle connections the server holds and its RSS at that point. Each client
// resends 8 signed getters, so the server's reply cache answers most of them; one scenario runs with that cache off,
// and one sends only getters signed afresh (what a client that signs per query costs).
// The load runs in a child process so server and clients do not share one event loop.
// Run: npx tsc -b bench && node bench/dist/rpc.js  → bench/results/rpc.json
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import { cryptoReady, encodeRequest, sealbridgeRegistry, signTrustedGetter } from '@sealbridge/chain-types';
import WebSocket, { WebSocketServer } from 'ws';
import { writeResult } from './results.js';

const SELF = fileURLToPath(import.meta.url);
const CLIENTS = 64;
const WARMUP_SECONDS = 1;
const RUN_SECONDS = 5;
/** Distinct pre-signed getters per client, each resent like a polling client does (a blob is verified once, then cached). */
const GETTERS_PER_CLIENT = 8;
/** Never-resent getters per client for the fresh-signature scenario: more than a client sends in warm-up and run. */
const FRESH_GETTERS_PER_CLIENT = 400;
const IDLE_TARGET = 10_000;
/** fds the server needs besides the idle sockets (listening socket, stdio, libuv, load clients). */
const FD_HEADROOM = 300;
const OPEN_CONCURRENCY = 200;
const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 5;

/**
 * `loadCpuUsPerRequest` / `serverCpuUsPerRequest`: CPU time (user+system) of the load process and of the server
 * process during the measured window, per request — on 2 shared cores a fairer view of server cost than req/s.
 */
interface LoadResult {
  requests: number; seconds: number; rps: number; p50Ms: number; p99Ms: number; errors: number;
  /** Measured requests that reused a frame this client had sent before (0 = every getter was new to the server). */
  resentRequests: number;
  loadCpuUsPerRequest: number; serverCpuUsPerRequest: number;
  /** Share of all cores that server and load process used together; well below ~0.9 at saturation = other load. */
  machineShareUsed: number;
}
/** Sent by the load process when its measured window opens and closes, so the parent can read its own CPU time. */
interface WindowMark { kind: 'window' }
/** `pacedRps`: total request rate spread over the clients (latency below saturation); absent = as fast as possible. */
interface ScenarioMessage { kind: 'load'; url: string; frames: string[][]; expectPrefix: string; pacedRps?: number }
interface IdleMessage { kind: 'idle'; url: string; count: number }

// ---------------------------------------------------------------- child: load generator
async function runLoad(msg: ScenarioMessage): Promise<Omit<LoadResult, 'serverCpuUsPerRequest' | 'machineShareUsed'>> {
  const sockets = await Promise.all(msg.frames.map(() => openSocket(msg.url)));
  const latencies: number[] = [];
  let errors = 0;
  let resentRequests = 0;
  let measuring = false;
  let stop = false;
  const intervalMs = msg.pacedRps ? (sockets.length / msg.pacedRps) * 1000 : 0;
  const loops = sockets.map(async (ws, i) => {
    const frames = msg.frames[i]!;
    let n = 0;
    let due = performance.now() + Math.random() * intervalMs;
    while (!stop) {
      if (intervalMs > 0) {
        await sleep(Math.max(0, due - performance.now()));
        due += intervalMs;
      }
      const resent = n >= frames.length;
      const frame = frames[n++ % frames.length]!;
      const t0 = performance.now();
      const reply = await roundTrip(ws, frame);
      if (measuring) {
        latencies.push(performance.now() - t0);
        if (!reply.startsWith(msg.expectPrefix)) errors++;
        if (resent) resentRequests++;
      }
    }
  });
  await sleep(WARMUP_SECONDS * 1000);
  measuring = true;
  process.send?.({ kind: 'window' } satisfies WindowMark);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await sleep(RUN_SECONDS * 1000);
  measuring = false;
  const cpu = process.cpuUsage(cpu0);
  process.send?.({ kind: 'window' } satisfies WindowMark);
  const seconds = (performance.now() - start) / 1000;
  const requests = latencies.length;
  stop = true;
  await Promise.all(loops);
  for (const ws of sockets) ws.terminate();
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN);
  const loadCpuUsPerRequest = round((cpu.user + cpu.system) / Math.max(1, requests));
  return { requests, seconds: round(seconds), rps: Math.round(requests / seconds), p50Ms: pct(0.5), p99Ms: pct(0.99), errors, resentRequests, loadCpuUsPerRequest };
}

async function holdIdle(msg: IdleMessage): Promise<{ opened: number; failed: number; seconds: number }> {
  const start = performance.now();
  const held: WebSocket[] = [];
  let failed = 0;
  let next = 0;
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, async () => {
    while (next < msg.count) {
      next++;
      try {
        held.push(await openSocket(msg.url));
      } catch {
        failed++;
      }
    }
  }));
  (globalThis as { held?: WebSocket[] }).held = held; // keep them referenced until the parent kills us
  return { opened: held.length, failed, seconds: round((performance.now() - start) / 1000) };
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { rejectUnauthorized: false, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function roundTrip(ws: WebSocket, frame: string): Promise<string> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(data.toString()));
    ws.send(frame);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (v: number): number => Math.round(v * 1000) / 1000;

// ---------------------------------------------------------------- parent: servers and orchestration
interface WorkerRpc {
  startRpcServer(o: { backend: unknown; tls: { certPem: string; keyPem: string }; port: number; limits?: Record<string, number> }): Promise<{ url: string; connectionCount(): number; close(): Promise<void> }>;
  FakeBackend: new (certPem: string) => { shard: Uint8Array; setAccount(a: Uint8Array, s: { free: bigint }): void };
  selfSignedTls(): { certPem: string; keyPem: string };
}

/** The server and its FakeBackend (the double lives in the worker's `./testing` subpath, not its public door). */
async function loadWorkerRpc(): Promise<WorkerRpc> {
  const [server, testing] = await Promise.all([import('@sealbridge/worker'), import('@sealbridge/enclave-sim/rpc-testing')]);
  return { ...server, ...testing } as unknown as WorkerRpc;
}

async function startEcho(tls: { certPem: string; keyPem: string }): Promise<{ url: string; close(): Promise<void> }> {
  const https = createServer({ cert: tls.certPem, key: tls.keyPem });
  const wss = new WebSocketServer({ server: https, perMessageDeflate: false, clientTracking: false });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(data, { binary: false })));
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  return {
    url: `wss://127.0.0.1:${(https.address() as AddressInfo).port}`,
    close: () => new Promise((r) => {
      https.closeAllConnections();
      https.close(() => r());
    }),
  };
}

function child(): ChildProcess {
  return fork(SELF, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function ask<T>(proc: ChildProcess, msg: ScenarioMessage | IdleMessage, onWindow?: () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T | WindowMark): void => {
      if ((m as WindowMark).kind === 'window') return onWindow?.();
      proc.off('message', onMessage);
      resolve(m as T);
    };
    proc.on('message', onMessage);
    proc.once('exit', (code) => reject(new Error(`load process exited with ${code}`)));
    proc.send(msg);
  });
}

function fdLimits(): { soft: number; hard: number } {
  const [soft, hard] = execFileSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).trim().split('\n').map(Number);
  return { soft: soft!, hard: hard! };
}

function getterFrames(pairs: KeyringPair[], shard: Uint8Array, perClient = GETTERS_PER_CLIENT): string[][] {
  return pairs.map((pair) => Array.from({ length: perClient }, () => {
    const signed = signTrustedGetter(pair, { free_balance: pair.publicKey });
    const getter = sealbridgeRegistry.createType('Getter', { trusted: signed }).toU8a();
    return JSON.stringify({ jsonrpc: '2.0', method: 'state_executeGetter', params: [u8aToHex(encodeRequest(shard, getter))], id: 1 });
  }));
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg().map(round);
  await cryptoReady();
  const rpc = await loadWorkerRpc();
  const tls = rpc.selfSignedTls();
  const backend = new rpc.FakeBackend(tls.certPem);
  // Benchmark clients must not be throttled by the per-connection limiter.
  const unthrottled = { rateLimitPerSecond: 1e9, rateLimitBurst: 1e9 };
  const server = await rpc.startRpcServer({ backend, tls, port: 0, limits: unthrottled });
  // The same getters without the reply cache: each one decoded, matched in the signature cache and read from state.
  const uncachedServer = await rpc.startRpcServer({ backend, tls, port: 0, limits: { ...unthrottled, getterReplyCacheEntries: 0 } });
  const echo = await startEcho(tls);
  const srPairs = Array.from({ length: CLIENTS }, (_, i) => new Keyring({ type: 'sr25519' }).addFromUri(`//bench//${i}`));
  const edPairs = Array.from({ length: CLIENTS }, (_, i) => new Keyring({ type: 'ed25519' }).addFromUri(`//bench//${i}`));
  for (const p of [...srPairs, ...edPairs]) backend.setAccount(p.publicKey, { free: 10n ** 15n });
  const srFrames = getterFrames(srPairs, backend.shard);
  const edFrames = getterFrames(edPairs, backend.shard);
  // sr25519 signatures are randomized: each of these is a getter the server has never seen.
  const freshFrames = getterFrames(srPairs, backend.shard, FRESH_GETTERS_PER_CLIENT);
  const fingerprint = Array.from({ length: CLIENTS }, () => [JSON.stringify({ jsonrpc: '2.0', method: 'author_getFingerprint', params: [], id: 1 })]);
  const okBalance = '{"jsonrpc":"2.0","result":"0x480140';

  const load = child();
  const scenario = async (url: string, frames: string[][], expectPrefix: string, pacedRps?: number): Promise<LoadResult> => {
    // This process serves both the echo and the RPC server; only one of them is loaded at a time.
    let cpu0: NodeJS.CpuUsage | undefined;
    let cpu: NodeJS.CpuUsage | undefined;
    const onWindow = (): void => {
      if (cpu0 === undefined) cpu0 = process.cpuUsage();
      else cpu = process.cpuUsage(cpu0);
    };
    const r = await ask<Omit<LoadResult, 'serverCpuUsPerRequest' | 'machineShareUsed'>>(load, { kind: 'load', url, frames, expectPrefix, ...(pacedRps && { pacedRps }) }, onWindow);
    const serverCpuUsPerRequest = cpu ? round((cpu.user + cpu.system) / Math.max(1, r.requests)) : NaN;
    const machineShareUsed = round((r.rps * (serverCpuUsPerRequest + r.loadCpuUsPerRequest)) / 1e6 / os.cpus().length);
    return { ...r, serverCpuUsPerRequest, machineShareUsed };
  };
  const echoPrefix = '{"jsonrpc":"2.0","method":';
  // Echo gets the same sr25519 getter frames, so message sizes match.
  const echoResult = await scenario(echo.url, srFrames, echoPrefix);
  const srResult = await scenario(server.url, srFrames, okBalance);
  const edResult = await scenario(server.url, edFrames, okBalance);
  const srUncached = await scenario(uncachedServer.url, srFrames, okBalance);
  const srFresh = await scenario(server.url, freshFrames, okBalance);
  await uncachedServer.close();
  const fpResult = await scenario(server.url, fingerprint, '{"jsonrpc":"2.0","result":"0x80');
  const echoSmall = await scenario(echo.url, fingerprint, echoPrefix);
  // Latency below saturation: a quarter of the measured getter capacity, the same rate against echo.
  const pacedRps = Math.max(10, Math.round(srResult.rps / 4));
  const srPaced = await scenario(server.url, srFrames, okBalance, pacedRps);
  const echoPaced = await scenario(echo.url, srFrames, echoPrefix, pacedRps);
  const echoAgain = await scenario(echo.url, srFrames, echoPrefix);
  load.kill();
  await echo.close();

  // Idle connections: the server keeps its fds within the soft limit it was started with.
  const limits = fdLimits();
  const idleCount = Math.min(IDLE_TARGET, limits.soft - FD_HEADROOM);
  const rssBefore = process.memoryUsage().rss;
  const holders = [child(), child()];
  const half = Math.ceil(idleCount / 2);
  const opened = await Promise.all(holders.map((h, i) => ask<{ opened: number; failed: number; seconds: number }>(h, { kind: 'idle', url: server.url, count: i === 0 ? half : idleCount - half })));
  await sleep(500);
  const held = server.connectionCount();
  const rssAtPeak = process.memoryUsage().rss;
  // While they are held, one more client still gets answered.
  const probe = await openSocket(server.url);
  const t0 = performance.now();
  const probeReply = await roundTrip(probe, srFrames[0]![0]!);
  const probeMs = round(performance.now() - t0);
  probe.terminate();
  for (const h of holders) h.kill();
  await server.close();

  const echoRps = Math.max(echoResult.rps, echoAgain.rps);
  const result = {
    benchmark: 'rpc',
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      totalMemMb: Math.round(os.totalmem() / 2 ** 20),
      /** Other processes share these cores; a high load average makes every number below noisier. */
      loadAverageAtStart: loadAtStart,
    },
    config: { clients: CLIENTS, warmupSeconds: WARMUP_SECONDS, runSeconds: RUN_SECONDS, gettersPerClient: GETTERS_PER_CLIENT, loadProcess: 'separate child process', requestsPerClientInFlight: 1 },
    echo: { first: echoResult, last: echoAgain, rpsUsed: echoRps },
    trustedGetterSr25519: { ...srResult, ratioToEcho: round(srResult.rps / echoRps) },
    trustedGetterEd25519: { ...edResult, ratioToEcho: round(edResult.rps / echoRps) },
    /** Reply cache off (`getterReplyCacheEntries: 0`): the cost of a getter that was not just answered for this state. */
    trustedGetterSr25519Uncached: { ...srUncached, ratioToEcho: round(srUncached.rps / echoRps) },
    /** Every request a newly signed getter (`resentRequests` 0): decoding, an sr25519 verification and a state read each. */
    trustedGetterSr25519Fresh: { ...srFresh, ratioToEcho: round(srFresh.rps / echoRps) },
    /** Server overhead without backend work, against echo of the same small frames. */
    getFingerprint: { ...fpResult, echoSameFrames: echoSmall, ratioToEcho: round(fpResult.rps / echoSmall.rps) },
    /** Paced at a quarter of the getter capacity: latency without queueing behind 64 saturating clients. */
    paced: { totalRps: pacedRps, trustedGetterSr25519: srPaced, echo: echoPaced },
    /**
     * Server CPU µs per request at saturation (see LoadResult). On 2 cores the load process competes with the server,
     * so `echoToGetter` (echo cost / getter cost) is the throughput ratio the server alone would allow.
     */
    serverCpuPerRequest: {
      echo: echoResult.serverCpuUsPerRequest,
      trustedGetterSr25519: srResult.serverCpuUsPerRequest,
      trustedGetterEd25519: edResult.serverCpuUsPerRequest,
      trustedGetterSr25519Uncached: srUncached.serverCpuUsPerRequest,
      trustedGetterSr25519Fresh: srFresh.serverCpuUsPerRequest,
      getFingerprint: fpResult.serverCpuUsPerRequest,
      echoFingerprintFrames: echoSmall.serverCpuUsPerRequest,
      echoToGetter: round(echoResult.serverCpuUsPerRequest / srResult.serverCpuUsPerRequest),
      loadProcessEcho: echoResult.loadCpuUsPerRequest,
      loadProcessGetter: srResult.loadCpuUsPerRequest,
    },
    targets: {
      ratio: TARGET_RATIO,
      p99Ms: TARGET_P99_MS,
      trustedGetterMet: srResult.rps / echoRps >= TARGET_RATIO && srResult.p99Ms < TARGET_P99_MS,
      serverOverheadMet: fpResult.rps / echoSmall.rps >= TARGET_RATIO,
      pacedGetterP99Met: srPaced.p99Ms < TARGET_P99_MS,
    },
    idle: {
      fdLimitSoft: limits.soft,
      fdLimitHard: limits.hard,
      requested: idleCount,
      opened: opened.reduce((s, o) => s + o.opened, 0),
      failed: opened.reduce((s, o) => s + o.failed, 0),
      heldByServer: held,
      openSeconds: Math.max(...opened.map((o) => o.seconds)),
      serverRssMbBefore: Math.round(rssBefore / 2 ** 20),
      serverRssMbAtPeak: Math.round(rssAtPeak / 2 ** 20),
      rssKbPerConnection: Math.round((rssAtPeak - rssBefore) / 1024 / Math.max(1, held)),
      probeGetterWhileHeldMs: probeMs,
      probeOk: probeReply.startsWith(okBalance),
      target: IDLE_TARGET,
      met: held >= IDLE_TARGET,
    },
  };
  writeResult('rpc', result);
  const line = (name: string, r: LoadResult): string => `${name.padEnd(26)} ${String(r.rps).padStart(7)} req/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  errors ${r.errors}  cpu µs/req server ${r.serverCpuUsPerRequest} load ${r.loadCpuUsPerRequest}  machine ${r.machineShareUsed}`;
  console.log(`rpc benchmark (${CLIENTS} wss clients, ${RUN_SECONDS} s each, ${result.machine.cpus} cpus, load avg ${loadAtStart.join(' ')})`);
  console.log(line('echo (bare TLS ws)', echoResult));
  console.log(line('trusted getter sr25519', srResult), ` ratio ${result.trustedGetterSr25519.ratioToEcho}`);
  console.log(line('trusted getter ed25519', edResult), ` ratio ${result.trustedGetterEd25519.ratioToEcho}`);
  console.log(line('getter sr25519, no cache', srUncached), ` ratio ${result.trustedGetterSr25519Uncached.ratioToEcho}`);
  console.log(line('getter sr25519, fresh', srFresh), ` ratio ${result.trustedGetterSr25519Fresh.ratioToEcho}, resent ${srFresh.resentRequests}`);
  console.log(line('author_getFingerprint', fpResult), ` ratio ${result.getFingerprint.ratioToEcho}`);
  console.log(line('echo (fingerprint frames)', echoSmall));
  console.log(line(`getter sr25519 @${pacedRps}/s`, srPaced));
  console.log(line(`echo @${pacedRps}/s`, echoPaced));
  console.log(line('echo again', echoAgain));
  console.log(`idle: ${held} connections held (fd soft limit ${limits.soft}), server RSS ${result.idle.serverRssMbAtPeak} MB ` +
    `(${result.idle.rssKbPerConnection} KB/conn), getter while held ${probeMs} ms`);
  console.log('→ bench/results/rpc.json');
}

if (process.argv.includes('--child')) {
  process.on('message', (msg: ScenarioMessage | IdleMessage) => {
    const job = msg.kind === 'load' ? runLoad(msg) : holdIdle(msg);
    job.then((r) => process.send?.(r), (err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  });
} else {
  await main();
}
