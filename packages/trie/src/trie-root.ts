// One-shot root computation from a complete key→value set (the role of the `trie-root` crate): sort the
// keys, then encode every node bottom-up straight from sorted ranges without building a tree. It is a
// separate algorithm from PersistentTrie's incremental updates, which is what lets the specs cross-check them.

import { encodeCompact } from '@sealbridge/chain-types';

import { EMPTY_NODE, assertStateVersion, encodeNodeReference, type StateVersion } from './codec.js';
import { TRIE_ERROR_CODES, TrieError } from './errors.js';
import { HASH_LENGTH, blake2b256 } from './hash.js';
import { bytesToNibbles, copyBytes, sortKey } from './nibbles.js';
import { assertByteArray, assertBytes, pairs } from './validate.js';

/** blake2-256 of the empty node `0x00`: the root of a trie without entries. */
export const EMPTY_TRIE_ROOT: Uint8Array = blake2b256(EMPTY_NODE);

interface Item {
  order: string;
  nibbles: Uint8Array;
  value: Uint8Array;
}

/** Reference (hash or inline encoding) of the subtrie holding the sorted, distinct `items[lo, hi)` whose first `depth` nibbles are shared. */
function referenceRange(items: Item[], lo: number, hi: number, depth: number, version: StateVersion): Uint8Array {
  const first = items[lo]!.nibbles;
  if (hi - lo === 1) return encodeNodeReference(first.subarray(depth), items[lo]!.value, undefined, version);

  // Sorted, so the common prefix of the first and last key is common to all of them.
  const last = items[hi - 1]!.nibbles;
  let pos = depth;
  while (pos < first.length && pos < last.length && first[pos] === last[pos]) pos++;

  let value: Uint8Array | undefined;
  let i = lo;
  if (first.length === pos) value = items[i++]!.value; // a key ending here sorts first and is the branch value

  const children = new Array<Uint8Array | undefined>(16).fill(undefined);
  while (i < hi) {
    const nibble = items[i]!.nibbles[pos]!;
    let j = i + 1;
    while (j < hi && items[j]!.nibbles[pos] === nibble) j++;
    children[nibble] = referenceRange(items, i, j, pos + 1, version);
    i = j;
  }
  return encodeNodeReference(first.subarray(depth, pos), value, children, version);
}

/**
 * State root of a key→value set (`sp_trie::LayoutV1::trie_root` for version 1, `LayoutV0` for 0).
 * Later duplicates of a key override earlier ones.
 */
export function trieRoot(entries: Iterable<readonly [Uint8Array, Uint8Array]>, stateVersion: StateVersion = 1): Uint8Array {
  assertStateVersion(stateVersion);
  const items: Item[] = [];
  for (const [key, value] of pairs(entries, 'entries')) {
    assertBytes(key, 'key');
    assertBytes(value, 'value');
    items.push({ order: sortKey(key), nibbles: bytesToNibbles(key), value });
  }
  if (items.length === 0) return copyBytes(EMPTY_TRIE_ROOT);
  items.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0)); // stable: equal keys keep input order
  const distinct: Item[] = [];
  for (const item of items) {
    if (distinct.length > 0 && distinct[distinct.length - 1]!.order === item.order) distinct[distinct.length - 1] = item;
    else distinct.push(item);
  }
  const ref = referenceRange(distinct, 0, distinct.length, 0, stateVersion);
  return ref.length === HASH_LENGTH ? ref : blake2b256(ref); // the root is hashed even when short
}

/**
 * Root of the trie mapping SCALE `Compact<u32>(index)` to `values[index]`
 * (`sp_runtime::traits::Hash::ordered_trie_root(values, state_version)`), as used for the extrinsics root.
 * NOTE: the layout to pass for a header's extrinsics root is `extrinsicsRootStateVersion(systemVersion)`,
 * which is 0 for the common `systemVersion: 1` runtimes.
 */
export function orderedTrieRoot(values: readonly Uint8Array[], stateVersion: StateVersion = 1): Uint8Array {
  assertByteArray(values, 'values');
  return trieRoot(
    values.map((value, index) => [encodeCompact(index), value] as const),
    stateVersion,
  );
}

/**
 * Trie layout of the extrinsics root for a runtime's `RuntimeVersion.system_version` (formerly
 * `state_version`): sp-version `extrinsics_root_state_version()` returns V0 for system versions 0 and 1 and
 * V1 from 2 on, independently of the layout used for storage (`state_version()`: 0 → V0, otherwise V1).
 */
export function extrinsicsRootStateVersion(systemVersion: number): StateVersion {
  if (!Number.isInteger(systemVersion) || systemVersion < 0 || systemVersion > 255) {
    throw new TrieError(TRIE_ERROR_CODES.ERR_INVALID_INPUT, `system version must be a u8, got ${String(systemVersion)}`);
  }
  return systemVersion <= 1 ? 0 : 1;
}
