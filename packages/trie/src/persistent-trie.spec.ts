import assert from 'node:assert/strict';

import { hexToU8a, stringToU8a, u8aToHex } from '@polkadot/util';

import { TrieError } from './errors.js';
import { trieReady } from './hash.js';
import { PersistentTrie } from './persistent-trie.js';
import { randomBytes, rng } from './test-rng.js';
import { EMPTY_TRIE_ROOT, trieRoot } from './trie-root.js';

const hex = (bytes: Uint8Array): string => u8aToHex(bytes);
const s = (text: string): Uint8Array => stringToU8a(text);

/** Random keys from a small alphabet with shared prefixes, so branches, values on branches and splits occur. */
function randomKey(next: () => number): Uint8Array {
  const prefixes = [[], [0x26], [0x26, 0xaa], [0x26, 0xaa, 0x39], [0xf0]];
  const prefix = prefixes[Math.floor(next() * prefixes.length)]!;
  const tail = randomBytes(next, Math.floor(next() * 4));
  for (let i = 0; i < tail.length; i++) tail[i] = tail[i]! & 0x13; // few distinct nibbles → dense branching
  return new Uint8Array([...prefix, ...tail]);
}

function randomValue(next: () => number): Uint8Array {
  return randomBytes(next, next() < 0.3 ? 33 + Math.floor(next() * 40) : Math.floor(next() * 33));
}

