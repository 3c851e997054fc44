import type { KeyObject } from 'node:crypto';

/** Messages between DecryptPool and its worker threads (structured clone; KeyObjects clone across threads). */
export type ToDecryptWorker =
  | { type: 'key'; privateKey: KeyObject }
  | { type: 'batch'; id: number; ciphertexts: Uint8Array[] };

export type DecryptOutcome = { ok: true; plaintext: Uint8Array } | { ok: false; code: string; message: string };

export type FromDecryptWorker = { type: 'ready' } | { type: 'batch'; id: number; results: DecryptOutcome[] };
