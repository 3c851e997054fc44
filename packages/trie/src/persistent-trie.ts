// Immutable (persistent) Substrate trie: every update returns a new PersistentTrie that shares all
// untouched nodes with the old one, so keeping one snapshot per block costs O(changed keys · depth).
// Each node memoises its reference (hash or inline encoding); a new root therefore rehashes only the
// nodes on the paths of changed keys.

import { assertStateVersion, encodeNode, encodeNodeReference, isHashedValue, type StateVersion } from './codec.js';
import { TRIE_ERROR_CODES, TrieError } from './errors.js';
import { HASH_LENGTH, blake2b256 } from './hash.js';
import { bytesEqual, bytesToNibbles, concatNibbles, copyBytes, nibbleAt, nibblesToBytes, sortKey } from './nibbles.js';
import { EMPTY_TRIE_ROOT } from './trie-root.js';
import { assertByteArray, assertBytes, pairs } from './validate.js';

/** A leaf has `children === undefined`; a branch has 16 slots and either a value or >= 2 children. */
class TrieNode {
  /** Memoised reference; valid because a node only ever lives in tries of one state version. */
  ref: Uint8Array | undefined = undefined;

  constructor(
    readonly partial: Uint8Array,
    readonly value: Uint8Array | undefined,
    readonly children: ReadonlyArray<TrieNode | undefined> | undefined,
    readonly size: number,
  ) {}
}

interface Change {
  key: Uint8Array;
  nibbles: Uint8Array;
  value: Uint8Array | null;
}

export interface KeysOptions {
  /** Only keys strictly greater than this one (state_getKeysPaged `startKey`). */
  startAfter?: Uint8Array;
  /** Maximum number of keys returned. */
  limit?: number;
}

function withPartial(node: TrieNode, partial: Uint8Array): TrieNode {
  return new TrieNode(partial, node.value, node.children, node.size);
}

/** Canonical node for the given content: drops empty branches, turns childless ones into leaves, merges single-child branches. */
function normalize(partial: Uint8Array, value: Uint8Array | undefined, children: ReadonlyArray<TrieNode | undefined> | undefined): TrieNode | undefined {
  let count = 0;
  let only = -1;
  let size = value === undefined ? 0 : 1;
  if (children !== undefined) {
    for (let i = 0; i < 16; i++) {
      const child = children[i];
      if (child === undefined) continue;
      count++;
      only = i;
      size += child.size;
    }
  }
  if (count === 0) return value === undefined ? undefined : new TrieNode(partial, value, undefined, 1);
  if (count === 1 && value === undefined) {
    const child = children![only]!;
    return withPartial(child, concatNibbles(partial, only, child.partial));
  }
  return new TrieNode(partial, value, children, size);
}

function matchLength(key: Uint8Array, depth: number, partial: Uint8Array): number {
  const max = Math.min(partial.length, key.length - depth);
  let m = 0;
  while (m < max && key[depth + m] === partial[m]) m++;
  return m;
}

/** Builds the subtrie of sorted, distinct inserts `items[lo, hi)` sharing their first `depth` nibbles. */
function build(items: Change[], lo: number, hi: number, depth: number): TrieNode {
  const first = items[lo]!.nibbles;
  if (hi - lo === 1) return new TrieNode(first.subarray(depth), items[lo]!.value!, undefined, 1);
  const last = items[hi - 1]!.nibbles;
  let pos = depth;
  while (pos < first.length && pos < last.length && first[pos] === last[pos]) pos++;
  let value: Uint8Array | undefined;
  let i = lo;
  if (first.length === pos) value = items[i++]!.value!;
  const children = new Array<TrieNode | undefined>(16).fill(undefined);
  let size = value === undefined ? 0 : 1;
  while (i < hi) {
    const nibble = items[i]!.nibbles[pos]!;
    let j = i + 1;
    while (j < hi && items[j]!.nibbles[pos] === nibble) j++;
    const child = build(items, i, j, pos + 1);
    children[nibble] = child;
    size += child.size;
    i = j;
  }
  return new TrieNode(first.subarray(depth, pos), value, children, size);
}

