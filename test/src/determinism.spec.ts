import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { connectWorker } from '@sealbridge/client';
import { cryptoReady, encodeRequest, sealbridgeRegistry, shieldEncrypt, shieldingKeyFromJson, signTrustedCall } from '@sealbridge/chain-types';
import { parseLogLine } from '@sealbridge/chain-types/log';
import { startDevChain, type DevChain } from '@sealbridge/dev-chain';
import { createLogger, startWorker, type WorkerHandle } from '@sealbridge/worker';

import { sendAndWaitInBlock, tempDir, waitForConfirmation } from './harness.js';

const WORKER_CODE = `
export default {
  async fetch(request) {
    const input = new TextDecoder().decode(await request.arrayBuffer());
    const seed = request.headers.get('x-sealbridge-seed');
    return new Response(input + ' @' + request.headers.get('x-sealbridge-block-number') + ' seed ' + seed);
  },
  async scheduled() {},
};`;

/** A worker whose every "imported block" record (with its state root) is kept. */
async function recordingWorker(chainUrl: string, dataDir: string, secret: string) {
  const blocks = new Map<number, string>();
  const log = createLogger({
    level: 'debug',
    format: 'json',
    write: (line) => {
      const record = parseLogLine(line) as { msg: string; block?: number; stateRoot?: string };
      if (record.msg === 'imported block') blocks.set(record.block!, record.stateRoot!);
    },
  });
  const worker = await startWorker({ parentchainUrl: chainUrl, dataDir, platformSecretPath: secret, rpcPort: 0, runnerPort: 0, log });
  return { worker, blocks };
}

describe('Smart Worker results are deterministic', function () {
  this.timeout(240_000);
  let chain: DevChain | undefined;
  let api: ApiPromise | undefined;
  const workers: WorkerHandle[] = [];

  after(async () => {
    for (const w of workers) await w.stop().catch(() => undefined);
    await api?.disconnect();
    await chain?.stop();
  });

  it('a second worker replaying the same blocks reaches the same state roots', async () => {
    await Promise.all([cryptoWaitReady(), cryptoReady()]);
    chain = await startDevChain({ port: 0, blockTime: 'instant' });
    api = await ApiPromise.create({ provider: new WsProvider(chain.url), noInitWarn: true });
    const dir = tempDir('determinism');
    const secret = path.join(dir, 'platform-secret');
    const first = await recordingWorker(chain.url, path.join(dir, 'a'), secret);
    workers.push(first.worker);
    const shard = first.worker.shard;
    const created = await fetch(`${first.worker.runnerUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: WORKER_CODE, type: 'module', name: 'echo', shard: u8aToHex(shard) }),
    });
    const { id } = (await created.json()) as { id: string };
    const { identity } = (await (await fetch(`${first.worker.runnerUrl}/workers/${id}`)).json()) as { identity: string };

    // Snapshot after the deployment: the reference starts from here and replays everything that follows.
    await first.worker.stop();
    fs.cpSync(path.join(dir, 'a'), path.join(dir, 'b'), { recursive: true });
    const again = await recordingWorker(chain.url, path.join(dir, 'a'), secret);
    workers.push(again.worker);

    const client = await connectWorker(again.worker.rpcUrl!, { tls: 'insecure' });
    const shieldingKey = shieldingKeyFromJson(await client.getShieldingKeyJson());
    await client.close();
    const keyring = new Keyring({ type: 'sr25519' });
    const alice = keyring.addFromUri('//Alice');
    let last = 0;
    for (let i = 0; i < 3; i++) {
      const sender = keyring.addFromUri(`//Determinism${i}`);
      const call = { smart_worker_call: [sender.publicKey, `0x${identity.replace(/^0x/, '')}`, u8aToHex(new TextEncoder().encode(`input ${i}`))] };
      const top = sealbridgeRegistry.createType('TrustedOperation', { indirect_call: signTrustedCall(sender, call, 0, again.worker.mrenclave, shard) }).toU8a();
      const included = await sendAndWaitInBlock(api, api.tx.enclaveBridge.invoke(u8aToHex(encodeRequest(shard, shieldEncrypt(shieldingKey, top)))), alice);
      await waitForConfirmation(api, included.blockHash, 60_000);
      last = included.blockNumber;
    }
    await again.worker.stop();

    const reference = await recordingWorker(chain.url, path.join(dir, 'b'), secret);
    workers.push(reference.worker);
    const deadline = Date.now() + 60_000;
    while (!reference.blocks.has(last) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    let compared = 0;
    for (const [block, root] of reference.blocks) {
      if (block > last || !again.blocks.has(block)) continue;
      assert.equal(again.blocks.get(block), root, `state root after block #${block}`);
      compared++;
    }
    assert.ok(compared >= 3, `compared ${compared} blocks`);
  });
});
