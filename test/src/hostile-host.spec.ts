import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, randomInt, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady, decodeAddress, mnemonicGenerate } from '@polkadot/util-crypto';

import { connectWorker, type WorkerClient } from '@sealbridge/client';
import { cryptoReady, encodeRequest, sealbridgeRegistry, shieldEncrypt, shieldingKeyFromJson, signTrustedCall, signTrustedGetter } from '@sealbridge/chain-types';
import { startDevChain, type DevChain } from '@sealbridge/dev-chain';
import { initOlm } from '@sealbridge/enclave-sim';
import { unsealEnclaveKeysForTest } from '@sealbridge/enclave-sim/testing';
import { decodeSmartWorkerResult } from '@sealbridge/stf';
import { prepareSetEnv, waitForEnvResult } from '@sealbridge/worker';

import { sendAndWaitInBlock, tempDir, UNIT, waitFor, waitForConfirmation } from './harness.js';
import { formatHits, randomMarker, readableRegions, scanBuffer, scanFiles, scanProcessMemory, scanText, type Hit, type Secret } from './hostile/secret-scan.js';
import { WorkerProcess } from './processes.js';

/**
 * The threat model: the operator owns the host. The worker runs as a real `sealbridge-worker` child process (so the
 * process scanned is the host and nothing else: this test process holds the clients' secrets), the enclave as the
 * host's child process. The spec plants unique secrets in the enclave through real clients — a confidential
 * transfer (direct call over the enclave's TLS RPC, and an indirect one through L1), a set_env secret, a Smart
 * Worker reading its Omni Key and that secret — and then looks for them and for the enclave's own keys in
 * everything the host can read: the frames that crossed the boundary (recorded by the worker bin's
 * SEALBRIDGE_RECORD_BOUNDARY test hook), the host process's memory, the data dir and the host's output. The
 * enclave process's memory is the positive control: the same scan finds them there.
 *
 * SEALBRIDGE_HOSTILE_DEBUG=1 prints the worker's log messages and, per secret, the encodings found in the enclave,
 * and keeps the temp dir (boundary.frames, data/) of a failed run.
 */

/** The input that makes the Smart Worker hand out its Omni Key: the positive control's only way to learn its value. */
const CONTROL_INPUT = 'CONTROL: leak the omni key';

/**
 * Answers sha256(omniKey base64 ‖ '\n' ‖ env.API_TOKEN): proof it holds both without echoing either; the control
 * input makes it return the Omni Key itself; an input starting with `fail:` is refused (422) with the input in the
 * answer — a failure only the caller may read (the result getter is the sender's alone).
 */
const SECRET_READER = `
export default {
  async fetch(request, env) {
    const input = new TextDecoder().decode(await request.arrayBuffer());
    if (input.startsWith('fail:')) return new Response('refused: ' + input, { status: 422 });
    // What the sdk's getOmniKey() does (it yields a non-extractable CryptoKey, so the raw binding is used here).
    const res = await env.escrin.fetch('http://escrin', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'get-key', params: { keyStore: 'sapphire-testnet', keyId: 'omni', proof: '' } }),
    });
    if (!res.ok) throw new Error('get-key failed: ' + res.status);
    const { key } = await res.json();
    if (input === ${JSON.stringify(CONTROL_INPUT)}) return new Response(key);
    const token = (env.config.env ?? {}).API_TOKEN ?? '';
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key + '\\n' + token)));
    return new Response([...digest].map((b) => b.toString(16).padStart(2, '0')).join(''));
  },
  async scheduled() {},
};`;

