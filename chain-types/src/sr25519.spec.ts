import assert from 'node:assert/strict';
import { sr25519KeypairFromSeed, sr25519Sign, sr25519Verify as wasmCryptoVerify, waitReady } from '@polkadot/wasm-crypto';

import { sr25519Verify } from './sr25519.js';
import { bytes, le, nobleDecodesRistretto, rng } from './test/helpers.js';

// @polkadot/wasm-crypto is the reference: it never panics and answers false for whatever schnorrkel refuses.
describe('sr25519Verify', () => {
  const rand = rng(0x5eed_2551);
  const randomBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
  let keys: { secret: Uint8Array; publicKey: Uint8Array }[] = [];
  const signed = (i: number) => {
    const { secret, publicKey } = keys[i % keys.length]!;
    const message = randomBytes(1 + (i % 300));
    return { message, publicKey: publicKey.slice(), signature: sr25519Sign(publicKey, secret, message) };
  };

  before(async () => {
    await waitReady();
    keys = Array.from({ length: 4 }, (_, i) => {
      const pair = sr25519KeypairFromSeed(new Uint8Array(32).fill(i + 1));
      return { secret: pair.slice(0, 64), publicKey: pair.slice(64) };
    });
  });

  it('accepts what schnorrkel signed with the context "substrate" and refuses it under another key or message', () => {
    for (let i = 0; i < 200; i++) {
      const { message, publicKey, signature } = signed(i);
      assert.equal(sr25519Verify(message, signature, publicKey), true);
      assert.equal(sr25519Verify(message, signature, keys[(i + 1) % keys.length]!.publicKey), false);
      assert.equal(sr25519Verify(Uint8Array.of(...message, 0), signature, publicKey), false);
    }
  });

  it('agrees with @polkadot/wasm-crypto on 1,500 signatures, keys and messages with flipped bits', () => {
    for (let i = 0; i < 1_500; i++) {
      const { message, publicKey, signature } = signed(i);
      const target = [message, signature, publicKey][i % 3]!;
      const bit = Math.floor(rand() * target.length * 8);
      target[bit >> 3]! ^= 1 << (bit & 7);
      assert.equal(sr25519Verify(message, signature, publicKey), wasmCryptoVerify(signature, message, publicKey), `case ${i}`);
    }
  });

  it('answers false without trapping for the bytes schnorrkel refuses, and verifies normally afterwards', () => {
    const { message, publicKey, signature } = signed(0);
    const withScalar = (s: bigint) => Uint8Array.of(...signature.subarray(0, 32), ...bytes(le(s | (1n << 255n), 32)));
    const groupOrder = 2n ** 252n + 27742317777372353535851937790883648493n;
    const unmarked = signature.slice();
    unmarked[63]! &= 0x7f;
    const refused: [string, Uint8Array, Uint8Array][] = [
      ['signature without the schnorrkel marker', unmarked, publicKey],
      ['s = ℓ', withScalar(groupOrder), publicKey],
      ['s = 2^255 - 1', withScalar(2n ** 255n - 1n), publicKey],
      ['key: non-canonical field element (p)', signature, bytes(le(2n ** 255n - 19n, 32))],
      ['key: negative field element (1)', signature, bytes(le(1n, 32))],
      ['key: all ones', signature, new Uint8Array(32).fill(0xff)],
      ['short signature', signature.subarray(0, 63), publicKey],
      ['short key', signature, publicKey.subarray(0, 31)],
    ];
    for (let round = 0; round < 200; round++) {
      for (const [what, sig, key] of refused) assert.equal(sr25519Verify(message, sig, key), false, what);
    }
    assert.equal(sr25519Verify(message, withScalar(groupOrder - 1n), publicKey), false, 's = ℓ - 1 is canonical but wrong');
    assert.equal(sr25519Verify(message, signature, publicKey), true);
  });

  it('never traps on random keys: every key it lets through decodes in schnorrkel too (a trap would throw)', () => {
    const { message, signature } = signed(1);
    let decodable = 0;
    for (let i = 0; i < 3_000; i++) {
      const key = randomBytes(32);
      assert.equal(sr25519Verify(message, signature, key), false);
      if (i < 200) assert.equal(wasmCryptoVerify(signature, message, key), false);
      decodable += Number(nobleDecodesRistretto(key));
    }
    // About one random string in sixteen is a ristretto255 encoding; those reached the WASM verifier.
    assert.ok(decodable > 100, `only ${decodable} of 3,000 random keys decoded`);
  });
});
