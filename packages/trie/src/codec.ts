// Substrate trie node codec (sp-trie `NodeCodec`, no-extension layout), shared by root computation,
// proof generation and proof verification so that they cannot disagree.
//
// Node = header (kind bits + partial-key nibble count) · partial key · [bitmap u16 LE] · [value] · [children].
// Header kinds: 0x00 empty, 0b01 leaf, 0b10 branch without value, 0b11 branch with value (6 count bits),
// 0b001 leaf with hashed value (5 bits), 0b0001 branch with hashed value (4 bits). Counts that do not fit the
// low bits saturate them and continue in following bytes (255 = "add 255 and continue").
// Values are SCALE `Compact<u32>`-length-prefixed, or — in state version 1, for values of >= 33 bytes —
// replaced by their 32-byte blake2-256 hash with no prefix. Children are length-prefixed: a 32-byte hash, or
// the child's own encoding when that is shorter than 32 bytes ("inline" node).

import { ScaleDecodeError, ScaleReader, compactSize, writeCompactAt } from '@sealbridge/chain-types';

import { TRIE_ERROR_CODES, TrieError } from './errors.js';
import { HASH_LENGTH, blake2b256 } from './hash.js';

export type StateVersion = 0 | 1;

/** The encoding of the empty trie; the empty root is its hash. */
export const EMPTY_NODE = new Uint8Array([0]);

/** sp-core `TRIE_VALUE_NODE_THRESHOLD`: in state version 1, values at least this long are stored hashed. */
export const VALUE_HASH_THRESHOLD = 33;

/** sp-trie `NIBBLE_SIZE_BOUND`: headers cannot express longer partial keys. */
const NIBBLE_SIZE_BOUND = 65_535;

const LEAF = 0b0100_0000;
const BRANCH_NO_VALUE = 0b1000_0000;
const BRANCH_WITH_VALUE = 0b1100_0000;
const HASHED_VALUE_LEAF = 0b0010_0000;
const HASHED_VALUE_BRANCH = 0b0001_0000;

export function assertStateVersion(version: unknown): asserts version is StateVersion {
  if (version !== 0 && version !== 1) {
    throw new TrieError(TRIE_ERROR_CODES.ERR_INVALID_INPUT, `state version must be 0 or 1, got ${String(version)}`);
  }
}

export function isHashedValue(value: Uint8Array, version: StateVersion): boolean {
  return version === 1 && value.length >= VALUE_HASH_THRESHOLD;
}

// ---------------------------------------------------------------------------------------------- encoding

/** Bytes taken by a header whose prefix leaves `8 - prefixBits` bits for the nibble count. */
function headerLength(prefixBits: number, nibbleCount: number): number {
  if (nibbleCount > NIBBLE_SIZE_BOUND) {
    throw new TrieError(TRIE_ERROR_CODES.ERR_INVALID_INPUT, `partial key of ${nibbleCount} nibbles exceeds ${NIBBLE_SIZE_BOUND}`);
  }
  const max = 0xff >> prefixBits;
  return nibbleCount < max ? 1 : 1 + Math.floor((nibbleCount - max) / 255) + 1;
}

/** sp-trie `size_and_prefix_iterator`: saturate the low bits, then 255s while more remains, then the rest. */
function writeHeader(out: Uint8Array, prefix: number, prefixBits: number, nibbleCount: number): number {
  const max = 0xff >> prefixBits;
  if (nibbleCount < max) {
    out[0] = prefix | nibbleCount;
    return 1;
  }
  out[0] = prefix | max;
  let at = 1;
  let rest = nibbleCount - (max - 1);
  while (rest >= 256) {
    out[at++] = 255;
    rest -= 255;
  }
  out[at++] = rest - 1;
  return at;
}

function writePartial(out: Uint8Array, at: number, partial: Uint8Array): number {
  let i = 0;
  if (partial.length % 2 === 1) {
    out[at++] = partial[0]!; // odd count: the first nibble sits alone, left-padded with zero
    i = 1;
  }
  for (; i < partial.length; i += 2) out[at++] = (partial[i]! << 4) | partial[i + 1]!;
  return at;
}