/**
 * Applies the sorted, distinct changes `ch[lo, hi)` (all sharing the first `depth` nibbles) to the subtrie
 * `node` positioned at `depth`. Returns `node` itself when nothing changed, so callers keep memoised hashes.
 */
function apply(node: TrieNode | undefined, depth: number, ch: Change[], lo: number, hi: number): TrieNode | undefined {
  if (node === undefined) {
    const inserts = ch.slice(lo, hi).filter((c) => c.value !== null); // deleting absent keys is a no-op
    return inserts.length === 0 ? undefined : build(inserts, 0, inserts.length, depth);
  }
  const partial = node.partial;
  // Changes running through the whole partial key form one contiguous run [a, b) of the sorted range; the
  // others diverge inside it: deletes among them are no-ops, inserts force a split at the earliest divergence.
  let a = -1;
  let b = -1;
  let split = partial.length;
  for (let i = lo; i < hi; i++) {
    const m = matchLength(ch[i]!.nibbles, depth, partial);
    if (m === partial.length) {
      if (a < 0) a = i;
      b = i + 1;
    } else if (ch[i]!.value !== null && m < split) {
      split = m;
    }
  }
  if (split < partial.length) {
    const children = new Array<TrieNode | undefined>(16).fill(undefined);
    children[partial[split]!] = withPartial(node, partial.subarray(split + 1));
    return apply(new TrieNode(partial.subarray(0, split), undefined, children, node.size), depth, ch, lo, hi);
  }
  return a < 0 ? node : applyThrough(node, depth, ch, a, b);
}

/** `apply` for changes that all contain the node's full partial key. */
function applyThrough(node: TrieNode, depth: number, ch: Change[], lo: number, hi: number): TrieNode | undefined {
  const pos = depth + node.partial.length;
  let value = node.value;
  let i = lo;
  if (ch[i]!.nibbles.length === pos) {
    const next = ch[i++]!.value;
    if (next === null) value = undefined;
    else if (value === undefined || !bytesEqual(value, next)) value = next;
  }
  let children: Array<TrieNode | undefined> | undefined;
  while (i < hi) {
    const nibble = ch[i]!.nibbles[pos]!;
    let j = i + 1;
    while (j < hi && ch[j]!.nibbles[pos] === nibble) j++;
    const old = (children ?? node.children)?.[nibble];
    const next = apply(old, pos + 1, ch, i, j);
    if (next !== old) {
      children ??= node.children === undefined ? new Array<TrieNode | undefined>(16).fill(undefined) : node.children.slice();
      children[nibble] = next;
    }
    i = j;
  }
  if (children === undefined && value === node.value) return node;
  return normalize(node.partial, value, children ?? node.children);
}

function childRefs(node: TrieNode, version: StateVersion): Array<Uint8Array | undefined> | undefined {
  if (node.children === undefined) return undefined;
  const refs = new Array<Uint8Array | undefined>(16);
  for (let i = 0; i < 16; i++) {
    const child = node.children[i];
    refs[i] = child === undefined ? undefined : reference(child, version);
  }
  return refs;
}

function encode(node: TrieNode, version: StateVersion): Uint8Array {
  return encodeNode(node.partial, node.value, childRefs(node, version), version);
}

function reference(node: TrieNode, version: StateVersion): Uint8Array {
  if (node.ref === undefined) {
    const refs = childRefs(node, version); // before encoding: the children's encodings share the scratch buffer
    node.ref = encodeNodeReference(node.partial, node.value, refs, version);
  }
  return node.ref;
}

