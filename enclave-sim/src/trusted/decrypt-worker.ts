// Worker thread of DecryptPool: holds the shielding private key and decrypts batches with the one shared
// Integritee chunked RSA-OAEP implementation from chain-types.
import type { KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

import { shieldDecrypt } from '@sealbridge/chain-types';

import type { DecryptOutcome, FromDecryptWorker, ToDecryptWorker } from './decrypt-protocol.js';

const port = parentPort!;
let privateKey: KeyObject | undefined;

function decryptOne(ciphertext: Uint8Array): DecryptOutcome {
  try {
    return { ok: true, plaintext: shieldDecrypt(privateKey!, ciphertext) };
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    return { ok: false, code: typeof e.code === 'string' ? e.code : 'DECRYPT_FAILED', message: String(e.message ?? error) };
  }
}

port.on('message', (msg: ToDecryptWorker) => {
  if (msg.type === 'key') {
    privateKey = msg.privateKey;
    port.postMessage({ type: 'ready' } satisfies FromDecryptWorker);
    return;
  }
  const results = msg.ciphertexts.map(decryptOne);
  const transfer = results.flatMap((r) => (r.ok ? [r.plaintext.buffer as ArrayBuffer] : []));
  port.postMessage({ type: 'batch', id: msg.id, results } satisfies FromDecryptWorker, transfer);
});
