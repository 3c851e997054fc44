import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { AccountInfo, Header } from '@polkadot/types/interfaces';

import type { Harness } from './test/helpers.js';

import { EXISTENTIAL_DEPOSIT } from './pallets/balances.js';
import { DEV_ACCOUNT_BALANCE } from './start.js';
import { eventNames, harness, send } from './test/helpers.js';

describe('dev-chain balances over a real ws with @polkadot/api', () => {
  let h: Harness;
  let alice: KeyringPair;
  let bob: KeyringPair;
  let charlie: KeyringPair;

  before(async () => {
    h = await harness();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 13 });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    charlie = keyring.addFromUri('//Charlie');
  });
  after(async () => h.close());

  it('exposes the chain through ApiPromise (metadata, constants, properties)', async () => {
    const { api } = h;
    assert.equal(api.genesisHash.toHex(), h.dev.chain.genesisHash);
    assert.equal(api.runtimeVersion.specName.toString(), 'sealbridge-dev');
    assert.equal(Number(api.consts.system.ss58Prefix.toString()), 13);
    assert.equal(BigInt(api.consts.balances.existentialDeposit.toString()), EXISTENTIAL_DEPOSIT);
    assert.ok(Number(api.consts.timestamp.minimumPeriod.toString()) > 0);
    assert.equal(api.registry.chainDecimals[0], 12);
    assert.equal(api.registry.chainTokens[0], 'TEER');
    const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => [p.name.toString(), p.index.toNumber()]);
    const indices = Object.fromEntries(pallets);
    for (const [name, index] of Object.entries({ System: 0, Timestamp: 1, Balances: 10, Sudo: 11, Teerex: 50, EnclaveBridge: 54 })) assert.equal(indices[name], index, name);
  });

  it('transferKeepAlive reaches InBlock and Finalized with Withdraw, Transfer, ExtrinsicSuccess; the fee equals paymentInfo', async () => {
    const { api } = h;
    const amount = 5n * 10n ** 12n;
    const before = (await api.query.system.account(alice.address)) as AccountInfo;
    const tx = api.tx.balances.transferKeepAlive(bob.address, amount);
    const info = await tx.paymentInfo(alice);
    const inBlock = await send(tx, alice, 'Finalized');
    assert.deepEqual(inBlock.statuses.slice(0, 1), ['Ready']);
    assert.ok(inBlock.statuses.includes('InBlock'), `statuses: ${inBlock.statuses}`);
    assert.equal(inBlock.statuses.at(-1), 'Finalized');
    assert.deepEqual(eventNames(inBlock.events), ['balances.Withdraw', 'balances.Transfer', 'system.ExtrinsicSuccess']);
    const withdraw = inBlock.events[0]!.event;
    assert.ok(api.events.balances.Withdraw.is(withdraw));
    const fee = BigInt(withdraw.data[1]!.toString());
    assert.equal(fee, info.partialFee.toBigInt());
    const transfer = inBlock.events[1]!.event;
    assert.ok(api.events.balances.Transfer.is(transfer));
    assert.equal(transfer.data[0]!.toString(), alice.address);
    assert.equal(transfer.data[1]!.toString(), bob.address);
    assert.equal(BigInt(transfer.data[2]!.toString()), amount);
    const after = (await api.query.system.account(alice.address)) as AccountInfo;
    assert.equal(after.data.free.toBigInt(), before.data.free.toBigInt() - amount - fee);
    assert.equal(after.nonce.toNumber(), before.nonce.toNumber() + 1);
  });

  it('queries one-shot, .at(hash), .entries() and storage subscriptions', async () => {
    const { api } = h;
    const hashBefore = await api.rpc.chain.getBlockHash();
    const bobBefore = ((await api.query.system.account(bob.address)) as AccountInfo).data.free.toBigInt();
    const updates: bigint[] = [];
    const unsub = (await api.query.system.account(bob.address, (acc: AccountInfo) => {
      updates.push(acc.data.free.toBigInt());
    })) as unknown as () => void;
    await send(api.tx.balances.transferAllowDeath(bob.address, 7n), alice);
    const deadline = Date.now() + 5000;
    while (updates.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    unsub();
    assert.deepEqual(updates, [bobBefore, bobBefore + 7n]);
    const old = (await api.query.system.account.at(hashBefore, bob.address)) as AccountInfo;
    assert.equal(old.data.free.toBigInt(), bobBefore);
    const entries = await api.query.system.account.entries();
    assert.equal(entries.length, 6);
    const total = BigInt((await api.query.balances.totalIssuance()).toString());
    assert.ok(total < 6n * DEV_ACCOUNT_BALANCE, 'fees are burned');
  });

  it('subscribeFinalizedHeads and subscribeNewHeads deliver headers', async () => {
    const { api } = h;
    const finalized: number[] = [];
    const best: number[] = [];
    const unsubF = await api.rpc.chain.subscribeFinalizedHeads((hd: Header) => {
      finalized.push(hd.number.toNumber());
    });
    const unsubB = await api.rpc.chain.subscribeNewHeads((hd: Header) => {
      best.push(hd.number.toNumber());
    });
    const { blockHash } = await send(api.tx.balances.transferKeepAlive(charlie.address, 10n ** 12n), alice, 'Finalized');
    const n = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
    const deadline = Date.now() + 5000;
    while (!finalized.includes(n) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    unsubF();
    unsubB();
    assert.ok(finalized.includes(n), `finalized ${finalized}`);
    assert.ok(best.includes(n));
    const block = await api.rpc.chain.getBlock(blockHash);
    const calls = block.block.extrinsics.map((x) => `${x.method.section}.${x.method.method}`);
    assert.deepEqual(calls, ['timestamp.set', 'balances.transferKeepAlive']);
  });

  it('future nonces wait in the pool and are included once the gap closes', async () => {
    const { api } = h;
    const nonce = ((await api.query.system.account(charlie.address)) as AccountInfo).nonce.toNumber();
    const later = send(api.tx.system.remark('0x01'), charlie, 'InBlock', nonce + 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.dev.chain.pool.size, 1, 'future extrinsic is pooled');
    const first = await send(api.tx.system.remark('0x02'), charlie, 'InBlock', nonce);
    const second = await later;
    const n1 = (await api.rpc.chain.getHeader(first.blockHash)).number.toNumber();
    const n2 = (await api.rpc.chain.getHeader(second.blockHash)).number.toNumber();
    assert.ok(n2 >= n1);
    assert.equal(((await api.query.system.account(charlie.address)) as AccountInfo).nonce.toNumber(), nonce + 2);
  });

  it('rejects a stale nonce with 1010 "Transaction is outdated"', async () => {
    const { api } = h;
    await assert.rejects(send(api.tx.system.remark('0x03'), charlie, 'InBlock', 0), /1010: Invalid Transaction: Transaction is outdated/);
  });

  it('rejects a tampered signature with 1010 "Transaction has a bad signature"', async () => {
    const { api } = h;
    const tx = api.tx.balances.transferKeepAlive(bob.address, 1n);
    await tx.signAsync(alice);
    const u8a = tx.toU8a();
    u8a[40]! ^= 0xff; // inside the sr25519 signature (after length, version, address)
    await assert.rejects(api.rpc.author.submitExtrinsic(u8a), /1010: Invalid Transaction: Transaction has a bad signature/);
  });

  it('rejects a sender that cannot pay fees with 1010 "Inability to pay some fees"', async () => {
    const { api } = h;
    const poor = new Keyring({ type: 'sr25519' }).addFromUri('//Poor');
    await assert.rejects(send(api.tx.system.remark('0x'), poor), /1010: Invalid Transaction: Inability to pay some fees/);
  });

  it('reports dispatch errors as decodable module errors', async () => {
    const { api } = h;
    const out = await send(api.tx.balances.transferKeepAlive(bob.address, DEV_ACCOUNT_BALANCE * 2n), charlie);
    assert.ok(out.dispatchError?.isModule);
    const meta = api.registry.findMetaError(out.dispatchError!.asModule);
    assert.equal(`${meta.section}.${meta.name}`, 'balances.InsufficientBalance');
    assert.deepEqual(eventNames(out.events), ['balances.Withdraw', 'system.ExtrinsicFailed']);
  });

  it('sudo(force_set_balance) from //Alice works, from others fails with RequireSudo', async () => {
    const { api } = h;
    const dave = new Keyring({ type: 'sr25519', ss58Format: 13 }).addFromUri('//Dave');
    const ok = await send(api.tx.sudo.sudo(api.tx.balances.forceSetBalance(dave.address, 42n * 10n ** 12n)), alice);
    assert.deepEqual(eventNames(ok.events), ['balances.Withdraw', 'balances.BalanceSet', 'sudo.Sudid', 'system.ExtrinsicSuccess']);
    assert.equal(((await api.query.system.account(dave.address)) as AccountInfo).data.free.toBigInt(), 42n * 10n ** 12n);
    const bad = await send(api.tx.sudo.sudo(api.tx.balances.forceSetBalance(dave.address, 1n)), bob);
    const meta = api.registry.findMetaError(bad.dispatchError!.asModule);
    assert.equal(`${meta.section}.${meta.name}`, 'sudo.RequireSudo');
  });

  it('accepts ecdsa- and ed25519-signed extrinsics (MultiSignature variants)', async () => {
    const { api } = h;
    for (const type of ['ecdsa', 'ed25519'] as const) {
      const pair = new Keyring({ type, ss58Format: 13 }).addFromUri(`//Signer-${type}`);
      await send(api.tx.balances.transferKeepAlive(pair.address, 10n ** 12n), alice);
      const out = await send(api.tx.system.remarkWithEvent('0xbeef'), pair);
      assert.deepEqual(eventNames(out.events), ['balances.Withdraw', 'system.Remarked', 'system.ExtrinsicSuccess'], type);
    }
  });
});
