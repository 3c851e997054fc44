// Worker import throughput: invocations per second from finalization to state written and confirmation signed,
// with blocks of 1,000 `invoke` extrinsics (calls signed with sr25519, then the same with ed25519), against the
// enclave's raw decryption rate; catch-up of 10,000 empty blocks against bare @polkadot/api fetching the same
// blocks; the peak RSS of the worker's processes (the host and its enclave process). The worker's CPU time is that
// of both processes. The import worker records its enclave boundary (SEALBRIDGE_RECORD_BOUNDARY): frames and bytes
// per imported block each way during the measured import window are in each import result's `boundary`.
// Run: npx tsc -b bench && node bench/dist/worker-import.js  → bench/results/worker-import.json
// (BENCH_BLOCKS, BENCH_PER_BLOCK and BENCH_EMPTY_BLOCKS shorten it while developing.)
import { sign as nodeSign } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { DEV_PHRASE } from '@polkadot/keyring';
import type { IKeyringPair } from '@polkadot/types/types';
import { hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady, encodeAddress, keyExtractPath, keyFromPath, mnemonicToMiniSecret, sr25519PairFromSeed } from '@polkadot/util-crypto';
import { sr25519KeypairFromSeed, sr25519Sign } from '@polkadot/wasm-crypto';

import { cryptoReady, ed25519PrivateKeyFromSeed, ed25519RawPublicKey, encodeRequest, shieldEncrypt, shieldingKeyFromJson, signTrustedCall, type SigningPair } from '@sealbridge/chain-types';
import { encodeCallOperation } from '@sealbridge/stf';
import { connectWorker } from '@sealbridge/client';
import { startDevChain } from '@sealbridge/dev-chain';
import { ECALLS, FRAME_KIND, OCALLS } from '@sealbridge/enclave-api';
import { DecryptPool, unsealEnclaveKeysForTest } from '@sealbridge/enclave-sim/testing';
import { WorkerProcess } from '@sealbridge/test';

import { cpuSeconds, workerCpuSeconds, workerPeakRssMiB, writeResult } from './results.js';

const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 10);
const PER_BLOCK = Number(process.env.BENCH_PER_BLOCK ?? 1_000);
const EMPTY_BLOCKS = Number(process.env.BENCH_EMPTY_BLOCKS ?? 10_000);
const FETCH_CONCURRENCY = 16;

/**
 * An sr25519 signer over the WASM schnorrkel. The keyring's pure-JS path takes ~15 ms per derived account and
 * ~2.5 ms per signature, which would make preparing 10,000 invocations the longest part of the run.
 */
function wasmSr25519Pair(publicKey: Uint8Array, secretKey: Uint8Array): IKeyringPair {
  return {
    address: encodeAddress(publicKey),
    addressRaw: publicKey,
    publicKey,
    // MultiSignature::Sr25519 = variant 1, prefixed when polkadot-js asks for the typed form.
    sign: (data, options) => (options?.withType ? u8aConcat([1], sr25519Sign(publicKey, secretKey, data)) : sr25519Sign(publicKey, secretKey, data)),
  };
}
const devAccount = (uri: string): IKeyringPair => {
  const { publicKey, secretKey } = keyFromPath(sr25519PairFromSeed(mnemonicToMiniSecret(DEV_PHRASE)), keyExtractPath(uri).path, 'sr25519');
  return wasmSr25519Pair(publicKey, secretKey);
};
const benchUser = (seed: Uint8Array): IKeyringPair & { type: 'sr25519' } => {
  const keypair = sr25519KeypairFromSeed(seed);
  return { ...wasmSr25519Pair(keypair.slice(64), keypair.slice(0, 64)), type: 'sr25519' };
};

