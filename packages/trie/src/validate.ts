import { TRIE_ERROR_CODES, TrieError } from './errors.js';

export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TrieError(TRIE_ERROR_CODES.ERR_INVALID_INPUT, `${what} must be a Uint8Array`);
  }
}

/** Yields `[key, value]` pairs of an iterable, rejecting anything that is not an iterable of pairs. */
export function* pairs<V>(entries: Iterable<readonly [Uint8Array, V]>, what: string): Generator<readonly [unknown, unknown]> {
  if (entries === null || typeof (entries as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') {
    throw new TrieError(TRIE_ERROR_CODES.ERR_INVALID_INPUT, `${what} must be an iterable of [key, value] pairs`);
  }
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) {
      throw new TrieError(TRIE_ERROR_CODES.ERR_INVALID_INPUT, `${what} must contain [key, value] pairs`);
    }
    yield entry as readonly [unknown, unknown];
  }
}

export function assertByteArray(value: unknown, what: string): asserts value is readonly Uint8Array[] {
  if (!Array.isArray(value)) throw new TrieError(TRIE_ERROR_CODES.ERR_INVALID_INPUT, `${what} must be an array of Uint8Array`);
  for (const item of value) assertBytes(item, `each of ${what}`);
}
