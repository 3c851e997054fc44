import assert from 'node:assert/strict';

import { hexToU8a, u8aToHex } from '@polkadot/util';

import { decodeNode, encodeNode, encodeNodeReference } from './codec.js';
import { TRIE_ERROR_CODES, TrieError } from './errors.js';
import { blake2b256 } from './hash.js';
import { PersistentTrie } from './persistent-trie.js';

const nibbles = (n: number, fill = 0xa): Uint8Array => new Uint8Array(n).fill(fill);

/** The root node's encoding, which is always the first element of a one-key proof when nothing else is hashed. */
function rootEncoding(entries: Array<[Uint8Array, Uint8Array]>): Uint8Array {
  const proof = PersistentTrie.fromEntries(entries).proof([entries[0]![0]]);
  const root = PersistentTrie.fromEntries(entries).root();
  const node = proof.find((p) => u8aToHex(blake2b256(p)) === u8aToHex(root));
  assert.ok(node, 'root node in proof');
  return node;
}

describe('trie codec', () => {
  it('encodes a single tuple like sp-trie codec_trie_single_tuple', () => {
    // paritytech/substrate primitives/trie/src/lib.rs `codec_trie_single_tuple` (LayoutV1):
    // 0x42 = leaf (0b01 << 6) with 2 nibbles, key 0xaa, Compact(1), value 0xbb.
    assert.equal(u8aToHex(rootEncoding([[hexToU8a('0xaa'), hexToU8a('0xbb')]])), '0x42aa04bb');
  });

  it('encodes two disjoint keys like sp-trie codec_trie_two_tuples_disjoint_keys', () => {
    // paritytech/substrate primitives/trie/src/lib.rs `codec_trie_two_tuples_disjoint_keys` (LayoutV1):
    // branch without value, no partial (0x80); bitmap 0x0012 (slots 1 and 4); two inline 5-byte leaves
    // with 3 nibbles (0x43): [0x03, 0x14] → 0xff and [0x08, 0x19] → 0xfe.
    const encoded = rootEncoding([
      [hexToU8a('0x4819'), hexToU8a('0xfe')],
      [hexToU8a('0x1314'), hexToU8a('0xff')],
    ]);
    assert.equal(u8aToHex(encoded), '0x801200' + '14' + '43031404ff' + '14' + '43081904fe');
  });

  it('round-trips header nibble counts across the saturation boundaries of every kind', () => {
    const value = new Uint8Array(40).fill(7); // hashed in V1
    const short = new Uint8Array([1, 2, 3]);
    const child = blake2b256(new Uint8Array([9]));
    const children = new Array<Uint8Array | undefined>(16).fill(undefined);
    children[3] = child;
    for (const count of [0, 1, 14, 15, 16, 30, 31, 32, 61, 62, 63, 64, 316, 317, 318, 600, 1000]) {
      const partial = nibbles(count);
      const cases = [
        { enc: encodeNode(partial, short, undefined, 1), type: 'leaf', hashed: false },
        { enc: encodeNode(partial, value, undefined, 1), type: 'leaf', hashed: true },
        { enc: encodeNode(partial, undefined, children, 1), type: 'branch', hashed: false },
        { enc: encodeNode(partial, short, children, 1), type: 'branch', hashed: false },
        { enc: encodeNode(partial, value, children, 1), type: 'branch', hashed: true },
      ];
      for (const { enc, type, hashed } of cases) {
        const node = decodeNode(enc);
        assert.equal(node.type, type);
        if (node.type === 'empty') continue;
        assert.deepEqual(node.partial, partial, `count ${count}`);
        if (node.value !== undefined) assert.equal(node.value.hashed, hashed);
        if (node.type === 'branch') assert.deepEqual(node.children[3], child);
      }
    }
  });

  it('uses the documented header bytes', () => {
    const v = new Uint8Array([0xbb]);
    const long = new Uint8Array(33).fill(1);
    // 2-bit prefixes hold counts 0..62 in one byte; 63 saturates to 0x3f and continues with 63 - 63 = 0.
    assert.equal(encodeNode(nibbles(62), v, undefined, 1)[0], 0x40 | 62);
    assert.deepEqual([...encodeNode(nibbles(63), v, undefined, 1).subarray(0, 2)], [0x7f, 0x00]);
    assert.deepEqual([...encodeNode(nibbles(63 + 255), v, undefined, 1).subarray(0, 3)], [0x7f, 0xff, 0x00]);
    // V1 hashed-value leaf 0b001 (5 count bits) and branch 0b0001 (4 count bits); V0 keeps the value inline.
    assert.equal(encodeNode(nibbles(2), long, undefined, 1)[0], 0x20 | 2);
    assert.deepEqual([...encodeNode(nibbles(31), long, undefined, 1).subarray(0, 2)], [0x3f, 0x00]);
    assert.equal(encodeNode(nibbles(2), long, new Array(16).fill(undefined), 1)[0], 0x10 | 2);
    assert.equal(encodeNode(nibbles(2), long, undefined, 0)[0], 0x40 | 2);
    // The 33-byte threshold: 32-byte values stay inline, 33-byte ones become their hash without a length prefix.
    assert.equal(encodeNode(nibbles(0), new Uint8Array(32), undefined, 1).length, 1 + 1 + 32);
    assert.deepEqual(encodeNode(nibbles(0), long, undefined, 1).subarray(1), blake2b256(long));
  });

  it('references nodes inline below 32 bytes and by hash from 32 bytes', () => {
    // A leaf with 0 nibbles and a v-byte value encodes to 1 + 1 + v bytes.
    const small = encodeNodeReference(new Uint8Array(), new Uint8Array(29).fill(1), undefined, 1);
    assert.deepEqual(small, encodeNode(new Uint8Array(), new Uint8Array(29).fill(1), undefined, 1));
    assert.equal(small.length, 31);
    const bigEncoding = encodeNode(new Uint8Array(), new Uint8Array(30).fill(1), undefined, 1);
    assert.equal(bigEncoding.length, 32);
    assert.deepEqual(encodeNodeReference(new Uint8Array(), new Uint8Array(30).fill(1), undefined, 1), blake2b256(bigEncoding));
    // Inline references are private copies, not views of the reused encoding buffer.
    encodeNodeReference(new Uint8Array([1, 2]), new Uint8Array(20).fill(9), undefined, 1);
    assert.deepEqual(small, encodeNode(new Uint8Array(), new Uint8Array(29).fill(1), undefined, 1));
  });

  it('rejects malformed nodes with ERR_INVALID_NODE', () => {
    const bad = ['0x01', '0x42aa', '0x42aa04bbcc', '0x4100', '0x41f004bb', '0x8001', '0x80010021' + '00'.repeat(33), '0x0a'];
    for (const hex of bad) {
      assert.throws(
        () => decodeNode(hexToU8a(hex)),
        (e: unknown) => e instanceof TrieError && e.code === TRIE_ERROR_CODES.ERR_INVALID_NODE,
        hex,
      );
    }
    assert.deepEqual(decodeNode(new Uint8Array([0])), { type: 'empty' });
  });
});