/** Other processes share these cores; a high load average makes every number below noisier. */
const loadAverageAtStart = os.loadavg().map((v) => Math.round(v * 100) / 100);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sealbridge-bench-import-'));
await Promise.all([cryptoWaitReady(), cryptoReady()]);
const progress = (msg: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const dev = await startDevChain({ port: 0, blockTime: 'manual' });
const { chain } = dev;
let pumping = false;
/** Seals whatever is pending (registration, confirmations) until `pumping` is cleared: manual mode waits for us. */
function pumpPending(): Promise<void> {
  pumping = true;
  return (async () => {
    while (pumping) {
      if (chain.pool.ready().length > 0) await chain.createBlock({ finalize: true });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  })();
}
const startupPump = pumpPending();

const secret = path.join(tmp, 'platform-secret');
// The default log level, as an operator runs it (the harness's debug level would log every empty block twice).
const args = ['--parentchain', dev.url, '--data-dir', path.join(tmp, 'worker'), '--platform-secret', secret, '--rpc-port', '0', '--runner-port=-1', '--log-level', 'info'];
/**
 * Every frame crossing the import worker's enclave boundary, appended by its host process as
 * `u8 direction (0 = from the enclave, 1 = to it) ‖ u32le length ‖ frame` (packages/worker/src/run-cli.ts). The
 * catch-up worker below does not record: its measurement stays as it was.
 */
const boundaryFile = path.join(tmp, 'boundary.rec');
let worker = new WorkerProcess(args, { env: { SEALBRIDGE_RECORD_BOUNDARY: boundaryFile } });
const opened = await worker.waitFor((r) => r.msg === 'enclave opened');
/** The worker's host process and the enclave process it spawned. */
let pids = { host: worker.child.pid!, enclave: Number(opened.pid) };
const rpc = await worker.waitFor((r) => r.msg === 'trusted RPC listening');
await worker.waitFor((r) => r.msg === 'resuming import', 120_000);
const client = await connectWorker(String(rpc.url), { tls: 'insecure' });
const shieldingKey = shieldingKeyFromJson(await client.getShieldingKeyJson());
await client.close();
const mrenclave = hexToU8a(String(opened.mrenclaveHex));

pumping = false;
await startupPump;
progress('worker up; signing the workload');
const api = await ApiPromise.create({ provider: new WsProvider(dev.url), noInitWarn: true });
const xtSigners = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map(devAccount);
const immortal = api.registry.createType('ExtrinsicEra', new Uint8Array([0]));

/** A trusted-call signer: sr25519 as the Integritee CLI makes them, or ed25519 (the other MultiSignature clients use). */
type Scheme = 'sr25519' | 'ed25519';
function user(scheme: Scheme, i: number): SigningPair & { publicKey: Uint8Array } {
  const seed = blake2AsU8a(stringToU8a(`sealbridge bench ${scheme} user ${i}`), 256);
  if (scheme === 'sr25519') return benchUser(seed);
  const key = ed25519PrivateKeyFromSeed(seed);
  return { type: 'ed25519', publicKey: ed25519RawPublicKey(key), sign: (m) => new Uint8Array(nodeSign(null, m, key)) };
}

/**
 * Signs BLOCKS × PER_BLOCK shielded `noop` calls (each from its own account, nonce 0: valid, cheap to execute, so the
 * run measures the import and not the STF), fills BLOCKS unfinalized blocks with them, then finalizes them at once
 * and times the worker from finalization to the last block committed. The enclave's raw decryption of the same
 * ciphertexts is timed right before and right after (the worker idle), and the mean of the two is the baseline: this
 * host's speed drifts by up to a quarter between windows of a few seconds, and a one-block sample caught its bursts.
 */
async function measureImport(scheme: Scheme) {
  const pump = pumpPending();
  const nonces = await Promise.all(xtSigners.map(async (s) => (await api.rpc.system.accountNextIndex(s.address)).toNumber()));
  const ciphertexts: Uint8Array[] = [];
  const extrinsics: string[] = [];
  for (let i = 0; i < BLOCKS * PER_BLOCK; i++) {
    const pair = user(scheme, i);
    if (i % 1000 === 0) progress(`${scheme}: signed ${i} of ${BLOCKS * PER_BLOCK}`);
    const top = encodeCallOperation('indirect_call', signTrustedCall(pair, { noop: pair.publicKey }, 0, mrenclave, mrenclave));
    const cyphertext = shieldEncrypt(shieldingKey, top);
    ciphertexts.push(cyphertext);
    const signer = i % xtSigners.length;
    const tx = api.tx.enclaveBridge.invoke(u8aToHex(encodeRequest(mrenclave, cyphertext)))
      .sign(xtSigners[signer]!, { nonce: nonces[signer]++, era: immortal, blockHash: api.genesisHash, genesisHash: api.genesisHash, runtimeVersion: api.runtimeVersion });
    extrinsics.push(tx.toHex());
  }
  pumping = false;
  await pump;

  progress(`${scheme}: workload signed; filling blocks`);
  const targets: number[] = [];
  for (let b = 0; b < BLOCKS; b++) {
    await Promise.all(extrinsics.slice(b * PER_BLOCK, (b + 1) * PER_BLOCK).map((xt) => chain.submit(hexToU8a(xt))));
    const block = await chain.createBlock({ finalize: false });
    targets.push(block.number);
  }
  const rawBefore = await rawDecryption(ciphertexts);
  progress(`${scheme}: blocks built; finalizing`);
  const cpuBefore = { worker: workerCpuSeconds(pids) ?? 0, bench: cpuSeconds(process.pid) ?? 0 };
  const recordedFrom = recordedBytes();
  const startedAt = Date.now();
  await chain.finalize(chain.best.hash);
  await worker.waitFor((r) => r.msg === 'imported block' && Number(r.block) === targets[targets.length - 1], 600_000);
  const importMs = Date.now() - startedAt;
  const recordedTo = recordedBytes();
  const cpu = { worker: (workerCpuSeconds(pids) ?? 0) - cpuBefore.worker, bench: (cpuSeconds(process.pid) ?? 0) - cpuBefore.bench };
  const imported = worker.importedBlocks().filter((r) => targets.includes(r.block)) as unknown as Array<{ ok: number; time: string }>;
  const okInvocations = imported.reduce((sum, r) => sum + Number(r.ok), 0);
  const firstFailure = worker.records.find((r) => r.msg === 'trusted operation failed' || r.msg === 'indirect call could not be deciphered');
  if (firstFailure) progress(`first failure: ${JSON.stringify(firstFailure)}`);
  progress(`${scheme}: imported in ${importMs} ms`);
  const boundary = boundaryTraffic(recordedFrom, recordedTo, targets.length);
  const rawAfter = await rawDecryption(ciphertexts);
  const raw = {
    perSecond: (rawBefore.perSecond + rawAfter.perSecond) / 2,
    cpuMsPerDecryption: (rawBefore.cpuMsPerDecryption + rawAfter.cpuMsPerDecryption) / 2,
  };
  const importRate = (BLOCKS * PER_BLOCK) / (importMs / 1000);
  return {
    signatures: scheme,
    blocks: BLOCKS,
    invocationsPerBlock: PER_BLOCK,
    invocationsOk: okInvocations,
    seconds: importMs / 1000,
    invocationsPerSecond: Math.round(importRate),
    rawEnclaveDecryptsPerSecond: Math.round(raw.perSecond),
    rawBeforeAndAfter: [Math.round(rawBefore.perSecond), Math.round(rawAfter.perSecond)],
    ratioToRawDecrypt: Number((importRate / raw.perSecond).toFixed(3)),
    /** CPU time used during the import by the worker (host and enclave process, all threads) and by this process (the dev chain serving it). */
    cpuMsPerInvocation: { worker: round3((cpu.worker * 1000) / (BLOCKS * PER_BLOCK)), devChain: round3((cpu.bench * 1000) / (BLOCKS * PER_BLOCK)) },
    /** The same comparison in CPU time, which the host's speed swings do not move: raw CPU per decryption / worker CPU per invocation. */
    rawCpuMsPerDecryption: round3(raw.cpuMsPerDecryption),
    cpuRatioToRawDecrypt: round3(raw.cpuMsPerDecryption / ((cpu.worker * 1000) / (BLOCKS * PER_BLOCK))),
    /** When each full block was committed, in ms after finalization: shows the pipeline's fill, pace and drain. */
    committedAtMs: imported.map((r) => Date.parse(r.time) - startedAt),
    /** What crossed the enclave boundary from finalization to the last block imported, per imported block. */
    boundary,
  };
}

/** Size of the boundary recording so far (0 before its first frame). */
function recordedBytes(): number {
  try {
    return fs.statSync(boundaryFile).size;
  } catch {
    return 0;
  }
}

const ECALL_NAMES = new Map<number, string>(Object.entries(ECALLS).map(([name, spec]) => [spec.id, name]));
const OCALL_NAMES = new Map<number, string>(Object.entries(OCALLS).map(([name, spec]) => [spec.id, name]));

/**
 * Frames and bytes (whole frames, length field included) per block each way among the records that lie wholly
 * between two sizes of the recording, with a breakdown by call. The file is read from its start so the records stay
 * in step even if a size was taken in the middle of an append; a record across either bound is left out.
 */
function boundaryTraffic(from: number, to: number, blocks: number) {
  const data = fs.readFileSync(boundaryFile);
  const total = { toEnclave: { frames: 0, bytes: 0 }, fromEnclave: { frames: 0, bytes: 0 } };
  const byCall: Record<string, { frames: number; bytes: number }> = {};
  // A reply's header has a status, not a call id: its request's sequence number says what it answers.
  const hostRequests = new Map<number, string>();
  const enclaveRequests = new Map<number, string>();
  for (let at = 0; at + 5 <= data.length;) {
    const toEnclave = data[at] === 1;
    const end = at + 5 + data.readUInt32LE(at + 1);
    if (end > to || end > data.length) break;
    const frame = data.subarray(at + 5, end);
    const inWindow = at >= from;
    at = end;
    if (!inWindow) continue;
    total[toEnclave ? 'toEnclave' : 'fromEnclave'].frames++;
    total[toEnclave ? 'toEnclave' : 'fromEnclave'].bytes += frame.length;
    if (frame.length < 11) continue;
    const [kind, seq, code] = [frame.readUInt8(4), frame.readUInt32LE(5), frame.readUInt16LE(9)];
    let call: string;
    if (kind === FRAME_KIND.ecall) hostRequests.set(seq, (call = ECALL_NAMES.get(code) ?? `ecall ${code}`));
    else if (kind === FRAME_KIND.ocall) enclaveRequests.set(seq, (call = OCALL_NAMES.get(code) ?? `ocall ${code}`));
    else if (kind === FRAME_KIND.ocallOneWay) call = OCALL_NAMES.get(code) ?? `ocall ${code}`;
    else if (kind === FRAME_KIND.ecallReply) call = `${hostRequests.get(seq) ?? 'ecall'} reply`;
    else call = `${enclaveRequests.get(seq) ?? 'ocall'} reply`;
    const entry = (byCall[`${toEnclave ? '→' : '←'} ${call}`] ??= { frames: 0, bytes: 0 });
    entry.frames++;
    entry.bytes += frame.length;
  }
  const perBlock = (n: number) => round3(n / blocks);
  return {
    blocks,
    bytesPerBlockToEnclave: Math.round(total.toEnclave.bytes / blocks),
    bytesPerBlockFromEnclave: Math.round(total.fromEnclave.bytes / blocks),
    framesPerBlock: perBlock(total.toEnclave.frames + total.fromEnclave.frames),
    framesPerBlockToEnclave: perBlock(total.toEnclave.frames),
    framesPerBlockFromEnclave: perBlock(total.fromEnclave.frames),
    /** Per block, by call (→ to the enclave, ← from it); a reply is named after its request. */
    byCallPerBlock: Object.fromEntries(Object.entries(byCall).sort(([, a], [, b]) => b.bytes - a.bytes).map(([call, { frames, bytes }]) => [call, { frames: perBlock(frames), bytes: Math.round(bytes / blocks) }])),
  };
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * The enclave's raw decryption rate and CPU per decryption on this machine: the enclave's own decryption pool code in
 * this process (same pool size as the worker's enclave: one thread per core), with the worker's own shielding key,
 * unsealed from its sealed enclave data. A key of its own would make every decryption fail its OAEP check early, which
 * costs less than a real one (1.26 vs 1.65 ms of CPU here) and flatters the baseline.
 */
async function rawDecryption(ciphertexts: Uint8Array[]): Promise<{ perSecond: number; cpuMsPerDecryption: number }> {
  const { shieldingPrivateKey } = await unsealEnclaveKeysForTest(path.join(tmp, 'worker', 'enclave'), secret);
  const pool = await DecryptPool.start(shieldingPrivateKey, os.availableParallelism());
  try {
    const cpu0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    const decrypted = await pool.decryptBatch(ciphertexts);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const failed = decrypted.filter((r) => !r.ok).length;
    if (failed > 0) throw new Error(`raw baseline: ${failed} of ${decrypted.length} ciphertexts did not decrypt with the worker's key`);
    const cpu = process.cpuUsage(cpu0);
    return { perSecond: decrypted.length / seconds, cpuMsPerDecryption: (cpu.user + cpu.system) / 1000 / decrypted.length };
  } finally {
    await pool.close();
  }
}

const importSr25519 = await measureImport('sr25519');
const importEd25519 = await measureImport('ed25519');
const importPeakRss = workerPeakRssMiB(pids);

// Catch-up: the worker is down while EMPTY_BLOCKS blocks are produced, then restarts.
await worker.kill('SIGTERM');
const firstEmpty = chain.bestNumber + 1;
for (let i = 0; i < EMPTY_BLOCKS; i++) await chain.createBlock({ createEmpty: true, finalize: false });
await chain.finalize(chain.best.hash);
const lastEmpty = chain.bestNumber;
const pump2 = pumpPending();
progress('empty blocks built; restarting the worker');
worker = new WorkerProcess(args);
pids = { host: worker.child.pid!, enclave: Number((await worker.waitFor((r) => r.msg === 'enclave opened', 120_000)).pid) };
const catchUpStart = await worker.waitFor((r) => r.msg === 'catching up', 120_000);
const catchUpEnd = await worker.waitFor((r) => r.msg === 'caught up' && Number(r.block) >= lastEmpty, 900_000);
const catchUpMs = Date.parse(String(catchUpEnd.time)) - Date.parse(String(catchUpStart.time));
const catchUpPeakRss = workerPeakRssMiB(pids);
pumping = false;
await pump2;
await worker.kill('SIGTERM');

// Bare @polkadot/api: the same blocks with their events, same concurrency.
const eventsKey = api.query.system.events.key();
const bareStart = Date.now();
let nextBlock = firstEmpty;
await Promise.all(Array.from({ length: FETCH_CONCURRENCY }, async () => {
  while (nextBlock <= lastEmpty) {
    const n = nextBlock++;
    const hash = await api.rpc.chain.getBlockHash(n);
    await Promise.all([api.rpc.chain.getBlock(hash), api.rpc.state.getStorage(eventsKey, hash)]);
  }
}));
const bareMs = Date.now() - bareStart;
const blocks = lastEmpty - firstEmpty + 1;

const TARGET = { ratio: 0.8, perSecond: 700 };
const judged = (run: Awaited<ReturnType<typeof measureImport>>) => ({
  ...run,
  pass: run.ratioToRawDecrypt >= TARGET.ratio && run.invocationsPerSecond >= TARGET.perSecond,
});
const result = {
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadAverageAtStart },
  import: {
    target: TARGET,
    /** sr25519-signed calls, what Integritee's CLI sends: the target is judged on this run. */
    sr25519: judged(importSr25519),
    /** The same workload signed with ed25519: shows what the enclave's sr25519 verification costs. */
    ed25519: judged(importEd25519),
    /** Host + enclave process (the sum of their peaks); each one beside it. */
    peakRssMiB: importPeakRss.total,
    peakRssMiBByProcess: { host: importPeakRss.host, enclave: importPeakRss.enclave },
  },
  catchUp: {
    blocks,
    seconds: catchUpMs / 1000,
    blocksPerSecond: Math.round(blocks / (catchUpMs / 1000)),
    bareApiSeconds: bareMs / 1000,
    bareApiBlocksPerSecond: Math.round(blocks / (bareMs / 1000)),
    ratioToBareApi: Number((bareMs / catchUpMs).toFixed(3)),
    target: 0.8,
    pass: bareMs / catchUpMs >= 0.8,
    peakRssMiB: catchUpPeakRss.total,
    peakRssMiBByProcess: { host: catchUpPeakRss.host, enclave: catchUpPeakRss.enclave },
  },
};
for (const run of [result.import.sr25519, result.import.ed25519]) {
  console.log(`import (${run.signatures}): ${run.invocationsPerSecond} invocations/s (${run.invocationsOk} ok) vs raw decrypt ${run.rawEnclaveDecryptsPerSecond}/s → ${run.ratioToRawDecrypt}; CPU ms/invocation worker ${run.cpuMsPerInvocation.worker} dev chain ${run.cpuMsPerInvocation.devChain}, raw ${run.rawCpuMsPerDecryption} per decryption → ${run.cpuRatioToRawDecrypt}; blocks committed at ${run.committedAtMs.join(', ')} ms; boundary per block ${run.boundary.bytesPerBlockToEnclave} B → enclave, ${run.boundary.bytesPerBlockFromEnclave} B ← enclave, ${run.boundary.framesPerBlock} frames`);
}
console.log(`import peak RSS ${importPeakRss.total} MiB (host ${importPeakRss.host}, enclave ${importPeakRss.enclave})`);
console.log(`catch-up: ${blocks} blocks in ${result.catchUp.seconds} s (${result.catchUp.blocksPerSecond}/s) vs bare api ${result.catchUp.bareApiSeconds} s → ${result.catchUp.ratioToBareApi}`);
console.log(`written ${writeResult('worker-import', result)}`);
await api.disconnect();
await dev.stop();
fs.rmSync(tmp, { recursive: true, force: true });
