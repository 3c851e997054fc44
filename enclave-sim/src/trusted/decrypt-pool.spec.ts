import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';

import { cryptoReady, generateShieldingKeyPair, RSA_BLOCK_BYTES, shieldEncrypt } from '@sealbridge/chain-types';

import { DecryptPool, type DecryptPriority } from './decrypt-pool.js';
import { MAX_SHIELDED_BYTES } from './settings.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('DecryptPool', function () {
  this.timeout(60_000);
  let keys: { publicKey: KeyObject; privateKey: KeyObject };
  let pool: DecryptPool | undefined;

  before(async () => {
    await cryptoReady();
    keys = generateShieldingKeyPair();
  });

  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('refuses a padded ciphertext (1,364 × one valid RSA block) before any private-key operation, on both priorities', async () => {
    pool = await DecryptPool.start(keys.privateKey, 1);
    const block = shieldEncrypt(keys.publicKey, text('one valid block'));
    assert.equal(block.length, RSA_BLOCK_BYTES);
    const padded = new Uint8Array(block.length * 1364);
    for (let i = 0; i < 1364; i++) padded.set(block, i * block.length);

    await assert.rejects(pool.decrypt(padded, 'rpc'), { code: 'CIPHERTEXT_TOO_LARGE' });
    const [refused, ok] = await pool.decryptBatch([padded, block]);
    assert.ok(!refused!.ok && refused!.error.code === 'CIPHERTEXT_TOO_LARGE');
    assert.deepEqual(ok!.ok && ok!.plaintext, text('one valid block'));
    assert.deepEqual(pool.stats().privateKeyOps, { import: 1, rpc: 0 }, 'only the valid block reached a thread');
    assert.deepEqual(pool.stats().refusedOversized, { import: 1, rpc: 1 });

    // The cap itself (16 blocks) is still decrypted.
    const atCap = new Uint8Array(MAX_SHIELDED_BYTES);
    for (let at = 0; at < atCap.length; at += block.length) atCap.set(block, at);
    assert.equal((await pool.decrypt(atCap, 'rpc')).length, 16 * 'one valid block'.length);
    assert.equal(pool.stats().privateKeyOps.rpc, 16);
  });

  it('import work leaves the queue ahead of waiting RPC work; RPC work only goes to an idle thread', async () => {
    // One thread: it answers its messages in order, so the completion order below is the dispatch order.
    const threads = 1;
    pool = await DecryptPool.start(keys.privateKey, threads);
    const done: string[] = [];
    const rpc = Array.from({ length: 20 }, (_, i) =>
      pool!.decrypt(shieldEncrypt(keys.publicKey, text(`rpc ${i}`)), 'rpc').then(() => done.push(`rpc ${i}`)));
    await tick(); // the singles are coalesced and queued on the next turn
    assert.equal(pool.stats().waiting.rpc, 20 - threads, 'one RPC ciphertext per idle thread, the rest wait in the pool');

    const batch = Array.from({ length: 8 }, (_, i) => shieldEncrypt(keys.publicKey, text(`import ${i}`)));
    const imported = pool.decryptBatch(batch).then((results) => {
      done.push('import');
      return results;
    });
    // The import chunk went to the thread at once, queued behind the one RPC decryption there, ahead of the 19 waiting.
    assert.deepEqual(pool.stats().waiting, { import: 0, rpc: 20 - threads });
    assert.equal(pool.stats().importAheadOfRpc, 1);
    const results = await imported;
    assert.deepEqual(results.map((r) => r.ok && new TextDecoder().decode(r.plaintext)), batch.map((_, i) => `import ${i}`));
    await Promise.all(rpc);
    assert.deepEqual(done.slice(0, 2), ['rpc 0', 'import'], done.join(', '));
    assert.deepEqual(pool.stats().waiting, { import: 0, rpc: 0 });
    assert.deepEqual(pool.stats().privateKeyOps, { import: 8, rpc: 20 });
  });

  it('RPC work leaves one thread free for the chain', async () => {
    pool = await DecryptPool.start(keys.privateKey, 2);
    const rpc = Array.from({ length: 10 }, (_, i) => pool!.decrypt(shieldEncrypt(keys.publicKey, text(`rpc ${i}`)), 'rpc'));
    await tick();
    assert.equal(pool.stats().waiting.rpc, 9, 'one of the two threads takes RPC work');
    const imported = pool.decryptBatch([shieldEncrypt(keys.publicKey, text('import'))]);
    assert.deepEqual(pool.stats().waiting, { import: 0, rpc: 9 });
    const [result] = await imported;
    assert.deepEqual(result!.ok && result!.plaintext, text('import'));
    await Promise.all(rpc);
    assert.deepEqual(pool.stats().privateKeyOps, { import: 1, rpc: 10 });
  });

  it('serves RPC work in arrival order once no import work waits', async () => {
    pool = await DecryptPool.start(keys.privateKey, 1);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 6 }, (_, i) => pool!.decryptBatch([shieldEncrypt(keys.publicKey, text(`r${i}`))], { priority: 'rpc' }).then(() => order.push(i))));
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  });

  it('refuses an unknown priority and rejects queued work when closed', async () => {
    pool = await DecryptPool.start(keys.privateKey, 1);
    await assert.rejects(pool.decryptBatch([], { priority: 'urgent' as DecryptPriority }), { code: 'INVALID_ARGUMENT' });
    const queued = Promise.allSettled(Array.from({ length: 4 }, () => pool!.decryptBatch([shieldEncrypt(keys.publicKey, text('x'))], { priority: 'rpc' })));
    await pool.close();
    for (const outcome of await queued) assert.equal(outcome.status === 'rejected' && (outcome.reason as { code?: string }).code, 'ENCLAVE_CLOSED');
    await assert.rejects(pool.decrypt(new Uint8Array(RSA_BLOCK_BYTES)), { code: 'ENCLAVE_CLOSED' });
    pool = undefined;
  });
});
