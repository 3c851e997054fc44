import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import WebSocket from 'ws';

import type { DevChain } from './start.js';

import { startDevChain } from './start.js';
import { harness, send } from './test/helpers.js';

/** Raw JSON-RPC client: one request at a time plus collected notifications. */
async function rawClient(url: string) {
  const ws = new WebSocket(url);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const notifications: { method: string; params: { subscription: string; result: unknown } }[] = [];
  const pending = new Map<unknown, (v: unknown) => void>();
  ws.on('message', (d) => {
    const msg = JSON.parse(d.toString());
    if (msg.method) notifications.push(msg);
    else if (Array.isArray(msg)) pending.get('batch')?.(msg);
    else pending.get(msg.id)?.(msg);
  });
  let id = 0;
  return {
    notifications,
    raw: (text: string, key: unknown) => new Promise<any>((r) => (pending.set(key, r), ws.send(text))),
    call: (method: string, params: unknown[] = []) => {
      const rid = ++id;
      return new Promise<any>((r) => (pending.set(rid, r), ws.send(JSON.stringify({ jsonrpc: '2.0', id: rid, method, params }))));
    },
    close: () => ws.close(),
  };
}

describe('dev-chain JSON-RPC surface', () => {
  let dev: DevChain;
  before(async () => {
    dev = await startDevChain({ port: 0, blockTime: 'manual' });
  });
  after(async () => dev.stop());

  it('answers JSON-RPC errors like a node: -32700, -32600, -32601, -32602', async () => {
    const c = await rawClient(dev.url);
    assert.equal((await c.raw('{not json', null)).error.code, -32700);
    assert.equal((await c.raw(JSON.stringify({ id: 7, method: 'system_name' }), 7)).error.code, -32600);
    assert.equal((await c.call('nope_method')).error.code, -32601);
    assert.equal((await c.call('chain_getBlockHash', ['zz'])).error.code, -32602);
    assert.equal((await c.call('state_getStorage', [42])).error.code, -32602);
    const batch = await c.raw(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'system_chain' }, { jsonrpc: '2.0', id: 2, method: 'system_chainType' }]), 'batch');
    assert.deepEqual(batch.map((r: { result: unknown }) => r.result), ['Sealbridge Development', 'Development']);
    c.close();
  });

  it('lists every method in rpc_methods, including unsubscribes and engine_*', async () => {
    const c = await rawClient(dev.url);
    const { methods } = (await c.call('rpc_methods')).result;
    for (const m of ['chain_subscribeNewHead', 'chain_unsubscribeNewHead', 'chain_subscribeFinalizedHeads', 'state_getReadProof', 'state_subscribeStorage',
      'author_submitAndWatchExtrinsic', 'author_unwatchExtrinsic', 'engine_createBlock', 'engine_finalizeBlock', 'system_accountNextIndex', 'rpc_methods']) {
      assert.ok(methods.includes(m), m);
    }
    c.close();
  });

  it('manual seal: engine_createBlock / engine_finalizeBlock, with heads and storage notifications', async () => {
    const c = await rawClient(dev.url);
    const newHead = (await c.call('chain_subscribeNewHead')).result;
    const finalized = (await c.call('chain_subscribeFinalizedHeads')).result;
    const eventsKey = dev.chain.runtime.layout.keyHex('System', 'Number');
    const storage = (await c.call('state_subscribeStorage', [[eventsKey]])).result;
    const before = dev.chain.bestNumber;
    const created = (await c.call('engine_createBlock', [true, false])).result;
    assert.equal(created.hash, dev.chain.best.hash);
    assert.deepEqual(created.aux, { header_only: false });
    assert.equal(dev.chain.bestNumber, before + 1);
    assert.equal(dev.chain.finalizedNumber, before, 'manual mode does not finalize by itself');
    assert.equal((await c.call('engine_finalizeBlock', [created.hash])).result, true);
    assert.equal((await c.call('chain_getFinalizedHead')).result, created.hash);
    const forSub = (id: string) => c.notifications.filter((n) => n.params.subscription === id);
    const deadline = Date.now() + 3000;
    while (forSub(finalized).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(forSub(newHead).map((n) => n.method), ['chain_newHead', 'chain_newHead']);
    assert.equal((forSub(finalized).at(-1)!.params.result as { number: string }).number, `0x${(before + 1).toString(16)}`);
    const stor = forSub(storage).map((n) => n.params.result as { block: string; changes: [string, string][] });
    assert.equal(stor.length, 2, 'current value, then the change');
    assert.equal(stor[1]!.block, created.hash);
    assert.equal((await c.call('chain_unsubscribeNewHead', [newHead])).result, true);
    assert.equal((await c.call('chain_unsubscribeNewHead', [newHead])).result, false);
    c.close();
  });

  it('maps pool errors: 1001 bad format, 1013 already imported, 1012 banned after inclusion; author_pendingExtrinsics', async () => {
    const h = await harness({ blockTime: 'manual' });
    try {
      const c = await rawClient(h.dev.url);
      assert.equal((await c.call('author_submitExtrinsic', ['0x1234'])).error.code, 1001);
      const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
      const tx = await h.api.tx.system.remark('0x01').signAsync(alice);
      const hash = (await c.call('author_submitExtrinsic', [tx.toHex()])).result;
      assert.equal(hash, tx.hash.toHex());
      assert.deepEqual((await c.call('author_pendingExtrinsics')).result, [tx.toHex()]);
      assert.equal((await c.call('author_submitExtrinsic', [tx.toHex()])).error.code, 1013);
      assert.equal((await c.call('system_accountNextIndex', [alice.address])).result, 1, 'pool-aware next index');
      await h.dev.chain.createBlock({ createEmpty: false });
      assert.equal((await c.call('author_submitExtrinsic', [tx.toHex()])).error.code, 1012);
      c.close();
    } finally {
      await h.close();
    }
  });

  it('instant mode: a confirmation of an acknowledgement-only block does not trigger another block', async () => {
    const h = await harness({ blockTime: 'instant' });
    try {
      const { api, dev: d } = h;
      const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
      const root = u8aToHex(new Uint8Array(32));
      // Confirmations from a non-enclave fail at dispatch but still count as acknowledgements for sealing.
      const b1 = await send(api.tx.enclaveBridge.confirmProcessedParentchainBlock(root, d.chain.genesisHash, 0, root), alice);
      const ackBlock = d.chain.blockByHash(b1.blockHash)!;
      assert.ok(ackBlock.ackOnly);
      const tx = api.tx.enclaveBridge.confirmProcessedParentchainBlock(root, b1.blockHash, ackBlock.number, root);
      await tx.signAndSend(alice);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(d.chain.bestNumber, ackBlock.number, 'no block for an acknowledgement of an ack-only block');
      assert.equal(d.chain.pool.size, 1);
      await send(api.tx.system.remark('0x'), alice, 'InBlock', 2);
      assert.equal(d.chain.pool.size, 0, 'the pending confirmation rode along');
    } finally {
      await h.close();
    }
  });

  it('finality trails best by --finality-lag blocks', async () => {
    const h = await harness({ blockTime: 'instant', finalityLag: 1 });
    try {
      const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
      await send(h.api.tx.system.remark('0x01'), alice);
      const second = await send(h.api.tx.system.remark('0x02'), alice);
      const n = (await h.api.rpc.chain.getHeader(second.blockHash)).number.toNumber();
      const deadline = Date.now() + 3000;
      while (h.dev.chain.finalizedNumber < n - 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(h.dev.chain.bestNumber, n);
      assert.equal(h.dev.chain.finalizedNumber, n - 1);
    } finally {
      await h.close();
    }
  });
});