const u128le = (value: bigint): Uint8Array => {
  const bytes = Buffer.alloc(16);
  bytes.writeBigUInt64LE(value & 0xffff_ffff_ffff_ffffn, 0);
  bytes.writeBigUInt64LE(value >> 64n, 8);
  return bytes;
};
const secretOf = (name: string, bytes: Uint8Array): Secret => ({ name, bytes: new Uint8Array(bytes) });
/** An amount as a log line or an error message would print it. */
const decimalOf = (name: string, value: bigint): Secret => ({ name, bytes: new Uint8Array(Buffer.from(value.toString(), 'latin1')) });
const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Secrets of an RSA private key in the forms a process would hold it: the prime p big-endian (DER, JWK, PEM body
 * once decoded) and little-endian (an OpenSSL BIGNUM's limbs on x86-64), and one 48-byte run of the PKCS#8 DER that
 * starts at a multiple of 48, i.e. exactly one 64-character line of its PEM.
 */
function rsaSecrets(label: string, key: KeyObject): Secret[] {
  const p = Buffer.from(key.export({ format: 'jwk' }).p!, 'base64url');
  const der = key.export({ format: 'der', type: 'pkcs8' });
  // Half-way into the DER is past the modulus and the public exponent (n, d, p, q, dp, dq, qi follow each other).
  const line = 48 * Math.floor(der.length / 2 / 48);
  return [
    secretOf(`${label} p (big-endian)`, p),
    secretOf(`${label} p (little-endian)`, Buffer.from(p).reverse()),
    secretOf(`${label} PKCS#8 DER [${line}, ${line + 48}) (= one PEM line)`, der.subarray(line, line + 48)),
  ];
}

/** SIGSTOPs `pid` for the scan of its memory (nothing moves while it is read), SIGCONTs it after. */
function scanStopped(pid: number, secrets: readonly Secret[]): { hits: Hit[]; seconds: number; mib: number } {
  const started = performance.now();
  process.kill(pid, 'SIGSTOP');
  try {
    // Reading /proc/<pid>/mem needs ptrace rights over the process: fail loudly rather than find nothing.
    fs.closeSync(fs.openSync(`/proc/${pid}/mem`, 'r'));
    const mib = readableRegions(pid).reduce((sum, r) => sum + r.end - r.start, 0) / 2 ** 20;
    return { hits: scanProcessMemory(pid, secrets), seconds: (performance.now() - started) / 1000, mib };
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

/** The RA-TLS private key of the enclave's RPC server: found as PEM in the enclave process and checked against the served certificate. */
async function raTlsKeyFromEnclave(pid: number, rpcUrl: string): Promise<KeyObject> {
  const url = new URL(rpcUrl);
  const served = await new Promise<Buffer>((resolve, reject) => {
    const socket = tls.connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
      const spki = socket.getPeerX509Certificate()!.publicKey.export({ format: 'der', type: 'spki' });
      socket.end();
      resolve(spki);
    });
    socket.once('error', reject);
  });
  const begin = '-----BEGIN PRIVATE KEY-----';
  const header: Secret = { name: 'pem header', bytes: new Uint8Array(Buffer.from(begin)) };
  process.kill(pid, 'SIGSTOP');
  try {
    const fd = fs.openSync(`/proc/${pid}/mem`, 'r');
    try {
      for (const hit of scanProcessMemory(pid, [header]).filter((h) => h.encoding.startsWith('utf8'))) {
        const text = Buffer.alloc(4096);
        let got = 0;
        try {
          got = fs.readSync(fd, text, 0, text.length, hit.offset);
        } catch {
          continue; // at the end of a region
        }
        const pem = /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+?-----END PRIVATE KEY-----\n?/.exec(text.subarray(0, got).toString('latin1'))?.[0];
        if (!pem) continue;
        try {
          const key = createPrivateKey(pem);
          if (createPublicKey(key).export({ format: 'der', type: 'spki' }).equals(served)) return key;
        } catch {
          // a partly overwritten copy
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  throw new Error('the RA-TLS private key of the served certificate was not found in the enclave process');
}

const CONTROL = 'control: ';
const leaksOf = (hits: readonly Hit[]): Hit[] => hits.filter((h) => !h.secret.startsWith(CONTROL));
const foundNames = (hits: readonly Hit[]): Set<string> => new Set(hits.map((h) => h.secret));

describe('hostile host: none of the secrets reach the host process, the boundary, the data dir or the logs', function () {
  this.timeout(180_000);
  let chain: DevChain | undefined;
  let api: ApiPromise | undefined;
  let worker: WorkerProcess | undefined;
  let client: WorkerClient | undefined;
  let dir: string;
  let dataDir: string;
  let boundaryFile: string;
  let hostPid: number;
  let enclavePid: number;
  let failed = false;
  let planted = false;
  /** Must never reach the host. */
  const secrets: Secret[] = [];
  /** Public values the host does hold, one for each place scanned: proof that each scan reads what it should. */
  let controls: Record<'boundary' | 'memory' | 'dataDir' | 'logs', Secret>;

  before(async function () {
    const started = performance.now();
    await Promise.all([cryptoWaitReady(), cryptoReady(), initOlm()]);
    dir = tempDir('hostile-host');
    dataDir = path.join(dir, 'data');
    const platformSecretPath = path.join(dir, 'platform-secret');
    boundaryFile = path.join(dir, 'boundary.frames');
    chain = await startDevChain({ port: 0, blockTime: 'instant' });
    api = await ApiPromise.create({ provider: new WsProvider(chain.url), noInitWarn: true });
    worker = new WorkerProcess(
      ['--parentchain', chain.url, '--data-dir', dataDir, '--platform-secret', platformSecretPath, '--rpc-port', '0', '--runner-port', '0'],
      { env: { SEALBRIDGE_RECORD_BOUNDARY: boundaryFile }, captureStdout: true },
    );
    hostPid = worker.child.pid!;
    const opened = await worker.waitFor((r) => r.msg === 'enclave opened');
    enclavePid = Number(opened.pid);
    assert.ok(enclavePid > 0 && enclavePid !== hostPid, `enclave pid ${String(opened.pid)}`);
    const registered = await worker.waitFor((r) => r.msg === 'enclave registered');
    const rpcUrl = String((await worker.waitFor((r) => r.msg === 'trusted RPC listening')).url);
    const runnerUrl = String((await worker.waitFor((r) => r.msg === 'Smart Worker runner listening')).url);
    const account = decodeAddress(String(registered.account));
    const rpc = await connectWorker(rpcUrl, { tls: 'insecure' });
    client = rpc;
    const shard = await rpc.getShard();
    const mrenclave = await rpc.getFingerprint();
    const shieldingKey = shieldingKeyFromJson(await rpc.getShieldingKeyJson());
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 13 });
    const alice = keyring.addFromUri('//Alice');
    const invoke = (top: Uint8Array): SubmittableExtrinsic<'promise'> => api!.tx.enclaveBridge.invoke(u8aToHex(encodeRequest(shard, shieldEncrypt(shieldingKey, top))));

    // 1. Shield to a fresh incognito account (the amount is public on L1, the account is not).
    const incognito = keyring.addFromUri(mnemonicGenerate());
    const shieldCiphertext = shieldEncrypt(shieldingKey, incognito.publicKey);
    const shielded = 20n * UNIT;
    const shieldedIn = await sendAndWaitInBlock(api, api.tx.enclaveBridge.shieldFunds(u8aToHex(shard), u8aToHex(shieldCiphertext), shielded), alice);
    await waitForConfirmation(api, shieldedIn.blockHash, 60_000);
    await waitFor(() => rpc.getFreeBalance(shard, incognito), (v) => v === shielded, 60_000);

    // 2. Confidential transfers inside the shard, to fresh accounts with unique amounts: neither ever appears on L1.
    //    A direct call over the enclave's TLS RPC (the enclave relays it re-encrypted) …
    const directTo = keyring.addFromUri(mnemonicGenerate());
    const directAmount = 7n * UNIT + 310_000_000_000n + BigInt(randomInt(1, 2 ** 40));
    const directTop = sealbridgeRegistry.createType('TrustedOperation', {
      direct_call: signTrustedCall(incognito, { balance_transfer: [incognito.publicKey, directTo.publicKey, directAmount] }, 0, mrenclave, shard),
    }).toU8a();
    const statuses: string[] = [];
    for await (const update of rpc.watch(shard, directTop)) {
      statuses.push(update.status);
      if (update.final) break;
    }
    assert.equal(statuses.at(-1), 'InSidechainBlock', statuses.join(' → '));
    //    … and an indirect one, RSA-shielded inside EnclaveBridge.invoke.
    const indirectTo = keyring.addFromUri(mnemonicGenerate());
    const indirectAmount = 3n * UNIT + 410_000_000_000n + BigInt(randomInt(1, 2 ** 40));
    const indirectTop = sealbridgeRegistry.createType('TrustedOperation', {
      indirect_call: signTrustedCall(incognito, { balance_transfer: [incognito.publicKey, indirectTo.publicKey, indirectAmount] }, 1, mrenclave, shard),
    }).toU8a();
    const invoked = await sendAndWaitInBlock(api, invoke(indirectTop), alice);
    await waitForConfirmation(api, invoked.blockHash, 60_000);
    assert.equal(await waitFor(() => rpc.getFreeBalance(shard, directTo), (v) => v === directAmount, 30_000), directAmount);
    assert.equal(await waitFor(() => rpc.getFreeBalance(shard, indirectTo), (v) => v === indirectAmount, 30_000), indirectAmount);

    // 3. The error paths: a transfer over the sender's balance (the STF says why it failed) …
    const balanceBefore = await rpc.getFreeBalance(shard, incognito);
    const overdraft = 50n * UNIT + BigInt(randomInt(1, 2 ** 40));
    const overdraftTop = sealbridgeRegistry.createType('TrustedOperation', {
      indirect_call: signTrustedCall(incognito, { balance_transfer: [incognito.publicKey, indirectTo.publicKey, overdraft] }, 2, mrenclave, shard),
    }).toU8a();
    await waitForConfirmation(api, (await sendAndWaitInBlock(api, invoke(overdraftTop), alice)).blockHash, 60_000);
    const balanceAfter = await rpc.getFreeBalance(shard, incognito);
    assert.ok(balanceAfter <= balanceBefore && balanceAfter < overdraft, `${balanceBefore} → ${balanceAfter}`);
    assert.equal(await rpc.getFreeBalance(shard, indirectTo), indirectAmount, 'the overdraft moved nothing');

    // 4. A set_env secret, Olm-encrypted to the enclave on L1.
    const envSecret = randomMarker('set_env secret value', { text: true });
    const envValue = Buffer.from(envSecret.bytes).toString('utf8');
    await waitFor(async () => ((await api!.query.workerEnv.oneTimeKeys(account)) as unknown as unknown[]).length, (n) => n > 0, 60_000);
    const prepared = await prepareSetEnv(api, { worker: account, shard, sender: alice.publicKey, env: { API_TOKEN: envValue } });
    const envIn = await sendAndWaitInBlock(api, prepared.tx, alice);
    assert.equal(await waitForEnvResult(api, account, prepared.oneTimeKey, envIn.blockNumber), 'Stored');

    // 5. A Smart Worker bound to the shard that reads its Omni Key and the env secret and answers only a hash of them.
    const deployed = await fetch(`${runnerUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: SECRET_READER, type: 'module', name: 'secret-reader', shard: u8aToHex(shard) }),
    });
    assert.equal(deployed.status, 201, await deployed.clone().text());
    const { id } = (await deployed.json()) as { id: string };
    const { identity } = (await (await fetch(`${runnerUrl}/workers/${id}`)).json()) as { identity: string };
    const smartWorkerOutcome = async (input: string) => {
      const sender = keyring.addFromUri(mnemonicGenerate());
      const signed = signTrustedCall(sender, { smart_worker_call: [sender.publicKey, identity, u8aToHex(new TextEncoder().encode(input))] }, 0, mrenclave, shard);
      const included = await sendAndWaitInBlock(api!, invoke(sealbridgeRegistry.createType('TrustedOperation', { indirect_call: signed }).toU8a()), alice);
      await waitForConfirmation(api!, included.blockHash, 60_000);
      const getter = sealbridgeRegistry.createType('Getter', { trusted: signTrustedGetter(sender, { smart_worker_result: [sender.publicKey, blake2AsU8a(signed)] }) }).toU8a();
      return decodeSmartWorkerResult((await rpc.executeGetter(shard, getter))!);
    };
    const callSmartWorker = async (input: string): Promise<string> => {
      const outcome = await smartWorkerOutcome(input);
      assert.ok(outcome.ok, JSON.stringify(outcome));
      return new TextDecoder().decode(outcome.output);
    };
    const digest = await callSmartWorker('hash');
    // CONTROL, deliberately leaking: the Omni Key is random to everyone outside the enclave, so the only way to know
    // the value to look for is to have the Smart Worker hand it to its caller (over the enclave's TLS, to this process).
    const omniKeyBase64 = await callSmartWorker(CONTROL_INPUT);
    const omniKey = Buffer.from(omniKeyBase64, 'base64');
    assert.equal(omniKey.length, 32, omniKeyBase64);
    assert.equal(digest, sha256Hex(`${omniKeyBase64}\n${envValue}`), 'the Smart Worker read both its Omni Key and the env secret');
    // … and (the other error path) a Smart Worker call it refuses: the answer, with the call's input, is the sender's.
    const refusedInput = randomMarker('refused Smart Worker call input', { text: true });
    const refused = await smartWorkerOutcome(`fail:${Buffer.from(refusedInput.bytes).toString('utf8')}`);
    assert.ok(!refused.ok && refused.error.message.includes(Buffer.from(refusedInput.bytes).toString('utf8')), JSON.stringify(refused));

    // 6. The enclave's own keys: unsealed from its sealed files with the platform secret, and (fresh each start, never
    //    sealed) the RA-TLS key, found in the enclave process and checked against the certificate it serves.
    const sealed = await unsealEnclaveKeysForTest(path.join(dataDir, 'enclave'), platformSecretPath);
    const raTlsKey = await raTlsKeyFromEnclave(enclavePid, rpcUrl);

    secrets.push(
      envSecret,
      secretOf('direct-call recipient (account)', directTo.publicKey),
      secretOf('direct-call amount (u128 LE)', u128le(directAmount)),
      decimalOf('direct-call amount (decimal)', directAmount),
      secretOf('indirect-call recipient (account)', indirectTo.publicKey),
      secretOf('indirect-call amount (u128 LE)', u128le(indirectAmount)),
      decimalOf('indirect-call amount (decimal)', indirectAmount),
      secretOf('incognito account (shielded to)', incognito.publicKey),
      secretOf('incognito balance (u128 LE)', u128le(balanceAfter)),
      decimalOf('incognito balance (decimal)', balanceAfter),
      decimalOf('overdraft amount (decimal)', overdraft),
      refusedInput,
      secretOf('Omni Key of the Smart Worker', omniKey),
      secretOf('signing key ed25519 seed', sealed.signingSeed),
      ...rsaSecrets('shielding key RSA-3072', sealed.shieldingPrivateKey),
      ...rsaSecrets('RA-TLS key RSA-2048', raTlsKey),
      secretOf('platform secret (file bytes)', fs.readFileSync(platformSecretPath)),
    );
    const enclaveAccount = secretOf(`${CONTROL}enclave account (public)`, account);
    controls = {
      boundary: secretOf(`${CONTROL}shield_funds ciphertext (public, imported from L1)`, shieldCiphertext),
      memory: enclaveAccount,
      dataDir: enclaveAccount,
      logs: secretOf(`${CONTROL}MRENCLAVE (public)`, mrenclave),
    };
    assert.ok(!worker.records.some((r) => r.msg === 'the enclave process died; starting it again'), 'the enclave process ran throughout');
    planted = true;
    console.log(`      scenario: ${((performance.now() - started) / 1000).toFixed(1)} s, ${secrets.length} secrets planted, host pid ${hostPid}, enclave pid ${enclavePid}`);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });

  after(async () => {
    await client?.close();
    if (worker && worker.child.exitCode === null) {
      const stopped = worker.kill('SIGTERM');
      const timer = setTimeout(() => worker!.child.kill('SIGKILL'), 15_000);
      await stopped;
      clearTimeout(timer);
    }
    await api?.disconnect();
    await chain?.stop();
    if (!planted && worker) console.log(`      the scenario did not complete; the worker's last log lines:\n${worker.lines.slice(-30).join('\n')}`);
    if ((failed || !planted) && process.env.SEALBRIDGE_HOSTILE_DEBUG) console.log(`      kept ${dir} (boundary.frames, data/) for inspection`);
    else if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('no secret crosses the enclave boundary (every frame the host sent or received)', () => {
    const bytes = fs.readFileSync(boundaryFile);
    let frames = 0;
    const directions = { in: 0, out: 0 };
    for (let at = 0; at < bytes.length; frames++) {
      assert.ok(at + 5 <= bytes.length, `truncated record at ${at}`);
      const length = bytes.readUInt32LE(at + 1);
      directions[bytes[at] === 0 ? 'in' : 'out'] += 1;
      at += 5 + length;
      assert.ok(at <= bytes.length, `truncated frame before ${at}`);
    }
    assert.ok(directions.in > 10 && directions.out > 10, `frames recorded: ${JSON.stringify(directions)}`);
    const hits = scanBuffer(bytes, [...secrets, controls.boundary], 'boundary');
    console.log(`      boundary: ${frames} frames (${directions.out} to the enclave, ${directions.in} from it), ${(bytes.length / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(foundNames(hits).has(controls.boundary.name), 'control: the recorded block import carries the public shield_funds ciphertext');
    assert.ok(leaksOf(hits).length === 0, `secrets in the boundary:\n${formatHits(leaksOf(hits))}`);
  });

  it('no secret in the host process memory (/proc/<worker pid>/mem, stopped)', () => {
    const { hits, seconds, mib } = scanStopped(hostPid, [...secrets, controls.memory]);
    console.log(`      host memory: ${mib.toFixed(0)} MiB in ${seconds.toFixed(1)} s`);
    assert.ok(foundNames(hits).has(controls.memory.name), 'control: the host holds the enclave account it registered');
    assert.ok(leaksOf(hits).length === 0, `secrets in the host process:\n${formatHits(leaksOf(hits))}`);
  });

  it('no secret in the data dir (LevelDB, sealed files, lock)', () => {
    const hits = scanFiles(dataDir, [...secrets, controls.dataDir]);
    assert.ok(foundNames(hits).has(controls.dataDir.name), 'control: the host store keeps the enclave account');
    assert.ok(leaksOf(hits).length === 0, `secrets in the data dir:\n${formatHits(leaksOf(hits))}`);
  });

  it('no secret in the host output (stderr logs at debug level, with the enclave log records; stdout)', () => {
    const stderr = worker!.lines.join('\n');
    const hits = [...scanText(stderr, [...secrets, controls.logs], 'stderr'), ...scanText(worker!.stdoutLines.join('\n'), secrets, 'stdout')];
    console.log(`      logs: ${worker!.lines.length} stderr lines, ${worker!.stdoutLines.length} stdout lines`);
    if (process.env.SEALBRIDGE_HOSTILE_DEBUG) console.log([...new Set(worker!.records.map((r) => `${String(r.component)} ${r.level} ${r.msg}`))].join('\n'));
    assert.ok(foundNames(hits).has(controls.logs.name), 'control: the log names the MRENCLAVE');
    assert.ok(leaksOf(hits).length === 0, `secrets in the host output:\n${formatHits(leaksOf(hits))}`);
  });

  it('positive control: the same scan finds them in the enclave process (/proc/<enclave pid>/mem, stopped)', () => {
    const { hits, seconds, mib } = scanStopped(enclavePid, secrets);
    const found = foundNames(hits);
    console.log(`      enclave memory: ${mib.toFixed(0)} MiB in ${seconds.toFixed(1)} s; found ${found.size}/${secrets.length}; not found: ${secrets.filter((s) => !found.has(s.name)).map((s) => s.name).join(', ') || 'none'}`);
    // Required: what the enclave holds for as long as it runs (the shard state, the env, the cached Omni Key, the keys
    // as OpenSSL holds them, the RA-TLS key's PEM); the big-endian primes and the amounts may be garbage by now.
    if (process.env.SEALBRIDGE_HOSTILE_DEBUG) for (const secret of secrets) console.log(`        ${secret.name}: ${[...new Set(hits.filter((h) => h.secret === secret.name).map((h) => h.encoding))].join(', ')} (${hits.filter((h) => h.secret === secret.name).length})`);
    const required = secrets.map((s) => s.name).filter((name) => /^(set_env|direct-call recipient|indirect-call recipient|Omni Key|signing key|shielding key RSA-3072 p \(little|RA-TLS key RSA-2048 (p \(little|PKCS#8))/.test(name));
    assert.equal(required.length, 8);
    assert.deepEqual(required.filter((name) => !found.has(name)), [], 'in the enclave process');
  });
});
