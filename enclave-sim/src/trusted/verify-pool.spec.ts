import assert from 'node:assert/strict';

import { cryptoReady } from '@sealbridge/chain-types';
import {
  blake2AsU8a,
  ed25519PairFromSeed,
  ed25519Sign,
  secp256k1PairFromSeed,
  secp256k1Sign,
  sr25519PairFromSeed,
  sr25519Sign,
} from '@polkadot/util-crypto';

import { SignatureVerifyPool, type VerifyItem } from './verify-pool.js';
import { packVerifyBatch, packedItemBytes, verifyPackedBatch } from './verify-worker.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const seed = (i: number, salt: number): Uint8Array => blake2AsU8a(new Uint8Array([salt, i & 0xff, i >> 8]), 256);

interface Signer {
  sign(message: Uint8Array): VerifyItem;
}

function sr25519Signer(i: number): Signer {
  const pair = sr25519PairFromSeed(seed(i, 1));
  return { sign: (message) => ({ scheme: 'sr25519', publicKey: pair.publicKey, message, signature: sr25519Sign(message, pair) }) };
}

function ed25519Signer(i: number): Signer {
  const pair = ed25519PairFromSeed(seed(i, 2));
  return { sign: (message) => ({ scheme: 'ed25519', publicKey: pair.publicKey, message, signature: ed25519Sign(message, pair) }) };
}

/** MultiSignature::Ecdsa: the signer is the AccountId, blake2_256 of the compressed key; the message is blake2-hashed. */
function ecdsaSigner(i: number): Signer {
  const pair = secp256k1PairFromSeed(seed(i, 3));
  const account = blake2AsU8a(pair.publicKey, 256);
  return { sign: (message) => ({ scheme: 'ecdsa', publicKey: account, message, signature: secp256k1Sign(message, pair, 'blake2') }) };
}

const flipped = (bytes: Uint8Array, at: number): Uint8Array => {
  const copy = bytes.slice();
  copy[at]! ^= 0x01;
  return copy;
};

