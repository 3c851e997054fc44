import assert from 'node:assert/strict';
import { base58Decode } from '@polkadot/util-crypto';
import { toSs58 } from './accounts.js';
import { UNIT } from './amount.js';
import { runCliJson, spawnCli } from './spawn-cli.js';
import type { Stack } from './stack.js';
import { assertOneLineError, useStack } from './test-helpers.js';

interface Confirmation {
  blockNumber: number;
  blockHash: string;
  merkleRoot: string;
  confirmedIn: number;
}

describe('sealbridge trusted commands against a dev chain and a worker', function () {
  this.timeout(180_000);
  let stack: Stack & { dir: string; env: Record<string, string> };
  let opts: { env: Record<string, string>; cwd: string };

  before(async () => {
    stack = await useStack();
    opts = { env: stack.env, cwd: stack.dir };
  });
  after(async () => stack?.stop());

  it('list-workers and verify-worker see the registered worker', async () => {
    const [{ workers }, verified] = await Promise.all([
      runCliJson<{ workers: { mrenclave: string; url: string; shards: { shard: string }[] }[] }>(['list-workers'], opts),
      runCliJson<{ verified: boolean; mrenclave: string }>(['verify-worker'], opts),
    ]);
    assert.equal(workers.length, 1);
    assert.equal(workers[0].mrenclave, stack.mrenclave);
    assert.equal(workers[0].url, stack.workerUrl);
    assert.deepEqual(verified, { ...verified, verified: true, mrenclave: stack.mrenclave });
  });

  it('shield-funds, indirect and direct transfers, balance and nonce', async () => {
    const M = stack.mrenclave;
    const [shield, { account: bob }] = await Promise.all([
      runCliJson<{ blockNumber: number; blockHash: string; confirmation: Confirmation }>(['shield-funds', '//Alice', '//AliceIncognito', '6UNIT', M], opts),
      runCliJson<{ account: string }>(['trusted', '--mrenclave', M, 'new-account'], opts),
    ]);
    assert.equal(shield.confirmation.blockHash, shield.blockHash);
    assert.equal(shield.confirmation.blockNumber, shield.blockNumber);
    assert.match(shield.confirmation.merkleRoot, /^0x[0-9a-f]{64}$/);
    assert.ok(shield.confirmation.confirmedIn > shield.blockNumber);

    const transfer = await runCliJson<{ mode: string; nonce: number; confirmation: Confirmation; invocation: { blockHash: string } }>(
      ['trusted', '--mrenclave', M, 'transfer', '//AliceIncognito', bob, '2UNIT'], opts);
    assert.equal(transfer.mode, 'indirect');
    assert.equal(transfer.nonce, 0);
    assert.equal(transfer.confirmation.blockHash, transfer.invocation.blockHash);

    const direct = await spawnCli(['trusted', '--direct', 'transfer', '//AliceIncognito', bob, '1UNIT'], opts);
    assert.equal(direct.code, 0, direct.stderr);
    assert.match(direct.stdout, /^Trusted call 0x[0-9a-f]{64} is Submitted\n/);

    const [bobBalance, nonce] = await Promise.all([
      runCliJson<{ free: string }>(['trusted', 'balance', bob], opts),
      runCliJson<{ nonce: number }>(['trusted', 'nonce', '//AliceIncognito'], opts),
    ]);
    assert.equal(bobBalance.free, (3n * UNIT).toString());
    assert.equal(nonce.nonce, 2);
  });

  it('get-shard-vault answers with the vault the shielded funds sit in (the shard\'s account)', async () => {
    const vault = await runCliJson<{ account: string; parentchainId: string }>(['trusted', 'get-shard-vault'], opts);
    assert.deepEqual(vault, { account: toSs58(base58Decode(stack.mrenclave)), parentchainId: 'Integritee' });
    const { free } = await runCliJson<{ free: string }>(['balance', vault.account], opts);
    assert.ok(BigInt(free) >= 6n * UNIT, `the vault holds the shielded 6 UNIT, has ${free}`);
  });

  it('shield-funds refuses a shard no registered enclave serves and names the served ones; --force goes through', async () => {
    const unserved = '11111111111111111111111111111111';
    const nonce = async () => (await runCliJson<{ nonce: number }>(['balance', '//Charlie'], opts)).nonce;
    const before = await nonce();
    const refused = await spawnCli(['shield-funds', '//Charlie', '//CharlieIncognito', '1UNIT', unserved, '--json'], opts);
    assert.equal(refused.code, 1);
    assert.deepEqual(JSON.parse(refused.stdout).error, {
      code: 'ERR_SHARD_NOT_SERVED',
      message: `no registered enclave serves shard ${unserved}: nothing would credit the funds, and they could not be unshielded; shards served: ${stack.mrenclave} (--force shields anyway)`,
    });
    assert.equal(await nonce(), before, 'nothing was sent');

    const forced = await runCliJson<{ blockNumber: number; confirmation: unknown }>(['shield-funds', '//Charlie', '//CharlieIncognito', '1UNIT', unserved, '--force'], opts);
    assert.ok(forced.blockNumber > 0);
    assert.equal(forced.confirmation, null, 'no enclave can confirm it: not waited for');
    const { free } = await runCliJson<{ free: string }>(['balance', `0x${'00'.repeat(32)}`], opts);
    assert.equal(free, UNIT.toString(), 'in the vault of shard 1111…1111');
  });

  it('a ws:// URL of the TLS port is told to use wss://', async () => {
    const plain = stack.workerUrl.replace(/^wss:/, 'ws:');
    const run = await spawnCli(['trusted', 'get-shard', '--worker-url', plain], opts);
    assertOneLineError(run, new RegExp(`^error: the worker at ${plain} speaks TLS on that port: use ${stack.workerUrl}$`));
  });

  it('errors: wrong MRENCLAVE, worker not running, unknown incognito account', async () => {
    const [wrong, noWorker, unknown] = await Promise.all([
      spawnCli(['trusted', '--mrenclave', '11111111111111111111111111111111', 'balance', '//AliceIncognito'], opts),
      spawnCli(['trusted', 'balance', '//AliceIncognito', '--worker-url', 'wss://127.0.0.1:1'], opts),
      spawnCli(['trusted', 'balance', '2LF5g4jesYKTfjhboy2Bb87LLe9oSrve9w1MXrzaTkBsmWLa'], opts),
    ]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`^error: the worker at \\S+ runs MRENCLAVE ${stack.mrenclave}, not 1{32}\\n$`));
    assert.equal(noWorker.code, 1);
    assert.match(noWorker.stderr, /^error: cannot connect to the worker at wss:\/\/127\.0\.0\.1:1: .* is the worker running\?\n$/);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error: account \S+ is not in keystore .*\n$/);
  });
});
