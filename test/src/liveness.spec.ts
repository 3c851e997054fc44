import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { EventRecord } from '@polkadot/types/interfaces';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';

import { cryptoReady, shardToBase58, shieldingKeyFromJson } from '@sealbridge/chain-types';
import { parseLogLine } from '@sealbridge/chain-types/log';
import { spawnCli } from '@sealbridge/cli';
import { connectWorker } from '@sealbridge/client';
import { DEFAULT_MAX_EXTRINSICS_PER_BLOCK, startDevChain } from '@sealbridge/dev-chain';
import { createLogger, startWorker, type LogLevel } from '@sealbridge/worker';

import { sendAndWaitInBlock, shieldTx, tempDir, UNIT, useStack, waitFor, waitForConfirmation, type Stack } from './harness.js';

const U53 = 2n ** 53n;

interface Landed {
  blockHash: string;
  blockNumber: number;
  /** The dispatch error, for a call that failed but is in the block all the same. */
  failed?: string;
}

/** Signs, sends and resolves at InBlock — also when the call fails (it is in the block, and fees are paid). */
function land(api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair): Promise<Landed> {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, { nonce: -1 }, (result) => {
      if (result.isError) reject(new Error(`transaction ${result.status.type}`));
      if (!result.status.isInBlock) return;
      const blockHash = result.status.asInBlock.toHex();
      const failed = result.dispatchError?.isModule ? api.registry.findMetaError(result.dispatchError.asModule).name : result.dispatchError?.toString();
      api.rpc.chain.getHeader(blockHash).then((header) => resolve({ blockHash, blockNumber: header.number.toNumber(), failed }), reject);
    }).catch(reject);
  });
}

/** Confirmations (`ProcessedParentchainBlock`) per confirmed block hash, and the block that registered the enclave. */
async function confirmationsUpTo(api: ApiPromise, best: number): Promise<{ registeredAt: number; confirmed: Map<string, number> }> {
  const confirmed = new Map<string, number>();
  let registeredAt = 0;
  for (let n = 1; n <= best; n++) {
    const events = (await (await api.at(await api.rpc.chain.getBlockHash(n))).query.system.events()) as unknown as EventRecord[];
    for (const { event } of events) {
      if (api.events.teerex.AddedSgxEnclave.is(event)) registeredAt = n;
      if (api.events.enclaveBridge.ProcessedParentchainBlock.is(event)) {
        const hash = event.data[1].toHex();
        confirmed.set(hash, (confirmed.get(hash) ?? 0) + 1);
      }
    }
  }
  return { registeredAt, confirmed };
}

describe('liveness: values past 2^53, huge and full blocks are imported and confirmed', function () {
  this.timeout(300_000);
  const currentStack = useStack();
  let stack: Stack;
  beforeEach(() => (stack = currentStack()));

  it('confirms every block after L1 transfers past 2^53, a failed 2^127 transfer, a 60 kB remark and a full block; shielding still works', async () => {
    const { api, client, keyring, worker } = stack;
    const alice = keyring.addFromUri('//Alice');
    const whale = keyring.addFromUri(mnemonicGenerate());
    const bob = keyring.addFromUri(mnemonicGenerate());
    const carol = keyring.addFromUri(mnemonicGenerate());
    const free = async (who: KeyringPair) => ((await api.query.system.account(who.publicKey)) as unknown as { data: { free: { toBigInt(): bigint } } }).data.free.toBigInt();

    // Enough for two thousand transfers past 2^53 each.
    const funded = await sendAndWaitInBlock(api, api.tx.sudo.sudo(api.tx.balances.forceSetBalance(whale.address, 2n ** 100n)), alice);
    const landed: Landed[] = [{ ...funded }];

    // The transfer of the issue: 9,008 UNIT, just past 2^53 of the smallest unit.
    landed.push(await land(api, api.tx.balances.transferKeepAlive(bob.address, 9_008n * UNIT), whale));
    assert.ok(9_008n * UNIT > U53);
    landed.push(await land(api, api.tx.balances.transferAllowDeath(carol.address, 2n ** 80n + 1n), whale));
    assert.equal(await free(carol), 2n ** 80n + 1n);
    const tooMuch = await land(api, api.tx.balances.transferKeepAlive(bob.address, 2n ** 127n), carol);
    assert.match(tooMuch.failed ?? '', /InsufficientBalance|FundsUnavailable/, 'fails for lack of funds, in a block all the same');
    landed.push(tooMuch);
    landed.push(await land(api, api.tx.system.remark(u8aToHex(randomBytes(60_000))), alice));

    // A full block: every transfer but the first is sent with a future nonce, the first then releases them at once.
    const count = DEFAULT_MAX_EXTRINSICS_PER_BLOCK;
    const nonce = (await api.rpc.system.accountNextIndex(whale.address)).toNumber();
    const sign = { era: api.createType('ExtrinsicEra'), blockHash: api.genesisHash, genesisHash: api.genesisHash, runtimeVersion: api.runtimeVersion, signedExtensions: api.registry.signedExtensions };
    const transfers = Array.from({ length: count }, (_, i) =>
      api.tx.balances.transferAllowDeath(keyring.addFromUri(`//Liveness/${i}`).address, U53 + BigInt(i)).sign(whale, { ...sign, nonce: nonce + i }).toHex());
    await Promise.all(transfers.slice(1).map((hex) => api.rpc.author.submitExtrinsic(hex)));
    const releasing = api.rpc.author.submitExtrinsic(transfers[0]!);
    const fullHash = (await releasing).toHex();
    const full = await waitFor(async () => {
      const best = (await api.rpc.chain.getHeader()).number.toNumber();
      for (let n = best; n > landed.at(-1)!.blockNumber; n--) {
        const block = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(n));
        if (block.block.extrinsics.some((xt) => xt.hash.toHex() === fullHash)) return { blockHash: block.block.header.hash.toHex(), blockNumber: n, extrinsics: block.block.extrinsics.length };
      }
      return undefined;
    }, (found) => found !== undefined, 30_000);
    assert.equal(full!.extrinsics, DEFAULT_MAX_EXTRINSICS_PER_BLOCK + 1, 'the timestamp inherent and a full block of signed extrinsics');

    for (const block of [...landed, full!]) await waitForConfirmation(api, block.blockHash, 60_000);

    // And the worker still does its job: a later shield is credited.
    const incognito = keyring.addFromUri(mnemonicGenerate());
    const shielded = await sendAndWaitInBlock(api, shieldTx(stack, incognito.publicKey, 6n * UNIT), alice);
    await waitForConfirmation(api, shielded.blockHash);
    assert.equal(await waitFor(() => client.getFreeBalance(worker.shard, incognito), (v) => v > 0n), 6n * UNIT);

    // Every block from the registration on carries exactly one confirmation (the newest one's may still be pooled).
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    const { registeredAt, confirmed } = await confirmationsUpTo(api, best);
    assert.ok(registeredAt > 0);
    for (let n = registeredAt; n < best; n++) {
      assert.equal(confirmed.get((await api.rpc.chain.getBlockHash(n)).toHex()), 1, `block #${n} confirmed exactly once`);
    }
    assert.equal(worker.metrics.get('sealbridge_import_stalled'), 0);
    assert.equal((await client.syncStatus()).stalled, null);
  });
});

