import assert from 'node:assert/strict';
import { UNIT } from './amount.js';
import { runCliJson, spawnCli } from './spawn-cli.js';
import type { Stack } from './stack.js';
import { assertOneLineError, useStack } from './test-helpers.js';

// packages/stf constants.ts (the CLI does not depend on the STF): Integritee v0.14.0's fees.
const STF_TX_FEE = 100_000_000n;
const STF_UNSHIELD_FEE = 3n * STF_TX_FEE;

interface Sent {
  topHash: string;
  mode: 'indirect' | 'direct';
  invocation?: { blockNumber: number };
  statuses?: string[];
  executedIn: number;
  fees: { stf: string; parentchain: string };
}

describe('sealbridge trusted calls report what the STF made of them (exit code, STF error, fees)', function () {
  this.timeout(240_000);
  let stack: Stack & { dir: string; env: Record<string, string> };
  let opts: { env: Record<string, string>; cwd: string };
  let bob: string;
  const alice = '//AliceIncognito';
  /** Incognito balance of Alice or Bob and Alice's nonce, as the worker answers them. */
  const incognito = async (account: string) => BigInt((await runCliJson<{ free: string }>(['trusted', 'balance', account], opts)).free);
  const nonce = async () => (await runCliJson<{ nonce: number }>(['trusted', 'nonce', alice], opts)).nonce;
  const l1 = async (account: string) => BigInt((await runCliJson<{ free: string }>(['balance', account], opts)).free);
  const until = async <T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> => {
    for (let i = 0; ; i++) {
      const value = await read();
      if (done(value) || i === 60) return value;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  /** Alice's incognito balance as it must be, following every fee and amount of the spec. */
  let aliceExpected = 6n * UNIT;
  let bobExpected = 0n;

  before(async () => {
    stack = await useStack();
    opts = { env: stack.env, cwd: stack.dir };
    const [, created] = await Promise.all([
      runCliJson(['shield-funds', '//Alice', alice, '6UNIT', stack.mrenclave], opts),
      runCliJson<{ account: string }>(['trusted', 'new-account'], opts),
    ]);
    bob = created.account;
  });
  after(async () => stack?.stop());

  it('a successful transfer shows the STF fee and the parentchain fee its --xt-signer paid', async () => {
    const dave = await l1('//Dave');
    const sent = await runCliJson<Sent>(['trusted', '--xt-signer', '//Dave', 'transfer', alice, bob, '1UNIT'], opts);
    aliceExpected -= UNIT + STF_TX_FEE;
    bobExpected += UNIT;
    assert.equal(sent.mode, 'indirect');
    assert.equal(sent.executedIn, sent.invocation?.blockNumber);
    assert.equal(sent.fees.stf, STF_TX_FEE.toString());
    assert.ok(BigInt(sent.fees.parentchain) > 0n);
    assert.equal(await l1('//Dave'), dave - BigInt(sent.fees.parentchain), 'the parentchain fee is what the xt-signer paid, exactly');

    const human = await spawnCli(['trusted', '--xt-signer', '//Dave', 'transfer', alice, bob, '0.5UNIT'], opts);
    aliceExpected -= UNIT / 2n + STF_TX_FEE;
    bobExpected += UNIT / 2n;
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /\nexecuted in block #\d+: ok\nfees: STF 0\.0001 UNIT, parentchain 0\.\d+ UNIT \(EnclaveBridge\.invoke, paid by the --xt-signer\)\n$/);
    assert.equal(await incognito(alice), aliceExpected);
    assert.equal(await incognito(bob), bobExpected);
  });

  it('an over-spending transfer exits 1 with MissingFunds, indirect and --direct, and still pays its STF fee', async () => {
    const before = await nonce();
    const indirect = await spawnCli(['trusted', 'transfer', alice, bob, '100UNIT'], opts);
    assertOneLineError(indirect, /^error: MissingFunds: free balance \d+ below 100000000000000 \(trusted call 0x[0-9a-f]{64} in block #\d+, STF fee 0\.0001 UNIT paid\)$/);
    assert.equal(indirect.stdout, '');
    aliceExpected -= STF_TX_FEE;
    assert.equal(await incognito(alice), aliceExpected);

    const json = await spawnCli(['trusted', 'transfer', alice, bob, '100UNIT', '--json'], opts);
    assert.equal(json.code, 1);
    const { error } = JSON.parse(json.stdout) as { error: { code: string; message: string } };
    assert.equal(error.code, 'ERR_TRUSTED_CALL_FAILED');
    assert.match(error.message, /^MissingFunds: free balance \d+ below 100000000000000 /);
    aliceExpected -= STF_TX_FEE;

    const direct = await spawnCli(['trusted', '--direct', 'transfer', alice, bob, '100UNIT'], opts);
    assertOneLineError(direct, /^error: MissingFunds: free balance \d+ below 100000000000000 \(trusted call 0x[0-9a-f]{64} in block #\d+, STF fee 0\.0001 UNIT paid\)$/);
    assert.match(direct.stdout, /is Submitted\n(.*\n)*Trusted call 0x[0-9a-f]{64} is Invalid\n$/, 'the watch ends as Invalid, not InSidechainBlock');
    aliceExpected -= STF_TX_FEE;

    assert.equal(await incognito(alice), aliceExpected, 'only the three STF fees left');
    assert.equal(await incognito(bob), bobExpected);
    assert.equal(await nonce(), before + 3, 'each failed call consumed its nonce');
  });

  it('an over-spending unshield exits 1 with MissingFunds and pays nothing out on the parentchain', async () => {
    const ferdie = await l1('//Ferdie');
    const run = await spawnCli(['trusted', 'unshield-funds', alice, '//Ferdie', '100UNIT'], opts);
    assertOneLineError(run, /^error: MissingFunds: free balance \d+ below 100000000000000 \(trusted call 0x[0-9a-f]{64} in block #\d+, STF fee 0\.0003 UNIT paid\)$/);
    aliceExpected -= STF_UNSHIELD_FEE;
    assert.equal(await incognito(alice), aliceExpected);

    // A successful unshield afterwards: Ferdie receives exactly its amount, nothing of the failed one.
    const sent = await runCliJson<Sent>(['trusted', 'unshield-funds', alice, '//Ferdie', '1UNIT'], opts);
    aliceExpected -= UNIT + STF_UNSHIELD_FEE;
    assert.deepEqual(sent.fees, { stf: STF_UNSHIELD_FEE.toString(), parentchain: sent.fees.parentchain });
    assert.equal(await until(() => l1('//Ferdie'), (v) => v !== ferdie), ferdie + UNIT);
    assert.equal(await incognito(alice), aliceExpected);
  });

  it('a successful --direct transfer shows its STF fee and no parentchain fee (the worker pays the relay)', async () => {
    const sent = await runCliJson<Sent>(['trusted', '--direct', 'transfer', alice, bob, '1UNIT'], opts);
    aliceExpected -= UNIT + STF_TX_FEE;
    bobExpected += UNIT;
    assert.equal(sent.mode, 'direct');
    assert.equal(sent.statuses?.at(-1), 'InSidechainBlock');
    assert.deepEqual(sent.fees, { stf: STF_TX_FEE.toString(), parentchain: '0' });
    assert.ok(sent.executedIn > 0);
    assert.equal(await incognito(alice), aliceExpected);
    assert.equal(await incognito(bob), bobExpected);
  });
});
