import type { KeyObject } from 'node:crypto';

/** Messages between DecryptPool and its worker threads (structured clone; KeyObjects clone across threads). */
export type ToDecryptWorker =
  | { type: 'key'; privateKey: KeyObject }
  | { type: 'batch'; id: number; ciphertexts: Uint8Array[]; verifyCalls?: CallVerification };

/** Check each plaintext as a signed trusted call for this mrenclave and shard (isValidlySignedCallOperation). */
export interface CallVerification {
  mrenclave: Uint8Array;
  shard: Uint8Array;
}

export type DecryptOutcome =
  | { ok: true; plaintext: Uint8Array; callSignatureValid?: boolean }
  | { ok: false; code: string; message: string };

export type FromDecryptWorker = { type: 'ready' } | { type: 'batch'; id: number; results: DecryptOutcome[] };