describe('liveness: a block the worker cannot decode stalls the import visibly', function () {
  this.timeout(240_000);
  const marker = u8aToHex(new TextEncoder().encode('sealbridge liveness spec: undecodable'));
  const records: { time: string; level: LogLevel; msg: string; [field: string]: unknown }[] = [];
  let chain: Awaited<ReturnType<typeof startDevChain>>;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  let api: ApiPromise;
  let client: Awaited<ReturnType<typeof connectWorker>>;

  before(async () => {
    await Promise.all([cryptoWaitReady(), cryptoReady()]);
    chain = await startDevChain({ port: 0, blockTime: 'instant' });
    const dataDir = tempDir('stalled-worker');
    const echo = process.env.SEALBRIDGE_TEST_LOG ? createLogger({ level: 'debug', format: 'pretty' }) : undefined;
    worker = await startWorker({
      parentchainUrl: chain.url, dataDir, rpcPort: 0, runnerPort: -1,
      platformSecretPath: path.join(dataDir, '..', `${path.basename(dataDir)}.platform-secret`),
      log: createLogger({ level: 'info', format: 'json', write: (line) => {
        records.push(parseLogLine(line) as (typeof records)[number]);
        if (echo) process.stderr.write(`${line}\n`);
      } }),
      // Test hook (see `StartWorkerOptions.testUndecodable`): the block with the marker remark does not decode.
      testUndecodable: (block) => {
        const extrinsicIndex = block.extrinsics.findIndex((xt) => xt.section === 'system' && xt.method === 'remark' && u8aToHex(xt.args).endsWith(marker.slice(2)));
        return extrinsicIndex < 0 ? undefined : { extrinsicIndex, path: '.call::System::remark.remark', message: `extrinsic ${extrinsicIndex}: injected by the liveness spec` };
      },
    });
    api = await ApiPromise.create({ provider: new WsProvider(chain.url), noInitWarn: true });
    client = await connectWorker(worker.rpcUrl!, { tls: 'insecure' });
  });

  after(async () => {
    await client?.close();
    await api?.disconnect();
    await worker?.stop();
    await chain?.stop();
  });

  it('logs the block once, then less and less often; the lag grows; the gauge, sealbridge_syncStatus and the CLI say where it is stuck', async () => {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 13 });
    const bob = keyring.addFromUri('//Bob');
    const eve = keyring.addFromUri('//Eve');
    const sink = keyring.addFromUri(mnemonicGenerate()).address;
    const shard = shardToBase58(worker.shard);

    const before = await sendAndWaitInBlock(api, api.tx.balances.transferKeepAlive(sink, UNIT), bob);
    await waitForConfirmation(api, before.blockHash);
    assert.equal(worker.metrics.get('sealbridge_import_stalled'), 0);

    const bad = await sendAndWaitInBlock(api, api.tx.system.remark(marker), eve);
    // After the timestamp inherent, and after the worker's confirmation of the block before if it rode along.
    const remarkAt = (await api.rpc.chain.getBlock(bad.blockHash)).block.extrinsics.findIndex((xt) => xt.method.section === 'system' && xt.method.method === 'remark');
    const stallLines = () => records.filter((r) => r.msg === 'parentchain block does not decode; the import stays before it and keeps retrying');
    await waitFor(async () => stallLines().length, (n) => n > 0);
    const [first] = stallLines();
    assert.equal(first!.level, 'error');
    assert.equal(first!.block, bad.blockNumber);
    assert.equal(first!.hash, bad.blockHash);
    assert.equal(first!.extrinsic, remarkAt);
    assert.equal(first!.path, '.call::System::remark.remark');
    assert.match(first!.error as string, new RegExp(`^parentchain block #${bad.blockNumber} ${bad.blockHash} does not decode: extrinsic ${remarkAt}: injected`));
    const firstAt = Date.parse(first!.time);
    const stalledSince = worker.metrics.get('sealbridge_import_stalled');
    assert.ok(Math.abs(stalledSince * 1000 - firstAt) < 2_000, `stalled since ${stalledSince}, first line at ${first!.time}`);

    // The chain moves on; the import does not, and the lag says so.
    const lagAtStall = worker.metrics.get('sealbridge_confirmation_lag_blocks');
    assert.ok(lagAtStall >= 1);
    for (let i = 0; i < 3; i++) await sendAndWaitInBlock(api, api.tx.balances.transferKeepAlive(sink, UNIT), bob);
    await waitFor(async () => worker.metrics.get('sealbridge_confirmation_lag_blocks'), (lag) => lag >= lagAtStall + 3, 10_000);
    assert.equal(worker.metrics.get('sealbridge_last_imported_block'), bad.blockNumber - 1);

    const status = await client.syncStatus();
    assert.equal(status.imported, bad.blockNumber - 1);
    assert.equal(status.lag, status.finalized - status.imported);
    assert.ok(status.lag >= 4);
    assert.deepEqual(status.stalled && { since: status.stalled.since, block: status.stalled.block }, { since: stalledSince, block: bad.blockNumber });
    assert.match(status.stalled!.reason, new RegExp(`does not decode: extrinsic ${remarkAt}: injected by the liveness spec`));

    // Commands that wait for the worker say where it is stuck instead of timing out (both kinds of trusted call too).
    const dir = tempDir('stalled-cli');
    const env = {
      SEALBRIDGE_NODE_URL: chain.url,
      SEALBRIDGE_WORKER_URL: worker.rpcUrl!,
      SEALBRIDGE_KEYSTORE: path.join(dir, 'keystore'),
      SEALBRIDGE_TRUSTED_KEYSTORE: path.join(dir, 'trusted-keystore'),
      SEALBRIDGE_TIMEOUT: '120',
    };
    const startedAt = Date.now();
    const runs = await Promise.all([
      spawnCli(['shield-funds', '//Charlie', '//CharlieIncognito', '1UNIT', shard], { env, cwd: dir }),
      spawnCli(['trusted', '--xt-signer', '//Dave', 'transfer', '//CharlieIncognito', '//Bob', '1UNIT'], { env, cwd: dir }),
      spawnCli(['trusted', '--direct', 'transfer', '//CharlieIncognito', '//Bob', '1UNIT'], { env, cwd: dir }),
    ]);
    for (const run of runs) {
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stderr, new RegExp(`^error: the worker is stalled at block #${bad.blockNumber} since .*: parentchain block #${bad.blockNumber} .* does not decode: extrinsic ${remarkAt}: injected by the liveness spec — .* once the import resumes$`, 'm'));
      assert.doesNotMatch(run.stderr, /registered/);
    }
    assert.ok(Date.now() - startedAt < 100_000, 'well before --timeout');

    // Meanwhile the worker kept retrying, and logged it at 5 s, 10 s, 20 s … intervals only.
    await waitFor(async () => stallLines().length, (n) => n >= 3, 25_000);
    const lines = stallLines();
    const failures = worker.metrics.get('sealbridge_import_errors_total');
    assert.ok(failures > lines.length + 3, `${failures} failures, ${lines.length} lines`);
    lines.forEach((line, i) => {
      assert.equal(line.level, 'error');
      assert.equal(line.block, bad.blockNumber);
      if (i === 0) return;
      const gap = Date.parse(line.time) - Date.parse(lines[i - 1]!.time);
      assert.ok(gap >= 5_000 * 2 ** (i - 1) - 50, `line ${i} came ${gap} ms after the one before`);
      assert.ok((line.failures as number) > (lines[i - 1]!.failures as number | undefined ?? 1));
    });
    assert.equal(worker.metrics.get('sealbridge_last_imported_block'), bad.blockNumber - 1, 'never skipped');
  });
});
