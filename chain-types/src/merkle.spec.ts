import assert from 'node:assert/strict';
import { blake2AsU8a, keccakAsU8a } from '@polkadot/util-crypto';
import { u8aConcat } from '@polkadot/util';

import { bytes, toHex } from './test/helpers.js';
import { indirectCallLeaf, trustedCallsMerkleRoot } from './index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const root = (leaves: Uint8Array[]): string => toHex(trustedCallsMerkleRoot(leaves)).slice(2);

describe('trustedCallsMerkleRoot (substrate binary-merkle-tree, Keccak-256)', () => {
  // Vectors from the tests of paritytech/substrate utils/binary-merkle-tree/src/lib.rs.
  it('returns 32 zero bytes for no leaves', () => {
    assert.equal(root([]), '00'.repeat(32));
  });

  it('hashes a single leaf once', () => {
    assert.equal(root([bytes('E04CC55ebEE1cBCE552f250e85c57B70B2E2625b')]), 'aeb47a269393297f4b0a3c9c9cfd00c7a4195255274cf39d83dabc2fcc9ff3d7');
  });

  it('combines two leaves as a sorted pair', () => {
    const leaves = [bytes('E04CC55ebEE1cBCE552f250e85c57B70B2E2625b'), bytes('25451A4de12dcCc2D166922fA938E900fCc4ED24')];
    assert.equal(root(leaves), '697ea2a8fe5b03468548a7a413424a6292ab44a82a6f5cc594c3fa7dda7ce402');
    assert.equal(root([...leaves].reverse()), '697ea2a8fe5b03468548a7a413424a6292ab44a82a6f5cc594c3fa7dda7ce402');
  });

  it('promotes the odd last node (3 and 10 leaves)', () => {
    assert.equal(root(['a', 'b', 'c'].map(utf8)), '5842148bc6ebeb52af882a317c765fccd3ae80589b21a9b8cbf21abb630e46a7');
    assert.equal(root(['a', 'b', 'a'].map(utf8)), '7b84bec68b13c39798c6c50e9e40a0b268e3c1634db8f4cb97314eb243d4c514');
    assert.equal(root(['a', 'b', 'a', 'b'].map(utf8)), 'dc8e73fe6903148ff5079baecc043983625c23b39f31537e322cd0deee09fa9c');
    assert.equal(root('abcdefghij'.split('').map(utf8)), 'cc50382cfd3c9a617741e9a85efee8752b8feb95a2cbecd6365fb21366ce0c8c');
  });

  it('matches a hand-built 5-leaf tree', () => {
    const k = (x: Uint8Array): Uint8Array => keccakAsU8a(x, 256);
    const node = (a: Uint8Array, b: Uint8Array): Uint8Array => (Buffer.compare(a, b) < 0 ? k(u8aConcat(a, b)) : k(u8aConcat(b, a)));
    const [a, b, c, d, e] = 'abcde'.split('').map((s) => k(utf8(s))) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    // row 1: ab, cd, e (promoted); row 2: abcd, e (promoted); root: (abcd, e)
    const expected = node(node(node(a, b), node(c, d)), e);
    assert.equal(root('abcde'.split('').map(utf8)), toHex(expected).slice(2));
  });
});

describe('indirectCallLeaf', () => {
  it('is blake2-256 of the encoded IndirectCall', () => {
    const call = bytes('0204');
    assert.deepEqual(indirectCallLeaf(call), blake2AsU8a(call, 256));
    assert.equal(toHex(indirectCallLeaf(new Uint8Array())), '0x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
  });
});
