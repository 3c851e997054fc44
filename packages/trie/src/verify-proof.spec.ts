import assert from 'node:assert/strict';

import { stringToU8a, u8aToHex } from '@polkadot/util';

import { TRIE_ERROR_CODES, TrieError } from './errors.js';
import { blake2b256, trieReady } from './hash.js';
import { PersistentTrie } from './persistent-trie.js';
import { randomBytes, rng } from './test-rng.js';
import { EMPTY_TRIE_ROOT } from './trie-root.js';
import { verifyProof } from './verify-proof.js';

const hex = (bytes: Uint8Array): string => u8aToHex(bytes);
const s = (text: string): Uint8Array => stringToU8a(text);
const hasCode = (code: string) => (e: unknown): boolean => e instanceof TrieError && e.code === code;

describe('verifyProof', () => {
  let trie: PersistentTrie;
  const big = new Uint8Array(100).fill(0x42); // stored hashed in V1

  before(async () => {
    await trieReady();
    const next = rng(7);
    const entries: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < 500; i++) entries.push([randomBytes(next, 1 + Math.floor(next() * 6)), randomBytes(next, Math.floor(next() * 60))]);
    entries.push([s('big'), big], [s('bi'), s('short')], [s('tiny'), s('t')], [s('tinz'), s('u')]);
    trie = PersistentTrie.fromEntries(entries);
  });

  it('proves present and absent keys, including hashed values and inline nodes', () => {
    const keys = [s('big'), s('bi'), s('tiny'), s('tinz'), s('absent-key'), s('b'), s('bigger'), new Uint8Array()];
    const proof = trie.proof(keys);
    assert.ok(proof.some((node) => hex(node) === hex(big)), 'hashed value travels as its own proof item');
    const result = verifyProof(trie.root(), proof, keys);
    assert.equal(result.size, keys.length);
    for (const key of keys) {
      const expected = trie.get(key);
      assert.equal(hex(result.get(hex(key)) ?? new Uint8Array([0xee])), expected === undefined ? '0xee' : hex(expected), hex(key));
      if (expected === undefined) assert.equal(result.get(hex(key)), null);
    }
  });

  it('verifies every key of a random trie from a single multi-key proof', () => {
    const keys = trie.keys();
    const result = verifyProof(trie.root(), trie.proof(keys), keys);
    for (const key of keys) assert.equal(hex(result.get(hex(key))!), hex(trie.get(key)!));
  });

  it('produces sorted, distinct proof nodes', () => {
    const proof = trie.proof([s('big'), s('big'), s('bi')]);
    for (let i = 1; i < proof.length; i++) assert.ok(Buffer.compare(proof[i - 1]!, proof[i]!) < 0);
  });

  it('fails with ERR_PROOF_MISSING_NODE when a node or hashed value is missing', () => {
    const keys = [s('big')];
    const proof = trie.proof(keys);
    for (let i = 0; i < proof.length; i++) {
      const partial = proof.filter((_, j) => j !== i);
      assert.throws(() => verifyProof(trie.root(), partial, keys), hasCode(TRIE_ERROR_CODES.ERR_PROOF_MISSING_NODE));
    }
  });

  it('fails when any proof node is tampered with', () => {
    const keys = [s('big'), s('tiny')];
    const proof = trie.proof(keys);
    for (let i = 0; i < proof.length; i++) {
      const tampered = proof.map((node, j) => {
        if (j !== i) return node;
        const copy = node.slice();
        copy[copy.length - 1] ^= 1;
        return copy;
      });
      assert.throws(() => verifyProof(trie.root(), tampered, keys), (e: unknown) => e instanceof TrieError);
    }
  });

  it('fails against another root', () => {
    const keys = [s('tiny')];
    const other = trie.set(s('tiny'), s('changed'));
    assert.throws(() => verifyProof(other.root(), trie.proof(keys), keys), hasCode(TRIE_ERROR_CODES.ERR_PROOF_MISSING_NODE));
    assert.equal(hex(verifyProof(other.root(), other.proof(keys), keys).get(hex(s('tiny')))!), hex(s('changed')));
  });

  it('reports undecodable nodes as ERR_INVALID_NODE', () => {
    const garbage = new Uint8Array([0x01, 0x02]);
    assert.throws(() => verifyProof(blake2b256(garbage), [garbage], [s('k')]), hasCode(TRIE_ERROR_CODES.ERR_INVALID_NODE));
  });

  it('answers null for everything under the empty root without needing nodes', () => {
    assert.equal(verifyProof(EMPTY_TRIE_ROOT, [], [s('k')]).get(hex(s('k'))), null);
  });

  it('handles a one-leaf trie whose root encoding is shorter than 32 bytes', () => {
    const small = PersistentTrie.empty().set(s('a'), s('b'));
    const proof = small.proof([s('a')]);
    assert.equal(proof.length, 1);
    assert.ok(proof[0]!.length < 32);
    assert.equal(hex(verifyProof(small.root(), proof, [s('a')]).get(hex(s('a')))!), hex(s('b')));
  });

  it('rejects a root of the wrong length', () => {
    assert.throws(() => verifyProof(new Uint8Array(31), [], []), hasCode(TRIE_ERROR_CODES.ERR_INVALID_INPUT));
    assert.throws(() => verifyProof(EMPTY_TRIE_ROOT, ['0x00' as unknown as Uint8Array], []), hasCode(TRIE_ERROR_CODES.ERR_INVALID_INPUT));
    assert.throws(() => verifyProof(EMPTY_TRIE_ROOT, [], 'k' as unknown as Uint8Array[]), hasCode(TRIE_ERROR_CODES.ERR_INVALID_INPUT));
  });
});
