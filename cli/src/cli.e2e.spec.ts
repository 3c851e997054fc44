import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cryptoWaitReady, encodeAddress } from '@polkadot/util-crypto';
import { createKeyring, toSs58 } from './accounts.js';
import { UNIT } from './amount.js';
import { parentchainCommands, stackCommands } from './commands/index.js';
import { GLOBAL_OPTIONS } from './config.js';
import { runCliJson, spawnCli } from './spawn-cli.js';
import type { ChainFixture } from './test-helpers.js';
import { assertOneLineError, deadPort, useDevChain } from './test-helpers.js';

describe('sealbridge binary against a dev chain', function () {
  this.timeout(120_000);
  let chain: ChainFixture;
  let opts: { env: Record<string, string>; cwd: string };

  // Every spawn costs a Node start plus @polkadot/api (~2 s CPU), so the scenarios run concurrently: `before`
  // starts them all, each `it` awaits its own. Scenarios share no signer (//Alice only in faucet).
  const scenarios = new Map<string, Promise<void>>();
  const scenario = (name: string, body: () => Promise<void>): void => {
    it(name, () => scenarios.get(name));
    pending.push([name, body]);
  };
  const pending: [string, () => Promise<void>][] = [];

  before(async () => {
    await cryptoWaitReady();
    chain = await useDevChain('300ms');
    opts = { env: chain.env, cwd: chain.dir };
    for (const [name, body] of pending) {
      const run = body();
      run.catch(() => {}); // reported by its own `it`
      scenarios.set(name, run);
    }
  });
  after(async () => {
    await Promise.allSettled(scenarios.values());
    await chain?.stop();
  });

  scenario('balance: human (with UNIT), --quiet (bare) and --json', async () => {
    const [human, quiet, json] = await Promise.all([
      spawnCli(['balance', '//Alice'], opts),
      spawnCli(['balance', '//Alice', '--quiet'], opts),
      runCliJson<{ account: string; free: string; reserved: string; nonce: number }>(['balance', '//Alice'], opts),
    ]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^\d+ \(\d+(\.\d+)? UNIT\)\n$/);
    assert.match(quiet.stdout, /^\d+\n$/);
    assert.equal(json.account, toSs58(createKeyring().addFromUri('//Alice').publicKey));
    assert.equal(typeof json.free, 'string');
    assert.ok(BigInt(json.free) > 0n);
    assert.equal(json.reserved, '0');
  });

  scenario('new-account and list-accounts use the keystore; transfer moves funds from a keystore account', async () => {
    const { account } = await runCliJson<{ account: string }>(['new-account'], opts);
    const { accounts } = await runCliJson<{ accounts: string[] }>(['list-accounts'], opts);
    assert.deepEqual(accounts, [account]);

    const funded = await runCliJson<{ to: string; amount: string; blockNumber: number; toFree: string }>(['transfer', '//Bob', account, '2.5UNIT'], opts);
    assert.equal(funded.to, account);
    assert.equal(funded.amount, (25n * UNIT / 10n).toString());
    assert.equal(funded.toFree, funded.amount);
    assert.ok(funded.blockNumber > 0);

    // The new account signs by SS58, found in the keystore.
    await runCliJson(['transfer', account, '//Bob', '1UNIT'], opts);
    const { free } = await runCliJson<{ free: string }>(['balance', account], opts);
    assert.ok(BigInt(free) < 15n * UNIT / 10n && BigInt(free) > UNIT, `balance ${free} = 1.5 UNIT minus fees`);
  });

  scenario('faucet funds several accounts from //Alice', async () => {
    const dave = createKeyring().addFromUri('//Dave/faucet').publicKey;
    const result = await runCliJson<{ funded: { account: string; amount: string }[] }>(['faucet', '//Eve/faucet', toSs58(dave), '--amount', '3UNIT'], opts);
    assert.deepEqual(result.funded.map((f) => f.amount), [(3n * UNIT).toString(), (3n * UNIT).toString()]);
    const { free } = await runCliJson<{ free: string }>(['balance', toSs58(dave)], opts);
    assert.equal(free, (3n * UNIT).toString());
  });

  scenario('listen --blocks 2 prints the events of two new blocks, then exits', async () => {
    const result = await runCliJson<{ blocks: number; events: { blockNumber: number; section: string; method: string }[] }>(['listen', '--blocks', '2'], opts);
    assert.equal(result.blocks, 2);
    const numbers = [...new Set(result.events.map((e) => e.blockNumber))];
    assert.equal(numbers.length, 2);
    assert.equal(numbers[1], numbers[0] + 1);
    assert.ok(result.events.some((e) => e.section === 'system' && e.method === 'ExtrinsicSuccess'));
    const human = await spawnCli(['listen', '--events', '1'], opts);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^block #\d+ 0x[0-9a-f]{64}: \d+ event\(s\)\n {2}\w+\.\w+ /);
  });

  scenario('print-metadata lists the Integritee pallets at their indices', async () => {
    const { pallets } = await runCliJson<{ pallets: { name: string; index: number; calls: string[] }[] }>(['print-metadata'], opts);
    const byName = new Map(pallets.map((p) => [p.name, p]));
    assert.equal(byName.get('Balances')?.index, 10);
    assert.equal(byName.get('Teerex')?.index, 50);
    assert.equal(byName.get('EnclaveBridge')?.index, 54);
    assert.ok(byName.get('EnclaveBridge')?.calls.includes('shield_funds'));
  });

  scenario('list-workers reports no workers on a fresh chain', async () => {
    assert.deepEqual(await runCliJson(['list-workers'], opts), { workers: [] });
    const human = await spawnCli(['list-workers'], opts);
    assert.equal(human.stdout, 'number of workers registered: 0\n');
  });

  scenario('errors: node not running, malformed amount, unknown account, insufficient funds, unknown command', async () => {
    const dead = `ws://127.0.0.1:${await deadPort()}`;
    const stranger = toSs58(createKeyring().addFromUri('//Stranger').publicKey);
    const [noNode, noNodeJson, amount, unknown, poor, command] = await Promise.all([
      spawnCli(['balance', '//Alice', '--node-url', dead], opts),
      spawnCli(['balance', '//Alice', '--node-url', dead, '--json'], opts),
      spawnCli(['transfer', '//Alice', '//Bob', '1.2.3UNIT'], opts),
      spawnCli(['transfer', stranger, '//Bob', '1UNIT'], opts),
      spawnCli(['transfer', '//Nobody', '//Bob', '1UNIT'], opts),
      spawnCli(['balanse', '//Alice'], opts),
    ]);
    assertOneLineError(noNode, /cannot connect to the parentchain node at ws:\/\/127\.0\.0\.1:\d+: .* is the node running\?/);
    assert.equal(noNode.stdout, '');
    assert.deepEqual(JSON.parse(noNodeJson.stdout).error.code, 'ERR_NODE_UNREACHABLE');
    assertOneLineError(amount, /invalid amount '1\.2\.3UNIT'/);
    assertOneLineError(unknown, /is not in keystore/);
    assertOneLineError(poor, /insufficient funds/);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /^error: Unknown commands?: balanse\b.*\n$/);
  });

  scenario('dev-chain prints its URL as one JSON object and stops cleanly on SIGTERM', async () => {
    let child: import('node:child_process').ChildProcess | undefined;
    const run = spawnCli(['dev-chain', '--port', '0', '--json'], { ...opts, onSpawn: (c) => (child = c) });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child?.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve((JSON.parse(out) as { url: string }).url);
      });
      child?.once('exit', () => reject(new Error('dev-chain exited before printing its URL')));
    });
    assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    const { free } = await runCliJson<{ free: string }>(['balance', '//Ferdie', '--node-url', url], opts);
    assert.ok(BigInt(free) > 0n);
    child?.kill('SIGTERM');
    const done = await run;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout.trim().split('\n').length, 1);
  });

  scenario('amounts: -1UNIT is a negative amount (not flags), 0UNIT is refused before anything is sent', async () => {
    const charlie = () => runCliJson<{ nonce: number }>(['balance', '//Charlie'], opts);
    const before = await charlie();
    const [negative, negativeFlag, zero, zeroPlain] = await Promise.all([
      spawnCli(['transfer', '//Charlie', '//Bob', '-1UNIT'], opts),
      spawnCli(['faucet', '//Bob', '--amount', '-0.5UNIT'], opts),
      spawnCli(['transfer', '//Charlie', '//Bob', '0UNIT'], opts),
      spawnCli(['transfer', '//Charlie', '//Bob', '0', '--json'], opts),
    ]);
    assertOneLineError(negative, /^error: invalid amount '-1UNIT': must not be negative/);
    assertOneLineError(negativeFlag, /^error: invalid amount '-0\.5UNIT': must not be negative/);
    assertOneLineError(zero, /^error: invalid amount '0UNIT': must be greater than zero/);
    assert.equal(JSON.parse(zeroPlain.stdout).error.code, 'ERR_BAD_INPUT');
    assert.equal((await charlie()).nonce, before.nonce, 'nothing was sent');
  });

  scenario('accounts: a bad SS58 checksum is reported as such; addresses use the chain\'s prefix unless --ss58-prefix says otherwise', async () => {
    const bob = toSs58(createKeyring().addFromUri('//Bob').publicKey);
    const mistyped = bob.slice(0, -1) + (bob.endsWith('a') ? 'b' : 'a');
    const [checksum, asSigner, chainPrefix, flag, fromEnv] = await Promise.all([
      spawnCli(['transfer', '//Alice', mistyped, '1UNIT'], opts),
      spawnCli(['balance', mistyped], opts),
      runCliJson<{ account: string }>(['balance', '//Alice'], opts),
      runCliJson<{ account: string }>(['balance', '//Alice', '--ss58-prefix', '42'], opts),
      runCliJson<{ account: string }>(['balance', '//Alice'], { ...opts, env: { ...opts.env, SEALBRIDGE_SS58_PREFIX: '0' } }),
    ]);
    assertOneLineError(checksum, new RegExp(`^error: '${mistyped}' has an invalid SS58 checksum`));
    assertOneLineError(asSigner, /invalid SS58 checksum/);
    const alice = createKeyring().addFromUri('//Alice').publicKey;
    assert.equal(chainPrefix.account, encodeAddress(alice, 13), 'the dev chain\'s ss58Format (system_properties)');
    assert.equal(flag.account, encodeAddress(alice, 42));
    assert.equal(fromEnv.account, encodeAddress(alice, 0));
    assertOneLineError(await spawnCli(['balance', '//Alice', '--ss58-prefix', 'polkadot'], opts), /ss58Prefix must be 'chain' or a number/);
  });

  scenario('keystores live in the config directory (0700, secrets 0600), not in the current directory', async () => {
    const cwd = path.join(chain.dir, 'elsewhere');
    const config = path.join(chain.dir, 'xdg');
    fs.mkdirSync(cwd);
    const env = { ...opts.env, SEALBRIDGE_KEYSTORE: '', SEALBRIDGE_TRUSTED_KEYSTORE: '', XDG_CONFIG_HOME: config };
    const { account, keystore } = await runCliJson<{ account: string; keystore: string }>(['new-account'], { env, cwd });
    assert.equal(keystore, path.join(config, 'sealbridge', 'keystore'));
    const [file] = fs.readdirSync(keystore);
    assert.equal(fs.statSync(keystore).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(keystore, file!)).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(cwd), [], 'nothing written to the current directory');
    assert.deepEqual((await runCliJson<{ accounts: string[] }>(['list-accounts'], { env, cwd })).accounts, [account]);
    const trusted = await runCliJson<{ keystore: string }>(['trusted', '--shard', '11111111111111111111111111111111', 'new-account'], { env, cwd });
    assert.equal(trusted.keystore, path.join(config, 'sealbridge', 'trusted-keystore', '11111111111111111111111111111111'));
    const flagged = await runCliJson<{ keystore: string }>(['new-account', '--keystore', './ks'], { env, cwd });
    assert.equal(flagged.keystore, './ks');
  });

  scenario('help text wraps at word boundaries', async () => {
    const help = await spawnCli(['--help']);
    assert.equal(help.code, 0, help.stderr);
    const words = new Set(help.stdout.split(/\s+/));
    const described = [...parentchainCommands, ...stackCommands].map((c) => c.describe).concat(Object.values(GLOBAL_OPTIONS).map((o) => o.describe));
    for (const text of described) {
      for (const word of text.split(/\s+/)) assert.ok(words.has(word), `'${word}' (of '${text}') is broken across lines`);
    }
    assert.ok(help.stdout.split('\n').every((line) => line.length <= 120));
  });

  scenario('environment and flags: --node-url beats SEALBRIDGE_NODE_URL', async () => {
    const dead = `ws://127.0.0.1:${await deadPort()}`;
    const viaEnv = await spawnCli(['balance', '//Alice', '--quiet'], opts);
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    const flagWins = await spawnCli(['balance', '//Alice', '--node-url', dead], opts);
    assert.equal(flagWins.code, 1);
    const envDead = await spawnCli(['balance', '//Alice', '--node-url', chain.url], { ...opts, env: { ...opts.env, SEALBRIDGE_NODE_URL: dead } });
    assert.equal(envDead.code, 0, envDead.stderr);
  });
});