describe('PersistentTrie', () => {
  before(async () => {
    await trieReady();
  });

  it('starts empty with the empty root', () => {
    const trie = PersistentTrie.empty();
    assert.equal(trie.size, 0);
    assert.equal(hex(trie.root()), hex(EMPTY_TRIE_ROOT));
    assert.equal(trie.get(s('x')), undefined);
    assert.deepEqual(trie.keys(), []);
    assert.deepEqual(trie.proof([s('x')]), []);
  });

  it('matches trieRoot after random sets and deletes (seeded property test)', () => {
    for (const seed of [1, 2, 3, 4]) {
      const next = rng(seed);
      const model = new Map<string, Uint8Array>();
      let trie = PersistentTrie.empty();
      for (let step = 0; step < 120; step++) {
        // Mix single operations and batches (with repeated keys inside one batch).
        const batch: Array<[Uint8Array, Uint8Array | null]> = [];
        const n = next() < 0.5 ? 1 : 1 + Math.floor(next() * 12);
        for (let i = 0; i < n; i++) {
          const existing = [...model.keys()];
          const key = existing.length > 0 && next() < 0.4 ? hexToU8a(existing[Math.floor(next() * existing.length)]!) : randomKey(next);
          batch.push([key, next() < 0.35 ? null : randomValue(next)]);
        }
        if (batch.length === 1) trie = batch[0]![1] === null ? trie.delete(batch[0]![0]) : trie.set(batch[0]![0], batch[0]![1]);
        else trie = trie.setMany(batch);
        for (const [key, value] of batch) {
          if (value === null) model.delete(hex(key));
          else model.set(hex(key), value);
        }
        assert.equal(trie.size, model.size, `size at seed ${seed} step ${step}`);
        const expected = trieRoot([...model].map(([k, v]) => [hexToU8a(k), v] as const));
        assert.equal(hex(trie.root()), hex(expected), `root at seed ${seed} step ${step}`);
      }
      for (const [k, v] of model) assert.equal(hex(trie.get(hexToU8a(k))!), hex(v));
      assert.deepEqual(trie.keys().map(hex), [...model.keys()].sort());
    }
  });

  it('keeps old snapshots unchanged after new sets and deletes', () => {
    const a = PersistentTrie.fromEntries([[s('alice'), s('1')], [s('bob'), s('2')]]);
    const rootA = hex(a.root());
    const b = a.set(s('alice'), s('100')).set(s('carol'), s('3'));
    const c = b.delete(s('bob'));
    assert.equal(hex(a.root()), rootA);
    assert.equal(hex(a.get(s('alice'))!), hex(s('1')));
    assert.equal(a.get(s('carol')), undefined);
    assert.equal(a.size, 2);
    assert.equal(hex(b.get(s('bob'))!), hex(s('2')));
    assert.equal(c.get(s('bob')), undefined);
    assert.deepEqual([a.size, b.size, c.size], [2, 3, 2]);
    assert.equal(hex(a.root()), hex(trieRoot([[s('alice'), s('1')], [s('bob'), s('2')]])));
  });

  it('is not affected by callers mutating their buffers', () => {
    const value = s('value');
    const trie = PersistentTrie.empty().set(s('k'), value);
    value[0] = 0;
    trie.get(s('k'))![0] = 0;
    assert.equal(hex(trie.get(s('k'))!), hex(s('value')));
    // Buffer#slice shares memory, so Buffers are the trap case for "copies".
    const buffer = Buffer.from('buffered');
    const withBuffer = trie.set(s('b'), buffer);
    buffer[0] = 0;
    assert.equal(hex(withBuffer.get(s('b'))!), hex(s('buffered')));
    const [, entryValue] = [...withBuffer.entries(s('b'))][0]!;
    entryValue[0] = 0;
    assert.equal(hex(withBuffer.get(s('b'))!), hex(s('buffered')));
  });

  it('returns the same instance for no-op changes', () => {
    const trie = PersistentTrie.fromEntries([[s('abc'), s('1')], [s('abd'), s('2')]]);
    assert.equal(trie.delete(s('zzz')), trie);
    assert.equal(trie.delete(s('ab')), trie);
    assert.equal(trie.set(s('abc'), s('1')), trie);
    assert.equal(trie.setMany([]), trie);
  });

  it('lists keys in lexicographic order with prefix, startAfter and limit paging', () => {
    const keys = ['', '00', '0001', '01', '0102', '02', '1000', '10', 'ff', 'ff00ff'].map((k) => hexToU8a('0x' + k));
    const trie = PersistentTrie.fromEntries(keys.map((k) => [k, s('v')]));
    const all = keys.map(hex).sort();
    assert.deepEqual(trie.keys().map(hex), all);
    assert.deepEqual(trie.keys(hexToU8a('0x01')).map(hex), ['0x01', '0x0102']);
    assert.deepEqual(trie.keys(hexToU8a('0x10')).map(hex), ['0x10', '0x1000']);
    assert.deepEqual(trie.keys(hexToU8a('0x03')).map(hex), []);
    // Paging like state_getKeysPaged: each page starts after the last key of the previous one.
    const pages: string[] = [];
    let after: Uint8Array | undefined;
    for (;;) {
      const page = trie.keys(new Uint8Array(), { startAfter: after, limit: 3 });
      pages.push(...page.map(hex));
      if (page.length < 3) break;
      after = page[page.length - 1];
    }
    assert.deepEqual(pages, all);
    // startAfter need not be a key, and may sort before or after the prefix.
    assert.deepEqual(trie.keys(new Uint8Array(), { startAfter: hexToU8a('0x0002') }).map(hex), all.filter((k) => k > '0x0002'));
    assert.deepEqual(trie.keys(hexToU8a('0x01'), { startAfter: hexToU8a('0x00') }).map(hex), ['0x01', '0x0102']);
    assert.deepEqual(trie.keys(hexToU8a('0x01'), { startAfter: hexToU8a('0x01') }).map(hex), ['0x0102']);
    assert.deepEqual(trie.keys(hexToU8a('0x01'), { startAfter: hexToU8a('0x02') }).map(hex), []);
    assert.deepEqual(trie.keys(new Uint8Array(), { limit: 0 }), []);
    assert.throws(() => trie.keys(new Uint8Array(), { limit: -1 }), TrieError);
  });

  it('pages random key sets exactly like a sorted list', () => {
    const next = rng(99);
    const entries = Array.from({ length: 300 }, () => [randomKey(next), s('v')] as [Uint8Array, Uint8Array]);
    const trie = PersistentTrie.fromEntries(entries);
    const sorted = [...new Set(entries.map(([k]) => hex(k)))].sort();
    for (let i = 0; i < 40; i++) {
      const startAfter = randomKey(next);
      const prefix = next() < 0.5 ? new Uint8Array() : randomKey(next).subarray(0, 1);
      const expected = sorted.filter((k) => k > hex(startAfter) && k.startsWith(hex(prefix))).slice(0, 7);
      assert.deepEqual(trie.keys(prefix, { startAfter, limit: 7 }).map(hex), expected);
    }
  });

  it('iterates entries under a prefix', () => {
    const trie = PersistentTrie.fromEntries([[s('a1'), s('x')], [s('a2'), s('y')], [s('b1'), s('z')]]);
    assert.deepEqual([...trie.entries(s('a'))].map(([k, v]) => [hex(k), hex(v)]), [[hex(s('a1')), hex(s('x'))], [hex(s('a2')), hex(s('y'))]]);
    assert.equal([...trie.entries()].length, 3);
  });

  it('supports state version 0', () => {
    const entries: Array<[Uint8Array, Uint8Array]> = [[s('k1'), new Uint8Array(50)], [s('k2'), s('short')]];
    const trie = PersistentTrie.fromEntries(entries, 0);
    assert.equal(trie.stateVersion, 0);
    assert.equal(hex(trie.root()), hex(trieRoot(entries, 0)));
    assert.notEqual(hex(trie.root()), hex(trieRoot(entries, 1)));
  });

  it('rejects bad input with ERR_INVALID_INPUT', () => {
    const isInvalid = (e: unknown): boolean => e instanceof TrieError && e.code === 'ERR_INVALID_INPUT';
    assert.throws(() => PersistentTrie.empty().set('k' as unknown as Uint8Array, s('v')), isInvalid);
    assert.throws(() => PersistentTrie.empty().set(s('k'), undefined as unknown as Uint8Array), isInvalid);
    assert.throws(() => PersistentTrie.empty(3 as 1), isInvalid);
    assert.throws(() => PersistentTrie.empty().setMany(42 as unknown as []), isInvalid);
    assert.throws(() => PersistentTrie.empty().setMany([[s('k')]] as unknown as []), isInvalid);
    assert.throws(() => PersistentTrie.empty().proof([s('k'), 'x' as unknown as Uint8Array]), isInvalid);
    assert.throws(() => PersistentTrie.fromEntries(null as unknown as []), isInvalid);
  });
});
