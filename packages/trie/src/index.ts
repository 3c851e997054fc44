export { decodeNode, VALUE_HASH_THRESHOLD } from './codec.js';
export type { DecodedNode, DecodedValue, StateVersion } from './codec.js';
export { TRIE_ERROR_CODES, TrieError } from './errors.js';
export type { TrieErrorCode } from './errors.js';
export { blake2b256, trieReady } from './hash.js';
export { PersistentTrie } from './persistent-trie.js';
export type { KeysOptions } from './persistent-trie.js';
export { EMPTY_TRIE_ROOT, extrinsicsRootStateVersion, orderedTrieRoot, trieRoot } from './trie-root.js';
export { verifyProof } from './verify-proof.js';
