import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { u8aToHex } from '@polkadot/util';
import Olm from '@matrix-org/olm';

import { openEnclave, type EnclaveHandle } from '@sealbridge/enclave-sim';

import { silentLogger } from './log.js';
import { Metrics } from './metrics.js';
import { OlmEnv, type SetEnvStatus } from './olm-env.js';
import type { ParentchainBlock } from './parentchain.js';
import { WorkerStore } from './store.js';

const SHARD = new Uint8Array(32).fill(5);
const SENDER = new Uint8Array(32).fill(6);

/**
 * The order "decrypt in the enclave (one-time key consumed) → commit the block → release the plaintext" with a
 * crash at each step, against a real simulated enclave and LevelDB (no chain: blocks are built by hand).
 */
describe('OlmEnv crash safety', function () {
  this.timeout(60_000);
  let dir: string;
  let enclave: EnclaveHandle | undefined;
  let store: WorkerStore | undefined;
  let user: Olm.Account;

  const open = async () => {
    enclave = await openEnclave({ dataDir: path.join(dir, 'enclave'), platformSecretPath: path.join(dir, 'platform-secret'), decryptThreads: 1 });
    store = await WorkerStore.open(path.join(dir, 'db'));
    return OlmEnv.open({ enclave, store, shard: SHARD, log: silentLogger, metrics: new Metrics() });
  };
  const crash = async () => {
    await store?.close();
    await enclave?.close();
  };
  const current = () => OlmEnv.open({ enclave: enclave!, store: store!, shard: SHARD, log: silentLogger, metrics: new Metrics() });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealbridge-olm-env-'));
    await open();
    user = new Olm.Account();
    user.create();
  });
  after(async () => {
    user?.free();
    await crash();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function claimBlock(number: number, env: Record<string, string>): Promise<ParentchainBlock> {
    const [otk] = Object.values(await enclave!.olmGenerateOneTimeKeys(1)) as [string];
    await enclave!.olmMarkKeysAsPublished();
    const worker = enclave!.signerPublicKey();
    const session = new Olm.Session();
    session.create_outbound(user, enclave!.olmIdentityKey(), otk);
    const { body } = session.encrypt(JSON.stringify({ v: 1, shard: u8aToHex(SHARD), worker: u8aToHex(worker), sender: u8aToHex(SENDER), env }));
    session.free();
    const identity = Buffer.from(JSON.parse(user.identity_keys()).curve25519, 'base64');
    const values = [SHARD, worker, SENDER, identity, Buffer.from(otk, 'base64'), Buffer.from(body, 'base64')].map((b) => new Uint8Array(b));
    const names = ['shard', 'worker', 'sender', 'sender_identity_key', 'one_time_key', 'pre_key_message'];
    const fields = Object.fromEntries(names.map((name, i) => [name, values[i]]));
    return { number, hash: `0x${'00'.repeat(31)}${number.toString(16).padStart(2, '0')}`, parentHash: '0x', extrinsics: [], events: [{ event: { section: 'workerEnv', method: 'EnvSet', fields } }] } as unknown as ParentchainBlock;
  }

  const statuses: SetEnvStatus[] = [];
  const ack = (_key: Uint8Array, status: SetEnvStatus) => {
    statuses.push(status);
    return {} as never;
  };
  const commit = async (env: OlmEnv, block: ParentchainBlock) => {
    const changes = await env.processBlock(block, ack);
    await store!.commitBlock({ block: { number: block.number, hash: block.hash }, shardWrites: [], outboxAdd: [], outboxRemove: [], nextNonce: 0, kvWrites: changes.kvWrites });
    return changes;
  };

  it('a crash after decryption, before the block commit, gets the same variables on re-import', async () => {
    let env = await current();
    const block = await claimBlock(1, { TOKEN: 'one' });
    await env.processBlock(block, ack); // decrypted, key consumed, nothing committed
    assert.deepEqual(enclave!.olmRetainedPreKeyMessages().length, 1);
    await crash();

    env = await open();
    assert.equal(enclave!.olmRetainedPreKeyMessages().length, 1, 'not committed: kept for the re-import');
    const changes = await commit(env, block);
    assert.deepEqual(env.envFor(u8aToHex(SHARD)), {}, 'visible only after committed()');
    await changes.committed();
    assert.deepEqual(env.envFor(u8aToHex(SHARD)), { TOKEN: 'one' });
    assert.deepEqual(enclave!.olmRetainedPreKeyMessages(), []);
    assert.deepEqual(statuses.splice(0), ['Stored', 'Stored']);
  });

  it('a crash after the commit, before the release, releases at the next start; a later replay is refused', async () => {
    const block = await claimBlock(2, { TOKEN: 'two' });
    let env = await current();
    await commit(env, block); // committed, but the plaintext was never released
    await crash();

    env = await open();
    assert.deepEqual(enclave!.olmRetainedPreKeyMessages(), [], 'released at start: its block is committed');
    assert.deepEqual(env.envFor(u8aToHex(SHARD)), { TOKEN: 'two' }, 'loaded from the sealed store');
    assert.deepEqual(env.envFor('0x1234'), {}, 'nothing for other shards');
    const replay = { ...block, number: 3 } as ParentchainBlock;
    const changes = await env.processBlock(replay, ack);
    assert.deepEqual(changes.kvWrites, []);
    assert.deepEqual(statuses.splice(0), ['Stored', 'Replayed']);
  });
});
