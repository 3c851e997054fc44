import assert from 'node:assert/strict';
import fs from 'node:fs';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { connectWorker } from '@sealbridge/client';
import { cryptoReady, encodeRequest, sealbridgeRegistry, shieldEncrypt, shieldingKeyFromJson, signTrustedCall } from '@sealbridge/chain-types';
import { startDevChain, type DevChain } from '@sealbridge/dev-chain';

import { tempDir, UNIT } from './harness.js';
import { WorkerProcess } from './processes.js';

const ACCOUNTS = 10;
const ROUNDS = 50; // ACCOUNTS × ROUNDS = 500 invocations
const KILLS = 20;
const FEE = 10n ** 8n;
const SHIELDED = 100n * UNIT;

/** Sends all `txs` (already signed) and resolves when every one is in a block. */
async function includeAll(api: ApiPromise, txs: Array<{ send(cb: (r: { status: { isInBlock: boolean; isFinalized: boolean }; isError: boolean }) => void): Promise<() => void> }>): Promise<void> {
  await Promise.all(txs.map((tx) => new Promise<void>((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    let done = false;
    tx.send((result) => {
      if (done) return;
      if (result.isError) reject(new Error('transaction failed'));
      if (result.status.isInBlock || result.status.isFinalized) {
        done = true;
        unsubscribe?.();
        resolve();
      }
    }).then((u) => {
      unsubscribe = u;
      if (done) u();
    }, reject);
  })));
  void api;
}

