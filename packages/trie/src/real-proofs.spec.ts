import assert from 'node:assert/strict';

import { hexToU8a, u8aToHex } from '@polkadot/util';

import { decodeNode, encodeNode } from './codec.js';
import { TRIE_ERROR_CODES, TrieError } from './errors.js';
import { blake2b256, trieReady } from './hash.js';
import { HASHED_VALUE_PROOF, POLKADOT_GENESIS_PROOF, SHORT_VALUE_PROOF, TINY_ROOT_PROOF } from './real-proofs.fixture.js';
import { verifyProof } from './verify-proof.js';

const nodes = (proof: string[]): Uint8Array[] => proof.map((h) => hexToU8a(h));

describe('real chain proofs (smoldot test vectors)', () => {
  before(async () => {
    await trieReady();
  });

  it('reads a Polkadot genesis value and proves a longer key absent', () => {
    const { root, key, value, proof } = POLKADOT_GENESIS_PROOF;
    const longer = key + '25';
    const result = verifyProof(hexToU8a(root), nodes(proof), [hexToU8a(key), hexToU8a(longer)]);
    assert.equal(u8aToHex(result.get(key)!), value);
    assert.equal(result.get(longer), null);
  });

  it('reads a short value', () => {
    const { root, key, value, proof } = SHORT_VALUE_PROOF;
    assert.equal(u8aToHex(verifyProof(hexToU8a(root), nodes(proof), [hexToU8a(key)]).get(key)!), value);
  });

  it('walks a root node shorter than 32 bytes', () => {
    // The only node is 0x42 03 34…: a leaf with the two nibbles 0,3 (key 0x03) and a 13-byte value.
    const { root, proof } = TINY_ROOT_PROOF;
    const value = verifyProof(hexToU8a(root), nodes(proof), [hexToU8a('0x03')]).get('0x03');
    assert.equal(value?.length, 13);
  });

  it('reads a state-version-1 hashed value (System.Account) and needs the value item', () => {
    const { root, key, value, proof } = HASHED_VALUE_PROOF;
    assert.equal(u8aToHex(verifyProof(hexToU8a(root), nodes(proof), [hexToU8a(key)]).get(key)!), value);
    const withoutValue = nodes(proof).filter((node) => u8aToHex(node) !== value);
    assert.equal(withoutValue.length, proof.length - 1);
    assert.throws(
      () => verifyProof(hexToU8a(root), withoutValue, [hexToU8a(key)]),
      (e: unknown) => e instanceof TrieError && e.code === TRIE_ERROR_CODES.ERR_PROOF_MISSING_NODE,
    );
  });

  it('re-encodes every trie node of the real proofs byte for byte', () => {
    let reencoded = 0;
    for (const fixture of [POLKADOT_GENESIS_PROOF, SHORT_VALUE_PROOF, TINY_ROOT_PROOF, HASHED_VALUE_PROOF]) {
      const items = nodes(fixture.proof);
      const byHash = new Map(items.map((item) => [u8aToHex(blake2b256(item)), item]));
      for (const item of items) {
        let node;
        try {
          node = decodeNode(item);
        } catch {
          continue; // a hashed storage value travelling as its own proof item
        }
        if (node.type === 'empty') continue;
        let value: Uint8Array | undefined;
        let version: 0 | 1 = 0;
        if (node.value?.hashed === true) {
          value = byHash.get(u8aToHex(node.value.hash));
          if (value === undefined) continue;
          version = 1;
        } else if (node.value !== undefined) {
          value = node.value.data;
        }
        const children = node.type === 'branch' ? node.children : undefined;
        assert.equal(u8aToHex(encodeNode(node.partial, value, children, version)), u8aToHex(item));
        reencoded++;
      }
    }
    assert.ok(reencoded >= 18, `re-encoded ${reencoded} nodes`);
  });
});
