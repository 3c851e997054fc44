import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';

import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import type { Codec } from '@polkadot/types/types';
import { ed25519RawPublicKey, encodeQuote, signQuote } from '@sealbridge/chain-types';

import type { Harness } from './test/helpers.js';

import { eventNames, harness, send } from './test/helpers.js';

const TEER = 10n ** 12n;
const free = async (h: Harness, who: string | Uint8Array) => BigInt(((await h.api.query.system.account(who)) as unknown as { data: { free: Codec } }).data.free.toString());

describe('dev-chain Teerex and EnclaveBridge', () => {
  let h: Harness;
  let alice: KeyringPair;
  let enclave: KeyringPair;
  let stranger: KeyringPair;
  const mrenclave = new Uint8Array(32).fill(7);
  const shard = u8aToHex(mrenclave);
  const service = generateKeyPairSync('ed25519');

  before(async () => {
    h = await harness({ attestationServicePublicKey: ed25519RawPublicKey(service.publicKey) });
    const sr = new Keyring({ type: 'sr25519', ss58Format: 13 });
    const ed = new Keyring({ type: 'ed25519', ss58Format: 13 });
    alice = sr.addFromUri('//Alice');
    enclave = ed.addFromUri('//Enclave');
    stranger = ed.addFromUri('//Stranger');
    await send(h.api.tx.balances.transferKeepAlive(enclave.address, 100n * TEER), alice);
    await send(h.api.tx.balances.transferKeepAlive(stranger.address, 100n * TEER), alice);
  });
  after(async () => h.close());

  it('invoke(request) emits IndirectInvocationRegistered(shard)', async () => {
    const request = h.api.createType('EnclaveBridgePrimitivesRequest', { shard, cyphertext: u8aToHex(new Uint8Array(300).fill(1)) });
    const out = await send(h.api.tx.enclaveBridge.invoke(request), alice);
    assert.deepEqual(eventNames(out.events), ['balances.Withdraw', 'enclaveBridge.IndirectInvocationRegistered', 'system.ExtrinsicSuccess']);
    assert.equal(out.events[1]!.event.data[0]!.toHex(), shard);
  });

  it('a non-enclave confirmation fails with Teerex.EnclaveIsNotRegistered', async () => {
    const tx = h.api.tx.enclaveBridge.confirmProcessedParentchainBlock(shard, h.dev.chain.genesisHash, 0, new Uint8Array(32));
    const out = await send(tx, stranger);
    assert.ok(out.dispatchError?.isModule);
    const meta = h.api.registry.findMetaError(out.dispatchError!.asModule);
    assert.equal(`${meta.section}.${meta.name}`, 'teerex.EnclaveIsNotRegistered');
    assert.deepEqual(eventNames(out.events), ['balances.Withdraw', 'system.ExtrinsicFailed']);
  });

  it('registers with Skip and confirms a block: ProcessedParentchainBlock fields in event order, ShardStatus touched', async () => {
    const { api } = h;
    const reg = await send(api.tx.teerex.registerSgxEnclave(u8aToHex(mrenclave), 'wss://localhost:2000', { Skip: { proxied: false } }), enclave);
    assert.deepEqual(eventNames(reg.events), ['balances.Withdraw', 'teerex.AddedSgxEnclave', 'system.ExtrinsicSuccess']);
    const added = reg.events[1]!.event.toHuman() as { data: Record<string, unknown> };
    assert.deepEqual(added.data, { registeredBy: enclave.address, workerUrl: 'wss://localhost:2000', tcbStatus: 'Invalid', attestationMethod: { Skip: { proxied: false } } });
    const stored = (await api.query.teerex.sovereignEnclaves(enclave.address)).toJSON() as { sgx: Record<string, string> };
    assert.equal(stored.sgx.mrEnclave, shard);
    assert.equal(stored.sgx.status, 'Invalid');

    const root = new Uint8Array(32).fill(9);
    const confirm = await send(api.tx.enclaveBridge.confirmProcessedParentchainBlock(shard, reg.blockHash, 3, root), enclave);
    const ev = confirm.events.find((e) => e.event.method === 'ProcessedParentchainBlock')!.event;
    assert.deepEqual(
      ev.meta.fields.map((f) => f.name.toString()),
      ['shard', 'block_hash', 'trusted_calls_merkle_root', 'block_number'],
    );
    assert.deepEqual(ev.data.map((d) => d.toHex()), [shard, reg.blockHash, u8aToHex(root), '0x00000003']);
    const events = await api.query.system.events.at(confirm.blockHash);
    assert.ok((events as unknown as { event: Codec }[]).some(({ event }) => api.events.enclaveBridge.ProcessedParentchainBlock.is(event as never)));
    const status = (await api.query.enclaveBridge.shardStatus(shard)).toJSON() as { signer: string; lastActivity: number }[];
    assert.equal(status.length, 1);
    assert.equal(status[0]!.signer, enclave.address);
    const confirmNumber = (await api.rpc.chain.getHeader(confirm.blockHash)).number.toNumber();
    assert.equal(status[0]!.lastActivity, confirmNumber);
  });

  it('shield moves funds to the bonding account; unshield pays once per call hash', async () => {
    const { api } = h;
    const bob = new Keyring({ type: 'sr25519', ss58Format: 13 }).addFromUri('//Bob');
    const shielded = await send(api.tx.enclaveBridge.shieldFunds(shard, u8aToHex(new Uint8Array(384).fill(3)), 50n * TEER), alice);
    assert.deepEqual(eventNames(shielded.events), ['balances.Withdraw', 'system.NewAccount', 'balances.Endowed', 'balances.Transfer', 'enclaveBridge.ShieldFunds', 'system.ExtrinsicSuccess']);
    assert.equal(await free(h, mrenclave), 50n * TEER);

    const bobBefore = await free(h, bob.address);
    const callHash = new Uint8Array(32).fill(0xab);
    const first = await send(api.tx.enclaveBridge.unshieldFunds(shard, bob.address, 20n * TEER, callHash), enclave);
    assert.ok(eventNames(first.events).includes('enclaveBridge.UnshieldedFunds'));
    const again = await send(api.tx.enclaveBridge.unshieldFunds(shard, bob.address, 20n * TEER, callHash), enclave);
    assert.ok(!eventNames(again.events).includes('enclaveBridge.UnshieldedFunds'));
    assert.equal(await free(h, bob.address), bobBefore + 20n * TEER);
    assert.equal(await free(h, mrenclave), 30n * TEER);
    assert.equal(BigInt((await api.query.enclaveBridge.executedUnshieldCalls(callHash)).toString()), 2n);

    const notEnclave = await send(api.tx.enclaveBridge.unshieldFunds(shard, bob.address, 1n, new Uint8Array(32)), stranger);
    assert.equal(api.registry.findMetaError(notEnclave.dispatchError!.asModule).name, 'EnclaveIsNotRegistered');
  });

  it('publish_hash emits PublishedHash with extra topics plus the fingerprint', async () => {
    const topic = u8aToHex(new Uint8Array(32).fill(5));
    const out = await send(h.api.tx.enclaveBridge.publishHash(u8aToHex(new Uint8Array(32).fill(1)), [topic], 'hello'), enclave);
    const rec = out.events.find((e) => e.event.method === 'PublishedHash')!;
    assert.deepEqual(rec.topics.map((t) => t.toHex()), [topic, shard]);
    const tooLong = await send(h.api.tx.enclaveBridge.publishHash(u8aToHex(new Uint8Array(32)), [], u8aToHex(new Uint8Array(101))), enclave);
    assert.equal(h.api.registry.findMetaError(tooLong.dispatchError!.asModule).name, 'DataTooLong');
  });

  it('registers with a Simulated quote: verified against the service key, sender bound by report_data', async () => {
    const { api } = h;
    const worker = new Keyring({ type: 'ed25519', ss58Format: 13 }).addFromUri('//SimWorker');
    await send(api.tx.balances.transferKeepAlive(worker.address, 10n * TEER), alice);
    const quoteFor = (signer: Uint8Array) => {
      const reportData = new Uint8Array(64);
      reportData.set(signer);
      return encodeQuote(
        signQuote({ version: 1, mrenclave: new Uint8Array(32).fill(0x11), mrsigner: new Uint8Array(32).fill(0x22), reportData, timestamp: BigInt(Date.now()), buildMode: 'Production' }, service.privateKey),
      );
    };
    const wrongSender = await send(api.tx.teerex.registerSgxEnclave(u8aToHex(quoteFor(enclave.publicKey)), null, 'Simulated'), worker);
    assert.equal(api.registry.findMetaError(wrongSender.dispatchError!.asModule).name, 'SenderIsNotAttestedEnclave');
    const forged = quoteFor(worker.publicKey);
    forged[forged.length - 1]! ^= 1;
    const bad = await send(api.tx.teerex.registerSgxEnclave(u8aToHex(forged), null, 'Simulated'), worker);
    assert.equal(api.registry.findMetaError(bad.dispatchError!.asModule).name, 'RemoteAttestationVerificationFailed');
    const ok = await send(api.tx.teerex.registerSgxEnclave(u8aToHex(quoteFor(worker.publicKey)), 'wss://w:2000', 'Simulated'), worker);
    assert.equal(ok.dispatchError, undefined);
    const stored = (await api.query.teerex.sovereignEnclaves(worker.address)).toJSON() as { sgx: Record<string, unknown> };
    assert.equal(stored.sgx.mrEnclave, u8aToHex(new Uint8Array(32).fill(0x11)));
    assert.equal(stored.sgx.mrSigner, u8aToHex(new Uint8Array(32).fill(0x22)));
    assert.equal(stored.sgx.status, 'Ok');
    assert.deepEqual(stored.sgx.attestationMethod, { simulated: null });
  });
});
