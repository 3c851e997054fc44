/**
 * Error codes of @sealbridge/trie. User errors are caused by bad arguments or bad proofs handed in by a
 * caller; there are no system errors in this package (it does no I/O).
 */
export const TRIE_ERROR_CODES = {
  /** An argument has the wrong type or shape (not a Uint8Array, bad state version, …). */
  ERR_INVALID_INPUT: 'ERR_INVALID_INPUT',
  /** A proof does not contain a node (or hashed value) that the walk from the root needs. */
  ERR_PROOF_MISSING_NODE: 'ERR_PROOF_MISSING_NODE',
  /** A node in a proof (or handed to the decoder) is not a valid Substrate trie node encoding. */
  ERR_INVALID_NODE: 'ERR_INVALID_NODE',
} as const;

export type TrieErrorCode = (typeof TRIE_ERROR_CODES)[keyof typeof TRIE_ERROR_CODES];

/** Local typed error until chain-types exports `SealbridgeError`; `name` reads `TrieError [CODE]`. */
export class TrieError extends Error {
  readonly code: TrieErrorCode;

  constructor(code: TrieErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = `TrieError [${code}]`;
  }
}