describe('worker crash safety', function () {
  this.timeout(900_000);
  let chain: DevChain | undefined;
  let api: ApiPromise | undefined;
  const workers: WorkerProcess[] = [];

  after(async () => {
    for (const w of workers) if (w.child.exitCode === null) await w.kill('SIGKILL');
    await api?.disconnect();
    await chain?.stop();
  });

  it(`survives ${KILLS} SIGKILLs during ${ACCOUNTS * ROUNDS} invocations and ends in the same state as an uninterrupted run`, async () => {
    await Promise.all([cryptoWaitReady(), cryptoReady()]);
    chain = await startDevChain({ port: 0, blockTime: 'instant' });
    api = await ApiPromise.create({ provider: new WsProvider(chain.url), noInitWarn: true });
    const dir = tempDir('crash');
    const refDir = `${dir}-reference`;
    const secret = `${dir}.platform-secret`;
    const args = (dataDir: string) => ['--parentchain', chain!.url, '--data-dir', dataDir, '--platform-secret', secret, '--rpc-port', '0', '--runner-port', '0'];
    const start = (dataDir = dir) => {
      const w = new WorkerProcess(args(dataDir));
      workers.push(w);
      return w;
    };

    // First start, then a snapshot of the data dir: the reference worker replays everything from it, uninterrupted.
    let worker = start();
    const opened = await worker.waitFor((r) => r.msg === 'enclave opened');
    const rpc = await worker.waitFor((r) => r.msg === 'trusted RPC listening');
    await worker.waitFor((r) => r.msg === 'imported block');
    const client = await connectWorker(String(rpc.url), { tls: 'insecure' });
    const shieldingKey = shieldingKeyFromJson(await client.getShieldingKeyJson());
    await client.close();
    assert.equal(await worker.kill('SIGTERM'), 0, 'graceful stop exits 0');
    fs.cpSync(dir, refDir, { recursive: true });
    const mrenclave = hexToU8a(String(opened.mrenclaveHex));
    const shard = mrenclave;

    const keyring = new Keyring({ type: 'sr25519' });
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => keyring.addFromUri(`//Crash${i}`));
    const xtSigners = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve'].map((uri) => keyring.addFromUri(uri));
    const xtNonces = await Promise.all(xtSigners.map(async (s) => (await api!.rpc.system.accountNextIndex(s.address)).toNumber()));
    const signed = async (signerIndex: number, tx: ReturnType<ApiPromise['tx']['enclaveBridge']['invoke']>) => {
      const signer = xtSigners[signerIndex % xtSigners.length] as KeyringPair;
      return tx.signAsync(signer, { nonce: xtNonces[signerIndex % xtSigners.length]++ });
    };

    // The killer: whenever the worker has imported something since its (re)start, SIGKILL it at a random moment.
    let kills = 0;
    let workloadDone = false;
    worker = start();
    const killer = (async () => {
      while (kills < KILLS || !workloadDone) {
        const seen = worker.records.length;
        await worker.waitFor((r) => r.msg === 'imported block' && worker.records.indexOf(r) >= seen, 120_000).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
        await worker.kill('SIGKILL');
        kills++;
        worker = start();
        if (kills >= KILLS && workloadDone) break;
      }
    })();

    // Workload: shield to every account, then ROUNDS rounds of transfers around the ring.
    await includeAll(api, await Promise.all(accounts.map((a, i) => signed(i, api!.tx.enclaveBridge.shieldFunds(shard, u8aToHex(shieldEncrypt(shieldingKey, a.publicKey)), SHIELDED)))));
    const expected = accounts.map(() => SHIELDED);
    for (let round = 0; round < ROUNDS; round++) {
      const txs = [];
      for (let i = 0; i < ACCOUNTS; i++) {
        const to = (i + 1 + (round % (ACCOUNTS - 1))) % ACCOUNTS;
        const amount = BigInt(round + 1) * 1_000n;
        expected[i] -= amount + FEE;
        expected[to] += amount;
        const call = { balance_transfer: [accounts[i].publicKey, accounts[to].publicKey, amount] };
        const top = sealbridgeRegistry.createType('TrustedOperation', { indirect_call: signTrustedCall(accounts[i], call, round, mrenclave, shard) }).toU8a();
        txs.push(await signed(round * ACCOUNTS + i, api.tx.enclaveBridge.invoke(u8aToHex(encodeRequest(shard, shieldEncrypt(shieldingKey, top))))));
      }
      await includeAll(api, txs);
    }
    const finalBlock = (await api.rpc.chain.getHeader()).number.toNumber();
    workloadDone = true;
    await killer;
    assert.ok(kills >= KILLS, `killed ${kills} times`);

    // Let the interrupted worker finish, read its balances, stop it.
    await worker.waitFor((r) => r.msg === 'imported block' && Number(r.block) >= finalBlock, 180_000);
    const rpcNow = await worker.waitFor((r) => r.msg === 'trusted RPC listening');
    const finalClient = await connectWorker(String(rpcNow.url), { tls: 'insecure' });
    for (let i = 0; i < ACCOUNTS; i++) {
      assert.equal(await finalClient.getFreeBalance(shard, accounts[i]), expected[i], `balance of account ${i}`);
      assert.equal(await finalClient.getNonce(shard, accounts[i]), ROUNDS, `nonce of account ${i}: no invocation lost or applied twice`);
    }
    await finalClient.close();
    assert.equal(await worker.kill('SIGTERM'), 0);

    // The reference worker replays the same blocks without interruption.
    const reference = start(refDir);
    await reference.waitFor((r) => r.msg === 'imported block' && Number(r.block) >= finalBlock, 300_000);
    await reference.kill('SIGTERM');

    const rootsOf = (records: WorkerProcess[]) => {
      const roots = new Map<number, string>();
      for (const w of records) for (const r of w.stateRoots()) {
        const known = roots.get(r.block);
        assert.ok(known === undefined || known === r.stateRoot, `block ${r.block} imported twice with different state`);
        roots.set(r.block, r.stateRoot);
      }
      return roots;
    };
    const interrupted = rootsOf(workers.filter((w) => w !== reference));
    const uninterrupted = rootsOf([reference]);
    let compared = 0;
    for (const [block, root] of uninterrupted) {
      if (block > finalBlock) continue;
      assert.equal(interrupted.get(block), root, `state root after block #${block}`);
      compared++;
    }
    assert.ok(compared > 10, `compared ${compared} blocks`);
  });
});
