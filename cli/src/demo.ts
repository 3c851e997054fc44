// `npm run demo`: the Integritee acceptance scenario demo_shielding_unshielding.sh (worker v0.14.0, docs/integritee-protocol.md §7.2),
// driven through the real `sealbridge` binary against an embedded dev chain and worker in temporary directories.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatAmount, parseAmount, UNIT } from './amount.js';
import { muteLibraryConsole } from './console.js';
import { messageOf } from './errors.js';
import { runCliJson } from './spawn-cli.js';
import type { Stack } from './stack.js';
import { startStack } from './stack.js';

const FEE_TOLERANCE = 10n ** 11n;
const POLL_INTERVAL_MS = 500;
const POLL_ATTEMPTS = 60;

interface Confirmation {
  blockNumber: number;
  merkleRoot: string;
  confirmedIn: number;
}

const controller = new AbortController();
const say = (text: string): void => void process.stdout.write(`${text}\n`);

class Demo {
  readonly #env: Record<string, string>;
  readonly #cwd: string;
  mrenclave = '';

  constructor(stack: Stack, dir: string) {
    this.#cwd = dir;
    this.#env = {
      SEALBRIDGE_NODE_URL: stack.nodeUrl,
      SEALBRIDGE_WORKER_URL: stack.workerUrl,
      SEALBRIDGE_KEYSTORE: path.join(dir, 'my_keystore'),
      SEALBRIDGE_TRUSTED_KEYSTORE: path.join(dir, 'my_trusted_keystore'),
    };
  }

  cli<T = Record<string, unknown>>(...args: string[]): Promise<T> {
    return runCliJson<T>(args, { env: this.#env, cwd: this.#cwd, signal: controller.signal });
  }

  trusted<T = Record<string, unknown>>(...args: string[]): Promise<T> {
    return this.cli<T>('trusted', '--mrenclave', this.mrenclave, ...args);
  }

  async balance(account: string): Promise<bigint> {
    return BigInt((await this.trusted<{ free: string }>('balance', account)).free);
  }

  async nonce(account: string): Promise<bigint> {
    return BigInt((await this.trusted<{ nonce: number }>('nonce', account)).nonce);
  }

  /** integritee `wait_assert_state`: polls until |actual − expected| < FEE_TOLERANCE. */
  async waitAssert(what: string, read: () => Promise<bigint>, expected: bigint, unit = true): Promise<bigint> {
    let actual = 0n;
    for (let attempt = 0; attempt < POLL_ATTEMPTS; attempt++) {
      actual = await read();
      const diff = actual > expected ? actual - expected : expected - actual;
      if (diff < FEE_TOLERANCE) return actual;
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
    const show = (v: bigint): string => (unit ? formatAmount(v) : v.toString());
    throw new Error(`${what} is ${show(actual)}, expected ${show(expected)}`);
  }
}

function confirmed(c: Confirmation | undefined): string {
  return c ? `confirmed by ProcessedParentchainBlock #${c.blockNumber} (merkle root ${c.merkleRoot.slice(0, 18)}…) in block #${c.confirmedIn}` : '';
}

async function scenario(demo: Demo): Promise<void> {
  const step = (n: number, text: string): void => say(`\n[${n}] ${text}`);

  step(1, 'list-workers → MRENCLAVE');
  const { workers } = await demo.cli<{ workers: { mrenclave: string; account: string; url: string }[] }>('list-workers');
  if (!workers.length) throw new Error('no worker registered on chain');
  demo.mrenclave = workers[0].mrenclave;
  say(`    MRENCLAVE: ${demo.mrenclave} (worker ${workers[0].account} at ${workers[0].url})`);

  step(2, 'incognito accounts: Alice = //AliceIncognito, Bob = trusted new-account');
  const alice = '//AliceIncognito';
  const { account: bob } = await demo.trusted<{ account: string }>('new-account');
  say(`    Bob: ${bob}`);
  const alice0 = await demo.balance(alice);
  if (alice0 !== 0n) throw new Error(`Alice incognito starts with ${formatAmount(alice0)}, expected 0`);

  step(3, 'shield-funds //Alice //AliceIncognito 6UNIT');
  const shield = await demo.cli<{ confirmation: Confirmation; blockNumber: number }>('shield-funds', '//Alice', alice, '6UNIT', demo.mrenclave);
  say(`    finalized in block #${shield.blockNumber}, ${confirmed(shield.confirmation)}`);
  const a1 = await demo.waitAssert('Alice incognito', () => demo.balance(alice), alice0 + 6n * UNIT);
  await demo.waitAssert('Bob incognito', () => demo.balance(bob), 0n);
  say(`    balances: Alice ${formatAmount(a1)}, Bob 0 UNIT`);

  step(4, 'trusted transfer //AliceIncognito Bob 2UNIT');
  const transfer = await demo.trusted<{ confirmation: Confirmation }>('transfer', alice, bob, '2UNIT');
  say(`    ${confirmed(transfer.confirmation)}`);
  const a2 = await demo.waitAssert('Alice incognito', () => demo.balance(alice), alice0 + 4n * UNIT);
  const b2 = await demo.waitAssert('Bob incognito', () => demo.balance(bob), 2n * UNIT);
  say(`    balances: Alice ${formatAmount(a2)}, Bob ${formatAmount(b2)}`);

  step(5, 'trusted unshield-funds //AliceIncognito //Ferdie 1UNIT');
  const ferdie0 = BigInt((await demo.cli<{ free: string }>('balance', '//Ferdie')).free);
  const unshield = await demo.trusted<{ confirmation: Confirmation }>('unshield-funds', alice, '//Ferdie', '1UNIT');
  say(`    ${confirmed(unshield.confirmation)}`);
  const a3 = await demo.waitAssert('Alice incognito', () => demo.balance(alice), alice0 + 3n * UNIT);
  await demo.waitAssert('Bob incognito', () => demo.balance(bob), 2n * UNIT);
  const ferdie1 = BigInt((await demo.cli<{ free: string }>('balance', '//Ferdie')).free);
  say(`    balances: Alice ${formatAmount(a3)}, Bob 2 UNIT; Ferdie on L1 ${formatAmount(ferdie0)} → ${formatAmount(ferdie1)}`);

  step(6, 'Charlie = trusted new-account; Bob nonce must be exactly 0');
  const { account: charlie } = await demo.trusted<{ account: string }>('new-account');
  const n0 = await demo.nonce(bob);
  if (n0 !== 0n) throw new Error(`Bob nonce is ${n0}, expected exactly 0`);
  say(`    Charlie: ${charlie}; Bob nonce 0`);

  const transferBob = async (amount: string): Promise<void> => {
    const out = await demo.trusted<{ confirmation: Confirmation; nonce: number }>('transfer', bob, charlie, amount);
    say(`    Bob → Charlie ${formatAmount(parseAmount(amount))} (nonce ${out.nonce}) ${confirmed(out.confirmation)}`);
  };
  step(7, '3 × trusted transfer Bob Charlie 0.2UNIT');
  for (let i = 0; i < 3; i++) await transferBob('0.2UNIT');
  await demo.waitAssert('Bob nonce', () => demo.nonce(bob), 3n, false);
  say(`    Bob nonce 3, balance ${formatAmount(await demo.balance(bob))}`);

  step(8, 'trusted transfer Bob Charlie 2UNIT (must fail: insufficient funds; nonce increases nonetheless)');
  // The CLI exits 1 with the STF's error once the worker recorded the call as failed.
  const refused = await transferBob('2UNIT').then(() => 'succeeded', (error: unknown) => messageOf(error));
  if (!/: MissingFunds: /.test(refused)) throw new Error(`the over-spend ${refused}, expected MissingFunds`);
  say(`    refused: ${refused.replace(/^.*?: (MissingFunds: )/, '$1')}`);
  await demo.waitAssert('Bob nonce', () => demo.nonce(bob), 4n, false);
  say(`    Bob nonce 4, balance ${formatAmount(await demo.balance(bob))}`);

  step(9, 'trusted transfer Bob Charlie 0.2UNIT');
  await transferBob('0.2UNIT');
  await demo.waitAssert('Bob nonce', () => demo.nonce(bob), 5n, false);

  step(10, 'Bob must hold 2 UNIT · 6/10 = 1.2 UNIT (± 10^11 for fees)');
  const bobFinal = await demo.waitAssert('Bob incognito', () => demo.balance(bob), (12n * UNIT) / 10n);
  say(`    Bob ${formatAmount(bobFinal)}, Charlie ${formatAmount(await demo.balance(charlie))}`);
}

async function run(): Promise<number> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sealbridge-demo-'));
  let stack: Stack | undefined;
  const interrupted = new Promise<never>((_, reject) =>
    controller.signal.addEventListener('abort', () => reject(new Error('interrupted')), { once: true }));
  interrupted.catch(() => {});
  try {
    say('starting dev chain and worker …');
    // Not raced: an interrupted start stops what it started before it rejects.
    stack = await startStack({ dir, signal: controller.signal });
    say(`node ${stack.nodeUrl}, worker ${stack.workerUrl}, MRENCLAVE ${stack.mrenclave}`);
    await Promise.race([scenario(new Demo(stack, dir)), interrupted]);
    say('\n✔ demo passed');
    return 0;
  } catch (error) {
    say(`\n✘ demo failed: ${messageOf(error)}`);
    return 1;
  } finally {
    await stack?.stop().catch((error: unknown) => say(`(stopping the stack failed: ${messageOf(error)})`));
    await fs.rm(dir, { recursive: true, force: true });
  }
}

muteLibraryConsole(process.argv);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => controller.abort(new Error('interrupted')));
process.exit(await run());
