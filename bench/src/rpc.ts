// Trusted RPC benchmark against the REAL worker: the embedded dev chain and a `sealbridge-worker` process (its host
// process and the enclave process it spawns, whose TLS JSON-RPC server answers the getters inside the enclave), with
// funds shielded to 64 sr25519 and 64 ed25519 incognito accounts, so every getter answers a real balance (each answer
// is compared with the amount shielded to its account: `validAnswers`, `errors`). 64 concurrent wss clients, one
// request in flight each, run in a child process (not on the server's event loops). Measured:
//   1. resent getters: each client resends 8 distinct pre-signed sr25519 getters (a polling client; the server's reply
//      cache answers) vs a bare TLS `ws` echo server of the same frames in the same run → req/s ratio ≥ 0.7, p99 < 5 ms;
//      the same with ed25519 getters; and "uncached": 100 distinct getters per client (6,400, more than the reply
//      cache's 4,096 FIFO entries, so every one misses it; their signatures are in the 8,192-entry verified-getter set,
//      primed before the window: decoding and a state read per request, no verification);
//   2. fresh getters: every getter signed before the timed window and sent exactly once (`resentRequests` 0, and
//      `clientsOutOfGetters` 0 says no client ran dry) vs the raw rate of TWO threads verifying pre-made sr25519
//      signatures with chain-types' `verifySignatureBytes` for RAW_SECONDS each, before and after (mean used) →
//      ratio ≥ 0.5, p99 < 15 ms. (No ed25519 fresh scenario: ed25519 signatures are deterministic, so re-signing an
//      account's getter gives the same bytes, and other accounts would answer no real balance.)
//   3. author_getFingerprint vs echo of the same small frames (server overhead without backend work), and latency
//      paced at a quarter of the cached capacity;
//   4. idle connections held (ESTABLISHED sockets on the RPC port, from /proc/net/tcp) and the RSS of the host and
//      enclave processes at that point, plus one getter answered while they are held.
// For every scenario against the worker: CPU µs per request of the host and of the enclave process separately (from
// /proc over the measured window), and the boundary's cost — the worker runs with SEALBRIDGE_RECORD_BOUNDARY, and the
// frames and bytes that crossed between host and enclave during the window are counted per getter and by frame type
// (getters are served inside the enclave: only metric updates and log records should cross).
// Run: npx tsc -b bench && node bench/dist/rpc.js  → bench/results/rpc.json  (about 3 minutes)
// SEALBRIDGE_BENCH_QUICK=1: short windows and 1,000 idle connections, written to $TMPDIR/sealbridge-bench-rpc-quick.json;
// SEALBRIDGE_BENCH_OUT=<file> writes the result there instead of bench/results/rpc.json.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { sign as nodeSign } from 'node:crypto';
import fs from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { bnToU8a, stringToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';
import { sr25519KeypairFromSeed, sr25519Sign } from '@polkadot/wasm-crypto';
import {
  cryptoReady, ed25519PrivateKeyFromSeed, ed25519RawPublicKey, encodeGetterResult, encodeRequest, rpcOk, sealbridgeRegistry,
  shieldEncrypt, shieldingKeyFromJson, signTrustedGetter, verifySignatureBytes, type SigningPair,
} from '@sealbridge/chain-types';
import { connectWorker } from '@sealbridge/client';
import { startDevChain } from '@sealbridge/dev-chain';
import { selfSignedTls } from '@sealbridge/enclave-sim/rpc-testing';
import { WorkerProcess } from '@sealbridge/test';
import WebSocket, { WebSocketServer } from 'ws';

import { cpuSeconds, writeResult } from './results.js';

const SELF = fileURLToPath(import.meta.url);
const QUICK = process.env.SEALBRIDGE_BENCH_QUICK === '1';
const CLIENTS = 64;
const WARMUP_SECONDS = QUICK ? 0.5 : 1;
const RUN_SECONDS = QUICK ? 2 : 5;
/** Each of the two raw verification threads verifies for this long (before and after the fresh scenario). */
const RAW_SECONDS = QUICK ? 1 : 3;
/** Distinct pre-signed getters per client, each resent like a polling client does (a blob is verified once, then cached). */
const GETTERS_PER_CLIENT = 8;
/** 64 × 100 = 6,400 distinct getters cycled: more than the reply cache's 4,096 (FIFO) entries, fewer than the verified set's 8,192. */
const UNCACHED_GETTERS_PER_CLIENT = 100;
/** Fresh getters are made for this multiple of the two raw threads' rate over warm-up and window (ratio 1.1, target 0.5). */
const FRESH_HEADROOM = 1.1;
const IDLE_TARGET = QUICK ? 1_000 : 10_000;
/** fds the enclave process needs besides the idle sockets (listening socket, store, stdio, libuv, load clients). */
const FD_HEADROOM = 300;
const OPEN_CONCURRENCY = 200;
const TARGET = { resent: { ratio: 0.7, p99Ms: 5 }, fresh: { ratio: 0.5, p99Ms: 15 } };
const SHIELD_UNIT = 10n ** 12n;
const OUT = process.env.SEALBRIDGE_BENCH_OUT ?? (QUICK ? path.join(os.tmpdir(), 'sealbridge-bench-rpc-quick.json') : undefined);

// ---------------------------------------------------------------- signers and frames (parent and load child)
type Scheme = 'sr25519' | 'ed25519';
interface BenchSigner extends SigningPair { publicKey: Uint8Array; signRaw(message: Uint8Array): Uint8Array }

/** Incognito account `i` of a scheme: the same in the parent (which shields to it) and the load child (which signs). */
function benchSigner(scheme: Scheme, i: number): BenchSigner {
  const seed = blake2AsU8a(stringToU8a(`sealbridge bench rpc ${scheme} ${i}`), 256);
  if (scheme === 'sr25519') {
    // The WASM schnorrkel: the keyring's JS fallback would take milliseconds per signature.
    const keypair = sr25519KeypairFromSeed(seed);
    const [secretKey, publicKey] = [keypair.slice(0, 64), keypair.slice(64)];
    const signRaw = (m: Uint8Array): Uint8Array => sr25519Sign(publicKey, secretKey, m);
    return { type: 'sr25519', publicKey, sign: signRaw, signRaw };
  }
  const key = ed25519PrivateKeyFromSeed(seed);
  const signRaw = (m: Uint8Array): Uint8Array => new Uint8Array(nodeSign(null, m, key));
  return { type: 'ed25519', publicKey: ed25519RawPublicKey(key), sign: signRaw, signRaw };
}

/** What each account is shielded: distinct per account, so an answer for the wrong account is caught too. */
const shieldAmount = (scheme: Scheme, i: number): bigint => 10n * SHIELD_UNIT + BigInt(scheme === 'sr25519' ? i : 1000 + i);

/** The `result` of a correct free_balance answer for `amount`: RpcReturnValue(Some(SCALE u128)). */
const balanceResult = (amount: bigint): string => u8aToHex(rpcOk(encodeGetterResult(bnToU8a(amount, { bitLength: 128, isLe: true }))));
const expectedAnswer = (scheme: Scheme, i: number): string => `"result":"${balanceResult(shieldAmount(scheme, i))}"`;

const getterFrame = (param: Uint8Array): string => JSON.stringify({ jsonrpc: '2.0', method: 'state_executeGetter', params: [u8aToHex(param)], id: 1 });

/**
 * `perClient` signed free_balance getters for each of `clients` accounts. The signature is the last 64 bytes of the
 * request (shard ‖ compact(len) ‖ Getter::trusted(getter ‖ MultiSignature)), so one request is encoded per account and
 * each further getter only signs anew and splices its signature in (sr25519 signatures are randomized: every one is a
 * getter the server has never seen).
 */
function signedGetterFrames(scheme: Scheme, clients: number, perClient: number, shard: Uint8Array): string[][] {
  return Array.from({ length: clients }, (_, i) => {
    const signer = benchSigner(scheme, i);
    const getter = sealbridgeRegistry.createType('TrustedGetter', { free_balance: signer.publicKey }).toU8a();
    const signed = signTrustedGetter(signer, { free_balance: signer.publicKey });
    const template = encodeRequest(shard, sealbridgeRegistry.createType('Getter', { trusted: signed }).toU8a());
    return Array.from({ length: perClient }, (_, k) => {
      if (k === 0) return getterFrame(template);
      const request = template.slice();
      request.set(signer.signRaw(getter), request.length - 64);
      return getterFrame(request);
    });
  });
}

// ---------------------------------------------------------------- child: load generator
/**
 * `loadCpuUsPerRequest`: CPU time (user+system) of the load process during the measured window, per request.
 * `validAnswers`: measured replies carrying the expected answer (`expect` of their client); `errors`: the others.
 */
interface LoadResult {
  requests: number; seconds: number; rps: number; p50Ms: number; p99Ms: number; errors: number; validAnswers: number;
  /** Measured requests that reused a frame this client had sent before (0 = every getter was new to the server). */
  resentRequests: number;
  /** With `noResend`: clients that had sent all their frames before the window closed (their rate is then a bound). */
  clientsOutOfGetters: number;
  framesPrepared: number; prepareSeconds: number;
  loadCpuUsPerRequest: number;
}
/** Sent by the load process when its measured window opens and closes, so the parent can read CPU and boundary. */
interface WindowMark { kind: 'window' }
interface ScenarioMessage {
  kind: 'load'; url: string;
  /** Frames per client, or the getters the child signs itself (before any timing) for the fresh scenario. */
  frames?: string[][];
  sign?: { scheme: Scheme; perClient: number; shardHex: string };
  /** Per client: a substring every correct reply contains. */
  expect: string[];
  /** Total request rate spread over the clients (latency below saturation); absent = as fast as possible. */
  pacedRps?: number;
  /** Send every frame once before warm-up (fills the verified-getter set for the uncached scenario). */
  prime?: boolean;
  /** A client that has sent all its frames stops instead of resending. */
  noResend?: boolean;
}
interface IdleMessage { kind: 'idle'; url: string; count: number }

async function runLoad(msg: ScenarioMessage): Promise<LoadResult> {
  const prepared = performance.now();
  let frames = msg.frames;
  if (msg.sign) {
    await Promise.all([cryptoWaitReady(), cryptoReady()]);
    frames = signedGetterFrames(msg.sign.scheme, msg.expect.length, msg.sign.perClient, Uint8Array.from(Buffer.from(msg.sign.shardHex.slice(2), 'hex')));
  }
  const all = frames!;
  const prepareSeconds = round((performance.now() - prepared) / 1000);
  const sockets = await Promise.all(all.map(() => openSocket(msg.url)));
  if (msg.prime) {
    await Promise.all(sockets.map(async (ws, i) => {
      for (const frame of all[i]!) {
        const reply = await roundTrip(ws, frame);
        if (!reply.includes(msg.expect[i]!)) throw new Error(`priming: unexpected reply ${reply.slice(0, 200)}`);
      }
    }));
  }
  const latencies: number[] = [];
  let errors = 0;
  let validAnswers = 0;
  let resentRequests = 0;
  let outOfGetters = 0;
  let measuring = false;
  let stop = false;
  let firstBadReply: string | undefined;
  const intervalMs = msg.pacedRps ? (sockets.length / msg.pacedRps) * 1000 : 0;
  const loops = sockets.map(async (ws, i) => {
    const mine = all[i]!;
    const expect = msg.expect[i]!;
    let n = 0;
    let due = performance.now() + Math.random() * intervalMs;
    while (!stop) {
      if (msg.noResend && n >= mine.length) {
        outOfGetters++;
        return;
      }
      if (intervalMs > 0) {
        await sleep(Math.max(0, due - performance.now()));
        due += intervalMs;
      }
      const resent = msg.prime === true || n >= mine.length;
      const frame = mine[n++ % mine.length]!;
      const t0 = performance.now();
      const reply = await roundTrip(ws, frame);
      if (measuring) {
        latencies.push(performance.now() - t0);
        if (reply.includes(expect)) validAnswers++;
        else {
          errors++;
          firstBadReply ??= reply.slice(0, 300);
        }
        if (resent) resentRequests++;
      }
    }
  });
  await sleep(WARMUP_SECONDS * 1000);
  const outBeforeWindow = outOfGetters;
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
  const clientsOutOfGetters = outOfGetters;
  stop = true;
  await Promise.all(loops);
  for (const ws of sockets) ws.terminate();
  if (firstBadReply) console.error(`load: first unexpected reply: ${firstBadReply}`);
  if (outBeforeWindow > 0) console.error(`load: ${outBeforeWindow} clients ran out of getters during warm-up`);
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN);
  return {
    requests, seconds: round(seconds), rps: Math.round(requests / seconds), p50Ms: pct(0.5), p99Ms: pct(0.99), errors, validAnswers,
    resentRequests, clientsOutOfGetters, framesPrepared: all.reduce((s, f) => s + f.length, 0), prepareSeconds,
    loadCpuUsPerRequest: round((cpu.user + cpu.system) / Math.max(1, requests)),
  };
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

// ---------------------------------------------------------------- raw sr25519 verification threads
interface RawItem { publicKey: Uint8Array; signature: Uint8Array; message: Uint8Array }
/** One thread: verify the items in a loop for `seconds` once told to go (after a warm-up pass over them). */
async function verifyThread(data: { items: RawItem[]; seconds: number }): Promise<void> {
  await cryptoReady();
  for (const { publicKey, signature, message } of data.items) {
    if (!verifySignatureBytes(message, 'Sr25519', signature, publicKey)) throw new Error('a raw baseline signature did not verify');
  }
  parentPort!.once('message', () => {
    const start = performance.now();
    const end = start + data.seconds * 1000;
    let verified = 0;
    let valid = 0;
    while (performance.now() < end) {
      for (let k = 0; k < 16; k++) {
        const { publicKey, signature, message } = data.items[verified % data.items.length]!;
        if (verifySignatureBytes(message, 'Sr25519', signature, publicKey)) valid++;
        verified++;
      }
    }
    parentPort!.postMessage({ verified, valid, ms: performance.now() - start });
  });
  parentPort!.postMessage('ready');
}

/** Two plain threads verifying pre-made sr25519 getter signatures (the bench's 64 signers) at once: their summed rate. */
async function rawVerifyRate(items: RawItem[]): Promise<{ perSecond: number; perThread: number[]; allValid: boolean }> {
  const threads = [0, 1].map(() => new Worker(SELF, { workerData: { role: 'verify', items, seconds: RAW_SECONDS } }));
  await Promise.all(threads.map((t) => new Promise((resolve, reject) => t.once('message', resolve).once('error', reject))));
  const done = await Promise.all(threads.map((t) => new Promise<{ verified: number; valid: number; ms: number }>((resolve, reject) => {
    t.once('message', resolve).once('error', reject);
    t.postMessage('go');
  })));
  await Promise.all(threads.map((t) => t.terminate()));
  const perThread = done.map((d) => Math.round(d.verified / (d.ms / 1000)));
  return { perSecond: perThread.reduce((a, b) => a + b, 0), perThread, allValid: done.every((d) => d.valid === d.verified) };
}

// ---------------------------------------------------------------- parent: worker, servers and orchestration
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
    const onExit = (code: number | null): void => reject(new Error(`load process exited with ${code}`));
    const onMessage = (m: T | WindowMark): void => {
      if ((m as WindowMark).kind === 'window') return onWindow?.();
      proc.off('message', onMessage);
      proc.off('exit', onExit);
      resolve(m as T);
    };
    proc.on('message', onMessage);
    proc.once('exit', onExit);
    proc.send(msg);
  });
}

