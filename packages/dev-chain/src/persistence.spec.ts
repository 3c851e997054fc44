import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { hexToU8a } from '@polkadot/util';
import type { EventRecord } from '@polkadot/types/interfaces';
import { extrinsicsRootStateVersion, orderedTrieRoot, verifyProof } from '@sealbridge/trie';

import { startDevChain } from './start.js';
import { harness, send } from './test/helpers.js';

describe('dev-chain persistence and state proofs', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dev-chain-db-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('restarts from --db at the same best block with the same state root, and keeps producing', async () => {
    const first = await harness({ db: dir });
    const alice = new Keyring({ type: 'sr25519', ss58Format: 13 }).addFromUri('//Alice');
    const bob = new Keyring({ type: 'sr25519', ss58Format: 13 }).addFromUri('//Bob');
    await send(first.api.tx.balances.transferKeepAlive(bob.address, 10n ** 12n), alice, 'Finalized');
    await send(first.api.tx.balances.transferKeepAlive(bob.address, 2n * 10n ** 12n), alice, 'Finalized');
    const best = first.dev.chain.best;
    const bobFree = (await first.api.query.system.account(bob.address)).toJSON();
    await first.close();

    const second = await startDevChain({ port: 0, db: dir });
    try {
      assert.equal(second.chain.bestNumber, best.number);
      assert.equal(second.chain.best.hash, best.hash);
      assert.equal(second.chain.best.header.stateRoot, best.header.stateRoot);
      assert.equal(second.chain.finalizedNumber, best.number);
      const api = await ApiPromise.create({ provider: new WsProvider(second.url), noInitWarn: true });
      try {
        assert.deepEqual((await api.query.system.account(bob.address)).toJSON(), bobFree);
        const out = await send(api.tx.balances.transferKeepAlive(bob.address, 1n), alice);
        assert.equal((await api.rpc.chain.getHeader(out.blockHash)).number.toNumber(), best.number + 1);
      } finally {
        await api.disconnect();
      }
    } finally {
      await second.stop();
    }
  });

  it('state_getReadProof for System.Events verifies against the header stateRoot with @sealbridge/trie', async () => {
    const h = await harness();
    try {
      const alice = new Keyring({ type: 'sr25519', ss58Format: 13 }).addFromUri('//Alice');
      const out = await send(h.api.tx.system.remarkWithEvent('0x1234'), alice);
      const key = h.api.query.system.events.key();
      const proof = await h.api.rpc.state.getReadProof([key], out.blockHash);
      const header = await h.api.rpc.chain.getHeader(out.blockHash);
      const values = verifyProof(header.stateRoot.toU8a(), proof.proof.map((p) => p.toU8a(true)), [hexToU8a(key)]);
      const raw = await h.api.rpc.state.getStorage(key, out.blockHash);
      assert.equal(u8aToHex(values.get(key) ?? undefined), (raw as unknown as { toHex(): string }).toHex());
      const events = h.api.createType('Vec<FrameSystemEventRecord>', values.get(key)!) as unknown as EventRecord[];
      assert.ok(events.some((e) => e.event.section === 'system' && e.event.method === 'Remarked'));
      // Another block's root must not verify this proof.
      assert.throws(() => verifyProof(hexToU8a(h.dev.chain.blockByNumber(0)!.header.stateRoot), proof.proof.map((p) => p.toU8a(true)), [hexToU8a(key)]));
      // The extrinsics root is the ordered trie root of the block's extrinsics (layout V0 for system version 1).
      const block = await h.api.rpc.chain.getBlock(out.blockHash);
      const root = orderedTrieRoot(block.block.extrinsics.map((x) => x.toU8a()), extrinsicsRootStateVersion(1));
      assert.equal(u8aToHex(root), header.extrinsicsRoot.toHex());
    } finally {
      await h.close();
    }
  });
});
