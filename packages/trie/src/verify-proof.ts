// Read-proof verification, independent of PersistentTrie: it only sees the proof's node encodings, puts
// them in a database keyed by their blake2-256 hash, and walks from the root decoding nodes with the
// shared codec (`sp_trie::read_proof_check` in spirit).

import { u8aToHex } from '@polkadot/util';

import { decodeNode, type DecodedValue } from './codec.js';
import { TRIE_ERROR_CODES, TrieError } from './errors.js';
import { HASH_LENGTH, blake2b256 } from './hash.js';
import { bytesEqual, copyBytes, nibbleAt } from './nibbles.js';
import { EMPTY_TRIE_ROOT } from './trie-root.js';
import { assertByteArray, assertBytes } from './validate.js';

type ProofDb = Map<string, Uint8Array>;

function fetch(db: ProofDb, hash: Uint8Array, what: string): Uint8Array {
  const hex = u8aToHex(hash);
  const found = db.get(hex);
  if (found === undefined) {
    throw new TrieError(TRIE_ERROR_CODES.ERR_PROOF_MISSING_NODE, `proof lacks the ${what} with hash ${hex}`);
  }
  return found;
}

function readValue(db: ProofDb, value: DecodedValue): Uint8Array {
  return copyBytes(value.hashed ? fetch(db, value.hash, 'hashed value') : value.data);
}

function lookup(db: ProofDb, root: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (bytesEqual(root, EMPTY_TRIE_ROOT)) return null;
  const total = key.length * 2;
  let encoded = fetch(db, root, 'root node');
  let pos = 0;
  for (;;) {
    const node = decodeNode(encoded);
    if (node.type === 'empty') {
      throw new TrieError(TRIE_ERROR_CODES.ERR_INVALID_NODE, 'invalid trie node: empty node below a non-empty root');
    }
    const partial = node.partial;
    if (pos + partial.length > total) return null;
    for (let k = 0; k < partial.length; k++) if (nibbleAt(key, pos + k) !== partial[k]) return null;
    pos += partial.length;
    if (node.type === 'leaf') return pos === total ? readValue(db, node.value) : null;
    if (pos === total) return node.value === undefined ? null : readValue(db, node.value);
    const ref = node.children[nibbleAt(key, pos)];
    if (ref === undefined) return null;
    pos++;
    encoded = ref.length === HASH_LENGTH ? fetch(db, ref, 'node') : ref;
  }
}

/**
 * Checks a read proof (`state_getReadProof().proof`) against a state root and returns, per requested key
 * (as 0x-hex), its proven value or `null` when the proof shows it absent. Throws `TrieError` with
 * `ERR_PROOF_MISSING_NODE` when the proof does not reach far enough (including any tampered node, whose
 * hash no longer matches its parent's reference) and `ERR_INVALID_NODE` on undecodable nodes.
 */
export function verifyProof(
  root: Uint8Array,
  proof: readonly Uint8Array[],
  keys: readonly Uint8Array[],
): Map<string, Uint8Array | null> {
  assertBytes(root, 'root');
  if (root.length !== HASH_LENGTH) {
    throw new TrieError(TRIE_ERROR_CODES.ERR_INVALID_INPUT, `root must be ${HASH_LENGTH} bytes, got ${root.length}`);
  }
  assertByteArray(proof, 'proof');
  assertByteArray(keys, 'keys');
  const db: ProofDb = new Map();
  for (const node of proof) db.set(u8aToHex(blake2b256(node)), node);
  const out = new Map<string, Uint8Array | null>();
  for (const key of keys) {
    out.set(u8aToHex(key), lookup(db, root, key));
  }
  return out;
}
