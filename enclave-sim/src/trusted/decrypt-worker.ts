// Worker thread of DecryptPool: holds the shielding private key and decrypts batches with the one shared
// Integritee chunked RSA-OAEP implementation from chain-types; on request it also checks each plaintext's call
// signature, so that cost is spread over the pool instead of landing on the thread that executes the block.
import type { KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

import { cryptoReady, isValidlySignedCallOperation, shieldDecrypt } from '@sealbridge/chain-types';

import type { CallVerification, DecryptOutcome, FromDecryptWorker, ToDecryptWorker } from './decrypt-protocol.js';

const port = parentPort!;
let privateKey: KeyObject | undefined;

function decryptOne(ciphertext: Uint8Array, verify: CallVerification | undefined): DecryptOutcome {
  let plaintext: Uint8Array;
  try {
    plaintext = shieldDecrypt(privateKey!, ciphertext);
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    return { ok: false, code: typeof e.code === 'string' ? e.code : 'DECRYPT_FAILED', message: String(e.message ?? error) };
  }
  if (!verify) return { ok: true, plaintext };
  return { ok: true, plaintext, callSignatureValid: isValidlySignedCallOperation(plaintext, verify.mrenclave, verify.shard) };
}

port.on('message', (msg: ToDecryptWorker) => {
  if (msg.type === 'key') {
    privateKey = msg.privateKey;
    // sr25519 verification needs the WASM module before the first batch.
    cryptoReady().then(() => port.postMessage({ type: 'ready' } satisfies FromDecryptWorker));
    return;
  }
  const results = msg.ciphertexts.map((ciphertext) => decryptOne(ciphertext, msg.verifyCalls));
  const transfer = results.flatMap((r) => (r.ok ? [r.plaintext.buffer as ArrayBuffer] : []));
  port.postMessage({ type: 'batch', id: msg.id, results } satisfies FromDecryptWorker, transfer);
});
