import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Olm from '@matrix-org/olm';
import { compactToU8a, hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, xxhashAsU8a } from '@polkadot/util-crypto';

import { cryptoReady, OLM_ENV_LOW_WATER, OLM_ENV_TARGET_KEYS, shardToBase58, type SetEnvStatus } from '@sealbridge/chain-types';
import { RUNTIME_VERSION, startDevChain } from '@sealbridge/dev-chain';
import type { HostOcalls, LogRecord, SealedWrite, SignedExtrinsic } from '@sealbridge/enclave-api';

import { openTestEnclave } from '../../testing-in-process.js';
import type { TrustedEnclave } from '../enclave.js';
import { initOlm } from '../olm-adapter.js';
import type { ParentchainBlock } from './block.js';
import { ChainContext } from './chain.js';
import { HostStore } from './host.js';
import { enclaveLogger } from './log.js';
import { EnclaveMetrics } from './metrics.js';
import { OlmEnv, type EnvBlockChanges } from './olm-env.js';
import { EnclaveAccount } from './signer.js';

const SHARD = new Uint8Array(32).fill(5);
const SENDER = new Uint8Array(32).fill(6);
const OTHER_SENDER = new Uint8Array(32).fill(7);
const DEV_SS58_PREFIX = 13;
const text = new TextEncoder();

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the enclave');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The host as the enclave sees it through its OCALLs: a store of sealed blobs that outlives the enclave process (the
 * worker's LevelDB), the parentchain's storage, the outbox of extrinsics the enclave sent, the log.
 */
class FakeHost {
  readonly sealed = new Map<string, Uint8Array>();
  /** Parentchain storage by 0x-hex key. */
  readonly chainStorage = new Map<string, Uint8Array>();
  readonly storageReads: string[][] = [];
  readonly sent: SignedExtrinsic[] = [];
  readonly logs: LogRecord[] = [];