function* walk(
  node: TrieNode,
  path: number[],
  prefix: Uint8Array,
  after: Uint8Array | undefined,
  tight: boolean,
): Generator<[Uint8Array, Uint8Array]> {
  const start = path.length;
  for (const nibble of node.partial) path.push(nibble);
  try {
    for (let k = start; k < path.length && k < prefix.length; k++) if (path[k] !== prefix[k]) return;
    // `tight`: the path so far equals `after`'s beginning, so only keys past `after` may be emitted.
    if (tight) {
      for (let k = start; k < path.length && k < after!.length; k++) {
        if (path[k]! < after![k]!) return;
        if (path[k]! > after![k]!) {
          tight = false;
          break;
        }
      }
      if (tight && after!.length < path.length) tight = false;
    }
    // A value here has key == path; while tight that key is <= after, so it is skipped.
    if (node.value !== undefined && !tight && path.length >= prefix.length) {
      yield [nibblesToBytes(path), node.value];
    }
    if (node.children === undefined) return;
    for (let i = 0; i < 16; i++) {
      const child = node.children[i];
      if (child === undefined) continue;
      if (path.length < prefix.length && i !== prefix[path.length]) continue;
      let childTight = false;
      if (tight && path.length < after!.length) {
        if (i < after![path.length]!) continue;
        childTight = i === after![path.length];
      }
      path.push(i);
      yield* walk(child, path, prefix, after, childTight);
      path.pop();
    }
  } finally {
    path.length = start;
  }
}

function toChanges(changes: Iterable<readonly [Uint8Array, Uint8Array | null]>): Change[] {
  const list: Array<{ order: string; key: Uint8Array; value: Uint8Array | null }> = [];
  for (const [key, value] of pairs(changes, 'changes')) {
    assertBytes(key, 'key');
    if (value !== null) assertBytes(value, 'value (or null)');
    // Copy: callers may reuse their buffers, snapshots must not change under them.
    list.push({ order: sortKey(key), key, value: value === null ? null : copyBytes(value) });
  }
  list.sort((x, y) => (x.order < y.order ? -1 : x.order > y.order ? 1 : 0)); // stable: the last write of a key is last
  const out: Change[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    if (i + 1 < list.length && list[i + 1]!.order === item.order) continue;
    out.push({ key: item.key, nibbles: bytesToNibbles(item.key), value: item.value });
  }
  return out;
}

/** Immutable Substrate base-16 trie (blake2-256, state version 1 unless chosen otherwise). */
export class PersistentTrie {
  readonly #root: TrieNode | undefined;
  readonly #version: StateVersion;
  #rootHash: Uint8Array | undefined;

  private constructor(root: TrieNode | undefined, version: StateVersion) {
    this.#root = root;
    this.#version = version;
  }

  static empty(stateVersion: StateVersion = 1): PersistentTrie {
    assertStateVersion(stateVersion);
    return new PersistentTrie(undefined, stateVersion);
  }

  static fromEntries(entries: Iterable<readonly [Uint8Array, Uint8Array]>, stateVersion: StateVersion = 1): PersistentTrie {
    return PersistentTrie.empty(stateVersion).setMany(entries);
  }

  get size(): number {
    return this.#root?.size ?? 0;
  }

  get stateVersion(): StateVersion {
    return this.#version;
  }

