// § numbers in this file refer to docs/integritee-protocol.md.
import assert from 'node:assert/strict';

import type { EventRecord } from '@polkadot/types/interfaces';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a, mnemonicGenerate } from '@polkadot/util-crypto';

import { sealbridgeRegistry, trustedCallsMerkleRoot } from '@sealbridge/chain-types';

import { invokeTx, sendAndWaitInBlock, shieldTx, useStack, UNIT, waitFor, waitForConfirmation, type Stack } from './harness.js';

const FEE = 10n ** 8n;

/** Independent of the worker: the merkle root a correct worker must confirm for a block. */
async function expectedRoot(stack: Stack, blockHash: string): Promise<string> {
  const { api } = stack;
  const block = await api.rpc.chain.getBlock(blockHash);
  const events = (await (await api.at(blockHash)).query.system.events()) as unknown as EventRecord[];
  const succeeded = new Set(events.filter(({ phase, event }) => phase.isApplyExtrinsic && api.events.system.ExtrinsicSuccess.is(event)).map(({ phase }) => phase.asApplyExtrinsic.toNumber()));
  const leaves: Uint8Array[] = [];
  block.block.extrinsics.forEach((xt, i) => {
    if (!succeeded.has(i)) return;
    const { section, method, args } = xt.method;
    let call: object | undefined;
    if (section === 'timestamp' && method === 'set') call = { TimestampSet: { now: args[0].toString() } };
    if (section === 'enclaveBridge' && method === 'invoke') call = { Invoke: { request: args[0].toU8a() } };
    if (section === 'enclaveBridge' && method === 'shieldFunds') call = { ShieldFunds: { shard: args[0].toU8a(), account_encrypted: args[1].toHex(), amount: args[2].toString() } };
    if (call) leaves.push(blake2AsU8a(sealbridgeRegistry.createType('IndirectCall', call).toU8a()));
  });
  return u8aToHex(trustedCallsMerkleRoot(leaves));
}

describe('acceptance: the Integritee §7.2 scenario (offchain-worker, indirect calls)', function () {
  this.timeout(240_000);
  const currentStack = useStack();
  let stack: Stack;
  beforeEach(() => (stack = currentStack()));

  it('shields, transfers, unshields, counts nonces and confirms every block with the right merkle root', async () => {
    const { api, client, keyring, worker } = stack;
    const shard = worker.shard;
    const alice = keyring.addFromUri('//Alice');
    const aliceIncognito = keyring.addFromUri('//AliceIncognito');
    const ferdie = keyring.addFromUri('//Ferdie');
    const bob = keyring.addFromUri(mnemonicGenerate());
    const charlie = keyring.addFromUri(mnemonicGenerate());
    const l1Free = async (who: Uint8Array) => ((await api.query.system.account(who)) as unknown as { data: { free: { toBigInt(): bigint } } }).data.free.toBigInt();
    const balance = (pair: typeof bob) => client.getFreeBalance(shard, pair);
    const nonce = (pair: typeof bob) => client.getNonce(shard, pair);
    const invoke = async (signer: typeof bob, call: object, n: number) => {
      const included = await sendAndWaitInBlock(api, invokeTx(stack, signer, call, n), alice);
      const confirmation = await waitForConfirmation(api, included.blockHash);
      assert.equal(confirmation.root, await expectedRoot(stack, included.blockHash));
      return confirmation;
    };

    assert.equal(await balance(aliceIncognito), 0n);
    const ferdieBefore = await l1Free(ferdie.publicKey);

    const shielded = await sendAndWaitInBlock(api, shieldTx(stack, aliceIncognito.publicKey, 6n * UNIT), alice);
    await waitForConfirmation(api, shielded.blockHash);
    assert.equal(await waitFor(() => balance(aliceIncognito), (v) => v > 0n), 6n * UNIT);
    assert.equal(await balance(bob), 0n);

    await invoke(aliceIncognito, { balance_transfer: [aliceIncognito.publicKey, bob.publicKey, 2n * UNIT] }, 0);
    assert.equal(await waitFor(() => balance(bob), (v) => v > 0n), 2n * UNIT);
    assert.equal(await balance(aliceIncognito), 4n * UNIT - FEE);

    await invoke(aliceIncognito, { balance_unshield: [aliceIncognito.publicKey, ferdie.publicKey, 1n * UNIT, shard] }, 1);
    assert.equal(await waitFor(() => balance(aliceIncognito), (v) => v < 4n * UNIT - FEE), 3n * UNIT - 4n * FEE);
    assert.equal(await waitFor(() => l1Free(ferdie.publicKey), (v) => v > ferdieBefore), ferdieBefore + UNIT);
    assert.equal(await balance(bob), 2n * UNIT);

    assert.equal(await nonce(bob), 0);
    for (let n = 0; n < 3; n++) await invoke(bob, { balance_transfer: [bob.publicKey, charlie.publicKey, UNIT / 5n] }, n);
    assert.equal(await waitFor(() => nonce(bob), (v) => v === 3), 3);
    await invoke(bob, { balance_transfer: [bob.publicKey, charlie.publicKey, 2n * UNIT] }, 3);
    assert.equal(await waitFor(() => nonce(bob), (v) => v === 4), 4, 'the failing over-spend still bumps the nonce');
    await invoke(bob, { balance_transfer: [bob.publicKey, charlie.publicKey, UNIT / 5n] }, 4);
    assert.equal(await waitFor(() => nonce(bob), (v) => v === 5), 5);
    assert.equal(await balance(bob), (12n * UNIT) / 10n - 5n * FEE);
    assert.equal(await balance(charlie), (8n * UNIT) / 10n);

    // Every block from the registration on carries exactly one confirmation, with the right root.
    const confirmations = new Map<string, number>();
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    let registeredAt = 0;
    for (let n = 1; n <= best; n++) {
      const hash = await api.rpc.chain.getBlockHash(n);
      const events = (await (await api.at(hash)).query.system.events()) as unknown as EventRecord[];
      for (const { event } of events) {
        if (api.events.teerex.AddedSgxEnclave.is(event)) registeredAt = n;
        if (api.events.enclaveBridge.ProcessedParentchainBlock.is(event)) {
          const confirmed = event.data[1].toHex();
          confirmations.set(confirmed, (confirmations.get(confirmed) ?? 0) + 1);
          assert.equal(event.data[2].toHex(), await expectedRoot(stack, confirmed), `root of block ${confirmed}`);
        }
      }
    }
    assert.ok(registeredAt > 0);
    // The newest block's confirmation may still be in the pool: instant seal does not seal for it alone.
    for (let n = registeredAt; n < best; n++) {
      const hash = (await api.rpc.chain.getBlockHash(n)).toHex();
      assert.equal(confirmations.get(hash), 1, `block #${n} confirmed exactly once`);
    }
  });
});