function fdLimits(): { soft: number; hard: number } {
  const [soft, hard] = execFileSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).trim().split('\n').map(Number);
  return { soft: soft!, hard: hard! };
}

/** Current resident set size (VmRSS) of a process in MiB. */
function rssMiB(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** ESTABLISHED TCP sockets whose local port is `port`: the server side of the connections it holds. */
function establishedOn(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${hex}`) && fields[3] === '01') count++;
    }
  }
  return count;
}

const FRAME_KINDS = ['ecall', 'ecallReply', 'ocall', 'ocallReply', 'ocallOneWay'];
/** Call names by id, from the boundary's own tables (looked up at run time: the bench does not depend on enclave-api). */
async function callNames(): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  try {
    const api = (await import('@sealbridge/enclave-api' as string)) as Record<string, Record<string, { id: number }>>;
    for (const table of [api.ECALLS, api.OCALLS]) for (const [name, spec] of Object.entries(table ?? {})) names.set(spec.id, name);
  } catch {
    // numeric ids only
  }
  return names;
}

interface BoundaryCount { frames: number; bytes: number; toEnclave: number; fromEnclave: number; byType: Record<string, { frames: number; bytes: number }> }
/**
 * Frames the worker recorded (`u8 direction ‖ u32le length ‖ frame`, frame = `u32 length ‖ u8 kind ‖ u32 seq ‖ u16 call
 * id or status ‖ payload`) between two offsets of the file; a request is named by its call, a reply by its kind.
 */
function countBoundary(file: string, from: number, to: number, names: Map<number, string>): BoundaryCount {
  const out: BoundaryCount = { frames: 0, bytes: 0, toEnclave: 0, fromEnclave: 0, byType: {} };
  if (to <= from) return out;
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(to - from);
  try {
    fs.readSync(fd, buf, 0, buf.length, from);
  } finally {
    fs.closeSync(fd);
  }
  for (let at = 0; at + 5 <= buf.length;) {
    const direction = buf.readUInt8(at);
    const length = buf.readUInt32LE(at + 1);
    const frame = buf.subarray(at + 5, at + 5 + length);
    at += 5 + length;
    out.frames++;
    out.bytes += length;
    if (direction === 0) out.fromEnclave++;
    else out.toEnclave++;
    const kind = frame.length > 4 ? frame.readUInt8(4) : -1;
    const isRequest = kind === 0 || kind === 2 || kind === 4;
    const id = frame.length >= 11 ? frame.readUInt16LE(9) : -1;
    const type = isRequest ? `${FRAME_KINDS[kind]} ${names.get(id) ?? id}` : (FRAME_KINDS[kind] ?? `kind ${kind}`);
    const entry = (out.byType[type] ??= { frames: 0, bytes: 0 });
    entry.frames++;
    entry.bytes += length;
  }
  return out;
}

const fileSize = (file: string): number => {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
};

const progress = (msg: string): boolean => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] rpc: ${msg}\n`);

async function main(): Promise<void> {
  const loadAtStart = os.loadavg().map(round);
  const startedAt = performance.now();
  await Promise.all([cryptoWaitReady(), cryptoReady()]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sealbridge-bench-rpc-'));
  const boundaryFile = path.join(tmp, 'boundary.bin');
  const names = await callNames();

  // The chain and the worker, as an operator runs it (default log level).
  const dev = await startDevChain({ port: 0, blockTime: 'instant' });
  const args = ['--parentchain', dev.url, '--data-dir', path.join(tmp, 'worker'), '--platform-secret', path.join(tmp, 'platform-secret'), '--rpc-port', '0', '--runner-port=-1', '--log-level', 'info'];
  const worker = new WorkerProcess(args, { env: { SEALBRIDGE_RECORD_BOUNDARY: boundaryFile } });
  const opened = await worker.waitFor((r) => r.msg === 'enclave opened', 120_000);
  const pids = { host: worker.child.pid!, enclave: Number(opened.pid) };
  const rpcUrl = String((await worker.waitFor((r) => r.msg === 'trusted RPC listening', 120_000)).url);
  const rpcPort = Number(new URL(rpcUrl).port);
  await worker.waitFor((r) => r.msg === 'resuming import', 120_000); // registered
  const client = await connectWorker(rpcUrl, { tls: 'insecure' });
  const shieldingKey = shieldingKeyFromJson(await client.getShieldingKeyJson());
  const shard = await client.getShard();
  progress(`worker up (host ${pids.host}, enclave ${pids.enclave}, ${rpcUrl}); shielding to ${2 * CLIENTS} accounts`);

  // Shield funds to every incognito account, then wait until the worker's getters answer each amount.
  const api = await ApiPromise.create({ provider: new WsProvider(dev.url), noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519' });
  // Not //Alice: the worker tops up its enclave account from it on a dev chain.
  const xtSigners = ['//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map((uri) => keyring.addFromUri(uri));
  const nonces = await Promise.all(xtSigners.map(async (s) => (await api.rpc.system.accountNextIndex(s.address)).toNumber()));
  const accounts = (['sr25519', 'ed25519'] as const).flatMap((scheme) => Array.from({ length: CLIENTS }, (_, i) => ({ scheme, i, signer: benchSigner(scheme, i) })));
  const shieldTxs = await Promise.all(accounts.map(({ scheme, i, signer }, k) => {
    const s = k % xtSigners.length;
    return api.tx.enclaveBridge.shieldFunds(shard, u8aToHex(shieldEncrypt(shieldingKey, signer.publicKey)), shieldAmount(scheme, i)).signAsync(xtSigners[s]!, { nonce: nonces[s]++ });
  }));
  await Promise.all(shieldTxs.map((tx) => new Promise<void>((resolve, reject) => {
    let done = false;
    tx.send((result) => {
      if (done) return;
      if (result.isError || result.dispatchError) {
        done = true;
        reject(new Error(`shield_funds failed: ${result.dispatchError?.toString() ?? result.status.type}`));
      } else if (result.status.isInBlock || result.status.isFinalized) {
        done = true;
        resolve();
      }
    }).catch(reject);
  })));
  const deadline = Date.now() + 120_000;
  for (const { scheme, i, signer } of accounts) {
    for (;;) {
      const balance = await client.getFreeBalance(shard, signer);
      if (balance === shieldAmount(scheme, i)) break;
      if (balance !== 0n || Date.now() > deadline) throw new Error(`${scheme} account ${i}: balance ${balance}, expected ${shieldAmount(scheme, i)}`);
      await sleep(100);
    }
  }
  await client.close();
  progress('every account answers its shielded balance; signing the workload');

  const expectSr = Array.from({ length: CLIENTS }, (_, i) => expectedAnswer('sr25519', i));
  const expectEd = Array.from({ length: CLIENTS }, (_, i) => expectedAnswer('ed25519', i));
  const srFrames = signedGetterFrames('sr25519', CLIENTS, GETTERS_PER_CLIENT, shard);
  const edFrames = signedGetterFrames('ed25519', CLIENTS, GETTERS_PER_CLIENT, shard);
  const uncachedFrames = signedGetterFrames('sr25519', CLIENTS, UNCACHED_GETTERS_PER_CLIENT, shard);
  const fingerprint = Array.from({ length: CLIENTS }, () => [JSON.stringify({ jsonrpc: '2.0', method: 'author_getFingerprint', params: [], id: 1 })]);
  const expectFingerprint = Array.from({ length: CLIENTS }, () => '"result":"0x80');
  const echoPrefix = '{"jsonrpc":"2.0","method":';
  const expectEcho = Array.from({ length: CLIENTS }, () => echoPrefix);
  // The raw baseline's signatures: 16 per bench signer over the very getter payload the server verifies.
  const rawItems: RawItem[] = Array.from({ length: CLIENTS * 16 }, (_, k) => {
    const signer = benchSigner('sr25519', k % CLIENTS);
    const message = sealbridgeRegistry.createType('TrustedGetter', { free_balance: signer.publicKey }).toU8a();
    return { publicKey: signer.publicKey, message, signature: signer.signRaw(message) };
  });
  // A self-signed RSA certificate, as the worker's RA-TLS one is RSA.
  const echo = await startEcho(selfSignedTls());

  const load = child();
  /** One load run; for the worker also its host and enclave CPU and what crossed the boundary in the window. */
  const scenario = async (target: 'worker' | 'echo', msg: Omit<ScenarioMessage, 'kind' | 'url'>) => {
    let at0: { parent: NodeJS.CpuUsage; host: number; enclave: number; boundary: number } | undefined;
    let at1: typeof at0;
    const mark = () => ({ parent: process.cpuUsage(), host: cpuSeconds(pids.host) ?? NaN, enclave: cpuSeconds(pids.enclave) ?? NaN, boundary: fileSize(boundaryFile) });
    const onWindow = (): void => {
      if (at0 === undefined) at0 = mark();
      else at1 = mark();
    };
    const r = await ask<LoadResult>(load, { kind: 'load', url: target === 'worker' ? rpcUrl : echo.url, ...msg }, onWindow);
    if (!at0 || !at1) throw new Error('the load process did not mark its window');
    const perRequest = (us: number): number => round(us / Math.max(1, r.requests));
    const parentUs = at1.parent.user + at1.parent.system - at0.parent.user - at0.parent.system;
    const hostUs = (at1.host - at0.host) * 1e6;
    const enclaveUs = (at1.enclave - at0.enclave) * 1e6;
    // The echo server runs in this process; the worker is its two processes (this one only serves the idle chain then).
    const serverCpuUsPerRequest = perRequest(target === 'echo' ? parentUs : hostUs + enclaveUs);
    const machineShareUsed = round((r.rps * (serverCpuUsPerRequest + r.loadCpuUsPerRequest)) / 1e6 / os.cpus().length);
    const base = { ...r, serverCpuUsPerRequest, machineShareUsed };
    if (target === 'echo') return base;
    const boundary = countBoundary(boundaryFile, at0.boundary, at1.boundary, names);
    return {
      ...base,
      hostCpuUsPerRequest: perRequest(hostUs),
      enclaveCpuUsPerRequest: perRequest(enclaveUs),
      benchProcessCpuUsPerRequest: perRequest(parentUs),
      boundary: { ...boundary, framesPerRequest: round(boundary.frames / Math.max(1, r.requests)), bytesPerRequest: round(boundary.bytes / Math.max(1, r.requests)) },
    };
  };
  type Result = Awaited<ReturnType<typeof scenario>>;
  type WorkerResult = Extract<Result, { boundary: unknown }>;
  const onWorker = async (msg: Omit<ScenarioMessage, 'kind' | 'url'>): Promise<WorkerResult> => (await scenario('worker', msg)) as WorkerResult;
  const step = (name: string): boolean => progress(`${name} (${Math.round((performance.now() - startedAt) / 1000)} s in)`);

  step('echo');
  const echoResult = await scenario('echo', { frames: srFrames, expect: expectEcho });
  step('resent sr25519 getters');
  const srResult = await onWorker({ frames: srFrames, expect: expectSr });
  step('resent ed25519 getters');
  const edResult = await onWorker({ frames: edFrames, expect: expectEd });
  step('uncached sr25519 getters');
  const srUncached = await onWorker({ frames: uncachedFrames, expect: expectSr, prime: true });
  step('raw sr25519 verification, two threads');
  const rawBefore = await rawVerifyRate(rawItems);
  const freshPerClient = Math.ceil((rawBefore.perSecond * (WARMUP_SECONDS + RUN_SECONDS) * FRESH_HEADROOM) / CLIENTS);
  step(`fresh sr25519 getters (${freshPerClient} per client, signed by the load process first)`);
  const srFresh = await onWorker({ sign: { scheme: 'sr25519', perClient: freshPerClient, shardHex: u8aToHex(shard) }, expect: expectSr, noResend: true });
  step('raw sr25519 verification again');
  const rawAfter = await rawVerifyRate(rawItems);
  const rawRate = Math.round((rawBefore.perSecond + rawAfter.perSecond) / 2);
  step('author_getFingerprint');
  const fpResult = await onWorker({ frames: fingerprint, expect: expectFingerprint });
  const echoSmall = await scenario('echo', { frames: fingerprint, expect: expectEcho });
  // Latency below saturation: a quarter of the measured getter capacity, the same rate against echo.
  const pacedRps = Math.max(10, Math.round(srResult.rps / 4));
  step(`paced at ${pacedRps}/s`);
  const srPaced = await onWorker({ frames: srFrames, expect: expectSr, pacedRps });
  const echoPaced = await scenario('echo', { frames: srFrames, expect: expectEcho, pacedRps });
  const echoAgain = await scenario('echo', { frames: srFrames, expect: expectEcho });
  load.kill();
  await echo.close();

  // Idle connections: the enclave process keeps its fds within the soft limit it inherited.
  step('idle connections');
  const limits = fdLimits();
  const idleCount = Math.min(IDLE_TARGET, limits.soft - FD_HEADROOM);
  await sleep(1000); // the load's garbage collected, so the difference is the connections'
  const rssBefore = { host: rssMiB(pids.host), enclave: rssMiB(pids.enclave) };
  const holders = [child(), child()];
  const half = Math.ceil(idleCount / 2);
  const opened2 = await Promise.all(holders.map((h, i) => ask<{ opened: number; failed: number; seconds: number }>(h, { kind: 'idle', url: rpcUrl, count: i === 0 ? half : idleCount - half })));
  await sleep(500);
  const held = establishedOn(rpcPort);
  const rssAtPeak = { host: rssMiB(pids.host), enclave: rssMiB(pids.enclave) };
  // While they are held, one more client still gets answered.
  const probe = await openSocket(rpcUrl);
  const t0 = performance.now();
  const probeReply = await roundTrip(probe, srFrames[0]![0]!);
  const probeMs = round(performance.now() - t0);
  probe.terminate();
  for (const h of holders) h.kill();

  const restarted = worker.records.some((r) => r.msg === 'enclave restarted; resuming import');
  await worker.kill('SIGTERM');
  await api.disconnect();
  await dev.stop();
  const boundaryBytesTotal = fileSize(boundaryFile);
  fs.rmSync(tmp, { recursive: true, force: true });

  const echoRps = Math.max(echoResult.rps, echoAgain.rps);
  const sum = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a + b);
  const resentRatio = round(srResult.rps / echoRps);
  const freshRatio = round(srFresh.rps / rawRate);
  const freshAllValid = srFresh.errors === 0 && srFresh.validAnswers === srFresh.requests && srFresh.requests > 0;
  const result = {
    benchmark: 'rpc',
    against: 'real worker process',
    date: new Date().toISOString(),
    quick: QUICK,
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      totalMemMb: Math.round(os.totalmem() / 2 ** 20),
      /** Other processes share these cores; a high load average makes every number below noisier. */
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg().map(round),
    },
    config: {
      clients: CLIENTS, warmupSeconds: WARMUP_SECONDS, runSeconds: RUN_SECONDS, rawVerifySeconds: RAW_SECONDS,
      gettersPerClient: GETTERS_PER_CLIENT, uncachedGettersPerClient: UNCACHED_GETTERS_PER_CLIENT, freshGettersPerClient: freshPerClient,
      loadProcess: 'separate child process', requestsPerClientInFlight: 1,
    },
    worker: {
      processes: 'sealbridge-worker host + enclave process (the TLS JSON-RPC server runs in the enclave process)',
      logLevel: 'info',
      shieldedAccounts: { sr25519: CLIENTS, ed25519: CLIENTS },
      boundaryRecorded: 'SEALBRIDGE_RECORD_BOUNDARY (synchronous appends by the host: in its CPU time)',
      boundaryBytesWholeRun: boundaryBytesTotal,
      enclaveRestarted: restarted,
    },
    echo: { first: echoResult, last: echoAgain, rpsUsed: echoRps },
    trustedGetterSr25519: { ...srResult, ratioToEcho: resentRatio },
    trustedGetterEd25519: { ...edResult, ratioToEcho: round(edResult.rps / echoRps) },
    /** 6,400 distinct getters cycled past the 4,096-entry reply cache: decoding and a state read each (signatures already verified). */
    trustedGetterSr25519Uncached: { ...srUncached, ratioToEcho: round(srUncached.rps / echoRps) },
    /** Every request a newly signed getter (`resentRequests` 0): decoding, an sr25519 verification and a state read each. */
    trustedGetterSr25519Fresh: { ...srFresh, ratioToEcho: round(srFresh.rps / echoRps), ratioToRawVerify: freshRatio },
    /** Two worker threads verifying pre-made sr25519 getter signatures (chain-types verifySignatureBytes) for rawVerifySeconds each. */
    rawSr25519Verify: { threads: 2, perSecond: rawRate, before: rawBefore, after: rawAfter },
    /** Server overhead without backend work, against echo of the same small frames. */
    getFingerprint: { ...fpResult, echoSameFrames: echoSmall, ratioToEcho: round(fpResult.rps / echoSmall.rps) },
    /** Paced at a quarter of the getter capacity: latency without queueing behind 64 saturating clients. */
    paced: { totalRps: pacedRps, trustedGetterSr25519: srPaced, echo: echoPaced },
    /**
     * CPU µs per request at saturation: the worker's host and enclave processes (together `serverCpuUsPerRequest`), the
     * echo server's process. On 2 cores the load process competes with the server, so `echoToGetter` (echo cost / getter
     * cost) is the throughput ratio the server alone would allow.
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
      byProcess: Object.fromEntries(([['trustedGetterSr25519', srResult], ['trustedGetterEd25519', edResult], ['trustedGetterSr25519Uncached', srUncached], ['trustedGetterSr25519Fresh', srFresh], ['getFingerprint', fpResult]] as const)
        .map(([name, r]) => [name, { host: r.hostCpuUsPerRequest, enclave: r.enclaveCpuUsPerRequest }])),
      loadProcessEcho: echoResult.loadCpuUsPerRequest,
      loadProcessGetter: srResult.loadCpuUsPerRequest,
    },
    /** What crossed between host and enclave process per request during each window (getters are answered in the enclave). */
    boundaryPerRequest: Object.fromEntries(([['trustedGetterSr25519', srResult], ['trustedGetterEd25519', edResult], ['trustedGetterSr25519Uncached', srUncached], ['trustedGetterSr25519Fresh', srFresh], ['getFingerprint', fpResult], ['pacedSr25519', srPaced]] as const)
      .map(([name, r]) => [name, { frames: r.boundary.framesPerRequest, bytes: r.boundary.bytesPerRequest, byType: r.boundary.byType }])),
    targets: {
      ratio: TARGET.resent.ratio,
      p99Ms: TARGET.resent.p99Ms,
      trustedGetterMet: resentRatio >= TARGET.resent.ratio && srResult.p99Ms < TARGET.resent.p99Ms && srResult.errors === 0,
      serverOverheadMet: fpResult.rps / echoSmall.rps >= TARGET.resent.ratio,
      pacedGetterP99Met: srPaced.p99Ms < TARGET.resent.p99Ms,
      resentGetter: {
        target: TARGET.resent, ratioToEcho: resentRatio, p99Ms: srResult.p99Ms,
        ratioMet: resentRatio >= TARGET.resent.ratio, p99Met: srResult.p99Ms < TARGET.resent.p99Ms, allValid: srResult.errors === 0,
        met: resentRatio >= TARGET.resent.ratio && srResult.p99Ms < TARGET.resent.p99Ms && srResult.errors === 0,
      },
      freshGetter: {
        target: TARGET.fresh, ratioToRawVerify: freshRatio, p99Ms: srFresh.p99Ms, rawVerifyPerSecond: rawRate,
        resentRequests: srFresh.resentRequests, clientsOutOfGetters: srFresh.clientsOutOfGetters, validAnswers: srFresh.validAnswers, allValid: freshAllValid,
        ratioMet: freshRatio >= TARGET.fresh.ratio, p99Met: srFresh.p99Ms < TARGET.fresh.p99Ms,
        met: freshRatio >= TARGET.fresh.ratio && srFresh.p99Ms < TARGET.fresh.p99Ms && freshAllValid && srFresh.resentRequests === 0,
      },
    },
    idle: {
      fdLimitSoft: limits.soft,
      fdLimitHard: limits.hard,
      requested: idleCount,
      opened: opened2.reduce((s, o) => s + o.opened, 0),
      failed: opened2.reduce((s, o) => s + o.failed, 0),
      /** ESTABLISHED sockets on the RPC port (server side), from /proc/net/tcp. */
      heldByServer: held,
      openSeconds: Math.max(...opened2.map((o) => o.seconds)),
      rssMiBBefore: { ...rssBefore, total: sum(rssBefore.host, rssBefore.enclave) },
      rssMiBAtPeak: { ...rssAtPeak, total: sum(rssAtPeak.host, rssAtPeak.enclave) },
      serverRssMbBefore: sum(rssBefore.host, rssBefore.enclave),
      serverRssMbAtPeak: sum(rssAtPeak.host, rssAtPeak.enclave),
      rssKbPerConnection: Math.round((((sum(rssAtPeak.host, rssAtPeak.enclave) ?? 0) - (sum(rssBefore.host, rssBefore.enclave) ?? 0)) * 1024) / Math.max(1, held)),
      probeGetterWhileHeldMs: probeMs,
      probeOk: probeReply.includes(expectSr[0]!),
      target: IDLE_TARGET,
      met: held >= IDLE_TARGET,
    },
    totalSeconds: Math.round((performance.now() - startedAt) / 1000),
  };
  const replacer = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);
  let written: string;
  if (OUT) {
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, `${JSON.stringify(result, replacer, 2)}\n`);
    written = OUT;
  } else {
    written = writeResult('rpc', result);
  }
  const line = (name: string, r: Result): string => {
    const w = r as Partial<WorkerResult>;
    const split = w.hostCpuUsPerRequest === undefined ? '' : ` (host ${w.hostCpuUsPerRequest} enclave ${w.enclaveCpuUsPerRequest})`;
    const crossed = w.boundary ? `  boundary ${w.boundary.framesPerRequest} frames ${w.boundary.bytesPerRequest} B/req` : '';
    return `${name.padEnd(26)} ${String(r.rps).padStart(7)} req/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  valid ${r.validAnswers} errors ${r.errors}  cpu µs/req server ${r.serverCpuUsPerRequest}${split} load ${r.loadCpuUsPerRequest}  machine ${r.machineShareUsed}${crossed}`;
  };
  console.log(`rpc benchmark against the real worker (${CLIENTS} wss clients, ${RUN_SECONDS} s each, ${result.machine.cpus} cpus, load avg ${loadAtStart.join(' ')})`);
  console.log(line('echo (bare TLS ws)', echoResult));
  console.log(line('trusted getter sr25519', srResult), ` ratio ${resentRatio}`);
  console.log(line('trusted getter ed25519', edResult), ` ratio ${result.trustedGetterEd25519.ratioToEcho}`);
  console.log(line('getter sr25519, uncached', srUncached), ` ratio ${result.trustedGetterSr25519Uncached.ratioToEcho}`);
  console.log(line('getter sr25519, fresh', srFresh), ` vs raw 2-thread verify ${rawRate}/s (${rawBefore.perSecond}, ${rawAfter.perSecond}) → ${freshRatio}; resent ${srFresh.resentRequests}, clients out of getters ${srFresh.clientsOutOfGetters}`);
  console.log(line('author_getFingerprint', fpResult), ` ratio ${result.getFingerprint.ratioToEcho}`);
  console.log(line('echo (fingerprint frames)', echoSmall));
  console.log(line(`getter sr25519 @${pacedRps}/s`, srPaced));
  console.log(line(`echo @${pacedRps}/s`, echoPaced));
  console.log(line('echo again', echoAgain));
  console.log(`targets: resent getter ${result.targets.resentGetter.met ? 'met' : 'NOT met'}, fresh getter ${result.targets.freshGetter.met ? 'met' : 'NOT met'}`);
  console.log(`idle: ${held} connections held (fd soft limit ${limits.soft}), RSS host ${rssAtPeak.host} + enclave ${rssAtPeak.enclave} MiB ` +
    `(${result.idle.rssKbPerConnection} KB/conn), getter while held ${probeMs} ms`);
  console.log(`${result.totalSeconds} s → ${written}`);
}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === 'verify') {
  await verifyThread(workerData as { items: RawItem[]; seconds: number });
} else if (process.argv.includes('--child')) {
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