/**
 * Encodes a leaf (`childRefs` undefined) or a branch. `partial` is a nibble array; `childRefs[i]` is the
 * reference of child `i` — a 32-byte hash or an inline encoding shorter than 32 bytes.
 */
export function encodeNode(
  partial: Uint8Array,
  value: Uint8Array | undefined,
  childRefs: ReadonlyArray<Uint8Array | undefined> | undefined,
  version: StateVersion,
): Uint8Array {
  return writeNode((size) => new Uint8Array(size), partial, value, childRefs, version);
}

// Encodings that are only hashed go through one reused buffer: most node encodings exceed V8's 64-byte
// on-heap limit, and allocating (then collecting) an off-heap backing store per node dominated root().
let scratch = new Uint8Array(4096);

function scratchOf(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2));
  return scratch.subarray(0, size);
}

/**
 * How a parent refers to the node: the blake2-256 of its encoding when that is 32 bytes or longer, else the
 * encoding itself ("inline"). Does not allocate the encoding when it ends up hashed.
 */
export function encodeNodeReference(
  partial: Uint8Array,
  value: Uint8Array | undefined,
  childRefs: ReadonlyArray<Uint8Array | undefined> | undefined,
  version: StateVersion,
): Uint8Array {
  const encoded = writeNode(scratchOf, partial, value, childRefs, version);
  return encoded.length >= HASH_LENGTH ? blake2b256(encoded) : encoded.slice();
}

