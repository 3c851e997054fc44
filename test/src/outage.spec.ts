import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { connectWorker, type WorkerClient } from '@sealbridge/client';
import { cryptoReady, shieldEncrypt, shieldingKeyFromJson } from '@sealbridge/chain-types';
import { startWorker, type WorkerHandle } from '@sealbridge/worker';

import { sendAndWaitInBlock, tempDir, testLogger, UNIT, waitFor, waitForConfirmation } from './harness.js';
import { binPath } from './processes.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A `sealbridge-dev-chain` process with a LevelDB store, resolved once it listens. */
async function startChainProcess(port: number, db: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [binPath('@sealbridge/dev-chain'), '--port', String(port), '--db', db, '--block-time', 'instant'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const errLines = readline.createInterface({ input: child.stderr! });
  await new Promise<void>((resolve, reject) => {
    const onLine = (line: string) => {
      if (/listening/i.test(line)) resolve();
    };
    lines.on('line', onLine);
    errLines.on('line', onLine);
    child.once('exit', (code) => reject(new Error(`dev chain exited with ${code}`)));
  });
  return child;
}

describe('parentchain outage', function () {
  this.timeout(180_000);
  let chain: ChildProcess | undefined;
  let worker: WorkerHandle | undefined;
  let client: WorkerClient | undefined;
  let api: ApiPromise | undefined;

  after(async () => {
    await client?.close();
    await api?.disconnect();
    await worker?.stop();
    chain?.kill('SIGKILL');
  });

  it('resumes by itself after the chain is down for 10 s and comes back with its database', async () => {
    await Promise.all([cryptoWaitReady(), cryptoReady()]);
    const dir = tempDir('outage');
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}`;
    chain = await startChainProcess(port, path.join(dir, 'chain-db'));
    worker = await startWorker({ parentchainUrl: url, dataDir: path.join(dir, 'worker'), rpcPort: 0, runnerPort: 0, platformSecretPath: path.join(dir, 'platform-secret'), log: testLogger });
    client = await connectWorker(worker.rpcUrl!, { tls: 'insecure' });
    const shieldingKey = shieldingKeyFromJson(await client.getShieldingKeyJson());
    const keyring = new Keyring({ type: 'sr25519' });
    const alice = keyring.addFromUri('//Alice');
    const incognito = keyring.addFromUri('//OutageIncognito');
    const balance = () => client!.getFreeBalance(worker!.shard, incognito);
    const shield = async (amount: bigint) => {
      const tx = api!.tx.enclaveBridge.shieldFunds(worker!.shard, u8aToHex(shieldEncrypt(shieldingKey, incognito.publicKey)), amount);
      const included = await sendAndWaitInBlock(api!, tx, alice);
      await waitForConfirmation(api!, included.blockHash, 60_000);
    };

    api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
    await shield(UNIT);
    assert.equal(await waitFor(balance, (v) => v === UNIT), UNIT);

    chain.kill('SIGTERM');
    await new Promise((resolve) => chain!.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    chain = await startChainProcess(port, path.join(dir, 'chain-db'));

    // The API reconnects by itself too; the worker must import the new block and confirm it without help.
    await waitFor(async () => api!.isConnected, (connected) => connected, 30_000);
    await shield(2n * UNIT);
    assert.equal(await waitFor(balance, (v) => v === 3n * UNIT, 60_000), 3n * UNIT);
    assert.ok(worker.metrics.get('sealbridge_import_errors_total') >= 0);
  });
});
