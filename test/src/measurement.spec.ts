import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { u8aToHex } from '@polkadot/util';

import { startDevChain, type DevChain } from '@sealbridge/dev-chain';
import { ENCLAVE_DIR, measureEnclave } from '@sealbridge/enclave-sim';
import { startWorker } from '@sealbridge/worker';

import { tempDir } from './harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Bundler {
  bundleEnclave(options: { outDir: string; transform?: (file: { path: string; source: string }) => string | undefined }): Promise<{ dir: string }>;
}

/** A line of the STF's funds check, changed: the smallest change of the state transition there is. */
const STF_FILE = `${path.sep}packages${path.sep}stf${path.sep}dist${path.sep}execute.js`;
const changeStf = ({ path: file, source }: { path: string; source: string }) => (file.endsWith(STF_FILE) ? source.replace(/ below /g, ' under ') : undefined);

describe('MRENCLAVE measures the state transition, and sealed data is bound to it', function () {
  this.timeout(180_000);
  let chain: DevChain;
  // Beside the real one, so the manifest's relative paths to node_modules are the same.
  const variantDir = path.join(path.dirname(ENCLAVE_DIR), `enclave-variant-${process.pid}`);
  const dirs: string[] = [variantDir];
  before(async () => {
    chain = await startDevChain({ port: 0, blockTime: 'instant' });
    const { bundleEnclave } = (await import(path.join(ROOT, 'enclave-sim', 'scripts', 'bundle-enclave.mjs'))) as Bundler;
    let changed = 0;
    await bundleEnclave({ outDir: variantDir, transform: (file) => {
      const out = changeStf(file);
      if (out !== undefined && out !== file.source) changed++;
      return out;
    } });
    assert.equal(changed, 1, 'the STF module was changed in the variant bundle');
  });
  after(async () => {
    await chain?.stop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = (dataDir: string, extra: Parameters<typeof startWorker>[0] extends infer O ? Partial<O> : never = {}) =>
    startWorker({ parentchainUrl: chain.url, dataDir, platformSecretPath: `${dataDir}.platform-secret`, rpcPort: 0, runnerPort: -1, ...extra });

  it('a change to the STF in the bundle changes MRENCLAVE; the enclave reports what the loader measured', async () => {
    const [real, variant] = await Promise.all([measureEnclave(), measureEnclave(variantDir)]);
    assert.notEqual(u8aToHex(real), u8aToHex(variant));
    const dataDir = tempDir('measure-variant');
    dirs.push(dataDir, `${dataDir}.platform-secret`);
    const worker = await start(dataDir, { enclaveDir: variantDir });
    try {
      assert.equal(u8aToHex(worker.mrenclave), u8aToHex(variant), 'registered under the variant MRENCLAVE');
    } finally {
      await worker.stop();
    }
  });

  it('an enclave of other code cannot unseal the data of this one and refuses to start', async () => {
    const dataDir = tempDir('measure-sealed');
    dirs.push(dataDir, `${dataDir}.platform-secret`);
    const worker = await start(dataDir);
    const mrenclave = u8aToHex(worker.mrenclave);
    await worker.stop();
    await assert.rejects(start(dataDir, { enclaveDir: variantDir }), /SEALED_DATA_INVALID|UNSEAL_FAILED/);
    // The data is intact: the enclave it belongs to still opens it.
    const again = await start(dataDir);
    assert.equal(u8aToHex(again.mrenclave), mrenclave);
    await again.stop();
  });

  it('--mrenclave: an enclave measuring to anything else is refused by the loader', async () => {
    const dataDir = tempDir('measure-expect');
    dirs.push(dataDir, `${dataDir}.platform-secret`);
    const other = u8aToHex(await measureEnclave(variantDir));
    await assert.rejects(start(dataDir, { mrenclave: other }), /ENCLAVE_MEASUREMENT_MISMATCH/);
    const worker = await start(dataDir, { mrenclave: u8aToHex(await measureEnclave()) });
    await worker.stop();
  });
});
