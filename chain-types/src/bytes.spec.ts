import assert from 'node:assert/strict';

import { bytesEqual, bytesToHex, hexToBytes } from './bytes.js';

describe('byte helpers', () => {
  it('bytesToHex: lowercase, 0x-prefixed unless asked, and only the view it is given', () => {
    const framed = Uint8Array.of(0xff, 0x00, 0xab, 0x10, 0xff);
    assert.equal(bytesToHex(framed.subarray(1, 4)), '0x00ab10');
    assert.equal(bytesToHex(framed.subarray(1, 4), false), '00ab10');
    assert.equal(bytesToHex(new Uint8Array(0)), '0x');
  });

  it('hexToBytes: with or without 0x, any case, into bytes of its own', () => {
    assert.deepEqual(hexToBytes('0x00Ab10'), Uint8Array.of(0, 0xab, 0x10));
    assert.deepEqual(hexToBytes('00ab10'), Uint8Array.of(0, 0xab, 0x10));
    assert.deepEqual(hexToBytes('0x'), new Uint8Array(0));
    const bytes = hexToBytes('0x0102');
    assert.equal(bytes.constructor, Uint8Array);
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, 2);
  });

  it('hexToBytes refuses odd lengths and non-hex digits instead of stopping early', () => {
    assert.throws(() => hexToBytes('0x012'), /odd number of hex digits/);
    assert.throws(() => hexToBytes('0x01zz'), /not a hex string/);
    assert.throws(() => hexToBytes('0xzz01'), /not a hex string/);
  });

  it('round-trips 1,000 random byte strings', () => {
    for (let i = 0; i < 1_000; i++) {
      const bytes = Uint8Array.from({ length: i % 97 }, () => Math.floor(Math.random() * 256));
      assert.ok(bytesEqual(hexToBytes(bytesToHex(bytes)), bytes));
    }
  });

  it('bytesEqual compares length and content', () => {
    assert.equal(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), true);
    assert.equal(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)), false);
    assert.equal(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0)), false);
  });
});
