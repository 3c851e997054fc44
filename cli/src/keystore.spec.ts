import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { createKeyring, resolveAccountId, resolveSigner, toSs58 } from './accounts.js';
import { CliError } from './errors.js';
import { Keystore } from './keystore.js';

describe('keystore and account arguments', () => {
  let dir: string;
  before(async () => {
    await cryptoWaitReady();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealbridge-cli-ks-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('stores generated accounts in the integritee-cli (substrate LocalKeystore) layout', async () => {
    const keystore = new Keystore(path.join(dir, 'a'));
    const pair = await keystore.generate();
    const file = path.join(keystore.dir, `73723235${Buffer.from(pair.publicKey).toString('hex')}`);
    const phrase = JSON.parse(fs.readFileSync(file, 'utf8')) as string;
    assert.equal(phrase.split(' ').length, 12);
    assert.deepEqual(createKeyring().addFromUri(phrase).publicKey, pair.publicKey);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(keystore.dir).mode & 0o777, 0o700);
  });

  it('lists and finds stored accounts; missing directory means no accounts', async () => {
    const keystore = new Keystore(path.join(dir, 'b'));
    assert.deepEqual(await keystore.list(), []);
    const a = await keystore.generate();
    const b = await keystore.generate();
    const listed = (await keystore.list()).map(toSs58).sort();
    assert.deepEqual(listed, [toSs58(a.publicKey), toSs58(b.publicKey)].sort());
    assert.deepEqual((await keystore.find(b.publicKey))?.publicKey, b.publicKey);
    assert.equal(await keystore.find(new Uint8Array(32)), undefined);
  });

  it('resolves //Seed, mnemonic and SS58-in-keystore signers, and rejects unknown accounts', async () => {
    const keystore = new Keystore(path.join(dir, 'c'));
    const stored = await keystore.generate();
    const alice = createKeyring().addFromUri('//Alice');
    assert.deepEqual((await resolveSigner('//Alice', keystore)).publicKey, alice.publicKey);
    assert.deepEqual((await resolveSigner(toSs58(stored.publicKey), keystore)).publicKey, stored.publicKey);
    // Any SS58 prefix is accepted on input (42 = generic substrate).
    assert.deepEqual((await resolveSigner(createKeyring().encodeAddress(stored.publicKey, 42), keystore)).publicKey, stored.publicKey);
    await assert.rejects(resolveSigner(toSs58(alice.publicKey), keystore), (error: unknown) =>
      error instanceof CliError && error.code === 'ERR_UNKNOWN_ACCOUNT' && /not in keystore/.test(error.message));
    await assert.rejects(resolveSigner('Bob', keystore), /'Bob' is not an account/);
  });

  it('resolves destination accounts without a keystore', () => {
    const bob = createKeyring().addFromUri('//Bob');
    assert.deepEqual(resolveAccountId('//Bob'), bob.publicKey);
    assert.deepEqual(resolveAccountId(toSs58(bob.publicKey)), bob.publicKey);
    assert.deepEqual(resolveAccountId(`0x${Buffer.from(bob.publicKey).toString('hex')}`), bob.publicKey);
    assert.throws(() => resolveAccountId('nobody'), /is not an account/);
    assert.throws(() => resolveAccountId('0x1234'), /is not an account/);
    const bobSs58 = toSs58(bob.publicKey);
    assert.throws(() => resolveAccountId(`${bobSs58.slice(0, -1)}${bobSs58.endsWith('a') ? 'b' : 'a'}`), /invalid SS58 checksum/);
  });
});
