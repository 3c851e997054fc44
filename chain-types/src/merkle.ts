import { blake2AsU8a, keccakAsU8a } from '@polkadot/util-crypto';

const HASH_BYTES = 32;

/** Lexicographic byte order, as Rust's `<` on `H256`. */
function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < HASH_BYTES; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]!;
  }
  return false;
}

/**
 * `binary_merkle_tree::merkle_root::<Keccak256>` (substrate utils/binary-merkle-tree): every leaf is hashed with
 * Keccak-256, pairs are combined as keccak(min ‖ max), an odd last node is promoted unchanged, and no leaves give
 * 32 zero bytes. This is `trusted_calls_merkle_root` of `confirm_processed_parentchain_block` (docs/integritee-protocol.md §5.4).
 */
export function trustedCallsMerkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(HASH_BYTES);
  let row = leaves.map((leaf) => keccakAsU8a(leaf, 256));
  const pair = new Uint8Array(2 * HASH_BYTES);
  while (row.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < row.length; i += 2) {
      const [a, b] = [row[i]!, row[i + 1]!];
      const [lo, hi] = lessThan(a, b) ? [a, b] : [b, a];
      pair.set(lo, 0);
      pair.set(hi, HASH_BYTES);
      next.push(keccakAsU8a(pair, 256));
    }
    if (row.length % 2 === 1) next.push(row[row.length - 1]!);
    row = next;
  }
  return row[0]!;
}

/** Merkle leaf of one dispatched indirect call: blake2_256(SCALE(IndirectCall)). */
export function indirectCallLeaf(encodedIndirectCall: Uint8Array): Uint8Array {
  return blake2AsU8a(encodedIndirectCall, 256);
}
