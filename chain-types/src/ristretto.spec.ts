import assert from 'node:assert/strict';
import { RistrettoPoint } from '@noble/curves/ed25519';

import { isRistrettoEncoding } from './ristretto.js';
import { bytes, le, nobleDecodesRistretto, rng } from './test/helpers.js';

// @noble/curves' audited decoder is the reference.
describe('isRistrettoEncoding', () => {
  const rand = rng(0x7157_2e77);
  const randomBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
  const randomScalar = (): bigint => BigInt(`0x${Buffer.from(randomBytes(32)).toString('hex')}`) % (2n ** 252n) + 1n;
  const P = 2n ** 255n - 19n;

  it('accepts the identity, the RFC 9496 generator and 2,000 random points', () => {
    assert.equal(isRistrettoEncoding(new Uint8Array(32)), true);
    assert.equal(isRistrettoEncoding(bytes('e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76')), true);
    for (let i = 0; i < 2_000; i++) {
      const encoding = RistrettoPoint.BASE.multiply(randomScalar()).toRawBytes();
      assert.equal(isRistrettoEncoding(encoding), true, Buffer.from(encoding).toString('hex'));
    }
  });

  it('agrees with @noble/curves on 30,000 random strings', () => {
    let valid = 0;
    for (let i = 0; i < 30_000; i++) {
      const encoding = randomBytes(32);
      const expected = nobleDecodesRistretto(encoding);
      assert.equal(isRistrettoEncoding(encoding), expected, Buffer.from(encoding).toString('hex'));
      valid += Number(expected);
    }
    assert.ok(valid > 1_000, `only ${valid} random strings were encodings`); // about one in sixteen
  });

  it('agrees with @noble/curves at the edges of the field: near 0, near p, above p, the top bit', () => {
    const edges = [0n, 1n, 2n, 4n, P - 3n, P - 2n, P - 1n, P, P + 1n, P + 2n, 2n ** 255n - 2n, 2n ** 255n - 1n, 2n ** 255n, 2n ** 256n - 2n];
    for (let v = 0n; v < 512n; v += 2n) edges.push(v, P - 1n - v);
    for (const value of edges) {
      const encoding = bytes(le(value, 32));
      assert.equal(isRistrettoEncoding(encoding), nobleDecodesRistretto(encoding), `s = ${value}`);
    }
  });

  it('refuses anything but 32 bytes', () => {
    assert.equal(isRistrettoEncoding(new Uint8Array(31)), false);
    assert.equal(isRistrettoEncoding(new Uint8Array(33)), false);
  });

  it('reads the bytes of a view at an offset', () => {
    const encoding = RistrettoPoint.BASE.multiply(7n).toRawBytes();
    const framed = Uint8Array.of(0xff, ...encoding, 0xff);
    assert.equal(isRistrettoEncoding(framed.subarray(1, 33)), true);
    assert.equal(isRistrettoEncoding(framed.subarray(0, 32)), nobleDecodesRistretto(framed.subarray(0, 32)));
  });
});