  /** The value stored under `key` (a copy), or undefined. */
  get(key: Uint8Array): Uint8Array | undefined {
    assertBytes(key, 'key');
    const total = key.length * 2;
    let node = this.#root;
    let pos = 0;
    while (node !== undefined) {
      const partial = node.partial;
      if (pos + partial.length > total) return undefined;
      for (let k = 0; k < partial.length; k++) if (nibbleAt(key, pos + k) !== partial[k]) return undefined;
      pos += partial.length;
      if (pos === total) return node.value === undefined ? undefined : copyBytes(node.value);
      if (node.children === undefined) return undefined;
      node = node.children[nibbleAt(key, pos)];
      pos++;
    }
    return undefined;
  }

  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined;
  }

  set(key: Uint8Array, value: Uint8Array): PersistentTrie {
    assertBytes(value, 'value');
    return this.setMany([[key, value]]);
  }

  delete(key: Uint8Array): PersistentTrie {
    return this.setMany([[key, null]]);
  }

  /** Applies a batch (`null` deletes); a later change of the same key wins. Unchanged → returns `this`. */
  setMany(changes: Iterable<readonly [Uint8Array, Uint8Array | null]>): PersistentTrie {
    const list = toChanges(changes);
    if (list.length === 0) return this;
    const root = apply(this.#root, 0, list, 0, list.length);
    return root === this.#root ? this : new PersistentTrie(root, this.#version);
  }

  /** The state root (blake2-256 of the root node; the empty root when there are no entries). */
  root(): Uint8Array {
    if (this.#root === undefined) return copyBytes(EMPTY_TRIE_ROOT);
    if (this.#rootHash === undefined) {
      const ref = reference(this.#root, this.#version);
      // The root is always addressed by hash, even when its encoding would be short enough to inline.
      this.#rootHash = ref.length === HASH_LENGTH ? ref : blake2b256(ref);
    }
    return copyBytes(this.#rootHash);
  }

  /** Keys starting with `prefix`, in lexicographic order, strictly after `startAfter`, at most `limit`. */
  keys(prefix: Uint8Array = new Uint8Array(), options: KeysOptions = {}): Uint8Array[] {
    const { startAfter, limit = Infinity } = options;
    if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) {
      throw new TrieError(TRIE_ERROR_CODES.ERR_INVALID_INPUT, `limit must be a non-negative integer, got ${String(limit)}`);
    }
    const out: Uint8Array[] = [];
    if (limit === 0) return out;
    for (const [key] of this.#iterate(prefix, startAfter)) {
      out.push(key);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Entries whose key starts with `prefix`, in lexicographic key order (values are copies). */
  *entries(prefix: Uint8Array = new Uint8Array()): Generator<[Uint8Array, Uint8Array]> {
    for (const [key, value] of this.#iterate(prefix, undefined)) yield [key, copyBytes(value)];
  }

  #iterate(prefix: Uint8Array, startAfter: Uint8Array | undefined): Generator<[Uint8Array, Uint8Array]> | [] {
    assertBytes(prefix, 'prefix');
    if (startAfter !== undefined) assertBytes(startAfter, 'startAfter');
    if (this.#root === undefined) return [];
    const after = startAfter === undefined ? undefined : bytesToNibbles(startAfter);
    return walk(this.#root, [], bytesToNibbles(prefix), after, after !== undefined);
  }

  /**
   * Read proof for `keys` in `StorageProof` form: the distinct encoded nodes (and, in state version 1,
   * hashed values of the keys read) that a lookup of each key touches, sorted bytewise like Substrate's
   * `BTreeSet`. Inline nodes travel inside their parents. Works for present and absent keys.
   */
  proof(keys: readonly Uint8Array[]): Uint8Array[] {
    const root = this.#root;
    const version = this.#version;
    const nodes = new Set<TrieNode>();
    const values = new Set<Uint8Array>();
    assertByteArray(keys, 'keys');
    for (const key of keys) {
      if (root === undefined) continue;
      nodes.add(root);
      const total = key.length * 2;
      let node = root;
      let pos = 0;
      for (;;) {
        const partial = node.partial;
        if (pos + partial.length > total) break;
        let k = 0;
        while (k < partial.length && nibbleAt(key, pos + k) === partial[k]) k++;
        if (k < partial.length) break;
        pos += partial.length;
        if (pos === total) {
          if (node.value !== undefined && isHashedValue(node.value, version)) values.add(node.value);
          break;
        }
        const child = node.children?.[nibbleAt(key, pos)];
        if (child === undefined) break;
        if (reference(child, version).length === HASH_LENGTH) nodes.add(child);
        node = child;
        pos++;
      }
    }
    const out = [...nodes].map((node) => encode(node, version));
    for (const value of values) out.push(copyBytes(value));
    out.sort((x, y) => Buffer.compare(x, y));
    return out.filter((item, i) => i === 0 || !bytesEqual(item, out[i - 1]!));
  }
}
