import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { DispatchError } from '@polkadot/types/interfaces';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a, mnemonicGenerate } from '@polkadot/util-crypto';
import Olm from '@matrix-org/olm';

import { connectWorker, type WorkerClient } from '@sealbridge/client';
import { cryptoReady, encodeRequest, sealbridgeRegistry, shieldEncrypt, shieldingKeyFromJson, signTrustedCall, signTrustedGetter } from '@sealbridge/chain-types';
import { parseLogLine } from '@sealbridge/chain-types/log';
import { startDevChain, type DevChain } from '@sealbridge/dev-chain';
import { initOlm } from '@sealbridge/enclave-sim';
import { decodeSmartWorkerResult } from '@sealbridge/stf';
import { createLogger, OLM_ENV_LOW_WATER, OLM_ENV_TARGET_KEYS, prepareSetEnv, startWorker, waitForEnvResult, type WorkerHandle } from '@sealbridge/worker';
import type { KeyObject } from 'node:crypto';

import { tempDir, waitFor, waitForConfirmation } from './harness.js';

const SECRET = `sk-live-${randomBytes(12).toString('hex')}`;
/** Answers the SHA-256 of config.env.API_TOKEN and the env's names: proof it read the secret without echoing it. */
const ENV_WORKER = `
export default {
  async fetch(request, env) {
    const vars = env.config.env ?? {};
    const token = vars.API_TOKEN ?? '';
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
    const hex = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
    return Response.json({ names: Object.keys(vars).sort(), digest: hex });
  },
  async scheduled() {},
};`;

interface Outcome {
  blockNumber: number;
  error?: string;
}

