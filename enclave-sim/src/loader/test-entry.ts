// Enclave entry of the loader's specs (and the bundler's default while dist/trusted/main.js is missing). It exercises
// what the bundle must carry: decryption threads started from the bundle, libolm's and ristretto's WASM beside it,
// schnorrkel, miniflare as an external with the measured workerd; and prints one JSON line on stdout.
// SEALBRIDGE_TEST_ENTRY_LOAD=<file> makes it first import() that file (require() a .cjs, start a .thread.mjs as a
// worker thread): the specs point it at files that are not in the manifest.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import { cryptoReady, shieldEncrypt, verifySignatureBytes } from '@sealbridge/chain-types';
import { sr25519PairFromSeed, sr25519Sign } from '@polkadot/util-crypto';

import { createAttestationService } from '../attestation-service.js';
import { TrustedEnclave } from '../trusted/enclave.js';
import { FileSealedStorage } from '../trusted/file-sealed-storage.js';
import { noopLog } from '../trusted/log.js';
import { runThreadEntry } from '../trusted/threads.js';
import type { Measurement } from './measurement.js';

export interface TestEntryReport {
  mrenclave: string;
  ok: true;
  decryptedOnThread: boolean;
  olmIdentityKey: string;
  sr25519Verified: boolean;
  miniflare: string;
}

/** Not the dev vendor's MRSIGNER (host/measurement.ts is host code, not bundled): this enclave seals nothing kept. */
const TEST_MRSIGNER = new Uint8Array(32).fill(0x5e);

async function loadProbe(file: string): Promise<void> {
  if (file.endsWith('.thread.mjs')) {
    const thread = new Worker(file);
    await new Promise((resolve, reject) => thread.once('exit', resolve).once('error', reject));
  } else if (file.endsWith('.cjs')) createRequire(import.meta.url)(file);
  else await import(pathToFileURL(file).href);
}

async function checkTrustedEnclave(measurement: Measurement): Promise<Pick<TestEntryReport, 'decryptedOnThread' | 'olmIdentityKey'>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sealbridge-test-entry-'));
  try {
    const enclave = await TrustedEnclave.create({
      storage: await FileSealedStorage.open(dataDir),
      platformSecret: new Uint8Array(randomBytes(32)),
      identity: { mrenclave: measurement.mrenclave, mrsigner: TEST_MRSIGNER },
      quotingService: createAttestationService(),
      buildMode: 'Debug',
      decryptThreads: 1,
      log: noopLog,
    });
    try {
      const plaintext = new TextEncoder().encode('shielded hello');
      const decrypted = await enclave.decryptShielded(shieldEncrypt(enclave.shieldingPublicKey(), plaintext));
      return { decryptedOnThread: Buffer.from(decrypted).equals(Buffer.from(plaintext)), olmIdentityKey: enclave.olmIdentityKey() };
    } finally {
      await enclave.close();
    }
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

async function checkSr25519(): Promise<boolean> {
  await cryptoReady();
  const pair = sr25519PairFromSeed(new Uint8Array(32).fill(7));
  const message = new TextEncoder().encode('ristretto');
  const signature = sr25519Sign(message, pair);
  // A valid signature must verify, and a key that is no ristretto255 encoding must not get as far as schnorrkel.
  const notRistretto = new Uint8Array(32).fill(0xff);
  return verifySignatureBytes(message, 'Sr25519', signature, pair.publicKey) && !verifySignatureBytes(message, 'Sr25519', signature, notRistretto);
}

async function checkMiniflare(): Promise<string> {
  // Imported when needed, so the refusal specs do not wait for miniflare to load.
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({ modules: true, script: 'export default { fetch: () => new Response("hello from workerd") };' });
  try {
    return await (await mf.dispatchFetch('http://localhost/')).text();
  } finally {
    await mf.dispose();
  }
}

export async function start(measurement: Measurement): Promise<void> {
  if (await runThreadEntry()) return;
  const probe = process.env.SEALBRIDGE_TEST_ENTRY_LOAD;
  if (probe) await loadProbe(probe);
  const enclave = await checkTrustedEnclave(measurement);
  const report: TestEntryReport = {
    mrenclave: Buffer.from(measurement.mrenclave).toString('hex'),
    ok: true,
    ...enclave,
    sr25519Verified: await checkSr25519(),
    miniflare: await checkMiniflare(),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