  readonly ocalls: HostOcalls = {
    log: (record) => void this.logs.push(record),
    metrics: () => undefined,
    send_extrinsic: async ({ extrinsic }) => void this.sent.push(extrinsic),
    read_storage: async ({ keys }) => {
      this.storageReads.push(keys.map((key) => u8aToHex(key)));
      return keys.map((key) => this.chainStorage.get(u8aToHex(key)));
    },
    sealed_get: async (key) => this.sealed.get(key),
    sealed_put: async ([key, value]) => void this.sealed.set(key, value),
    sealed_delete: async (key) => void this.sealed.delete(key),
    sealed_scan: async (prefix) => [...this.sealed].filter(([key]) => key.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    sync_status: async () => ({ imported: 0, finalized: 0, lag: 0, stalled: undefined }),
  };

  /** What the worker does with an imported block's result: its writes in the block's one batch. */
  commit(writes: SealedWrite[]): void {
    for (const { key, value } of writes) {
      if (value === undefined) this.sealed.delete(key);
      else this.sealed.set(key, value);
    }
  }
}

/**
 * The order "decrypt in the enclave (one-time key consumed, plaintext retained) → commit the block → release the
 * plaintext at the next start" with a crash at each step, against a real TrustedEnclave with its sealed files and a
 * host store that survives the crash; the chain's metadata is the dev chain's, blocks are built by hand.
 */
describe('OlmEnv', function () {
  this.timeout(60_000);
  let dir: string;
  let chain: ChainContext;
  let host: FakeHost;
  let enclave: TrustedEnclave | undefined;
  let account: EnclaveAccount;
  let metrics: EnclaveMetrics | undefined;
  let env: OlmEnv | undefined;
  let user: Olm.Account;

  /** A (re)started enclave process: the key holder from its sealed files, then the env from the host's store. */
  const open = async (): Promise<OlmEnv> => {
    enclave = await openTestEnclave({ dataDir: path.join(dir, 'enclave'), platformSecretPath: path.join(dir, 'platform-secret'), decryptThreads: 1 });
    account = new EnclaveAccount(chain, enclave.signerPublicKey(), (payload) => enclave!.sign(payload), 0);
    metrics = new EnclaveMetrics(host.ocalls);
    return current();
  };
  /** The env opened again inside the running enclave (what the next start does after the key holder is up). */
  const current = async (): Promise<OlmEnv> => {
    await env?.close();
    env = await OlmEnv.open({
      enclave: enclave!, store: new HostStore(host.ocalls), chain: () => chain, account, ocalls: host.ocalls, shard: SHARD,
      log: enclaveLogger(host.ocalls, 'debug', 'env'), metrics: metrics!,
    });
    return env;
  };
  /** The enclave process dies: whatever the host has not written is gone; its store stays. */
  const crash = async (): Promise<void> => {
    await env?.close();
    env = undefined;
    metrics?.close();
    await enclave?.close();
  };

  before(async () => {
    await cryptoReady();
    const dev = await startDevChain({ port: 0, verifierThreads: 0 });
    try {
      const { specVersion, transactionVersion } = RUNTIME_VERSION;
      chain = new ChainContext(hexToU8a(dev.chain.genesisHash), { metadata: dev.chain.runtime.meta.bytes, specVersion, transactionVersion }, DEV_SS58_PREFIX);
    } finally {
      await dev.stop();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealbridge-olm-env-'));
    host = new FakeHost();
    await open();
    await initOlm();
    user = new Olm.Account();
    user.create();
  });
  after(async () => {
    user?.free();
    await crash();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  interface ClaimOptions {
    /** Who called set_env (the claim's `sender`); default SENDER. */
    sender?: Uint8Array;
    /** The claim's shard; default SHARD. */
    shard?: Uint8Array;
    /** Fields inside the encrypted message that differ from the claim's. */
    message?: Partial<{ shard: string; worker: string; sender: string }>;
    /** The claim's worker; default the enclave's account. */
    worker?: Uint8Array;
    /** Replaces the pre-key message. */
    preKeyMessage?: Uint8Array;
  }

  /** A `WorkerEnv.EnvSet` event as the chain emits it for `set_env`, to a fresh published one-time key of the enclave. */
  async function claim(vars: Record<string, string | null>, options: ClaimOptions = {}): Promise<ParentchainBlock['events'][number]> {
    const [otk] = Object.values(await enclave!.olmGenerateOneTimeKeys(1)) as [string];
    await enclave!.olmMarkKeysAsPublished();
    const worker = options.worker ?? enclave!.signerPublicKey();
    const sender = options.sender ?? SENDER;
    const shard = options.shard ?? SHARD;
    const session = new Olm.Session();
    session.create_outbound(user, enclave!.olmIdentityKey(), otk);
    const { body } = session.encrypt(JSON.stringify({ v: 1, shard: u8aToHex(shard), worker: u8aToHex(worker), sender: u8aToHex(sender), ...options.message, env: vars }));
    session.free();
    const identity = Buffer.from(JSON.parse(user.identity_keys()).curve25519, 'base64');
    const fields = {
      shard,
      worker,
      sender,
      sender_identity_key: new Uint8Array(identity),
      one_time_key: new Uint8Array(Buffer.from(otk, 'base64')),
      pre_key_message: options.preKeyMessage ?? new Uint8Array(Buffer.from(body, 'base64')),
    };
    return { applyExtrinsic: 1, event: { section: 'workerEnv', method: 'EnvSet', fields } };
  }

  function blockOf(number: number, events: ParentchainBlock['events'], extrinsicHashes: string[] = []): ParentchainBlock {
    const extrinsics = extrinsicHashes.map((hash) => ({ hash: () => hash })) as unknown as ParentchainBlock['extrinsics'];
    return { number, hash: `0x${number.toString(16).padStart(64, '0')}`, parentHash: `0x${'00'.repeat(32)}`, extrinsics, events };
  }

  async function claimBlock(number: number, vars: Record<string, string | null>): Promise<ParentchainBlock> {
    return blockOf(number, [await claim(vars)]);
  }

  /** The acknowledgements as the chain would decode them: `WorkerEnv.set_env_result(one_time_key, status)`. */
  function statuses(changes: EnvBlockChanges): SetEnvStatus[] {
    return changes.acks.map(({ kind, call }) => {
      assert.equal(kind, 'env_result');
      const decoded = chain.registry.createType('Call', call);
      assert.equal(`${decoded.section}.${decoded.method}`, 'workerEnv.setEnvResult');
      return decoded.args[1]!.toString() as SetEnvStatus;
    });
  }

  it('a crash after decryption, before the block commit, gets the same answer on re-import', async () => {
    let env = await current();
    const block = await claimBlock(1, { TOKEN: 'one' });
    const lost = await env.processBlock(block); // decrypted, key consumed, nothing committed
    assert.equal(enclave!.olmRetainedPreKeyMessages().length, 1);
    await crash();

    env = await open();
    assert.equal(enclave!.olmRetainedPreKeyMessages().length, 1, 'not committed: kept for the re-import');
    const changes = await env.processBlock(block);
    assert.deepEqual(statuses(lost), ['Stored']);
    assert.deepEqual(statuses(changes), ['Stored'], 'the retained plaintext answers again');
    assert.deepEqual(changes.acks, lost.acks);
    assert.deepEqual(changes.writes.map((w) => w.key), lost.writes.map((w) => w.key));
    host.commit(changes.writes);
    assert.deepEqual(env.envFor(u8aToHex(SHARD)), {}, 'visible only after committed()');
    changes.committed();
    assert.deepEqual(env.envFor(u8aToHex(SHARD)), { TOKEN: 'one' });
    assert.equal(enclave!.olmRetainedPreKeyMessages().length, 1, 'released at the next start, once the store shows the commit');
    await current();
    assert.deepEqual(enclave!.olmRetainedPreKeyMessages(), []);
  });

  it('a crash after the commit, before the release, releases at the next start; a later replay is refused', async () => {
    const block = await claimBlock(2, { TOKEN: 'two' });
    let env = await current();
    const changes = await env.processBlock(block);
    host.commit(changes.writes);
    changes.committed(); // committed, but the plaintext was never released
    await crash();

    env = await open();
    assert.deepEqual(enclave!.olmRetainedPreKeyMessages(), [], 'released at start: its block is committed');
    assert.deepEqual(env.envFor(u8aToHex(SHARD)), { TOKEN: 'two' }, 'loaded from the sealed store');
    assert.deepEqual(env.envFor(shardToBase58(SHARD)), { TOKEN: 'two' }, 'the base58 label names the same shard');
    assert.deepEqual(env.envFor('0x1234'), {}, 'nothing for other shards');
    assert.deepEqual(env.namesSetBy(SENDER, SHARD), ['TOKEN']);
    assert.deepEqual(env.namesSetBy(OTHER_SENDER, SHARD), []);
    const replay = { ...block, number: 3 };
    const again = await env.processBlock(replay);
    assert.deepEqual(again.writes, []);
    assert.deepEqual([...statuses(changes), ...statuses(again)], ['Stored', 'Replayed']);

    for (const [key, value] of host.sealed) {
      assert.ok(!key.includes('TOKEN'), `the variable's name is not in the host key ${key}`);
      assert.equal(Buffer.from(value).indexOf('two'), -1, `a value is in the clear under ${key}`);
    }
    assert.ok(!host.logs.some((r) => r.fields.includes('"two"')), 'values are never logged');
  });

  it('acknowledges a wrong binding, another account’s variable, another shard and garbage, and consumes each key', async () => {
    const env = await current();
    const events = [
      await claim({ TOKEN: 'stolen' }, { message: { sender: u8aToHex(OTHER_SENDER) } }),
      await claim({ TOKEN: 'mine now' }, { sender: OTHER_SENDER }),
      await claim({ OWN: 'x' }, { shard: new Uint8Array(32).fill(9) }),
      await claim({ OWN: 'x' }, { preKeyMessage: text.encode('not an Olm message') }),
      await claim({}, {}),
      await claim({ OWN: 'y' }, { worker: new Uint8Array(32).fill(8) }),
      await claim({ NEW: 'fine', DROP: null }, { sender: OTHER_SENDER }),
    ];
    const keysBefore = enclave!.olmOneTimeKeyCount();
    const changes = await env.processBlock(blockOf(4, events));
    assert.deepEqual(statuses(changes), ['WrongBinding', 'NotPermitted', 'WrongShard', 'Undecryptable', 'Malformed', 'Stored'], 'none for another worker');
    assert.equal(enclave!.olmOneTimeKeyCount(), keysBefore - 6, 'every claim addressed to us used up its key; the other worker’s is untouched');
    host.commit(changes.writes);
    changes.committed();
    assert.deepEqual(env.envFor(u8aToHex(SHARD)), { TOKEN: 'two', NEW: 'fine' });
    assert.deepEqual(env.namesSetBy(OTHER_SENDER, enclave!.signerPublicKey()), ['NEW'], 'scope may also be the enclave account');
    assert.equal(changes.writes.filter((w) => w.key.startsWith('env-seen/')).length, 6, 'a replay record per acknowledged claim');
  });

  it('publishes one-time keys when the chain has too few under its identity key, read through the host', async () => {
    const identityKey = new Uint8Array(Buffer.from(enclave!.olmIdentityKey(), 'base64'));
    const me = enclave!.signerPublicKey();
    const storageKey = (item: string) => u8aToHex(u8aConcat(xxhashAsU8a('WorkerEnv', 128), xxhashAsU8a(item, 128), blake2AsU8a(me, 128), me));
    const onChainKeys = (n: number) => u8aConcat(compactToU8a(n), ...Array.from({ length: n }, (_, i) => new Uint8Array(32).fill(i + 1)));
    const published = (xt: SignedExtrinsic) => {
      const decoded = chain.registry.createType('Extrinsic', xt.bytes);
      assert.equal(`${decoded.method.section}.${decoded.method.method}`, 'workerEnv.publishOlmKeys');
      assert.equal(decoded.signer.toHex(), u8aToHex(u8aConcat([0], me)), 'MultiAddress::Id of the enclave account');
      assert.equal(decoded.method.args[0]!.toHex(), u8aToHex(identityKey));
      assert.equal(xt.kind, 'olm_keys');
      return (decoded.method.args[1] as unknown as unknown[]).length;
    };
    /** A start that attaches the env; resolves once its key check read the chain and sent, or decided not to. */
    const attached = async (expectSend: boolean) => {
      const env = await current();
      const [reads, sent] = [host.storageReads.length, host.sent.length];
      env.attach();
      await until(() => host.storageReads.length > reads && (!expectSend || host.sent.length > sent));
      await new Promise((resolve) => setTimeout(resolve, 20)); // the check's last steps, or a second send that must not come
      await env.close(); // would stop a check before it generates keys: only after it ran
    };
    const sentBefore = host.sent.length;
    const unused = enclave!.olmOneTimeKeyCount();

    await attached(true);
    assert.deepEqual(host.storageReads.at(-1), [storageKey('IdentityKeys'), storageKey('OneTimeKeys')]);
    assert.equal(host.sent.length, sentBefore + 1, 'no identity key on chain yet');
    assert.equal(published(host.sent.at(-1)!), Math.min(OLM_ENV_TARGET_KEYS, 100 - unused));

    host.chainStorage.set(storageKey('IdentityKeys'), identityKey);
    host.chainStorage.set(storageKey('OneTimeKeys'), onChainKeys(OLM_ENV_LOW_WATER));
    await attached(false);
    assert.equal(host.sent.length, sentBefore + 1, 'enough keys on chain: nothing sent');

    host.chainStorage.set(storageKey('OneTimeKeys'), onChainKeys(OLM_ENV_LOW_WATER - 1));
    const room = 100 - enclave!.olmOneTimeKeyCount(); // libolm's capacity
    await attached(true);
    assert.equal(host.sent.length, sentBefore + 2);
    assert.equal(published(host.sent.at(-1)!), Math.min(OLM_ENV_TARGET_KEYS - (OLM_ENV_LOW_WATER - 1), room));
    assert.deepEqual(host.sent.slice(sentBefore).map((xt) => xt.nonce), [0, 1], 'the enclave account counts its own nonces');
  });
});