describe('Olm set_env: end-to-end encrypted secrets for Smart Workers', function () {
  this.timeout(240_000);
  let chain: DevChain;
  let api: ApiPromise;
  let worker: WorkerHandle;
  let client: WorkerClient;
  let shieldingKey: KeyObject;
  let dataDir: string;
  let alice: KeyringPair;
  let bob: KeyringPair;
  const logs: Array<{ msg: string; [field: string]: unknown }> = [];
  const logger = createLogger({ level: 'debug', format: 'json', write: (line) => logs.push(parseLogLine(line)) });
  let smartWorker: { id: string; identity: Uint8Array };

  const startTheWorker = async () => {
    worker = await startWorker({ parentchainUrl: chain.url, dataDir, rpcPort: 0, runnerPort: 0, platformSecretPath: `${dataDir}.platform-secret`, log: logger });
    client = await connectWorker(worker.rpcUrl!, { tls: 'insecure' });
    shieldingKey = shieldingKeyFromJson(await client.getShieldingKeyJson());
  };
  const stopTheWorker = async () => {
    await client.close();
    await worker.stop();
  };

  before(async () => {
    await Promise.all([cryptoReady(), initOlm()]);
    chain = await startDevChain({ port: 0, blockTime: 'instant' });
    dataDir = tempDir('olm-env');
    api = await ApiPromise.create({ provider: new WsProvider(chain.url), noInitWarn: true });
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 13 });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    await startTheWorker();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && process.env.OLM_ENV_DEBUG) {
      for (const entry of logs) if (/env|outbox|import/.test(String(entry.component))) console.log(JSON.stringify(entry));
    }
  });
  after(async () => {
    await client?.close();
    await api?.disconnect();
    await worker?.stop();
    await chain?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(`${dataDir}.platform-secret`, { force: true });
  });

  const oneTimeKeys = async (account = worker.account) => ((await api.query.workerEnv.oneTimeKeys(account)) as unknown as Array<{ toU8a(): Uint8Array }>).map((k) => k.toU8a());

  /** Signs and sends; resolves at InBlock (or Finalized) with the block number and the module error name, if any. */
  function send(tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair, nonce = -1): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const statuses: string[] = [];
      let settled = false;
      const timer = setTimeout(() => reject(new Error(`${tx.method.section}.${tx.method.method} (nonce ${nonce}) not in a block after 30 s: ${statuses.join(' → ')}`)), 30_000);
      const done = (outcome: Outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      tx.signAndSend(signer, { nonce }, (result) => {
        statuses.push(result.status.type);
        if (result.isError) fail(new Error(`transaction ${result.status.type}`));
        // Under load the dev chain may report Finalized without an InBlock before it.
        if (settled || (!result.status.isInBlock && !result.status.isFinalized)) return;
        settled = true;
        const dispatchError = result.dispatchError as DispatchError | undefined;
        let error: string | undefined;
        if (dispatchError?.isModule) {
          const meta = api.registry.findMetaError(dispatchError.asModule);
          error = `${meta.section}.${meta.name}`;
        } else if (dispatchError) error = dispatchError.toString();
        api.rpc.chain.getHeader(result.status.isInBlock ? result.status.asInBlock : result.status.asFinalized).then((h) => done({ blockNumber: h.number.toNumber(), error }), fail);
      }).catch(fail);
    });
  }

  async function setEnv(env: Record<string, string | null>, signer = alice) {
    const prepared = await prepareSetEnv(api, { worker: worker.account, shard: worker.shard, sender: signer.publicKey, env });
    const included = await send(prepared.tx, signer);
    assert.equal(included.error, undefined);
    return { prepared, status: await waitForEnvResult(api, worker.account, prepared.oneTimeKey, included.blockNumber) };
  }

  async function deploy(name: string, code: string) {
    const response = await fetch(`${worker.runnerUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, type: 'module', name, shard: u8aToHex(worker.shard) }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    const { id } = (await response.json()) as { id: string };
    const info = (await (await fetch(`${worker.runnerUrl}/workers/${id}`)).json()) as { identity: string };
    return { id, identity: Uint8Array.from(Buffer.from(info.identity.replace(/^0x/, ''), 'hex')) };
  }

  /** smart_worker_call through EnclaveBridge.invoke; the result is read with the sender's signed getter. */
  async function callSmartWorker(): Promise<{ names: string[]; digest: string; response: Uint8Array }> {
    const sender = new Keyring({ type: 'sr25519' }).addFromUri(mnemonicGenerate());
    const signed = signTrustedCall(sender, { smart_worker_call: [sender.publicKey, smartWorker.identity, '0x'] }, 0, worker.mrenclave, worker.shard);
    const top = sealbridgeRegistry.createType('TrustedOperation', { indirect_call: signed }).toU8a();
    const tx = api.tx.enclaveBridge.invoke(u8aToHex(encodeRequest(worker.shard, shieldEncrypt(shieldingKey, top))));
    const included = await send(tx, alice);
    await waitForConfirmation(api, (await api.rpc.chain.getBlockHash(included.blockNumber)).toHex(), 60_000);
    const getter = sealbridgeRegistry.createType('Getter', { trusted: signTrustedGetter(sender, { smart_worker_result: [sender.publicKey, blake2AsU8a(signed)] }) }).toU8a();
    const response = (await client.executeGetter(worker.shard, getter))!;
    const outcome = decodeSmartWorkerResult(response);
    assert.ok(outcome.ok, JSON.stringify(outcome));
    return { ...(JSON.parse(new TextDecoder().decode(outcome.output)) as { names: string[]; digest: string }), response };
  }

  async function envNames(who: KeyringPair, scope: Uint8Array): Promise<{ names: string[]; response: Uint8Array }> {
    const getter = sealbridgeRegistry.createType('Getter', { trusted: signTrustedGetter(who, { env_names: [who.publicKey, scope] }) }).toU8a();
    const response = (await client.executeGetter(worker.shard, getter))!;
    return { names: (sealbridgeRegistry.createType('Vec<Text>', response).toJSON() as string[]), response };
  }

  const sha256Hex = async (text: string) => Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))).toString('hex');
  const logged = (msg: string, predicate: (entry: Record<string, unknown>) => boolean = () => true) => logs.some((entry) => entry.msg === msg && predicate(entry));

  it('publishes its Olm identity key and one-time keys on start', async () => {
    await waitFor(oneTimeKeys, (keys) => keys.length === OLM_ENV_TARGET_KEYS);
    assert.ok(!(await api.query.workerEnv.identityKeys(worker.account)).isEmpty);
  });

  it('delivers a secret to a Smart Worker bound to the shard through getConfig().env', async () => {
    smartWorker = await deploy('env-reader', ENV_WORKER);
    assert.deepEqual((await callSmartWorker()).names, [], 'nothing is set yet');
    const before = (await oneTimeKeys()).length;
    const { prepared, status } = await setEnv({ API_TOKEN: SECRET });
    assert.equal(status, 'Stored');
    assert.ok(!(await oneTimeKeys()).some((k) => Buffer.from(k).equals(prepared.oneTimeKey)), 'the claimed key left the chain');
    assert.ok((await oneTimeKeys()).length <= before);

    // The running Smart Worker is restarted with the shard's new variables once the block is committed.
    const result = await callSmartWorker();
    assert.deepEqual(result.names, ['API_TOKEN']);
    assert.equal(result.digest, await sha256Hex(SECRET));
  });

  it('lists the names the signer set through the signed env_names getter, never values', async () => {
    const own = await envNames(alice, worker.shard);
    assert.deepEqual(own.names, ['API_TOKEN']);
    assert.deepEqual((await envNames(alice, worker.account)).names, ['API_TOKEN'], 'the enclave account works as scope too');
    assert.deepEqual((await envNames(bob, worker.shard)).names, [], 'names set by others are not listed');
    const forged = sealbridgeRegistry.createType('Getter', { trusted: signTrustedGetter(bob, { env_names: [alice.publicKey, worker.shard] }) }).toU8a();
    await assert.rejects(client.executeGetter(worker.shard, forged), /GetterIsNotAuthorized/);
  });

  it('re-submitting the same set_env fails on chain: the one-time key is consumed', async () => {
    const { prepared } = await setEnv({ REPLAY_ME: 'first' });
    const again = api.tx.workerEnv.setEnv(u8aToHex(worker.shard), u8aToHex(worker.account), u8aToHex(prepared.senderIdentityKey), u8aToHex(prepared.oneTimeKey), u8aToHex(prepared.preKeyMessage));
    assert.equal((await send(again, alice)).error, 'workerEnv.OneTimeKeyNotFound');
  });

  it('the same pre-key message under a fresh one-time key is rejected by the worker as a replay', async () => {
    const { prepared } = await setEnv({ ONCE: 'one' });
    const fresh = (await oneTimeKeys())[0]!;
    const replay = api.tx.workerEnv.setEnv(u8aToHex(worker.shard), u8aToHex(worker.account), u8aToHex(prepared.senderIdentityKey), u8aToHex(fresh), u8aToHex(prepared.preKeyMessage));
    const included = await send(replay, alice);
    assert.equal(included.error, undefined, 'the chain cannot tell');
    assert.equal(await waitForEnvResult(api, worker.account, fresh, included.blockNumber), 'Replayed');
    assert.ok(logged('set_env rejected', (e) => e.status === 'Replayed'));
  });

  it('a message bound to another sender is rejected; one encrypted to another worker is ignored or rejected, with a log line', async () => {
    // Alice submits a message that names Bob as its sender.
    const prepared = await prepareSetEnv(api, { worker: worker.account, shard: worker.shard, sender: bob.publicKey, env: { STOLEN: 'x' } });
    const included = await send(prepared.tx, alice);
    assert.equal(await waitForEnvResult(api, worker.account, prepared.oneTimeKey, included.blockNumber), 'WrongBinding');

    // Another (registered) enclave with its own Olm account.
    const other = new Keyring({ type: 'ed25519' }).addFromUri('//OtherEnclave');
    await send(api.tx.balances.transferKeepAlive(other.address, 10n ** 15n), alice);
    await send(api.tx.teerex.registerSgxEnclave(u8aToHex(new Uint8Array(32).fill(9)), null, { Skip: { proxied: false } }), other);
    const otherOlm = new Olm.Account();
    otherOlm.create();
    otherOlm.generate_one_time_keys(2);
    const otherIdentity = Buffer.from(JSON.parse(otherOlm.identity_keys()).curve25519, 'base64');
    const otherKeys = Object.values(JSON.parse(otherOlm.one_time_keys()).curve25519 as Record<string, string>).map((k) => u8aToHex(Buffer.from(k, 'base64')));
    assert.equal((await send(api.tx.workerEnv.publishOlmKeys(u8aToHex(otherIdentity), otherKeys), other)).error, undefined);
    otherOlm.free();

    const toOther = await prepareSetEnv(api, { worker: other.publicKey, shard: worker.shard, sender: alice.publicKey, env: { FOR_OTHER: 'y' } });
    const sent = await send(toOther.tx, alice);
    await waitFor(async () => worker.lastImported().number, (n) => n >= sent.blockNumber);
    assert.ok(logged('set_env for another worker ignored', (e) => e.worker === u8aToHex(other.publicKey)));

    // A message encrypted to the other worker's keys, but claimed with one of ours.
    const ours = (await oneTimeKeys())[0]!;
    const misdirected = api.tx.workerEnv.setEnv(u8aToHex(worker.shard), u8aToHex(worker.account), u8aToHex(toOther.senderIdentityKey), u8aToHex(ours), u8aToHex(toOther.preKeyMessage));
    const claimed = await send(misdirected, alice);
    assert.equal(await waitForEnvResult(api, worker.account, ours, claimed.blockNumber), 'Undecryptable');
    assert.ok(logged('set_env rejected', (e) => e.status === 'Undecryptable'));
    // The running isolate keeps the env it started with; nothing rejected reached the store.
    assert.deepEqual((await envNames(alice, worker.shard)).names, ['API_TOKEN', 'ONCE', 'REPLAY_ME']);
  });

  it('garbage pre-key messages are counted and logged, and exhausting one-time keys triggers replenishment', async () => {
    const published = worker.metrics.get('sealbridge_olm_keys_published_total');
    const undecryptable = worker.metrics.get('sealbridge_env_messages_total', { status: 'Undecryptable' });
    const start = (await oneTimeKeys()).length;
    const claims = start - OLM_ENV_LOW_WATER + 1;
    const keys = (await oneTimeKeys()).slice(0, claims);
    const nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
    const sent = await Promise.all(keys.map((key, i) => send(api.tx.workerEnv.setEnv(u8aToHex(worker.shard), u8aToHex(worker.account), u8aToHex(randomBytes(32)), u8aToHex(key), u8aToHex(randomBytes(40 + i))), alice, nonce + i)));
    assert.ok(sent.every((s) => s.error === undefined));
    await waitFor(async () => worker.metrics.get('sealbridge_env_messages_total', { status: 'Undecryptable' }), (n) => n >= undecryptable + claims);
    await waitFor(async () => (await oneTimeKeys()).length, (n) => n >= OLM_ENV_TARGET_KEYS - 1);
    assert.ok(worker.metrics.get('sealbridge_olm_keys_published_total') >= published + claims, 'a new batch was published');
    assert.ok(logged('set_env rejected', (e) => e.status === 'Undecryptable' && /not an Olm v3 pre-key message|truncated|bad varint|field type/.test(String(e.reason))));
    const { status } = await setEnv({ AFTER_GARBAGE: 'ok' });
    assert.equal(status, 'Stored', 'the import went on');
  });

  it('keeps the secret and the Olm account across a restart', async () => {
    const identity = (await api.query.workerEnv.identityKeys(worker.account)).toHex();
    const keysBefore = (await oneTimeKeys()).map((k) => u8aToHex(k));
    await stopTheWorker();
    await startTheWorker();
    assert.equal((await api.query.workerEnv.identityKeys(worker.account)).toHex(), identity, 'the identity key did not change');
    assert.deepEqual((await oneTimeKeys()).map((k) => u8aToHex(k)), keysBefore, 'no keys were replaced');
    const result = await callSmartWorker();
    assert.equal(result.digest, await sha256Hex(SECRET));
    assert.deepEqual(result.names, ['AFTER_GARBAGE', 'API_TOKEN', 'ONCE', 'REPLAY_ME'], 'the restarted isolate sees every variable');
    const { status } = await setEnv({ AFTER_RESTART: 'yes' }); // to a key published before the restart
    assert.equal(status, 'Stored');
    assert.deepEqual((await envNames(alice, worker.shard)).names, ['AFTER_GARBAGE', 'AFTER_RESTART', 'API_TOKEN', 'ONCE', 'REPLAY_ME']);
  });

  it('the secret never appears in clear on chain, in RPC responses, in logs or in the data directory', async () => {
    const needles: Array<[string, Buffer]> = [
      ['utf8', Buffer.from(SECRET)],
      ['base64', Buffer.from(Buffer.from(SECRET).toString('base64').slice(0, 16))],
      ['hex', Buffer.from(Buffer.from(SECRET).toString('hex'))],
    ];
    const clean = (what: string, bytes: Buffer) => {
      for (const [form, needle] of needles) assert.equal(bytes.indexOf(needle), -1, `secret (${form}) found in ${what}`);
    };
    // Chain: every block (extrinsics) with its events, and the whole final state.
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    for (let n = 0; n <= best; n++) {
      const hash = await api.rpc.chain.getBlockHash(n);
      clean(`block #${n}`, Buffer.from(JSON.stringify((await api.rpc.chain.getBlock(hash)).toJSON())));
      clean(`events of #${n}`, Buffer.from((await api.rpc.state.getStorage(api.query.system.events.key(), hash))!.toString()));
    }
    const keys = await api.rpc.state.getKeysPaged('0x', 1000);
    assert.ok(keys.length > 0 && keys.length < 1000, `${keys.length} storage keys (one page must hold them all)`);
    for (const key of keys) clean(`storage ${key.toHex()}`, Buffer.from(String((await api.rpc.state.getStorage(key))?.toString())));
    // RPC responses of the env getter and the Smart Worker result.
    clean('env_names response', Buffer.from((await envNames(alice, worker.shard)).response));
    clean('smart worker result', Buffer.from((await callSmartWorker()).response));
    clean('worker logs', Buffer.from(JSON.stringify(logs)));
    // Every file of the worker's data directory (LevelDB, sealed enclave state, platform secret).
    const files = fs.readdirSync(dataDir, { recursive: true }).map((f) => path.join(dataDir, String(f))).filter((f) => fs.statSync(f).isFile());
    assert.ok(files.length > 5);
    for (const file of [...files, `${dataDir}.platform-secret`]) clean(file, fs.readFileSync(file));
  });
});