function writeNode(
  allocate: (size: number) => Uint8Array,
  partial: Uint8Array,
  value: Uint8Array | undefined,
  childRefs: ReadonlyArray<Uint8Array | undefined> | undefined,
  version: StateVersion,
): Uint8Array {
  const hashed = value !== undefined && isHashedValue(value, version);
  const storedValue = hashed ? blake2b256(value) : value;
  let prefix: number;
  let prefixBits = 2;
  if (childRefs === undefined) {
    if (value === undefined) throw new TrieError(TRIE_ERROR_CODES.ERR_INVALID_INPUT, 'a leaf needs a value');
    prefix = hashed ? HASHED_VALUE_LEAF : LEAF;
    if (hashed) prefixBits = 3;
  } else if (value === undefined) {
    prefix = BRANCH_NO_VALUE;
  } else {
    prefix = hashed ? HASHED_VALUE_BRANCH : BRANCH_WITH_VALUE;
    if (hashed) prefixBits = 4;
  }

  let size = headerLength(prefixBits, partial.length) + ((partial.length + 1) >> 1);
  if (childRefs !== undefined) size += 2;
  if (storedValue !== undefined) size += storedValue.length + (hashed ? 0 : compactSize(storedValue.length));
  if (childRefs !== undefined) {
    for (let i = 0; i < 16; i++) {
      const ref = childRefs[i];
      if (ref !== undefined) size += compactSize(ref.length) + ref.length;
    }
  }

  const out = allocate(size);
  let at = writePartial(out, writeHeader(out, prefix, prefixBits, partial.length), partial);
  let bitmapAt = -1;
  if (childRefs !== undefined) {
    bitmapAt = at;
    at += 2;
  }
  if (storedValue !== undefined) {
    if (!hashed) at = writeCompactAt(out, at, storedValue.length);
    out.set(storedValue, at);
    at += storedValue.length;
  }
  if (childRefs !== undefined) {
    let bitmap = 0;
    for (let i = 0; i < 16; i++) {
      const ref = childRefs[i];
      if (ref === undefined) continue;
      bitmap |= 1 << i;
      at = writeCompactAt(out, at, ref.length);
      out.set(ref, at);
      at += ref.length;
    }
    out[bitmapAt] = bitmap & 0xff;
    out[bitmapAt + 1] = bitmap >> 8;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- decoding

export type DecodedValue = { hashed: false; data: Uint8Array } | { hashed: true; hash: Uint8Array };

export type DecodedNode =
  | { type: 'empty' }
  | { type: 'leaf'; partial: Uint8Array; value: DecodedValue }
  | {
      type: 'branch';
      partial: Uint8Array;
      value: DecodedValue | undefined;
      /** Per nibble: a 32-byte hash or an inline node encoding (shorter than 32 bytes). */
      children: Array<Uint8Array | undefined>;
    };

function invalid(message: string): TrieError {
  return new TrieError(TRIE_ERROR_CODES.ERR_INVALID_NODE, `invalid trie node: ${message}`);
}

function readSize(first: number, prefixBits: number, reader: ScaleReader): number {
  const max = 0xff >> prefixBits;
  let size = first & max;
  if (size < max) return size;
  size -= 1;
  while (size <= NIBBLE_SIZE_BOUND) {
    const n = reader.byte();
    if (n < 255) return size + n + 1;
    size += 255;
  }
  return NIBBLE_SIZE_BOUND;
}

function readPartial(reader: ScaleReader, nibbleCount: number): Uint8Array {
  const bytes = reader.take((nibbleCount + 1) >> 1);
  const out = new Uint8Array(nibbleCount);
  let i = 0;
  let b = 0;
  if (nibbleCount % 2 === 1) {
    if (bytes[0]! >> 4 !== 0) throw invalid('non-zero padding nibble');
    out[i++] = bytes[b++]!;
  }
  for (; i < nibbleCount; i += 2, b++) {
    out[i] = bytes[b]! >> 4;
    out[i + 1] = bytes[b]! & 0x0f;
  }
  return out;
}

function readValue(reader: ScaleReader, hashed: boolean): DecodedValue {
  if (hashed) return { hashed: true, hash: reader.take(HASH_LENGTH) };
  return { hashed: false, data: reader.bytesWithLength() };
}

/** Decodes one node encoding; throws `ERR_INVALID_NODE` on anything sp-trie would not produce. */
export function decodeNode(data: Uint8Array): DecodedNode {
  try {
    return readNode(new ScaleReader(data, 'trie node'));
  } catch (error) {
    throw error instanceof ScaleDecodeError ? invalid(error.message) : error;
  }
}

function readNode(reader: ScaleReader): DecodedNode {
  const first = reader.byte();
  let node: DecodedNode;
  if (first === 0) {
    node = { type: 'empty' };
  } else {
    let kind: 'leaf' | 'branch';
    let hasValue = true;
    let hashed = false;
    let prefixBits = 2;
    switch (first & 0b1100_0000) {
      case LEAF:
        kind = 'leaf';
        break;
      case BRANCH_NO_VALUE:
        kind = 'branch';
        hasValue = false;
        break;
      case BRANCH_WITH_VALUE:
        kind = 'branch';
        break;
      default:
        if ((first & 0b1110_0000) === HASHED_VALUE_LEAF) {
          kind = 'leaf';
          hashed = true;
          prefixBits = 3;
        } else if ((first & 0b1111_0000) === HASHED_VALUE_BRANCH) {
          kind = 'branch';
          hashed = true;
          prefixBits = 4;
        } else {
          throw invalid(`unsupported header byte 0x${first.toString(16).padStart(2, '0')}`);
        }
    }
    const partial = readPartial(reader, readSize(first, prefixBits, reader));
    if (kind === 'leaf') {
      node = { type: 'leaf', partial, value: readValue(reader, hashed) };
    } else {
      const bitmap = reader.u16('bitmap');
      const value = hasValue ? readValue(reader, hashed) : undefined;
      const children = new Array<Uint8Array | undefined>(16).fill(undefined);
      for (let i = 0; i < 16; i++) {
        if ((bitmap & (1 << i)) === 0) continue;
        const ref = reader.bytesWithLength();
        if (ref.length > HASH_LENGTH) throw invalid(`inline child of ${ref.length} bytes`);
        children[i] = ref;
      }
      node = { type: 'branch', partial, value, children };
    }
  }
  reader.end();
  return node;
}
