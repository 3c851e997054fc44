import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';

import type { Harness, Outcome } from './test/helpers.js';

import { MAX_ONE_TIME_KEYS } from './pallets/worker-env.js';
import { eventNames, harness, send } from './test/helpers.js';

const TEER = 10n ** 12n;
const key = (n: number) => u8aToHex(new Uint8Array(32).fill(n));

describe('dev-chain WorkerEnv', () => {
  let h: Harness;
  let alice: KeyringPair;
  let enclave: KeyringPair;

  const moduleError = (out: Outcome) => {
    assert.ok(out.dispatchError?.isModule, `expected a module error, got ${out.dispatchError?.toString()}`);
    const meta = h.api.registry.findMetaError(out.dispatchError.asModule);
    return `${meta.section}.${meta.name}`;
  };
  const oneTimeKeys = async () => ((await h.api.query.workerEnv.oneTimeKeys(enclave.address)).toJSON() as string[]);

  before(async () => {
    h = await harness();
    alice = new Keyring({ type: 'sr25519', ss58Format: 13 }).addFromUri('//Alice');
    enclave = new Keyring({ type: 'ed25519', ss58Format: 13 }).addFromUri('//EnvEnclave');
    await send(h.api.tx.balances.transferKeepAlive(enclave.address, 100n * TEER), alice);
  });
  after(async () => h.close());

  it('is described by the metadata at index 60', () => {
    const pallet = h.api.runtimeMetadata.asLatest.pallets.find((p) => p.name.toString() === 'WorkerEnv');
    assert.equal(pallet?.index.toNumber(), 60);
    assert.deepEqual(h.api.tx.workerEnv.setEnv.meta.fields.map((f) => f.name.toString()), ['shard', 'worker', 'sender_identity_key', 'one_time_key', 'pre_key_message']);
    assert.equal(h.api.consts.workerEnv.maxOneTimeKeys.toString(), String(MAX_ONE_TIME_KEYS));
  });

  it('only a registered enclave publishes keys', async () => {
    const out = await send(h.api.tx.workerEnv.publishOlmKeys(key(1), [key(2)]), alice);
    assert.equal(moduleError(out), 'teerex.EnclaveIsNotRegistered');
  });

  it('publishes, extends, bounds and claims one-time keys exactly once', async () => {
    const { api } = h;
    await send(api.tx.teerex.registerSgxEnclave(key(7), null, { Skip: { proxied: false } }), enclave);
    const published = await send(api.tx.workerEnv.publishOlmKeys(key(1), [key(2), key(3)]), enclave);
    assert.deepEqual(eventNames(published.events).slice(1, 2), ['workerEnv.OlmKeysPublished']);
    await send(api.tx.workerEnv.publishOlmKeys(key(1), [key(4)]), enclave);
    assert.deepEqual(await oneTimeKeys(), [key(2), key(3), key(4)]);
    assert.equal((await api.query.workerEnv.identityKeys(enclave.address)).toHex(), key(1));
    assert.equal(moduleError(await send(api.tx.workerEnv.publishOlmKeys(key(1), [key(4)]), enclave)), 'workerEnv.DuplicateOneTimeKey');
    const many = Array.from({ length: MAX_ONE_TIME_KEYS - 2 }, (_, i) => u8aToHex(Uint8Array.from({ length: 32 }, (_, j) => (j === 0 ? 200 : i + 10))));
    assert.equal(moduleError(await send(api.tx.workerEnv.publishOlmKeys(key(1), many), enclave)), 'workerEnv.TooManyOneTimeKeys');

    const message = u8aToHex(new Uint8Array([3, 1, 2, 3]));
    const setEnv = () => api.tx.workerEnv.setEnv(key(7), enclave.address, key(9), key(3), message);
    const claimed = await send(setEnv(), alice);
    const ev = claimed.events.find((e) => e.event.method === 'EnvSet')!.event;
    assert.deepEqual(ev.data.map((d) => d.toHex()), [key(7), u8aToHex(enclave.publicKey), u8aToHex(alice.publicKey), key(9), key(3), message]);
    assert.deepEqual(await oneTimeKeys(), [key(2), key(4)]);
    assert.equal(moduleError(await send(setEnv(), alice)), 'workerEnv.OneTimeKeyNotFound', 'a claimed key cannot be used again');
    assert.equal(moduleError(await send(api.tx.workerEnv.setEnv(key(7), alice.address, key(9), key(2), message), alice)), 'workerEnv.WorkerHasNoOlmKeys');
    const huge = u8aToHex(new Uint8Array(4097));
    assert.equal(moduleError(await send(api.tx.workerEnv.setEnv(key(7), enclave.address, key(9), key(2), huge), alice)), 'workerEnv.PreKeyMessageTooLong');

    // A new identity key invalidates the keys published under the old one.
    await send(api.tx.workerEnv.publishOlmKeys(key(5), [key(6)]), enclave);
    assert.deepEqual(await oneTimeKeys(), [key(6)]);
  });

  it('set_env_result is enclave-only and emits EnvResult', async () => {
    const { api } = h;
    assert.equal(moduleError(await send(api.tx.workerEnv.setEnvResult(key(3), 'Stored'), alice)), 'teerex.EnclaveIsNotRegistered');
    const out = await send(api.tx.workerEnv.setEnvResult(key(3), 'Replayed'), enclave);
    const ev = out.events.find((e) => e.event.method === 'EnvResult')!.event.toHuman() as { data: Record<string, unknown> };
    assert.deepEqual(ev.data, { worker: enclave.address, oneTimeKey: key(3), status: 'Replayed' });
  });
});