describe('SignatureVerifyPool', function () {
  this.timeout(60_000);
  let pool: SignatureVerifyPool | undefined;

  before(async () => {
    await cryptoReady();
  });

  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('answers a burst of 5,000 mixed sr25519/ed25519/ecdsa requests true/false in order, in batches', async () => {
    const sr = Array.from({ length: 50 }, (_, i) => sr25519Signer(i));
    const ed = Array.from({ length: 20 }, (_, i) => ed25519Signer(i));
    const ecdsa = Array.from({ length: 5 }, (_, i) => ecdsaSigner(i));
    const items: VerifyItem[] = [];
    const expected: boolean[] = [];
    for (let i = 0; i < 5000; i++) {
      const message = text(`getter ${i}: free_balance`);
      const kind = i % 10;
      if (kind < 5) {
        // sr25519: valid, or a signature of another message, a tampered message, another signer's key
        const item = sr[i % sr.length]!.sign(message);
        if (kind === 0 || kind === 1) items.push(item);
        if (kind === 2) items.push({ ...item, message: flipped(message, 0) });
        if (kind === 3) items.push({ ...item, publicKey: sr[(i + 1) % sr.length]!.sign(message).publicKey });
        if (kind === 4) items.push({ ...item, signature: flipped(item.signature, 10) });
        expected.push(kind <= 1);
      } else if (kind < 8) {
        const item = ed[i % ed.length]!.sign(message);
        items.push(kind === 7 ? { ...item, signature: flipped(item.signature, 5) } : item);
        expected.push(kind !== 7);
      } else if (i % 100 === 8 || i % 100 === 9) {
        const item = ecdsa[i % ecdsa.length]!.sign(message);
        items.push(i % 100 === 9 ? { ...item, message: flipped(message, 3) } : item);
        expected.push(i % 100 === 8);
      } else {
        const item = sr[i % sr.length]!.sign(message);
        items.push(item);
        expected.push(true);
      }
    }
    pool = await SignatureVerifyPool.start(2, { maxWaiting: 5000 });
    const results = await Promise.all(items.map((item) => pool!.verify(item)));
    assert.deepEqual(results, expected);
    const stats = pool.stats();
    assert.equal(stats.verified, 5000);
    assert.equal(stats.valid, expected.filter(Boolean).length);
    assert.equal(stats.waiting + stats.inFlight, 0);
    // One turn's 5,000 requests: at most 64 per message (2 × 2 go out at the end of the turn, the rest as threads answer).
    assert.ok(stats.batches >= Math.ceil(5000 / 64) && stats.batches <= Math.ceil(5000 / 64) + 2, `${stats.batches} batches`);
  });

  it('sends the requests of one turn as one message per idle thread', async () => {
    const signer = sr25519Signer(7);
    pool = await SignatureVerifyPool.start(1);
    const one = await Promise.all(Array.from({ length: 10 }, (_, i) => pool!.verify(signer.sign(text(`poll ${i}`)))));
    assert.deepEqual(one, Array(10).fill(true));
    assert.equal(pool.stats().batches, 1);
    await pool.close();

    pool = await SignatureVerifyPool.start(2);
    const two = await Promise.all(Array.from({ length: 10 }, (_, i) => pool!.verify(signer.sign(text(`poll ${i}`)))));
    assert.deepEqual(two, Array(10).fill(true));
    assert.equal(pool.stats().batches, 2, 'split over the two idle threads');
  });

  it('answers malformed keys and signatures false, in the pool or on the thread, without harm to the next request', async () => {
    pool = await SignatureVerifyPool.start(1);
    const message = text('getter');
    const sr = sr25519Signer(1).sign(message);
    const ed = ed25519Signer(1).sign(message);
    const ecdsa = ecdsaSigner(1).sign(message);
    const noMarker = sr.signature.slice();
    noMarker[63]! &= 0x7f; // not a schnorrkel signature: would trap the WASM verifier if it reached it
    const highS = sr.signature.slice();
    highS.fill(0xff, 32); // s ≥ ℓ
    const notRistretto = new Uint8Array(32).fill(0xff);
    const malformedInPool: VerifyItem[] = [
      { ...sr, signature: sr.signature.subarray(0, 63) },
      { ...sr, publicKey: sr.publicKey.subarray(0, 31) },
      { ...sr, signature: new Uint8Array(0) },
      { ...ed, signature: ed.signature.subarray(0, 63) },
      { ...ed, publicKey: new Uint8Array(33) },
      { ...ecdsa, signature: ecdsa.signature.subarray(0, 64) },
    ];
    const malformedOnThread: VerifyItem[] = [
      { ...sr, signature: noMarker },
      { ...sr, signature: highS },
      { ...sr, publicKey: notRistretto },
      { ...ed, publicKey: notRistretto },
      { ...ecdsa, signature: new Uint8Array(65).fill(0xff) },
      { ...ecdsa, publicKey: new Uint8Array(33) },
    ];
    const results = await Promise.all([...malformedInPool, ...malformedOnThread, sr, ed, ecdsa].map((item) => pool!.verify(item)));
    assert.deepEqual(results, [...Array(12).fill(false), true, true, true]);
    assert.equal(pool.stats().malformed, malformedInPool.length);
    assert.equal(pool.stats().verified, malformedOnThread.length + 3);

    // The thread decodes whatever it is sent: wrong lengths that skipped the pool's checks are false there too.
    const direct = [...malformedInPool, sr];
    const packed = packVerifyBatch(direct, direct.reduce((sum, item) => sum + packedItemBytes(item), 0));
    assert.deepEqual([...verifyPackedBatch(packed)], [0, 0, 0, 0, 0, 0, 1]);

    await assert.rejects(pool.verify({ ...sr, scheme: 'rsa' as never }), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(pool.verify({ ...sr, message: 'getter' as never }), { code: 'INVALID_ARGUMENT' });
    assert.equal(await pool.verify(sr), true);
  });

  it('refuses with VERIFY_QUEUE_FULL when maxWaiting requests wait for a thread', async () => {
    const signer = sr25519Signer(3);
    pool = await SignatureVerifyPool.start(1, { maxWaiting: 100, batchMax: 10, batchesPerThread: 1 });
    const accepted = Array.from({ length: 100 }, (_, i) => pool!.verify(signer.sign(text(`a ${i}`))));
    await assert.rejects(pool.verify(signer.sign(text('one too many'))), { code: 'VERIFY_QUEUE_FULL' });
    assert.equal(pool.stats().refused, 1);
    await tick(); // the turn ends: 10 go to the thread, 90 wait, so 10 more fit
    assert.deepEqual({ waiting: pool.stats().waiting, inFlight: pool.stats().inFlight }, { waiting: 90, inFlight: 10 });
    const more = Array.from({ length: 10 }, (_, i) => pool!.verify(signer.sign(text(`b ${i}`))));
    await assert.rejects(pool.verify(signer.sign(text('again too many'))), { code: 'VERIFY_QUEUE_FULL' });
    assert.deepEqual(await Promise.all([...accepted, ...more]), Array(110).fill(true));
    assert.equal(pool.stats().batches, 11);
    assert.equal(await pool.verify(signer.sign(text('room again'))), true);
  });

  it('close() rejects waiting and in-flight requests with VERIFY_POOL_CLOSED, and every later one', async () => {
    const signer = sr25519Signer(4);
    pool = await SignatureVerifyPool.start(2, { batchMax: 8 });
    const pending = Array.from({ length: 200 }, (_, i) => pool!.verify(signer.sign(text(`c ${i}`))).then(
      () => 'answered',
      (error: { code?: string }) => error.code,
    ));
    await tick(); // some are at the threads now, the rest wait
    assert.ok(pool.stats().inFlight > 0 && pool.stats().waiting > 0);
    const closing = pool.close();
    const outcomes = await Promise.all(pending);
    await closing;
    assert.ok(outcomes.every((o) => o === 'answered' || o === 'VERIFY_POOL_CLOSED'), [...new Set(outcomes)].join());
    assert.ok(outcomes.filter((o) => o === 'VERIFY_POOL_CLOSED').length >= 200 - 2 * 2 * 8, 'at most what the threads held can have been answered');
    await assert.rejects(pool.verify(signer.sign(text('late'))), { code: 'VERIFY_POOL_CLOSED' });
    assert.deepEqual({ waiting: pool.stats().waiting, inFlight: pool.stats().inFlight }, { waiting: 0, inFlight: 0 });
  });

  it('refuses bad pool options with INVALID_ARGUMENT', async () => {
    await assert.rejects(SignatureVerifyPool.start(0), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(SignatureVerifyPool.start(1, { batchMax: 0 }), { code: 'INVALID_ARGUMENT' });
  });
});
